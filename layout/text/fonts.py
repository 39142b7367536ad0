"""Fonts: shaping (kerning, ligatures), measurement, and registration with ReportLab.

Widths are in thousandths of an em, as in PDF; multiply by size/1000 for points.
Typesetting reads a face's parsed metrics (manifest.fontinfo) and shapes with HarfBuzz: ReportLab
is imported, and each face's ReportLab font made and registered, only when drawing asks for it
(`Face.rl`, `register_all`). Its import (with Pillow's, which it brings) took 20 ms before a render
could fork its body helper, which never draws.
Ligature glyphs are written as the Unicode presentation forms (U+FB00-FB04) so that
ReportLab can subset them, and their ToUnicode entries are rewritten to the letters
they stand for, so text extracted from the PDF reads "office", not "oﬃce".
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..manifest.fontinfo import reportlab_face
from ..manifest.stylesheet import parsed_face
from . import harfbuzz

# Characters dropped before shaping: soft hyphen and zero-width marks carry no ink.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_HAS_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
# Every character str.isspace() holds true (Unicode's White_Space, Python's way; a test checks the
# list against every code point): with the invisible ones, what `missing` never reports.
SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_NEVER_MISSING = frozenset(SPACES).union(map(chr, _INVISIBLE))
LIGATURES = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0xFB00, 0xFB05)}


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ReportLab's ToUnicode CMap, with presentation-form ligatures mapped to their letters."""

    def target(v: int) -> str:
        s = LIGATURES.get(chr(v), chr(v))
        return "".join(f"{b:02X}" for b in s.encode("utf-16-be"))

    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
        f"{len(subset)} beginbfchar",
        *(f"<{i:02X}> <{target(v)}>" for i, v in enumerate(subset)),
        "endbfchar",
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return "\n".join(lines)


def _reportlab() -> tuple[Any, Any]:
    """ReportLab's ttfonts and pdfmetrics, imported (once: then from sys.modules) with its ToUnicode
    maps made by `_to_unicode_cmap` (unless pdf.subsets put its memo of it in place already)."""
    from reportlab.pdfbase import pdfmetrics, ttfonts

    if getattr(ttfonts.makeToUnicodeCMap, "__module__", "") == ttfonts.__name__:
        ttfonts.makeToUnicodeCMap = _to_unicode_cmap
    return ttfonts, pdfmetrics


@dataclass(slots=True)
class Shaped:
    """A run of text as it will be drawn: glyph characters and per-glyph kerning."""

    text: str  # characters to draw (ligatures as presentation forms)
    kerns: tuple[float, ...] | None  # adjustment after each glyph, 1/1000 em; None if all zero
    width: float  # total advance, 1/1000 em
    glyphs: int  # number of glyphs drawn


