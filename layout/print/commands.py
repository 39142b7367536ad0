"""What `issue render --print` and `issue preflight` do, behind their thin typer wrappers: resolve the
settings, write or check, print one line per result, and turn bad input into a clear message and exit
code 2 (never a traceback). Each returns the exit code."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..manifest.errors import EXIT_INVALID, EXIT_OK, EXIT_PROBLEMS, InvalidInput
from ..pipeline import Built

Say = Callable[[str], None]


def _invalid(e: InvalidInput, err: Say) -> int:
    for p in e.problems:
        err(str(p))
    n = len(e.problems)
    err(f"error: {n} problem{'s' if n != 1 else ''} in the issue; nothing was written")
    return EXIT_INVALID


def run_print(
    b: Built,
    icc: Path | None,
    split: bool,
    output: Path | None,
    err: Say,
    out: Say,
    writing: Callable[[int], None] | None = None,
    tick: Callable[[], None] | None = None,
    parallel: bool | None = None,
    cache: bool = True,
) -> int:
    """Write the print rendition of a laid-out issue; EXIT_OK, or EXIT_INVALID on bad settings.
    `parallel`: photos separated in two processes (None: on two cores or more; False: here only);
    `cache`: separations kept for the next print render (ISSUE/build/.cache/print/)."""
    from .render import render_print
    from .settings import resolve

    try:
        s = resolve(b, icc)
        if writing:
            writing(len(b.composed.pages))
        r = render_print(b, s, output, split, tick=tick, parallel=parallel, cache=cache)
    except InvalidInput as e:
        return _invalid(e, err)
    except OSError as e:
        err(f"error: cannot write the print files: {e}")
        return EXIT_INVALID
    for ph in r.photos:
        ink = f"total ink {ph.ink_before:.0f}% -> {ph.ink_after:.0f}%"
        out(f"photo {ph.path.name}: {ph.source_profile} -> {s.output_condition}, {ink}")
    for p in r.pages:
        out(f"page: {p}")
    out(f"{r.whole}: {len(b.composed.pages)} pages, {s.pdfx_version} for {s.output_condition}")
    return EXIT_OK


def run_preflight(target: Path, print_: bool, icc: Path | None, as_json: bool, strict: bool, err: Say, out: Say) -> int:
    """Check an issue folder or a PDF; EXIT_PROBLEMS on errors (warnings too when strict)."""
    from .findings import failed, ordered, summary, to_json
    from .preflight import preflight_issue
    from .preflight_pdf import preflight_pdf

    if not target.exists():
        err(f"error: {target}: no such issue folder or PDF")
        return EXIT_INVALID
    if not (target.is_dir() or target.is_file()):
        err(f"error: {target}: not a regular file (a device or a pipe?); expected an issue folder or a PDF")
        return EXIT_INVALID
    try:
        is_pdf = target.is_file() and target.suffix.lower() == ".pdf"
        found = preflight_pdf(target, print_) if is_pdf else preflight_issue(target, print_ or icc is not None, icc)
    except InvalidInput as e:
        return _invalid(e, err)
    if as_json:
        out(to_json(str(target), found, strict))
    else:
        for f in ordered(found):
            out(str(f))
        out(summary(str(target), found, strict))
    return EXIT_PROBLEMS if failed(found, strict) else EXIT_OK
