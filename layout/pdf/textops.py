"""Text operators for one PDF document: positioned spans in, PDF content-stream text out.

Reads the set lines of composed pages (`TextItem`s: spans of shaped glyphs with their faces, sizes,
positions and colours) and a ReportLab canvas's document (whose fonts number each face's glyphs in
the order characters are first drawn); produces each line's operators (one positioned TJ per run of
a font) so that kerning, tracking and glyph scaling come out exactly as the typesetter measured them.
Most of a page's drawing is here: a word's TJ elements are made once per face and joined once, a
line is written in one pass over its spans with no per-span calls beyond a dictionary lookup, and
numbers are formatted by one expression (the same strings as `_n`). `line` runs in C when the optional
extension `_textops` (built from _textops.c by setup.py) is there, else `line_python`, the reference
(the same operators: tests hold them equal); LAYOUT_PURE_PYTHON=1 before the import forces Python.
"""

from __future__ import annotations

import marshal
import os
from typing import TYPE_CHECKING

from reportlab.pdfgen import canvas

from ..page.frames import TextItem
from ..text.fonts import Face, Shaped
from ..text.line import Line, Span

_kernel = None
if os.environ.get("LAYOUT_PURE_PYTHON", "") in ("", "0"):
    try:
        from . import _textops as _kernel  # type: ignore[attr-defined,no-redef]
    except ImportError:  # not built (no compiler): the Python code below
        _kernel = None
ACCELERATED = _kernel is not None
if _kernel is not None:
    _kernel.bind(Span, Shaped, TextItem, Line)
_CANVAS_ESCAPE = canvas.Canvas._escape  # ReportLab's escapePDF, which the C code's escape equals

if TYPE_CHECKING:
    from .draw import Screen


def _n(v: float) -> str:
    """A PDF number: at most three decimals, no trailing zeros, never "-0"."""
    s = f"{v:.3f}".rstrip("0").rstrip(".")
    return s if s not in ("-0", "") else "0"


# A word's TJ entry: (subset font of its first glyph, the elements joined when the word is in one
# subset else None, [(subset font, joined elements)] for each subset it spans).
Entry = tuple[str, str | None, list[tuple[str, str]]]


