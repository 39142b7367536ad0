"""A build session (what `issue watch` and `issue serve` keep between builds in one process) gives the
bytes a fresh process gives with --no-cache, after every kind of edit: none, one word, a character not
drawn before, a photo replaced in place, a style change, a broken manifest and its fix, a font the
style newly names, and that font file's bytes replaced in place. The packs it writes make a later
fresh process warm, with the same bytes again.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from layout.manifest.errors import InvalidInput
from layout.manifest.stylesheet import FONT_DIR
from layout.pdf.draw import write_pdf
from layout.pipeline import build
from layout.session import Session

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issues" / "2026-12-03"
FRESH = """
import sys
from pathlib import Path
from layout.manifest.errors import InvalidInput
from layout.pdf.draw import write_pdf
from layout.pipeline import build
try:
    b = build(Path(sys.argv[1]), cache=sys.argv[3] == "cache", parallel=False)
except InvalidInput as e:
    print("INVALID", len(e.problems))
    sys.exit(0)
write_pdf(b.composed, Path(sys.argv[2]), pages=b.pages)
"""


def _fresh(folder: Path, out: Path, cache: bool = False) -> bytes | str:
    r = subprocess.run(
        [sys.executable, "-c", FRESH, str(folder), str(out), "cache" if cache else "no-cache"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    return r.stdout.strip() if r.stdout.startswith("INVALID") else out.read_bytes()


def _in_session(folder: Path, out: Path, session: Session) -> bytes | str:
    try:
        b = build(folder, parallel=False, session=session)
    except InvalidInput as e:
        return f"INVALID {len(e.problems)}"
    write_pdf(b.composed, out, pages=b.pages)
    b.keep_cache()
    return out.read_bytes()


def _edit(p: Path, old: str, new: str) -> None:
    text = p.read_text(encoding="utf-8")
    assert old in text, old
    p.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    f = tmp_path / "issue"
    shutil.copytree(SAMPLE, f, ignore=shutil.ignore_patterns("build"))
    return f


def test_a_session_gives_a_fresh_process_s_bytes_after_every_kind_of_edit(folder: Path, tmp_path: Path) -> None:
    gem, style = folder / "articles" / "geminids.md", folder / "styles" / "lodestar.yaml"
    photos = sorted((folder / "photos").glob("*.jpg"))
    serif = FONT_DIR / "source-serif-4" / "SourceSerif4SmText-Regular.ttf"
    sans = FONT_DIR / "source-sans-3" / "SourceSans3-Regular.ttf"

    def local_font() -> None:
        (folder / "styles" / "fonts").mkdir()
        shutil.copyfile(serif, folder / "styles" / "fonts" / "local.ttf")
        _edit(style, "grid: 12.5\n", "grid: 12.5\nfonts:\n  text:\n    regular: fonts/local.ttf\n")

    steps = [
        ("as it is", lambda: None),
        ("one word", lambda: _edit(gem, "richest", "finest")),
        ("a character not drawn before", lambda: _edit(gem, "Observers", "Observers (Ŵ)")),
        ("a photo replaced in place", lambda: photos[0].write_bytes(photos[1].read_bytes())),
        ("a style change", lambda: _edit(style, 'color: "#b3261e"', 'color: "#1e26b3"')),
        ("a broken manifest", lambda: _edit(folder / "issue.yaml", "columns: 4\n", "columns: four\n")),
        ("mended", lambda: _edit(folder / "issue.yaml", "columns: four\n", "columns: 4\n")),
        ("a font the style newly names", local_font),
        ("that font's bytes replaced", lambda: shutil.copyfile(sans, folder / "styles" / "fonts" / "local.ttf")),
        ("a word again", lambda: _edit(gem, "finest", "richest")),
    ]
    session = Session()
    for name, change in steps:
        change()
        got = _in_session(folder, tmp_path / "session.pdf", session)
        want = _fresh(folder, tmp_path / "fresh.pdf")
        assert got == want, name
        assert isinstance(got, bytes) or name == "a broken manifest", got
    # The packs the session wrote: a later fresh process starts warm, and gives the same bytes.
    assert (folder / "build" / ".cache" / "paragraphs.bin").is_file()
    assert _fresh(folder, tmp_path / "warm.pdf", cache=True) == got


def test_a_proof_after_the_faces_were_loaded_again_embeds_each_font_once(folder: Path, tmp_path: Path) -> None:
    """`issue watch` loads every face again when a font file changes; a proof it then writes (whose
    marks look fonts up by name) used to find the earlier face under the same name, and ReportLab
    stopped on two fonts of one name. Each font is embedded once, and the proof is written."""
    import pikepdf

    from layout.proof.commands import run_proof

    session = Session()
    assert isinstance(_in_session(folder, tmp_path / "a.pdf", session), bytes)
    session.reset_fonts()
    assert isinstance(_in_session(folder, tmp_path / "b.pdf", session), bytes)
    said: list[str] = []
    assert run_proof(folder, tmp_path / "proof.pdf", said.append, said.append) == 0, said
    with pikepdf.open(tmp_path / "proof.pdf") as pdf:
        fonts = {f.objgen: str(f.BaseFont) for page in pdf.pages for f in page.Resources.Font.values()}
    # One font object per subset name: no face was written twice under one name.
    assert fonts and len(set(fonts.values())) == len(fonts), fonts


def test_two_font_files_with_one_face_name_each_keep_their_own_name(folder: Path, tmp_path: Path) -> None:
    """ReportLab maps a second file whose internal face name another file has to the first file's
    font; our names (what proof marks and the print slug set text in) mean each file's own face."""
    from reportlab.pdfbase import pdfmetrics

    from layout.text.fonts import FontBook

    serif = FONT_DIR / "source-serif-4" / "SourceSerif4SmText-Regular.ttf"
    copy = tmp_path / "fonts" / "SameFace.ttf"
    copy.parent.mkdir()
    shutil.copyfile(serif, copy)
    a, b = FontBook.face(serif), FontBook.face(copy)
    assert a.name != b.name
    assert pdfmetrics.getFont(a.name) is a.rl and pdfmetrics.getFont(b.name) is b.rl


