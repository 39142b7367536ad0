"""`issue render` itself: build the issue, report what does not fit, write the PDF (screen or print).

Reads the command's arguments and, from `issue serve`, a build session; produces the PDF through
pipeline/pdf (or print/), the messages the command prints (through `err` and `out`, as the
command line and the render server both show them) and the exit code: 0 written, 1 problems found
(overset: nothing written unless --allow-overset), 2 invalid input (nothing written), 130
interrupted. One function for both routes, so a render answered by `issue serve` says and writes
exactly what one in a fresh process does.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .manifest.errors import EXIT_INVALID, EXIT_OK, EXIT_PROBLEMS, InvalidInput

if TYPE_CHECKING:
    from .manifest.files import Renaming
    from .session import Session

Say = Callable[[str], None]
MAX_SHOWN = 100  # problems listed: a runaway file must not flood the terminal


def report_invalid(e: InvalidInput, err: Say) -> None:
    """Every problem (up to MAX_SHOWN) and the summary line, on `err`."""
    for p in e.problems[:MAX_SHOWN]:
        err(str(p))
    n = len(e.problems)
    if n > MAX_SHOWN:
        err(f"... and {n - MAX_SHOWN:,} more problems")
    err(f"error: {n} problem{'s' if n != 1 else ''} in the issue; nothing was written")


def run_render(
    issue: Path,
    output: Path | None,
    allow_overset: bool,
    err: Say,
    out: Say,
    *,
    greedy: bool = False,
    print_: bool = False,
    icc: Path | None = None,
    split: bool = False,
    no_cache: bool = False,
    jobs: int | None = None,
    bar: Any = None,
    session: Session | None = None,
    keep: list[object] | None = None,
) -> int:
    """Render ISSUE as `issue render` does; the exit code. `bar` shows progress (a terminal);
    `session` keeps what the build made for the next one; `keep` is given the build, for a caller
    that ends the process with os._exit (its objects are not then torn down one by one)."""
    from .page.findings import checked
    from .pipeline import build, default_output

    t0 = time.perf_counter()
    try:
        with bar or nullcontext():
            b = build(
                issue,
                "greedy" if greedy else "total",
                on_loaded=bar.loaded if bar else None,
                tick=bar.tick if bar else None,
                cache=not no_cache,
                parallel=None if jobs is None else jobs > 1,
                session=session,
            )
    except InvalidInput as e:
        report_invalid(e, err)
        return EXIT_INVALID
    if keep is not None:
        keep.append(b)  # freeing a build's objects took 8-11 ms at the end of a 16-page render
    memo = session.checked if session is not None and not no_cache else None  # pages unchanged: not checked again

    def check() -> tuple[list[str], list[str]]:
        """What stops the PDF, then what `issue check` would circle (holes, short strips...), as said."""
        errs, warns = checked(b.composed, b.loaded, memo)
        return [str(f) for f in errs], [str(f) for f in warns]

    printing = print_ or bool(icc) or split
    # A second process (where it pays) checks the pages while this one draws them (and may draw the
    # later pages' text): the same bytes, the same messages, and no PDF put in place before the
    # findings allow it.
    # (A build session's memo of findings is kept by this process: it checks them itself.)
    # It then writes the cache packs to temporaries, for this process only to put them in place.
    state, par = b.pack_state(), None if jobs is None else jobs > 1
    with _text_helper(b, par, printing, check if memo is None else None) as helper:
        gate = _Gate(check, helper if helper is not None and helper.checks else None, allow_overset, err)
        if gate.helper is None and not gate.passes():
            return EXIT_PROBLEMS
        if printing:
            from .print.commands import run_print

            with bar or nullcontext():
                ticks = {"writing": bar.writing, "tick": bar.tick} if bar else {}
                code = run_print(b, icc, split, output, err, out, **ticks, parallel=par, cache=not no_cache)
            return code or (EXIT_PROBLEMS if gate.report else EXIT_OK)
        target = output or default_output(b.loaded)
        renaming: list[Renaming] = []  # the PDF put in place by a thread while the helper's packs come
        photos = session.photos if session is not None and not no_cache else None
        code = _write_screen_pdf(b, target, bar, err, helper, gate if gate.helper else None, renaming, photos)
        if code is not None:
            return code
        code = _keep(b, helper, state, session, renaming, target, err)
        if code is not None:
            return code
        if session is not None:
            session.written = os.path.abspath(target)
        c = b.composed
        dt = time.perf_counter() - t0
        out(f"{target}: {len(c.pages)} pages, {c.stories} stories, {c.words:,} words, {dt:.2f} s")
        return EXIT_PROBLEMS if gate.report else EXIT_OK


class _Gate:
    """The findings that decide whether the PDF is put in place: the helper's (checked while this
    process drew), or checked here if it had none to give; said once, before anything else about
    the output, as a serial render says them."""

    def __init__(self, check: Callable[[], tuple[list[str], list[str]]], helper: Any, allow_overset: bool, err: Say):
        self.check, self.helper, self.allow_overset, self.err = check, helper, allow_overset, err
        self.report: list[str] = []
        self.warned: list[str] = []
        self.decided: bool | None = None
        self.said = False

    def decide(self) -> bool:
        """Whether the PDF may be written (no error, or --allow-overset); nothing said yet."""
        if self.decided is None:
            found = self.helper.checked() if self.helper is not None else None
            if not _findings_shape(found):
                found = self.check()  # the helper failed: the same findings, checked here
            self.report, self.warned = list(found[0]), list(found[1])  # type: ignore[index]
            self.decided = not self.report or self.allow_overset
        return self.decided

    def say(self) -> None:
        if self.said:
            return
        self.said = True
        for line in self.report + self.warned:
            self.err(line)
        if not self.decided:
            self.err(
                "error: copy or a story's parts do not fit; no PDF written (cut copy, change the layout or the style, "
                "or pass --allow-overset to proof it with what does not fit left out)"
            )

    def passes(self) -> bool:
        """Decide and say."""
        ok = self.decide()
        self.say()
        return ok


def _findings_shape(found: object) -> bool:
    return (
        isinstance(found, tuple)
        and len(found) == 2
        and all(isinstance(part, list) and all(isinstance(x, str) for x in part) for part in found)
    )


@contextmanager
def _text_helper(b, parallel: bool | None, printing: bool, check: Callable[[], object] | None) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """A helper process checking the pages and perhaps drawing the later pages' text (pdf.pardraw)
    for the screen PDF, or None; ended and reaped however the render ends."""
    from .pdf.pardraw import start

    after = b.made_packs if b.keeps_packs() and not printing else None
    missing = b.missing_folders() if after is not None else []
    helper = None if printing else start(b.composed, b.pages, parallel, check=check, after=after, free=b.free)
    try:
        yield helper
    finally:
        if helper is not None:
            helper.abandon()
            if after is not None:
                b.drop_staged(missing)  # the packs it wrote that were not put in place (a failed render)


def _write_screen_pdf(  # type: ignore[no-untyped-def]
    b,
    out: Path,
    bar: Any,
    err: Say,
    helper: Any = None,
    gate: _Gate | None = None,
    renaming: list | None = None,
    photos: Any = None,
) -> int | None:
    """Write the PDF to `out`; None, or the exit code when nothing was written (never over an
    input or a device; nothing half-written). With `gate` (findings still being checked), the PDF is
    put in place only if they allow it, and they are said before anything else about the output.
    With `renaming`, the last step, the rename, is left to a thread (`_keep` waits for it).
    `photos`: a build session's (pdf/photocopies.py), prepared for this PDF."""
    from .pdf.draw import Withheld, write_pdf
    from .pipeline import refuse_input_as_output

    try:
        refuse_input_as_output(out, b)
    except (InvalidInput, OSError) as e:
        if gate is not None and not gate.passes():
            return EXIT_PROBLEMS
        if isinstance(e, InvalidInput):
            report_invalid(e, err)
        else:  # a name too long, a loop of symlinks: nothing can be written there
            err(f"error: cannot write {out}: {e.strerror or e}; nothing was written")
        return EXIT_INVALID
    try:
        with bar or nullcontext():
            if bar:
                bar.writing(len(b.composed.pages))
            write_pdf(
                b.composed,
                out,
                tick=bar.tick if bar else None,
                pages=b.pages,
                helper=helper,
                commit=gate.decide if gate is not None else None,
                background=renaming,
                photos=photos,
                **pdf_meta(b),
            )
    except Withheld:
        gate.say()  # type: ignore[union-attr]
        return EXIT_PROBLEMS
    except OSError as e:
        if gate is not None and not gate.passes():  # as a serial render, which would not have written
            return EXIT_PROBLEMS
        err(f"error: cannot write {out}: {e}")
        return EXIT_INVALID
    except KeyboardInterrupt:  # typer would exit 130 silently; say the earlier file is untouched
        err(f"interrupted; nothing was written to {out}")
        return 130
    if gate is not None:
        gate.say()
    return None


