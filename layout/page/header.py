"""A story's header across its width: kicker, headline (sized by the story's width), deck and byline,
or for a continuation the "Continued from page N" line and a short headline.

Reads the article and the story's columns; produces text items and the grid rows they take.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..text.line import Line
from ..text.markdown import Run
from .frames import TextItem
from .grid import BASELINE

if TYPE_CHECKING:
    from .story import StoryLayout

HEADLINE_BASELINE = 0.92  # a headline's baseline sits this far down its size below the line top


CLEAR = 0.5  # points of air kept between the glyphs of one header line and the next


def _ink(ln: Line) -> tuple[float, float]:
    """How far a line's glyphs reach above and below its baseline, in points (down negative)."""
    up = down = 0.0
    for sp in ln.spans:
        t, b = sp.face.ink(sp.shaped.text)
        up, down = max(up, t * sp.size / 1000), min(down, b * sp.size / 1000)
    return up, down


class _HeaderWriter:
    """Stacks header lines downwards from a top y."""

    def __init__(self, lay: StoryLayout, top_row: int):
        self.lay = lay
        self.x0 = lay.cols[0][0]
        self.width = lay.cols[-1][0] + lay.cols[-1][1] - self.x0
        self.y = lay.row_y(top_row)
        self.items: list = []
        self.ink_bottom = -1e9  # the lowest mark of the lines set so far

    def put(self, lines: list[Line], role: str, leading: float, size: float, space_after: float) -> None:
        for ln in lines:
            y = self.y
            base = y + size * HEADLINE_BASELINE if role == "headline" else y + leading * BASELINE
            up, down = _ink(ln)
            # An accent over a capital must clear the descenders of the line above: where the
            # leading is too tight for this line's glyphs, the line moves down.
            push = max(0.0, self.ink_bottom + CLEAR - (base - up))
            y, base = y + push, base + push
            self.items.append(TextItem(self.x0, base, y, y + leading, ln, role, self.lay.c.aid))
            self.ink_bottom = base - down
            self.y = y + leading
        self.y += space_after

    def plain(self, role: str, text: str) -> None:
        r = self.lay.style.roles[role]
        self.put(self.lay.ts.set([Run(text)], r, self.width, hyphenate=False), role, r.leading, r.size, 0)


def set_header(lay: StoryLayout, top_row: int, jump_from: int | None = None) -> tuple[list, int]:
    """Kicker, headline, deck and byline across the story; returns items and rows used."""
    w = _HeaderWriter(lay, top_row)
    if jump_from is not None:
        _continuation_header(lay, w, jump_from)
    else:
        _full_header(lay, w)
    rows = math.ceil((w.y - lay.row_y(top_row)) / lay.grid - 1e-6)
    return w.items, rows


def _continuation_header(lay: StoryLayout, w: _HeaderWriter, jump_from: int) -> None:
    st = lay.style
    w.plain("jump", f"Continued from page {jump_from}")
    hsize = st.headline_size(1 if len(lay.cols) < 3 else 2)
    r = st.roles["headline"]
    lines = lay.ts.set([Run(lay.c.art.headline)], r, w.width, size=hsize, hyphenate=False, ragged_balance=True)
    w.put(lines, "headline", hsize * 1.08, hsize, 4)


def _full_header(lay: StoryLayout, w: _HeaderWriter) -> None:
    st = lay.style
    art = lay.c.art
    ts = lay.ts
    if art.kicker:
        r = st.roles["kicker"]
        w.put(ts.set([Run(art.kicker)], r, w.width, hyphenate=False), "kicker", r.leading, r.size, 1)
    r = st.roles["headline"]
    hsize = st.headline_size(len(lay.cols))
    lines = ts.set([Run(art.headline)], r, w.width, size=hsize, hyphenate=False, ragged_balance=True)
    w.put(lines, "headline", hsize * r.leading / r.size, hsize, 5)
    if art.deck:
        r = st.roles["deck"]
        dsize = min(r.size, max(10.5, hsize * 0.45))
        lines = ts.set([Run(art.deck)], r, w.width, size=dsize, hyphenate=False, ragged_balance=True)
        w.put(lines, "deck", dsize * r.leading / r.size, dsize, 3)
    if art.byline:
        w.plain("byline", art.byline)
