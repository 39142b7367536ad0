from __future__ import annotations

import time
from pathlib import Path

import pikepdf
import pytest
from notdef import notdef_glyphs

import layout.pdf.draw as _draw

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "issues" / "2026-12-03"

# Every PDF the tests write in-process, whatever route they take (write_pdf directly, or the
# `issue` command through CliRunner, which looks write_pdf up when it runs): checked for
# .notdef glyphs after the test that wrote it.
WRITTEN: list[Path] = []
_write_pdf = _draw.write_pdf


def _recording_write_pdf(composed, out, *args, **kwargs):  # type: ignore[no-untyped-def]
    _write_pdf(composed, out, *args, **kwargs)
    WRITTEN.append(Path(out))


_draw.write_pdf = _recording_write_pdf


@pytest.fixture(autouse=True)
def _no_empty_boxes(request: pytest.FixtureRequest):
    """No character of any PDF a test renders is drawn as glyph 0 (.notdef, the empty box): the
    PDFs written in-process during the test, and any PDF a subprocess wrote under its tmp_path."""
    start, t0 = len(WRITTEN), time.time()
    tmp = request.getfixturevalue("tmp_path") if "tmp_path" in request.fixturenames else None
    yield
    pdfs = set(WRITTEN[start:])
    if tmp is not None:
        pdfs |= {p for p in tmp.rglob("*.pdf") if p.is_file() and p.stat().st_mtime >= t0 - 1}
    for pdf in sorted(pdfs):
        if not pdf.is_file():
            continue
        try:
            found = notdef_glyphs(pdf)
        except (pikepdf.PdfError, pikepdf.PasswordError):  # PasswordError: a hostile-input test's locked PDF
            assert pdf not in WRITTEN, f"{pdf}: written by write_pdf but not a readable PDF"
            continue  # a stand-in file a test wrote itself (e.g. an "earlier edition" of bytes)
        assert not found, f"{pdf}: characters drawn as empty boxes (.notdef): {found[:10]}"


@pytest.fixture
def issue(tmp_path: Path) -> Path:
    """A copy of the sample issue to break (modules may define their own)."""
    import shutil

    folder = tmp_path / "issue"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("build"))
    return folder


@pytest.fixture(scope="session")
def sample_built():
    from layout.pipeline import build

    return build(SAMPLE)


@pytest.fixture(scope="session")
def sample_pdf(sample_built, tmp_path_factory) -> Path:
    from layout.pdf.draw import write_pdf

    out = tmp_path_factory.mktemp("sample") / "sample.pdf"
    write_pdf(sample_built.composed, out)
    return out


@pytest.fixture(autouse=True)
def _containment_after_every_composition(monkeypatch):
    """Every composition a test makes in this process is checked: nothing drawn outside its
    box or over anything else (unless a line is overfull, which is an error of its own)."""
    from layout.page import containment
    from layout.page.compose import Composer

    real = Composer.compose

    def checked(self):
        c = real(self)
        if c.overfull:
            return c  # a glyph wider than its column runs past its box by design, and is reported
        problems = containment.check(c)
        assert problems == [], [str(p) for p in problems]
        return c

    monkeypatch.setattr(Composer, "compose", checked)
    yield