def pdf_meta(b) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The PDF's metadata beside what the composed document gives (serve/ahead.py draws with it too)."""
    return {"author": b.loaded.issue.publication, "keywords": ", ".join(b.loaded.issue.articles)}


def _keep(  # type: ignore[no-untyped-def]
    b, helper: Any, state: tuple, session: Session | None, renaming: list[Renaming], out: Path, err: Say
) -> int | None:
    """Once the PDF is drawn: wait for its rename into place (meanwhile the helper's packs come) and
    keep the cache packs (in `issue serve`, once it has answered); the exit code if the rename
    failed (nothing was written, no pack either)."""
    from .manifest.files import stop_signals_raise

    deferred = session is not None and session.defer_packs
    try:
        with stop_signals_raise():  # (SIGTERM, SIGHUP: as while the PDF was written)
            if renaming and not deferred:
                b.prepare_packs()  # while the PDF is put in place (and the helper may still be checking)
            made = helper.made() if helper is not None and not deferred and b.pack_state() == state else None
            for r in renaming:
                r.wait()
    except OSError as e:
        err(f"error: cannot write {out}: {e}")
        return EXIT_INVALID
    except KeyboardInterrupt:  # as while the PDF was written: the earlier file untouched, said so
        if all([r.abandon() for r in renaming]):
            err(f"interrupted; nothing was written to {out}")
        else:
            err(f"interrupted; {out} was already written")
        return 130
    except BaseException:  # SIGTERM, SIGHUP: no temporary left behind (the caller says so)
        for r in renaming:
            r.abandon()
        raise
    if session is not None and deferred:
        keep = b.keep_cache

        def after_answer() -> None:  # `issue serve` runs it once it has answered
            for r in renaming:
                r.finish()
            keep()

        session.pending = after_answer
    else:
        b.keep_cache(made)
        for r in renaming:
            r.finish()  # (the earlier PDF removed meanwhile, if the names were exchanged)
    return None


