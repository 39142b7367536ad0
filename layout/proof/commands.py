"""What the `issue proof | fit | preview | diff | notes` commands do, behind their thin
typer wrappers: read the arguments' files, run the package, print, and turn bad input
into a clear message and exit code 2 (never a traceback). Each returns the exit code."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..manifest.errors import EXIT_INVALID, EXIT_OK, EXIT_PROBLEMS, InvalidInput

Say = Callable[[str], None]


def _build(issue: Path, err: Say):
    from ..pipeline import build

    try:
        return build(issue)
    except InvalidInput as e:
        for p in e.problems:
            err(str(p))
        err(f"error: {len(e.problems)} problem{'s' if len(e.problems) != 1 else ''} in the issue; nothing was written")
        return None


def _is_pdf(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(5) == b"%PDF-"
    except OSError:
        return False


def _pdf_arg(path: Path, err: Say) -> bool:
    if path.is_dir():
        err(f"error: {path} is a folder, not a PDF")
        return False
    if path.exists() and not path.is_file():
        err(f"error: {path} is not a regular file (a device or a pipe?), not a PDF")
        return False
    if not path.is_file():
        err(f"error: {path}: no such file")
        return False
    if not _is_pdf(path):
        err(f"error: {path}: not a PDF")
        return False
    return True


def run_proof(issue: Path, output: Path | None, err: Say, out: Say) -> int:
    from ..pipeline import default_output, refuse_default_outside, refuse_input_as_output
    from .make import make_proof

    b = _build(issue, err)
    if b is None:
        return EXIT_INVALID
    dest = output or default_output(b.loaded).with_name(default_output(b.loaded).stem + "-proof.pdf")
    if dest.is_dir():
        err(f"error: {dest} is a folder; give the proof a file name such as {dest / 'proof.pdf'}")
        return EXIT_INVALID
    try:
        if output is None:
            refuse_default_outside(dest, b.loaded)  # a symlinked build/ (or a loop of symlinks)
        refuse_input_as_output(dest, b)  # the manifest, an article, a photo, the style, a font; a device
    except InvalidInput as e:
        for p in e.problems:
            err(str(p))
        err("error: nothing was written")
        return EXIT_INVALID
    except OSError as e:  # a name too long, a loop of symlinks
        err(f"error: cannot write {dest}: {e.strerror or e}")
        return EXIT_INVALID
    try:
        proof = make_proof(b, dest)
    except OSError as e:
        err(f"error: cannot write {dest}: {e}")
        return EXIT_INVALID
    for f in proof.findings:  # the lines `issue check` prints, in its order
        err(f.line())
    errors = sum(f.severity == "error" for f in proof.findings)
    out(
        f"{dest}: proof of {proof.pages} pages + {proof.sheets} proof sheet{'s' if proof.sheets != 1 else ''}, "
        f"{len(proof.findings)} findings marked ({errors} errors), inputs {proof.map['inputs']['short']}"
    )
    return EXIT_OK


def run_fit(issue: Path, as_json: bool, err: Say, out: Say) -> int:
    from .fit import fit_rows, fit_table

    b = _build(issue, err)
    if b is None:
        return EXIT_INVALID
    rows = fit_rows(b.composed)
    out(json.dumps([r.as_dict() for r in rows], indent=1) if as_json else fit_table(rows))
    return EXIT_OK


def run_preview(source: Path, output: Path | None, dpi: int, err: Say, out: Say) -> int:
    from pypdfium2 import PdfiumError

    from .preview import preview

    with tempfile.TemporaryDirectory() as tmp:
        if source.is_file() and source.suffix.lower() == ".pdf":
            if not _pdf_arg(source, err):
                return EXIT_INVALID
            pdf = source
            dest = output or source.with_name(source.stem + "-preview")
        else:
            from ..pdf.draw import write_pdf

            b = _build(source, err)
            if b is None:
                return EXIT_INVALID
            pdf = Path(tmp) / "issue.pdf"
            write_pdf(b.composed, pdf)
            dest = output or b.loaded.folder / "build" / "preview"
            if output is None:
                from ..pipeline import refuse_default_outside

                try:
                    refuse_default_outside(dest, b.loaded)  # a symlinked build/ (or a loop of symlinks)
                except InvalidInput as e:
                    for p in e.problems:
                        err(str(p))
                    return EXIT_INVALID
        try:
            files = preview(pdf, dest, dpi)
        except (PdfiumError, ValueError) as e:
            err(f"error: {source}: cannot read the PDF ({e})")
            return EXIT_INVALID
        except OSError as e:
            err(f"error: cannot write {dest}: {e}")
            return EXIT_INVALID
    out(f"{dest}: {len(files) - 1} page images at {dpi} dpi and contact.png")
    return EXIT_OK


def _diff_side(arg: Path, tmp: Path, name: str, err: Say) -> Path | None:
    """A PDF as it is; an issue folder is proofed first (into the scratch folder)."""
    if arg.is_file() and arg.suffix.lower() == ".pdf":
        return arg if _pdf_arg(arg, err) else None
    from .make import make_proof

    b = _build(arg, err)
    if b is None:
        return None
    return make_proof(b, tmp / f"{name}-proof.pdf").path


def run_diff(old: Path, new: Path, output: Path | None, err: Say, out: Say) -> int:
    from pypdf.errors import PyPdfError
    from pypdfium2 import PdfiumError

    from .diff import compare
    from .report import write_report

    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        a, b = _diff_side(old, tmp, "old", err), _diff_side(new, tmp, "new", err)
        if a is None or b is None:
            return EXIT_INVALID
        try:
            cmp = compare(a, b, tmp)
        except (PdfiumError, PyPdfError, ValueError) as e:
            err(f"error: cannot read the PDFs: {e}")
            return EXIT_INVALID
        dest = output or (new.parent if new.is_file() else new / "build") / f"{new.stem}-diff"
        try:
            index = write_report(cmp, dest)
        except OSError as e:
            err(f"error: cannot write {dest}: {e}")
            return EXIT_INVALID
    for c in cmp.changes:
        out(c.line())
    for p in cmp.pages:
        out(p.line())
    n = sum(p.changed for p in cmp.pages)
    stories = len({c.story for c in cmp.changes})
    verdict = "changed" if cmp.changed else "unchanged"
    out(f"{verdict}: {stories} stor{'ies' if stories != 1 else 'y'} with changed words, {n} of {len(cmp.pages)} pages")
    out(f"report: {index}")
    return EXIT_PROBLEMS if cmp.changed else EXIT_OK


def _sources_folder(pmap: dict, pdf: Path) -> Path:
    """Where the article sources are: as proofed, else the issue folder around the proof."""
    for cand in (Path(pmap.get("folder", "")), pdf.resolve().parent.parent, pdf.resolve().parent):
        if str(cand) and (cand / "issue.yaml").is_file():
            return cand
    return Path(pmap.get("folder") or pdf.parent)


def run_notes(pdf: Path, as_json: bool, patch: bool, err: Say, out: Say) -> int:
    from pypdf.errors import PyPdfError

    from .notes import read_notes
    from .patch import make_patch
    from .proofmap import read_map

    if not _pdf_arg(pdf, err):
        return EXIT_INVALID
    try:
        pmap = read_map(pdf)
        if pmap is None:
            err(f"error: {pdf} has no proof map: make it with `issue proof`, annotate that, and try again")
            return EXIT_INVALID
        found, skipped = read_notes(pdf, pmap)
    except (PyPdfError, ValueError, KeyError) as e:
        err(f"error: {pdf}: cannot read the proof ({e})")
        return EXIT_INVALID
    for page in skipped:
        err(f"warning: page {page}: an annotation too malformed to read was skipped")
    if not found:
        err(f"{pdf}: no annotations: nothing to correct")
        if as_json:
            out("[]")
        return EXIT_OK
    if patch:
        text, problems = make_patch(found, pmap, _sources_folder(pmap, pdf))
        for p in problems:
            err(p)
        if text:
            out(text.rstrip("\n"))
        else:
            err("no strike-outs, insertions or replacements in the body copy: the patch is empty")
        return EXIT_OK
    if as_json:
        out(json.dumps([c.as_dict() for c in found], ensure_ascii=False, indent=1))
    else:
        for c in found:
            out(c.line())
        out(f"{len(found)} correction{'s' if len(found) != 1 else ''} on {pdf}")
    return EXIT_OK
