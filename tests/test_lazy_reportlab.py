"""Typesetting without ReportLab (text.fonts, manifest.fontinfo): a render whose fonts come from the
packs lays the issue out without importing ReportLab (its body helper, forked then, never does);
drawing makes each face's ReportLab font from the parsed fields, the same fields ReportLab's own
parse gives, and registers every face under its name before a canvas looks one up."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFNameBytes, TTFontFace

from layout.manifest.fontinfo import FontCache, ParsedFace, _decode, _encode, font_key, reportlab_face
from layout.text.fonts import Face, FontBook, register_all

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issues" / "2026-12-03"
FONT = ROOT / "fonts" / "source-serif-4" / "SourceSerif4SmText-Regular.ttf"


def test_a_rebuilt_face_is_reportlabs_own() -> None:
    data = FONT.read_bytes()
    parsed = TTFontFace(str(FONT), validate=0)
    rebuilt = _decode(_encode(parsed), FONT, data)
    assert isinstance(rebuilt, ParsedFace)
    face = reportlab_face(rebuilt)
    assert isinstance(face, TTFontFace) and reportlab_face(face) is face
    skip = {"_pdfScale"}
    assert {k for k in face.__dict__ if k not in skip} == {k for k in parsed.__dict__ if k not in skip}
    for k, v in parsed.__dict__.items():
        if k in skip:
            continue
        got = face.__dict__[k]
        assert got == v, k
        if isinstance(v, TTFNameBytes):
            assert type(got) is TTFNameBytes and got.ustr == v.ustr, k
    assert face.charToGlyph is rebuilt.charToGlyph  # shared, not copied
    assert face._pdfScale(500) == parsed._pdfScale(500)
    # A subset made from the rebuilt face is the one ReportLab's own parse makes.
    assert face.makeSubset([0, 65, 66, 67]) == parsed.makeSubset([0, 65, 66, 67])


def test_a_face_is_registered_when_drawing_asks() -> None:
    cache = FontCache(None)
    data = FONT.read_bytes()
    face = FontBook.face(FONT)
    assert isinstance(face, Face)
    register_all()
    for f in FontBook._faces.values():
        assert pdfmetrics.getFont(f.name) is f.rl
    assert face.rl.face.charWidths is face.face.charWidths
    assert cache.face(FONT, data, font_key(data)) is not None


def test_layout_imports_no_reportlab(tmp_path: Path) -> None:
    """The second render of a machine (the fonts on the house shelf) lays the sample issue out with
    ReportLab unimported; drawing it then gives the PDF the render gives."""
    issue = tmp_path / "issue"
    shutil.copytree(SAMPLE, issue, ignore=shutil.ignore_patterns("build"))
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg"), "XDG_RUNTIME_DIR": str(tmp_path / "run")}
    out = tmp_path / "a.pdf"
    subprocess.run([sys.executable, "-m", "layout.cli", "render", str(issue), "-o", str(out)], env=env,
                   check=True, capture_output=True)  # fmt: skip
    shutil.rmtree(issue / "build")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from layout.pipeline import build\n"
        f"b = build(Path({str(issue)!r}), parallel=False)\n"
        "held = sorted(m for m in sys.modules if m.startswith(('reportlab.pdf', 'PIL.Image')))\n"
        "assert not [m for m in held if m != 'PIL.Image' or type(sys.modules[m]).__name__ != '_LazyModule'], held\n"
        "from layout.pdf.draw import draw\n"
        f"draw(b.composed, {str(tmp_path / 'b.pdf')!r}, author=b.loaded.issue.publication,"
        " keywords=', '.join(b.loaded.issue.articles))\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    assert (tmp_path / "b.pdf").read_bytes() == out.read_bytes()
