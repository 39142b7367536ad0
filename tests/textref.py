"""The text writer as it was before the fast paths (layout/pdf/draw.py's _TextWriter, unchanged but
for its imports): the oracle that test_textops holds the new writer's operators and subset numbering to."""

from __future__ import annotations

import marshal

from layout.page.frames import TextItem
from layout.pdf.textops import _n
from layout.text.fonts import Face


class FormerWriter:
    """Turns positioned spans into PDF text operators for one document."""

    def __init__(self, c, mode):  # noqa: ANN001
        self.c = c
        self.mode = mode
        self.doc = c._doc
        self.esc = c._escape
        self.colors: dict[str, str] = {}
        self.enc: dict[tuple[str, str], list[tuple[str, bytes]]] = {}
        self.tj: dict[tuple[str, str], list[tuple[str, list[str]]]] = {}
        self.spaces: dict[str, tuple[str, str]] = {}  # face name -> (subset font, TJ string of a space)
        self.faces: dict[str, Face] = {}  # faces drawn so far, in order
        self.calls: list[tuple[str, str]] | None = None  # subset calls that changed a face's state

    def encode(self, face: Face, text: str) -> list[tuple[str, bytes]]:
        key = (face.name, text)
        r = self.enc.get(key)
        if r is None:
            font = face.rl
            self.faces.setdefault(face.name, face)
            before = self._sig(face) if self.calls is not None else None
            r = [(font.getSubsetInternalName(sub, self.doc), b) for sub, b in font.splitString(text, self.doc)]
            self.enc[key] = r
            if self.calls is not None and self._sig(face) != before:
                self.calls.append(key)  # replayed when the page is copied from the page cache
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
        return marshal.dumps(parts)

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

    def space(self, face: Face) -> tuple[str, str]:
        """(subset font, TJ string) of the face's space glyph."""
        space = self.spaces.get(face.name)
        if space is None:
            sname, spieces = self.pieces(face, face.shape(" "))[0]
            space = self.spaces[face.name] = (sname, spieces[0])
        return space

    def line(self, it: TextItem, page_h: float, out: list[str]) -> None:
        ln = it.line
        if not ln.spans:
            return
        y = page_h - it.baseline
        tc, tz = ln.tracking, ln.scale
        out.append("BT")
        if tc:
            out.append(f"{_n(tc)} Tc")
        if tz != 1.0:
            out.append(f"{_n(tz * 100)} Tz")
        cur_font = None
        cur_color = None
        cursor = None  # x where the text position stands now, if known
        tj: list[str] = []
        prev = None
        tjcache = self.tj
        spaces = self.spaces

        def flush() -> None:
            if tj:
                out.append("[" + " ".join(tj) + "] TJ")
                tj.clear()

        for sp in ln.spans:
            x = it.x + sp.x
            face, size = sp.face, sp.size
            if sp.color != cur_color:
                flush()
                col = self.colors.get(sp.color)
                if col is None:
                    col = self.colors[sp.color] = self.mode.fill(sp.color)
                out.append(col)
                cur_color = sp.color
            chunks = tjcache.get((face.name, sp.shaped.text)) or self.pieces(face, sp.shaped)
            scale = size * tz / 1000.0
            if cursor is not None and sp.space_before and prev is not None:
                # A real space glyph, in the font before it, so extracted text keeps the word gap.
                space = spaces.get(prev.face.name) or self.space(prev.face)
                if cur_font is not None and space[0] == cur_font[0]:
                    tj.append(space[1])
                    cursor += prev.face.space * prev.size * tz / 1000.0 + tc * tz
            if cursor is None or cur_font != (chunks[0][0], size):
                flush()
                out.append(f"1 0 0 1 {_n(x)} {_n(y)} Tm")
                cursor = x
            gap = x - cursor
            if abs(gap) > 0.0005:
                tj.append(_n(-gap / scale))
            for name, pieces in chunks:
                if cur_font != (name, size):
                    flush()
                    out.append(f"{name} {_n(size)} Tf")
                    cur_font = (name, size)
                tj.extend(pieces)
            cursor = x + ln.advance(sp)
            prev = sp
        flush()
        if tc:
            out.append("0 Tc")
        if tz != 1.0:
            out.append("100 Tz")
        out.append("ET")