class Progress:
    """Progress on standard error while a terminal watches: pages laid out, then written, on one
    line rewritten in place (carriage returns only: nothing to import on the way to a render)."""

    WIDTH = 24

    def __init__(self, stream: Any = None) -> None:
        import sys

        self.stream = stream if stream is not None else sys.stderr
        self.desc, self.total, self.done = "reading", 0, 0
        self.shown = ""

    def __enter__(self) -> Progress:
        self._show()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.shown:  # leave the terminal as it was: the line blanked, the cursor at its start
            self.stream.write("\r" + " " * len(self.shown) + "\r")
            self.stream.flush()
            self.shown = ""

    def loaded(self, li: Any) -> None:
        self.desc, self.total, self.done = "laying out", len(li.issue.pages), 0
        self._show()

    def writing(self, pages: int) -> None:
        self.desc, self.total, self.done = "writing", pages, 0
        self._show()

    def tick(self) -> None:
        self.done += 1
        self._show()

    def _show(self) -> None:
        text = self.desc
        if self.total:
            filled = min(self.WIDTH, self.WIDTH * self.done // self.total)
            text = f"{self.desc:<10} [{'#' * filled}{'-' * (self.WIDTH - filled)}] {self.done}/{self.total}"
        if text != self.shown:
            self.stream.write("\r" + text.ljust(len(self.shown)))
            self.stream.flush()
            self.shown = text


def _say(stream: Any) -> Say:
    def say(msg: str) -> None:
        if stream is None:  # started with the stream closed (`>&-`): nothing can be said, as click does
            return
        from .manifest.files import printable

        stream.write(printable(msg) + "\n")
        stream.flush()

    return say


def run_plain(opts: dict, keep: list[object] | None = None) -> int:
    """`issue render ISSUE [-o OUT] [--allow-overset] [--no-cache] [--jobs 1|2]` (the options
    `serve.client.forwardable` reads) exactly as the typer command runs it, messages and exit codes
    included, without importing typer and click (about 50 ms of a cold render). SIGTERM/SIGHUP and
    Ctrl-C end it as `cli.run` does. `keep`: see run_render."""
    import sys

    from .manifest import lazypil
    from .manifest.files import Terminated, stop_signals_raise

    lazypil.defer()  # before ReportLab is imported: JPEG photos never need Pillow
    from .pipeline import no_collection

    err, out = _say(sys.stderr), _say(sys.stdout)
    try:
        with stop_signals_raise(), no_collection():
            output = Path(opts["output"]) if opts["output"] else None
            bar = Progress() if sys.stderr is not None and sys.stderr.isatty() else None
            return run_render(
                Path(opts["issue"]),
                output,
                opts["allow_overset"],
                err,
                out,
                no_cache=opts["no_cache"],
                jobs=opts.get("jobs"),
                bar=bar,
                keep=keep,
            )
    except KeyboardInterrupt:
        err("interrupted; nothing was written")
        return 130
    except Terminated as e:
        err(f"{e}; any file being written was removed")
        return 128 + e.signum
