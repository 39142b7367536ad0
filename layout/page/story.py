"""One story on the page grid: header across its width, photos and pull quotes as
obstacles in its columns, and the body flowing column to column on the baseline grid.

Reads a `StoryContent` and the story's columns on a page; produces the story's frame items.
Heights are counted in grid rows (the body leading). Laying a story out is distributing its
already-set lines into the free row intervals of its columns, which is cheap enough to try
every height from the shortest possible upward.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..text.line import Line
from ..text.markdown import Run
from ..text.style import Style
from ..text.typeset import Typesetter
from .blocks import photo_block, quote_block
from .content import StoryContent, Unit
from .flow import Obstacle, Placements, free_slots, place_obstacles
from .frames import ImageItem, RuleItem, TextItem
from .grid import BASELINE
from .header import set_header

QUOTE_NEAR = 4  # rows: a pull quote nearer than this to the sentence it repeats is moved


@dataclass
class Placed:
    items: list = field(default_factory=list)
    body_top: float = 0.0
    bottom: float = 0.0  # y below the story's last row
    rows: int = 0
    lines: int = 0
    leftover: list[Unit] = field(default_factory=list)


class StoryLayout:
    """Places one story (or the continuation of one) in a column range of a page."""

    def __init__(
        self,
        content: StoryContent,
        style: Style,
        ts: Typesetter,
        columns: list[tuple[float, float]],
        grid: float,
        area_top: float,
        first_col: int = 0,
    ):
        self.first_col = first_col  # the page column (0-based) of the story's first column
        self._blocks: dict[tuple, tuple] = {}  # photo and quote blocks by (kind, index, columns)
        self.c = content
        self.style = style
        self.ts = ts
        self.cols = columns  # (x, width) of the story's columns
        self.grid = grid
        self.area_top = area_top
        self.dropped: list[tuple[str, int, int]] = []  # photos and quotes left out: (kind, index, rows)
        self._fracs: dict[int, tuple[float, int | None]] = {}  # pull quotes moved from their sentence

    def row_y(self, row: int) -> float:
        return self.area_top + row * self.grid

    def header(self, top_row: int, jump_from: int | None = None) -> tuple[list, int]:
        return set_header(self, top_row, jump_from)

    def photo_block(self, index: int, cols: int) -> tuple[float, list[Line], int]:
        """Image height, caption lines and rows for a photo `cols` columns wide."""
        key = ("photo", index, cols)
        if key not in self._blocks:
            ph = self.c.art.photos[index]
            path = self.c.photo_paths[index]
            self._blocks[key] = photo_block(ph, path, self._span_width(cols), self.style, self.ts, self.grid)
        return self._blocks[key]

    def quote_block(self, index: int, cols: int) -> tuple[list[Line], list[Line], int]:
        """Quote lines, attribution lines and rows for a pull quote `cols` columns wide."""
        key = ("quote", index, cols)
        if key not in self._blocks:
            q = self.c.art.pull_quotes[index]
            self._blocks[key] = quote_block(q, self._span_width(cols), self.style, self.ts, self.grid, self.c.quotes)
        return self._blocks[key]

    def _span_width(self, cols: int) -> float:
        return self._span_width_from(0, min(cols, len(self.cols)))

    def _span_width_from(self, col: int, cols: int) -> float:
        a = self.cols[col]
        b = self.cols[col + cols - 1]
        return b[0] + b[1] - a[0]

    def place_body(
        self, start: int, top_row: int, max_rows: int, fixed_rows: int | None, reserve_jump: bool
    ) -> tuple[int, Placements, list[Obstacle], dict, int]:
        """Choose the body height and distribute units. Returns (rows, placements,
        obstacles, blocks, next unit)."""
        units = self.c.units
        flow = self.c.flow().flow
        m = len(self.cols)
        blocks = {"photos": {}, "quotes": {}}
        if start == 0:
            for i, ph in enumerate(self.c.art.photos):
                cols = min(ph.columns, len(self.cols))
                _, _, rows = self.photo_block(i, cols)
                blocks["photos"][i] = (cols, rows, ph.placement)
            for i, q in enumerate(self.c.art.pull_quotes):
                cols = min(q.columns, len(self.cols))
                _, _, rows = self.quote_block(i, cols)
                blocks["quotes"][i] = (cols, rows, "quote")
        need = sum(u.rows + u.gap for u in units[start:]) + sum(
            v[0] * v[1] for d in blocks.values() for v in d.values()
        )
        limit = max_rows if fixed_rows is None else min(fixed_rows, max_rows)
        lo = max(1, min(limit, math.ceil(need / m)))
        best = None
        for H in range(lo, limit + 1):
            if fixed_rows is not None and H < limit:
                continue
            obs = place_obstacles(m, H, blocks)
            if obs is None:
                continue
            placed, nxt = flow(start, free_slots(m, H, obs))
            best = (H, placed, obs, nxt)
            if nxt >= len(units):
                break
        if best is None:
            obs = self._drop_blocks(m, limit, blocks)
            placed, nxt = flow(start, free_slots(m, limit, obs))
            best = (limit, placed, obs, nxt)
        H, placed, obs, nxt = best
        fixed = fixed_rows is not None
        placed, nxt = self._finish(m, H, obs, placed, nxt, start, fixed, reserve_jump)
        obs, placed, nxt = self._away_from_sentences(m, H, blocks, obs, placed, nxt, start, fixed, reserve_jump)
        return H, placed, obs, blocks, nxt

    def _finish(
        self, m: int, H: int, obs: list[Obstacle], placed: Placements, nxt: int, start: int, fixed: bool, jump: bool
    ) -> tuple[Placements, int]:
        """Room for the jump line, or balanced columns, once the body's height is chosen."""
        units = self.c.units
        flow = self.c.flow().flow
        if nxt < len(units) and jump:
            # Make room for the "Continued on page N" line at the foot of the last column.
            return flow(start, free_slots(m, H, obs, cut={m - 1}))
        if nxt >= len(units) and not fixed and m > 1:
            # Balance: shorten the last columns by a row while everything still fits.
            for k in range(m - 1, 0, -1):
                p2, n2 = flow(start, free_slots(m, H, obs, set(range(m - k, m))))
                if n2 >= len(units):
                    return p2, nxt
        return placed, nxt

    def _beside(self, o: Obstacle, placed: Placements) -> bool:
        """Does the sentence a pull quote repeats stand within a few rows of it, in its
        columns or the next ones?"""
        at = placed.at(self.c.quote_unit(o.index))
        if at is None:
            return False
        _, c, r = at
        return o.col - 1 <= c <= o.col + o.cols and o.row - QUOTE_NEAR <= r <= o.row + o.rows + QUOTE_NEAR

    def _away_from_sentences(
        self,
        m: int,
        H: int,
        blocks: dict,
        obs: list[Obstacle],
        placed: Placements,
        nxt: int,
        start: int,
        fixed: bool,
        jump: bool,
    ) -> tuple[list[Obstacle], Placements, int]:
        """Move a pull quote that landed beside the sentence it quotes to another depth or
        column, as long as no less copy fits."""
        for o in [o for o in obs if o.kind == "quote" and self._beside(o, placed)]:
            best = None
            tries = [(f, c) for f in (0.12, 0.25, 0.5, 0.75, 0.88) for c in (None, *range(m - o.cols + 1))]
            seen = set()  # places tried: another try that puts everything in the same place scores the same
            for frac, col in tries:
                obs2 = place_obstacles(m, H, blocks, {**self._fracs, o.index: (frac, col)})
                if obs2 is None:
                    continue
                where = tuple((x.col, x.cols, x.row, x.rows, x.kind, x.index) for x in obs2)
                if where in seen:
                    continue
                seen.add(where)
                p2, n2 = self.c.flow().flow(start, free_slots(m, H, obs2))
                p2, n2 = self._finish(m, H, obs2, p2, n2, start, fixed, jump)
                moved = next(x for x in obs2 if x.kind == "quote" and x.index == o.index)
                if n2 >= nxt and not self._beside(moved, p2):
                    # The most copy set, then the quote farthest from its sentence.
                    score = (n2, self._distance(moved, p2))
                    if best is None or score > best[0]:
                        best = (score, (frac, col), obs2, p2, n2)
            if best is not None:
                _, self._fracs[o.index], obs, placed, nxt = best
        return obs, placed, nxt

    def _distance(self, o: Obstacle, placed: Placements) -> int:
        at = placed.at(self.c.quote_unit(o.index))
        return min(abs(at[2] - o.row), abs(at[2] - o.row - o.rows)) if at is not None else 0

    def _drop_blocks(self, m: int, H: int, blocks: dict) -> list[Obstacle]:
        """Photos and quotes that cannot all stand in a body `H` rows tall: leave out the
        last quotes first, then inline photos, then top photos, until the rest fit. What is
        left out is noted in `self.dropped` as (kind, index, rows) for the composer to report."""
        order = [("quotes", i) for i in reversed(list(blocks["quotes"]))]
        order += [("photos", i) for i, v in reversed(list(blocks["photos"].items())) if v[2] == "inline"]
        order += [("photos", i) for i, v in reversed(list(blocks["photos"].items())) if v[2] != "inline"]
        for kind, i in order:
            rows = blocks[kind].pop(i)[1]
            self.dropped.append(("photo" if kind == "photos" else "quote", i, rows))
            obs = place_obstacles(m, H, blocks)
            if obs is not None:
                return obs
        return []

    def draw_body(
        self, top_row: int, H: int, placed, obs: list[Obstacle], blocks: dict, jump_to: int | None, nxt: int
    ) -> list:
        items: list = []
        self._draw_units(items, top_row, placed)
        for o in obs:
            if o.kind == "photo":
                self._draw_photo(items, top_row, o)
            else:
                self._draw_quote(items, top_row, o)
        if jump_to is not None and nxt < len(self.c.units):
            self._draw_jump_line(items, top_row, H, jump_to)
        low = [0] * len(self.cols)  # the row below the last thing set in each column
        for ui, c, r in placed:
            low[c] = max(low[c], r + self.c.units[ui].rows)
        for o in obs:
            for c in range(o.col, o.col + o.cols):
                low[c] = max(low[c], o.row + o.rows)
        if jump_to is not None and nxt < len(self.c.units):
            low[-1] = H
        self._gutter_rules(items, top_row, H, obs, low)
        return items

    def _draw_units(self, items: list, top_row: int, placed) -> None:
        aid = self.c.aid
        units = self.c.units
        g = self.grid
        area_top, first_col, cols = self.area_top, self.first_col, self.cols
        above = g * BASELINE  # (row_y inlined: the same sums, in the same order)
        for ui, c, row in placed:
            x = cols[c][0]
            u = units[ui]
            col = c + first_col
            if u.drop is not None:
                dl, depth = u.drop
                top = area_top + (top_row + row) * g
                base = top + above + (depth - 1) * g
                items.append(TextItem(x, base, top, top + depth * g, dl, "drop_cap", aid, col))
            x += u.dx
            for k, (ln, role) in enumerate(u.lines):
                top = area_top + (top_row + row + k) * g
                items.append(TextItem(x, top + above, top, top + g, ln, role, aid, col))

    def _draw_photo(self, items: list, top_row: int, o: Obstacle) -> None:
        aid = self.c.aid
        x = self.cols[o.col][0]
        w = self._span_width_from(o.col, o.cols)
        top = self.row_y(top_row + o.row)
        img_h, lines, rows = self.photo_block(o.index, o.cols)
        if o.row > 0:
            top += self.grid * 0.5  # air between the text above and an inline photo
        items.append(ImageItem(x, top, w, img_h, self.c.photo_paths[o.index], aid))
        y = top + img_h + 3
        cap = self.style.roles["caption"]
        for ln in lines:
            items.append(TextItem(x, y + cap.leading * BASELINE, y, y + cap.leading, ln, "caption", aid))
            y += cap.leading

    def _draw_quote(self, items: list, top_row: int, o: Obstacle) -> None:
        st = self.style
        aid = self.c.aid
        x = self.cols[o.col][0]
        w = self._span_width_from(o.col, o.cols)
        top = self.row_y(top_row + o.row)
        lines, att, rows = self.quote_block(o.index, o.cols)
        rule_c = st.color("accent")
        y = top + (self.grid * 0.5 if o.row > 0 else 0)
        items.append(RuleItem(x, y, x + w, y, 1.2, rule_c, aid))
        y += 8
        for role, role_lines in (("pull_quote", lines), ("attribution", att)):
            r = st.roles[role]
            for ln in role_lines:
                items.append(TextItem(x + 2, y + r.leading * BASELINE, y, y + r.leading, ln, role, aid))
                y += r.leading
        y += 4
        items.append(RuleItem(x, y, x + w, y, 1.2, rule_c, aid))

    def _draw_jump_line(self, items: list, top_row: int, H: int, jump_to: int) -> None:
        r = self.style.roles["jump"]
        c = len(self.cols) - 1
        g = self.grid
        ln = self.ts.set([Run(f"Continued on page {jump_to}")], r, self.cols[c][1], align="right", hyphenate=False)[0]
        top = self.row_y(top_row + H - 1)
        items.append(TextItem(self.cols[c][0], top + g * BASELINE, top, top + g, ln, "jump", self.c.aid, None))

    def _gutter_rules(self, items: list, top_row: int, H: int, obs: list[Obstacle], low: list[int]) -> None:
        """Thin rules in the gutters between the story's columns, broken where a photo or
        quote spans the gutter, and ending where the text on both sides has ended."""
        st = self.style
        g = self.grid
        y0 = self.row_y(top_row)
        weight, color = st.rule("column", 0.35), st.color("rule")
        for c in range(len(self.cols) - 1):
            y1 = self.row_y(top_row + min(H, max(low[c], low[c + 1]))) - g * 0.25
            gx = (self.cols[c][0] + self.cols[c][1] + self.cols[c + 1][0]) / 2
            spans = sorted(
                (self.row_y(top_row + o.row), self.row_y(top_row + o.row + o.rows))
                for o in obs
                if o.col <= c and c + 1 < o.col + o.cols
            )
            y = y0
            for a, b in spans:
                if a - y > g:
                    items.append(
                        RuleItem(gx, y, gx, a - g * 0.5, st.rule("column", 0.35), st.color("rule"), self.c.aid)
                    )
                y = max(y, b)
            if y1 - y > g:
                items.append(RuleItem(gx, y, gx, y1, weight, color, self.c.aid))