class TextWriter:
    """Turns positioned spans into PDF text operators for one document."""

    def __init__(self, c: canvas.Canvas, mode: Screen):
        self.c = c
        self.mode = mode
        self.doc = c._doc
        self.esc = c._escape
        # The C code escapes as ReportLab's own escapePDF does (tests hold them equal): used where
        # the canvas escapes with it.
        self.c_escape = _kernel is not None and getattr(type(c), "_escape", None) is _CANVAS_ESCAPE
        self.colors: dict[str, str] = {}
        self.enc: dict[tuple[str, str], list[tuple[str, bytes]]] = {}
        self.tj: dict[tuple[str, str], list[tuple[str, list[str]]]] = {}
        self.entries: dict[tuple[str, str], Entry] = {}
        self.spaces: dict[str, tuple[str, str]] = {}  # face name -> (subset font, TJ string of a space)
        self.faces: dict[str, Face] = {}  # faces drawn so far, in order
        self.calls: list[tuple[str, str]] | None = None  # subset calls that changed a face's state
        self.kerns: dict[float, str] = {}  # a kerning value -> its TJ element
        self.numbered: dict[str, tuple[dict[int, int], str]] = {}  # face -> (its codes, first subset's font)

    def encode(self, face: Face, text: str) -> list[tuple[str, bytes]]:
        """The text as (subset font, glyph codes) chunks, numbering its new characters in the face's
        subsets (ReportLab's splitString); made once per face and text."""
        key = (face.name, text)
        r = self.enc.get(key)
        if r is None:
            r = self.enc[key] = self._numbered(face, text) or self._split(face, text)
        return r

    def _numbered(self, face: Face, text: str) -> list[tuple[str, bytes]] | None:
        """What splitString gives for a text whose characters the face has all numbered already, in
        its first subset (most words, once a page or two is drawn): no state changes; else None."""
        known = self.numbered.get(face.name)
        if known is None:
            return None
        assigned, first = known
        if _kernel is not None:
            codes = _kernel.codes(text, assigned)
            return None if codes is None else [(first, codes)]
        try:
            codes = bytes([assigned[c] for c in map(ord, text)])  # ValueError: a code past the first subset
        except (KeyError, ValueError):
            return None
        return [(first, codes)] if codes else None

    def _split(self, face: Face, text: str) -> list[tuple[str, bytes]]:
        font, doc = face.rl, self.doc
        self.faces.setdefault(face.name, face)
        before = self._sig(face) if self.calls is not None else None
        r = [(font.getSubsetInternalName(sub, doc), b) for sub, b in font.splitString(text, doc)]
        if self.calls is not None and self._sig(face) != before:
            self.calls.append((face.name, text))  # replayed when the page is copied from the page cache
        if face.name not in self.numbered and r and r[0][0] == font.getSubsetInternalName(0, doc):
            st = font.state[doc]  # its assignments dict is kept and only ever added to
            self.numbered[face.name] = (st.assignments, r[0][0])
        return r

    def _sig(self, face: Face) -> tuple | None:
        st = face.rl.state.get(self.doc)
        return None if st is None else (st.nextCode, len(st.assignments), len(st.subsets), st.internalName)

    def state(self) -> bytes:
        """The font subsets' state: which characters each face has numbered, in order."""
        doc = self.doc
        parts: list = [len(doc.fontMapping)]
        for name, face in self.faces.items():
            st = face.rl.state.get(doc)
            if st is not None:
                parts.append((name, st.internalName, st.nextCode, len(st.subsets), tuple(st.assignments.items())))
        return marshal.dumps(parts, 2)  # version 2: the same bytes whatever else holds these values

    def pieces(self, face: Face, shaped) -> list[tuple[str, list[str]]]:
        """A shaped run as (subset font name, TJ array elements) chunks, kerning included;
        made once per face and text (words repeat: this is most of the drawing)."""
        key = (face.name, shaped.text)
        r = self.tj.get(key)
        if r is None:
            r = []
            kerns = shaped.kerns
            pos = 0
            esc = self.esc
            for name, data in self.encode(face, shaped.text):
                tj: list[str] = []
                if kerns is None:
                    tj.append(f"({esc(data)})")
                else:
                    start = 0
                    for i in range(len(data)):
                        k = kerns[pos + i]
                        if k:
                            tj.append(f"({esc(data[start : i + 1])})")
                            tj.append(_n(-k))
                            start = i + 1
                    if start < len(data):
                        tj.append(f"({esc(data[start:])})")
                pos += len(data)
                r.append((name, tj))
            self.tj[key] = r
        return r

    def entry(self, face: Face, shaped) -> Entry:
        """The run's chunks with their elements joined (as the TJ array joins them)."""
        key = (face.name, shaped.text)
        e = self.entries.get(key)
        if e is None:
            kerns = shaped.kerns
            chunks = []
            pos = 0
            for name, data in self.encode(face, shaped.text):
                joined = _kernel.tj(data, kerns, pos) if self.c_escape else None
                chunks.append((name, joined if joined is not None else self._tj(data, kerns, pos)))
                pos += len(data)
            e = self.entries[key] = (chunks[0][0], chunks[0][1] if len(chunks) == 1 else None, chunks)
        return e

    def _tj(self, data: bytes, kerns: tuple | None, pos: int) -> str:
        """A chunk's TJ elements joined: its glyph codes in strings, split after each kerned glyph,
        each kern after its string (the reference for the C code's `tj`)."""
        esc = self.esc
        if kerns is None:
            return f"({esc(data)})"
        parts = []
        start = 0
        for i in range(len(data)):
            k = kerns[pos + i]
            if k:
                kern = self.kerns.get(k) or self._kern(k)
                parts.append(f"({esc(data[start : i + 1])}) {kern}")
                start = i + 1
        if start < len(data):
            parts.append(f"({esc(data[start:])})")
        return " ".join(parts)

    def _kern(self, k: float) -> str:
        s = self.kerns[k] = _n(-k)
        return s

    def space(self, face: Face) -> tuple[str, str]:
        """(subset font, TJ string) of the face's space glyph."""
        space = self.spaces.get(face.name)
        if space is None:
            sname, spieces = self.pieces(face, face.shape(" "))[0]
            space = self.spaces[face.name] = (sname, spieces[0])
        return space

    def color(self, color: str) -> str:
        """The operator setting `color` for text (made once per colour)."""
        col = self.colors.get(color)
        if col is None:
            col = self.colors[color] = self.mode.fill(color)
        return col

    def lines(self, items: list, page_h: float) -> list[str]:
        """The operators of every line among `items` (other items are skipped), in order."""
        if _kernel is not None:
            ops = _kernel.lines(
                items, page_h, self.entries, self.spaces, self.colors, self.entry, self.space, self.color,
                TextItem, self.line_python, self.numbered if self.c_escape else None,
            )  # fmt: skip
            if ops is not None:
                return ops
        out: list[str] = []
        for it in items:
            if isinstance(it, TextItem):
                self.line(it, page_h, out)
        return out

    def line(self, it: TextItem, page_h: float, out: list[str]) -> None:
        """Append the line's operators to `out` (in C where the extension is built and takes the line)."""
        ln = it.line
        if _kernel is not None and ln.spans:
            ops = _kernel.line(
                ln.spans, it.x, page_h - it.baseline, ln.tracking, ln.scale,
                self.entries, self.spaces, self.colors, self.entry, self.space, self.color,
            )  # fmt: skip
            if ops is not None:
                out.extend(ops)
                return
        self.line_python(it, page_h, out)

    def line_python(self, it: TextItem, page_h: float, out: list[str]) -> None:
        """Append the line's operators to `out` (the reference for the C code). Each span: the space
        glyph before it (in the font before it, so extracted text keeps the word gap), a TJ offset for
        any gap between where the text position stands and where the span begins, then its glyphs;
        a Tm where the font changes, a Tf where the subset or size does, a colour where it changes."""
        ln = it.line
        spans = ln.spans
        if not spans:
            return
        y = page_h - it.baseline
        tc, tz = ln.tracking, ln.scale
        out.append("BT")
        if tc:
            out.append(f"{_n(tc)} Tc")
        if tz != 1.0:
            out.append(f"{_n(tz * 100)} Tz")
        x0, tctz = it.x, tc * tz
        cur_name: str | None = None  # the subset font set (None: none yet)
        cur_size = cursor = prev_size = 0.0  # cursor: where the text position stands, once cur_name is set
        cur_color = prev_face = None
        tj: list[str] = []
        entries, spaces = self.entries, self.spaces
        last_v, last_s = None, ""  # the last TJ offset and its string: a justified line repeats one
        for sp in spans:
            face = sp.face
            size = sp.size
            shaped = sp.shaped
            x = x0 + sp.x
            if sp.color != cur_color:
                if tj:
                    out.append("[" + " ".join(tj) + "] TJ")
                    tj = []
                out.append(self.colors.get(sp.color) or self.color(sp.color))
                cur_color = sp.color
            e = entries.get((face.name, shaped.text)) or self.entry(face, shaped)
            if cur_name is not None:
                if sp.space_before:
                    space = spaces.get(prev_face.name) or self.space(prev_face)  # type: ignore[union-attr]
                    if space[0] == cur_name:
                        tj.append(space[1])
                        cursor += prev_face.space * prev_size * tz / 1000.0 + tctz  # type: ignore[union-attr]
                if e[0] != cur_name or size != cur_size:
                    if tj:
                        out.append("[" + " ".join(tj) + "] TJ")
                        tj = []
                    out.append(f"1 0 0 1 {_n(x)} {_n(y)} Tm")
                    cursor = x
            else:
                out.append(f"1 0 0 1 {_n(x)} {_n(y)} Tm")
                cursor = x
            gap = x - cursor
            if gap > 0.0005 or gap < -0.0005:
                v = -gap / (size * tz / 1000.0)
                if v != last_v:
                    last_s = f"{v:.3f}".rstrip("0").rstrip(".")
                    if last_s == "-0":
                        last_s = "0"
                    last_v = v
                tj.append(last_s)
            one = e[1]
            if one is not None and e[0] == cur_name and size == cur_size:
                tj.append(one)
            else:
                for name, joined in e[2]:
                    if name != cur_name or size != cur_size:
                        if tj:
                            out.append("[" + " ".join(tj) + "] TJ")
                            tj = []
                        out.append(f"{name} {_n(size)} Tf")
                        cur_name, cur_size = name, size
                    tj.append(joined)
            cursor = x + (shaped.width * size / 1000.0 + tc * shaped.glyphs) * tz
            prev_face, prev_size = face, size
        if tj:
            out.append("[" + " ".join(tj) + "] TJ")
        if tc:
            out.append("0 Tc")
        if tz != 1.0:
            out.append("100 Tz")
        out.append("ET")
