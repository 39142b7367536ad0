"""Shaping through HarfBuzz's own C API (text/harfbuzz.py, `_setlines.shape`): the same runs and glyph
extents as uharfbuzz's Python API, word by word, for every face of the style and the fallbacks; a
render that never imports uharfbuzz's Python module; the Python API where the library cannot be
bound (the same PDF bytes), and for a word the C code declines."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from layout.text import fonts, harfbuzz
from layout.text.style import load_style

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issues" / "2026-12-03"

needs_c = pytest.mark.skipif(not harfbuzz._bound, reason="HarfBuzz's C API is not bound here")

WORDS = [
    "office", "affluent", "fjord", "AVATAR", "Typography", "W.A.", "\u201cquoted\u201d", "it\u2019s", "na\u0308ive",
    "e\u0301te\u0301", "\u1f08\u03b8\u1fc6\u03bd\u03b1\u03b9", "\u6f22\u5b57", "\u2014", "1,234.56", "x\u00ady",
    "\U0001f600", "\u02bcokina", "Ta\u0302m", "ffi ffl", "\ufb01ne", " ", "\u0301",
]  # fmt: skip
FEATURES = ({"kern": True, "liga": True}, {"kern": True, "liga": False, "clig": False, "calt": False}, {})


def _faces() -> list[fonts.Face]:
    style = load_style(None)
    found = {id(r.face): r.face for r in style.roles.values()}
    found.update({id(f): f for f in style.fallbacks})
    return list(found.values())


def _python_run(face: fonts.Face, text: str, features: dict) -> object:
    """The run through uharfbuzz's Python API and the Python glyph loop (the reference)."""
    hb = harfbuzz.python_api()
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(face._hb.python(), buf, features)
    f = face.face
    return fonts.glyph_loop(
        text, buf.glyph_infos, buf.glyph_positions, f.charToGlyph, face._g2c, f.charWidths, 1000.0 / face.upem
    )


@needs_c
def test_c_shaping_equals_the_python_api() -> None:
    copy = " ".join(md.read_text(encoding="utf-8") for md in sorted((SAMPLE / "articles").glob("*.md")))
    words = [*WORDS, *sorted(set(copy.split()))[:300]]
    compared = 0
    for face in _faces():
        assert type(face._hb).__name__ == "_CFont"
        for text in words:
            for features in FEATURES:
                got = face._hb_shape(text, features)
                assert repr(got) == repr(_python_run(face, text, features)), (face.name, text, features)
                compared += 1
    assert compared > 3000


@needs_c
def test_c_glyph_extents_equal_the_python_api() -> None:
    checked = 0
    for face in _faces():
        py = face._hb.python()
        for gid in sorted(set(face.face.charToGlyph.values()))[:400] + [0, 10**6]:
            e = py.get_glyph_extents(gid)
            want = (e.x_bearing, e.y_bearing, e.width, e.height) if e is not None else None
            assert harfbuzz.extents(face._hb, gid) == want, (face.name, gid)
            checked += 1
    assert checked > 1000


@needs_c
def test_a_word_the_c_code_declines_is_shaped_through_the_python_api() -> None:
    face = _faces()[0]
    f = face.face
    odd = dict(f.charToGlyph)
    odd[ord("o")] = float(odd[ord("o")])  # a glyph id of another type: the C loop declines
    scale = 1000.0 / face.upem
    feats = FEATURES[0]
    assert face._hb_shape.__func__ is fonts.Face._hb_shape
    c = harfbuzz._c.shape(face._hb.cap, "office", feats, odd, face._g2c, f.charWidths, scale, fonts.Shaped)
    assert c is NotImplemented
    got = harfbuzz.shape(face._hb, "office", feats, odd, face._g2c, f.charWidths, scale, fonts.Shaped, fonts.glyph_loop)
    assert repr(got) == repr(_python_run(face, "office", feats))
    # features of another kind: declined too, and shaped as the Python API shapes them
    assert harfbuzz._c.shape(face._hb.cap, "office", {"kern": "on"}, f.charToGlyph, face._g2c, f.charWidths, scale,
                             fonts.Shaped) is NotImplemented  # fmt: skip


