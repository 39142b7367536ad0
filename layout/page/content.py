"""An article typeset at its column width: the body as units the column flow places.

Reads an article, its Markdown blocks, the style and a typesetter; produces `StoryContent` with one
`Unit` per body line or subhead, carrying keep-with-next flags for widows, orphans and subheads.
Body copy is set once at the column width, whatever page or height the story is given.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..manifest.model import Article
from ..text.line import Line
from ..text.markdown import Block, Run
from ..text.style import Style
from ..text.typeset import Typesetter
from .wordsearch import norm as _norm

if TYPE_CHECKING:
    from .flow import Flow


@dataclass(slots=True)
class Unit:
    """What the flow places: one body line, or a subhead (with its space above)."""

    lines: list[tuple[Line, str]]  # (line, role); a subhead may take several lines
    rows: int
    gap: int = 0  # rows of space above, dropped at the head of a column
    keep_next: bool = False  # never break a column after this unit
    words: int = 0
    drop: tuple[Line, float] | None = None  # a drop cap hung from this line: (glyph line, depth in rows)
    dx: float = 0.0  # indent of a line set beside a drop cap


def _words(text: str) -> int:
    return len(text.split())


class StoryContent:
    """An article typeset at one column width: body units, and blocks to place."""

    def __init__(
        self,
        aid: str,
        art: Article,
        blocks: list[Block],
        style: Style,
        ts: Typesetter,
        colw: float,
        photos: list[Path],
        quotes: tuple[str, str] = ("\u201c", "\u201d"),
    ):
        self.aid = aid
        self.quotes = quotes  # the language's quotation marks, around pull quotes
        self.photo_paths = photos  # resolved files of art.photos
        self.art = art
        self.style = style
        self.ts = ts
        self.colw = colw
        self.problems: list[tuple[int, str]] = []  # (body line, message): what cannot be set
        self._texts: dict[int, str] = {}  # the text of each body line's unit, by unit
        self.units = self._units(blocks)
        self._quote_units: dict[int, int | None] = {}
        self._flow: Flow | None = None

    def flow(self) -> Flow:
        """The column flow over these units, made once (placing a story tries many heights)."""
        if self._flow is None:
            from .flow import Flow  # flow reads Unit from here

            self._flow = Flow(self.units)
        return self._flow

    def _units(self, blocks: list[Block]) -> list[Unit]:
        st = self.style
        units: list[Unit] = []
        after_head = True
        notes: list[Block] = []
        gap_next = 0
        for pi, b in enumerate(blocks):
            if b.kind == "note":
                notes.append(b)
                continue
            if b.kind == "table":
                from .table import set_table  # table builds Units: imported here, not at the top

                rows, problem = set_table(b, st, self.ts, self.colw, pi)
                if problem:
                    self.problems.append((b.line, problem))
                units += rows
                after_head, gap_next = True, 1
                continue
            first_unit = len(units)
            self._block_units(units, b, pi, after_head)
            after_head = b.kind in ("subhead", "break")
            if gap_next and len(units) > first_unit:
                units[first_unit].gap = max(units[first_unit].gap, gap_next)
            gap_next = 1 if b.kind == "break" else 0  # air below an asterism, as above it
        self._closing(units, notes, len(blocks))
        return units

    def _block_units(self, units: list[Unit], b: Block, pi: int, after_head: bool) -> None:
        """A paragraph's lines or a subhead as units."""
        st = self.style
        spec = st.text
        body = st.roles["body"]
        indent = spec.indent * body.size
        if b.kind == "break":
            lines = self.ts.set(b.runs, body, self.colw, align="center", hyphenate=False, para=pi)
            units.append(Unit([(ln, "break") for ln in lines], len(lines), gap=1, keep_next=False))
            return
        if b.kind == "subhead":
            lines = self.ts.set(b.runs, st.roles["subhead"], self.colw, hyphenate=False, para=pi)
            units.append(
                Unit(
                    [(ln, "subhead") for ln in lines],
                    len(lines),
                    gap=1,
                    keep_next=True,
                    words=_words(b.text),
                )
            )
            return
        dropped = self._drop_cap(b) if pi == 0 and not units else None
        if dropped is not None:
            drop, runs, dc_width = dropped
            n = spec.drop_cap_lines
            lines = self.ts.set(runs, body, [self.colw - dc_width] * n + [self.colw], para=pi)
            first = len(units)
            self._para_units(units, lines, "body")
            for u in units[first : first + n]:
                u.dx = dc_width
            for u in units[first : first + n - 1]:
                u.keep_next = True  # the lines beside the drop cap stay in one column
            units[first].drop = (drop, float(n))
            return
        lines = self.ts.set(b.runs, body, self.colw, indent=0.0 if after_head else indent, para=pi)
        self._para_units(units, lines, "body")

    def _closing(self, units: list[Unit], notes: list[Block], nblocks: int) -> None:
        """Footnotes as notes at the story's end, then the source line and the writer's bio."""
        closing = [("note", "source", b.runs) for b in notes]
        if self.art.source:
            closing.append(("source", "source", [Run("Source: ", "bold"), Run(self.art.source)]))
        if self.art.bio:
            closing.append(("bio", "bio", [Run(self.art.bio)]))
        for k, (item_role, role, runs) in enumerate(closing):
            r = self.style.roles[role]
            lines = self.ts.set(runs, r, self.colw, hyphenate=False, para=nblocks + k)
            first = len(units)
            self._para_units(units, lines, item_role)
            if k == 0 and units[first:]:
                units[first].gap = 1

    def quote_unit(self, index: int) -> int | None:
        """The body unit where the sentence pull quote `index` repeats begins, if it does."""
        if index not in self._quote_units:
            self._quote_units[index] = self._find_quote(self.art.pull_quotes[index].text)
        return self._quote_units[index]

    def _find_quote(self, text: str) -> int | None:
        want = _norm(text)[:6]
        if len(want) < 4:
            return None
        seq: list[str] = []  # the body's words so far, normalised
        unit: list[int] = []  # the unit each begins in
        carry = ""
        k = 0  # the next start to try: the search stops at the first match (most stories' bodies are long)
        n = len(want)
        texts = self._texts
        for ui, u in enumerate(self.units):
            for ln, role in u.lines:
                if role != "body":
                    continue
                text = texts.get(ui) or ln.text
                ws = _norm(text)
                if carry and ws:
                    ws[0] = carry + ws[0]
                carry = ws.pop() if ln.hyphenated and text.endswith("-") and ws else ""
                seq += ws
                unit += [ui] * len(ws)
            while k + n <= len(seq):  # the next start where the first word is, until none is
                try:
                    k = seq.index(want[0], k, len(seq) - n + 1)
                except ValueError:
                    k = len(seq) - n + 1
                    break
                if seq[k : k + n] == want:
                    return unit[k]
                k += 1
        return None

    def _drop_cap(self, b: Block) -> tuple[Line, list[Run], float] | None:
        """The first letter set large, the runs without it, and the width it takes."""
        art = self.art
        if not (art.drop_cap if art.drop_cap is not None else self.style.text.drop_cap):
            return None
        if not b.runs or not b.runs[0].text:
            return None
        text = b.runs[0].text
        k = 0
        while k < len(text) and not text[k].isalnum():
            k += 1  # an opening quote goes with the letter
        if k >= len(text) or len(text) - k < 2:
            return None
        letter = text[: k + 1]
        st = self.style
        body = st.roles["body"]
        role = st.roles["drop_cap"]
        n = st.text.drop_cap_lines
        # Cap height from the first line's cap line down to the nth line's baseline.
        span = (n - 1) * st.grid + body.face.cap_height * body.size / 1000
        size = span * 1000 / role.face.cap_height
        line = self.ts.set([Run(letter)], role, self.colw, size=size, align="left", hyphenate=False)[0]
        # The word goes on in the first line ("I" + "n"). A copy: set lines are shared (the cache, a session).
        line = replace(line, breaks_word=not text[k + 1].isspace())
        width = line.right + body.size * 0.35
        rest = [Run(text[k + 1 :].lstrip(), b.runs[0].variant), *b.runs[1:]]  # "I have": the gap is the cap's
        return line, rest, width

    def _para_units(self, units: list[Unit], lines: list[Line], role: str) -> None:
        spec = self.style.text
        n = len(lines)
        orphans, widows = spec.orphans, spec.widows
        body = role == "body"
        for i, ln in enumerate(lines):
            keep = i < orphans - 1 or (n - widows <= i < n - 1)
            text = ln.text
            if body:
                self._texts[len(units)] = text  # read again by the pull-quote search
            words = len(text.split()) - (1 if ln.hyphenated and i < n - 1 else 0)  # _words
            units.append(Unit([(ln, role)], 1, 0, keep and i < n - 1, words))