@dataclass
class Face:
    name: str  # ReportLab font name
    path: Path
    face: Any  # the parsed font (fontinfo.ParsedFace, or ReportLab's TTFontFace): metrics, character map
    upem: int
    ascent: float  # 1/1000 em
    descent: float  # 1/1000 em, negative
    cap_height: float
    x_height: float
    space: float  # width of U+0020, 1/1000 em
    _hb: Any = field(repr=False, default=None)  # its HarfBuzz font (text.harfbuzz.font)
    _g2c: dict[int, int] = field(repr=False, default_factory=dict)
    _cache: dict[str, Shaped] = field(repr=False, default_factory=dict)
    _ink: dict[str, tuple[float, float]] = field(repr=False, default_factory=dict)
    _inks: dict[str, tuple[float, float]] = field(repr=False, default_factory=dict)
    _covers: frozenset[str] | None = field(repr=False, default=None, compare=False)  # the characters mapped
    _rl: Any = field(repr=False, default=None, compare=False)

    @property
    def rl(self) -> Any:
        """ReportLab's font for this face (a ttfonts.TTFont), made and registered under `name` when
        first asked for (drawing asks for every loaded face first: `register_all`)."""
        rl = self._rl
        if rl is None:
            ttfonts, _ = _reportlab()
            rl = self._register(_rl_font(self.name, reportlab_face(self.face), ttfonts))
        return rl

    def _register(self, rl: Any) -> Any:
        _, pdfmetrics = _reportlab()
        pdfmetrics.registerFont(rl)
        # registerFont keeps a font registered earlier under this name (a process that loads its faces
        # again: issue watch after a font changed) and gives a name whose face name another file has
        # that file's font. Canvas.setFont (proof marks, the print slug) looks fonts up by name, and a
        # second object of one name in a document writes its subsets twice: the name must mean this face.
        pdfmetrics._fonts[self.name] = rl
        self._rl = rl
        return rl

    def has(self, ch: str) -> bool:
        return ord(ch) in self.face.charToGlyph

    def missing(self, text: str) -> set[str]:
        covers = self._covers
        if covers is None:  # the face's characters, and those never reported (so a line or body passes)
            covers = self._covers = _NEVER_MISSING.union(map(chr, self.face.charToGlyph))
        if covers.issuperset(text):  # nearly every text: one pass at C speed
            return set()
        return set(text) - covers

    def shape(self, text: str) -> Shaped:
        s = self._cache.get(text)
        if s is None:
            s = self._cache[text] = self._shape(text)
        return s

    def width(self, text: str, size: float) -> float:
        return self.shape(text).width * size / 1000.0

    def ink(self, text: str) -> tuple[float, float]:
        """The glyphs' ink from the baseline, 1/1000 em, y up: (highest top, lowest bottom);
        (0, 0) for text with no ink. For checking that nothing touches anything else."""
        r = self._inks.get(text)  # words recur: remembered per text, as shaping is
        if r is None:
            r = self._inks[text] = self._ink_of(text)
        return r

    def _ink_of(self, text: str) -> tuple[float, float]:
        ink = self._ink
        top = bottom = 0.0
        for ch in set(text):  # (each character measured before, as most are: half the time)
            ext = ink.get(ch)
            if ext is None:
                return self._ink_measured(text)
            if ext[0] != ext[1]:
                if ext[0] > top:  # (as max(top, ...) and min(bottom, ...): the first extreme kept)
                    top = ext[0]
                if ext[1] < bottom:
                    bottom = ext[1]
        return top, bottom

    def _ink_measured(self, text: str) -> tuple[float, float]:
        top = bottom = 0.0
        scale = 1000.0 / self.upem
        c2g = self.face.charToGlyph
        for ch in set(text):
            ext = self._ink.get(ch)
            if ext is None:
                gid = c2g.get(ord(ch))
                e = harfbuzz.extents(self._hb, gid) if gid is not None else None  # (x, y bearing, width, height)
                ext = self._ink[ch] = (e[1] * scale, (e[1] + e[3]) * scale) if e and e[3] else (0.0, 0.0)
            if ext[0] != ext[1]:
                top, bottom = max(top, ext[0]), min(bottom, ext[1])
        return top, bottom

    def _shape(self, text: str) -> Shaped:
        # (str.translate with a table costs microseconds even when nothing changes: most words have none)
        clean = text.translate(_INVISIBLE) if not text.isascii() and _HAS_INVISIBLE.search(text) else text
        if not clean:
            return Shaped("", None, 0.0, 0)
        for features in ({"kern": True, "liga": True}, {"kern": True, "liga": False, "clig": False, "calt": False}):
            out = self._hb_shape(clean, features)
            if out is not None:
                return out
        return self._plain(clean)

    def _hb_shape(self, text: str, features: dict[str, bool]) -> Shaped | None:
        f, scale = self.face, 1000.0 / self.upem
        c2g, g2c, widths = f.charToGlyph, self._g2c, f.charWidths
        return harfbuzz.shape(self._hb, text, features, c2g, g2c, widths, scale, Shaped, glyph_loop)

    def _plain(self, text: str) -> Shaped:
        widths = self.face.charWidths
        return Shaped(text, None, sum(widths.get(ord(c), 0) for c in text), len(text))


def glyph_loop(
    text: str,
    infos: list,
    positions: list,
    c2g: dict[int, int],
    g2c: dict[int, int],
    widths: dict[int, float],
    scale: float,
) -> Shaped | None:
    """HarfBuzz's glyphs of `text` as a Shaped run; None where a glyph is moved off the baseline or
    stands for no character (the caller shapes again without ligatures). The reference the C loop
    (`_setlines.glyphs`) must equal."""
    chars = []
    kerns = []
    total = 0.0
    any_kern = False
    n = len(text)
    for info, pos in zip(infos, positions, strict=True):
        cluster, gid = info.cluster, info.codepoint  # each property read once: this runs per glyph
        typed = text[cluster] if cluster < n else ""
        # A glyph shared by several characters (U+2019 and U+02BC) keeps the one typed,
        # so that text search in the PDF finds what was written.
        code = ord(typed) if typed and c2g.get(ord(typed)) == gid else g2c.get(gid)
        if code is None or pos.y_offset or pos.x_offset:
            if gid == 0:
                code = ord(text[cluster])  # .notdef: keep the character; reported elsewhere
            else:
                return None
        nominal = widths.get(code, 0)
        adv = pos.x_advance * scale
        k = adv - nominal
        if abs(k) < 0.01:
            k = 0.0
        else:
            any_kern = True
        chars.append(chr(code))
        kerns.append(k)
        total += adv
    return Shaped("".join(chars), tuple(kerns) if any_kern else None, total, len(chars))