@needs_c
def test_the_c_api_refuses_what_it_cannot_use() -> None:
    c = harfbuzz._c
    assert c.bind_harfbuzz(harfbuzz._path) == harfbuzz.python_api().version_string()  # bound once, the same
    with pytest.raises(TypeError):
        c.hb_font("not bytes", 0)
    with pytest.raises(ValueError):
        c.hb_font(b"", -1)
    with pytest.raises((TypeError, ValueError)):
        c.hb_extents(object(), 1)
    assert c.shape(_faces()[0]._hb.cap, b"bytes", {}, {}, {}, {}, 1.0, fonts.Shaped) is NotImplemented
    # a feature name HarfBuzz does not parse: left to the Python API (never a feature made of garbage)
    assert c.shape(_faces()[0]._hb.cap, "office", {"not a tag!": True}, {}, {}, {}, 1.0, fonts.Shaped) is NotImplemented
    font, upem = c.hb_font(b"not a font at all", 0)  # HarfBuzz takes any bytes: an empty face
    assert upem == 1000 and c.hb_extents(font, 1) is None


def _render(issue: Path, out: Path, code: str, env: dict) -> tuple[bytes, str]:
    script = (
        "import os, sys\n" + code + "from layout.serve import client\n"
        "leave = os._exit\n"
        "def said(c):\n"
        "    sys.stderr.write('\\nLOADED ' + str('uharfbuzz' in sys.modules) + '\\n'); sys.stderr.flush(); leave(c)\n"
        "os._exit = said\n"
        f"sys.argv = ['issue', 'render', {str(issue)!r}, '-o', {str(out)!r}, '--no-cache']\n"
        "client.main()\n"
    )
    r = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return out.read_bytes(), r.stderr.rsplit("LOADED ", 1)[1].strip()


@needs_c
def test_a_render_never_imports_uharfbuzz_and_without_the_c_api_is_the_same(tmp_path: Path) -> None:
    issue = tmp_path / "issue"
    shutil.copytree(SAMPLE, issue, ignore=shutil.ignore_patterns("build"))
    env = {k: v for k, v in os.environ.items() if k != "LAYOUT_PURE_PYTHON"}
    env["XDG_RUNTIME_DIR"] = str(tmp_path / "run")
    fast, loaded = _render(issue, tmp_path / "c.pdf", "", env)
    assert loaded == "False"
    # the library not found (as where uharfbuzz ships it otherwise): the Python API, the same bytes
    hide = (
        "import importlib.util\n"
        "_find = importlib.util.find_spec\n"
        "importlib.util.find_spec = lambda name, *a: None if name == 'uharfbuzz' else _find(name, *a)\n"
        "from layout.text import harfbuzz\n"
        "importlib.util.find_spec = _find\n"
        "assert not harfbuzz._bound\n"
    )
    slow, loaded = _render(issue, tmp_path / "py.pdf", hide, env)
    assert loaded == "True"
    assert fast == slow


@needs_c
def test_repeated_calls_keep_no_memory() -> None:
    from leaks import growth

    face = _faces()[0]
    f = face.face
    c = harfbuzz._c
    path = Path(face.path)
    words = ["office", "AVATAR", "na\u0308ive", "\u6f22\u5b57", "x" * 300]

    def run() -> None:
        for w in words:
            c.shape(face._hb.cap, w, FEATURES[1], f.charToGlyph, face._g2c, f.charWidths, 1.0, fonts.Shaped)
        font, _ = c.hb_font(path.read_bytes(), 0)  # (bytes of its own each time: a font kept keeps them)
        c.hb_extents(font, 5)

    assert growth(run, 3, 50) < 4096


@needs_c
def test_a_font_the_c_api_refuses_is_made_through_the_python_api(monkeypatch) -> None:
    class Refusing:  # as the C API answers a file past 2 GiB
        def __getattr__(self, name: str) -> object:
            return getattr(c, name)

        def hb_font(self, data: bytes, index: int) -> object:
            raise ValueError("a face index or font size out of range")

    c = harfbuzz._c
    monkeypatch.setattr(harfbuzz, "_c", Refusing())
    face = _faces()[0]
    f, upem = harfbuzz.font(Path(face.path).read_bytes(), 0)
    assert type(f).__name__ == "Font" and upem == face.upem  # uharfbuzz's
    ff = face.face
    got = harfbuzz.shape(f, "office", FEATURES[0], ff.charToGlyph, face._g2c, ff.charWidths, 1000.0 / upem,
                         fonts.Shaped, fonts.glyph_loop)  # fmt: skip
    assert repr(got) == repr(face._hb_shape("office", FEATURES[0]))