def test_the_style_is_read_again_only_when_its_files_change(folder: Path, tmp_path: Path, monkeypatch) -> None:
    """A session keeps the style between builds while the sheet and every font file it names are
    the same versions; a font file named but set nowhere, removed, is refused as a fresh process
    refuses it (the sheet is read and checked again)."""
    from layout import session as session_module

    style = folder / "styles" / "lodestar.yaml"
    (folder / "styles" / "fonts").mkdir()
    local = folder / "styles" / "fonts" / "local.ttf"
    shutil.copyfile(FONT_DIR / "source-serif-4" / "SourceSerif4SmText-Regular.ttf", local)
    _edit(style, "grid: 12.5\n", "grid: 12.5\nfonts:\n  text:\n    black: fonts/local.ttf\n")
    from layout.manifest import reads

    monkeypatch.setattr(reads, "RECENT_NS", 0)  # (a version too recent to tell a later write from is never kept)
    loads: list[object] = []
    real = session_module.load_style

    def load_style(*a):  # type: ignore[no-untyped-def]
        loads.append(a[0])
        return real(*a)

    monkeypatch.setattr(session_module, "load_style", load_style)
    s = Session()
    assert isinstance(_in_session(folder, tmp_path / "a.pdf", s), bytes)
    assert isinstance(_in_session(folder, tmp_path / "b.pdf", s), bytes)
    assert len(loads) == 1, "the style was read again with nothing changed"
    _edit(folder / "issue.yaml", "language: en-US", "language: de")  # the same style; another language's breaks
    assert _in_session(folder, tmp_path / "de.pdf", s) == _fresh(folder, tmp_path / "de-fresh.pdf")
    assert len(loads) == 1
    local.unlink()
    got = _in_session(folder, tmp_path / "c.pdf", s)
    assert got == _fresh(folder, tmp_path / "fresh.pdf") and str(got).startswith("INVALID"), got
    assert len(loads) == 2