def _rl_font(name: str, face: Any, ttfonts: Any) -> Any:
    """ReportLab's TrueType font around a face already parsed (as TTFont.__init__ makes it, without
    parsing the file a second time)."""
    from reportlab import rl_config

    font = ttfonts.TTFont.__new__(ttfonts.TTFont)
    font.fontName = name
    font.face = face
    font.encoding = ttfonts.TTEncoding()
    font.state = weakref.WeakKeyDictionary()
    font._asciiReadable = rl_config.ttfAsciiReadable
    font.shapable = False
    return font


def register_all() -> None:
    """Make and register ReportLab's font for every face loaded, in the order they were loaded (a
    canvas and its marks look fonts up by name)."""
    for face in FontBook._faces.values():
        face.rl  # noqa: B018 (made when first asked for)


class FontBook:
    """Registered faces by ReportLab name; one per process and path."""

    _faces: dict[tuple[Path, int], Face] = {}

    @classmethod
    def face(cls, path: Path, index: int = 0) -> Face:
        """The face at `path` (`index`: the face within a .ttc collection). ReportLab embeds
        TrueType outlines only: a CFF-based font raises ttfonts.TTFError."""
        path = path.resolve()
        f = cls._faces.get((path, index))
        if f is None:
            f = cls._faces[(path, index)] = _load(path, index)
        return f


_NAMES: dict[str, tuple[Path, int]] = {}  # ReportLab names and PDF base font names taken, by file
renamed = 0  # names made unique so far: they depend on the order faces were loaded (see session.py)


def _unique(name: str, key: tuple[Path, int]) -> str:
    """`name`, or `name-2`, ... if another file took it (two files may share a stem or an internal
    font name; the PDF needs distinct ones)."""
    global renamed
    n, cand = 1, name
    while _NAMES.setdefault(cand, key) != key:
        n += 1
        cand = f"{name}-{n}"
    renamed += n > 1
    return cand


def _load(path: Path, index: int = 0) -> Face:
    name = _unique("L-" + path.stem + (f"-{index}" if index else ""), (path, index))
    parsed = parsed_face(path) if index == 0 else None
    rl = None
    if parsed is None:  # a face of a collection (.ttc), or a file the style's check did not read
        ttfonts, _ = _reportlab()
        rl = ttfonts.TTFont(name, str(path), shapable=False, subfontIndex=index)
        parsed = rl.face
    base = (parsed.name + parsed.subfontNameX).decode("latin-1")
    unique = _unique("pdf:" + base, (path, index))
    if unique != "pdf:" + base:
        parsed.subfontNameX += unique[len("pdf:") + len(base) :].encode("latin-1")
    # The bytes the face was read from (the font check's: the bytes its hash names), for HarfBuzz to
    # shape with the same font; read again only if that face kept none.
    data = getattr(parsed, "_ttf_data", None)
    if type(data) is not bytes:
        data = path.read_bytes()
    hfont, upem = harfbuzz.font(data, index)
    # Prefer the lowest code point for a glyph (e.g. U+0020 over U+00A0): later keys overwrite.
    g2c = {gid: code for code, gid in sorted(parsed.charToGlyph.items(), reverse=True)}
    f = parsed
    face = Face(
        name=name,
        path=path,
        face=parsed,
        upem=upem,
        ascent=float(f.ascent),
        descent=float(f.descent),
        cap_height=float(getattr(f, "capHeight", f.ascent * 0.7)),
        x_height=float(f.ascent) * 0.5,
        space=float(f.charWidths.get(32, 250)),
        _hb=hfont,
        _g2c=g2c,
    )
    if rl is not None:
        face._register(rl)  # (made already: registered now)
    return face
