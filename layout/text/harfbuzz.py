"""HarfBuzz for shaping: its own C API where it can be reached, else uharfbuzz's Python API.

Reads the HarfBuzz library uharfbuzz installs (its extension module's file, found by path without
importing the module) and the fonts' bytes; produces HarfBuzz fonts, shaped runs and glyph extents
for text.fonts. Through the C API (`_setlines.bind_harfbuzz`, `shape`, `hb_font`, `hb_extents`) a
render neither imports uharfbuzz's Python module (13-14 ms of its start, before any process could
share the work) nor makes a Python object per glyph (a new word 6.2 -> 3.3 us); the glyphs are the
same (the same library and calls; tested word by word against the Python API). The Python API is
used where the C code is not built, with LAYOUT_PURE_PYTHON=1, where the library cannot be opened
so or lacks a function, and for a word the C code declines.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Callable
from typing import Any

_c: Any = None  # layout.text._setlines when built (its C glyph loop serves the Python API's glyphs too)
_bound = False  # whether HarfBuzz's C API is bound in it (see `_bind`)
_hb: Any = None  # uharfbuzz, imported only when it is needed
_path: str | None = None  # the library's file (uharfbuzz's extension module)


def library_file() -> str | None:
    """The file of uharfbuzz's extension module (HarfBuzz itself), found as the import system would
    find it (the first extension suffix present), without importing uharfbuzz."""
    try:
        spec = importlib.util.find_spec("uharfbuzz")
    except (ImportError, ValueError):
        return None
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            p = os.path.join(folder, "_harfbuzz" + suffix)
            if os.path.isfile(p):
                return p
    return None


def _bind() -> None:
    global _c, _bound, _path
    if os.environ.get("LAYOUT_PURE_PYTHON", "") not in ("", "0"):
        return
    try:
        from . import _setlines as c
    except ImportError:  # not built: the Python API and the Python glyph loop
        return
    _c = c
    _path = library_file()
    _bound = _path is not None and c.bind_harfbuzz(_path) is not None


class _TTFontsWithoutShaping:
    """A finder that has ReportLab's pdfbase.ttfonts imported without uharfbuzz (once; removed
    then). ReportLab imports uharfbuzz there only to shape text itself, which this tool never asks of
    it (its fonts are made with shapable=False: it draws the glyphs text.fonts shaped); that import
    took 13-14 ms of every render's drawing, the cost the C API saves at its start. Not used when
    uharfbuzz is imported already (ReportLab then has it, as before)."""

    NAME = "reportlab.pdfbase.ttfonts"

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name != self.NAME:
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        if "uharfbuzz" in sys.modules:
            return None
        spec = importlib.util.find_spec(name)
        loader = spec.loader if spec is not None else None
        if loader is None or not hasattr(loader, "exec_module"):
            return None
        run = loader.exec_module

        def exec_module(module: Any) -> None:
            sys.modules["uharfbuzz"] = None  # type: ignore[assignment]  # (its `import uharfbuzz` fails: None)
            try:
                run(module)
            finally:
                if sys.modules.get("uharfbuzz", 0) is None:
                    del sys.modules["uharfbuzz"]

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


_bind()
if _bound and _TTFontsWithoutShaping.NAME not in sys.modules:
    sys.meta_path.insert(0, _TTFontsWithoutShaping())


def python_api() -> Any:
    """uharfbuzz, imported now if it was not."""
    global _hb
    if _hb is None:
        import uharfbuzz

        _hb = uharfbuzz
    return _hb


class _CFont:
    """A font made through the C API, with what remakes it for the Python API (a word it declines)."""

    __slots__ = ("cap", "data", "index", "_py")

    def __init__(self, cap: Any, data: bytes, index: int):
        self.cap, self.data, self.index, self._py = cap, data, index, None

    def python(self) -> Any:
        if self._py is None:
            self._py = _python_font(self.data, self.index)[0]
        return self._py


def _python_font(data: bytes, index: int) -> tuple[Any, int]:
    hb = python_api()
    face = hb.Face(hb.Blob(data), index)
    f = hb.Font(face)
    upem = face.upem
    f.scale = (upem, upem)
    return f, upem


def font(data: bytes, index: int) -> tuple[Any, int]:
    """A HarfBuzz font of face `index` of a font file's bytes, at a scale of its units per em; and
    that unit count."""
    if _bound:
        try:
            cap, upem = _c.hb_font(data, index)
        except ValueError:  # (a file past 2 GiB, which the C API is not given): the Python API's
            return _python_font(data, index)
        return _CFont(cap, data, index), upem
    return _python_font(data, index)


def extents(f: Any, gid: int) -> tuple[int, int, int, int] | None:
    """A glyph's (x bearing, y bearing, width, height) in font units, or None."""
    if type(f) is _CFont:
        return _c.hb_extents(f.cap, gid)
    e = f.get_glyph_extents(gid)
    return (e.x_bearing, e.y_bearing, e.width, e.height) if e is not None else None


def shape(
    f: Any,
    text: str,
    features: dict[str, bool],
    c2g: dict[int, int],
    g2c: dict[int, int],
    widths: dict[int, float],
    scale: float,
    shaped: type,
    loop: Callable[..., Any],
) -> Any:
    """HarfBuzz's glyphs of `text` as a `shaped` run (fonts.Shaped), None where a glyph is moved off
    the baseline or stands for no character (see fonts.glyph_loop, the reference `loop`)."""
    if type(f) is _CFont:
        got = _c.shape(f.cap, text, features, c2g, g2c, widths, scale, shaped)
        if got is not NotImplemented:
            return got
        f = f.python()
    hb = python_api()
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(f, buf, features)
    args = (text, buf.glyph_infos, buf.glyph_positions, c2g, g2c, widths)
    if _c is not None:  # the glyph loop in C
        got = _c.glyphs(*args, scale, shaped)
        if got is not NotImplemented:
            return got
    return loop(*args, scale)


def version() -> str:
    """What names the shaping library in the typesetting cache's fingerprint: HarfBuzz's version and
    its file's size and modification time (a reinstalled or upgraded uharfbuzz changes them)."""
    v = _c.bind_harfbuzz(_path) if _bound else python_api().version_string()
    path = _path or library_file()
    try:
        st = os.stat(path) if path is not None else None
    except OSError:
        st = None
    return f"{v}:{st.st_size}:{st.st_mtime_ns}" if st is not None else str(v)
