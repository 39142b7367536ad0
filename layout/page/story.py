"""One story on the page grid: header across its width, photos and pull quotes as
obstacles in its columns, and the body flowing column to column on the baseline grid.

Heights are counted in grid rows (the body leading). Body copy is set once at the column
width; laying a story out is then distributing lines into the free row intervals of its
columns, which is cheap enough to try every height from the shortest possible upward.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from ..manifest.model import Article
from ..text.markdown import Block, Run
from ..text.style import Style
from ..text.typeset import Line, Typesetter
from .frames import ImageItem, RuleItem, TextItem

BASELINE = 0.78  # a body baseline sits this far down its grid row


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


@dataclass(slots=True)
class Obstacle:
    col: int  # story column, 0-based
    cols: int
    row: int
    rows: int
    kind: str  # photo | quote
    index: int


@dataclass
class Placed:
    items: list = field(default_factory=list)
    body_top: float = 0.0
    bottom: float = 0.0  # y below the story's last row
    rows: int = 0
    lines: int = 0
    leftover: list[Unit] = field(default_factory=list)


def _words(text: str) -> int:
    return len(text.split())


class StoryContent:
    """An article typeset at one column width: body units, and blocks to place."""

    def __init__(
        self, aid: str, art: Article, blocks: list[Block], style: Style, ts: Typesetter, colw: float, photos: list[Path]
    ):
        self.aid = aid
        self.photo_paths = photos  # resolved files of art.photos
        self.art = art
        self.style = style
        self.ts = ts
        self.colw = colw
        self.units = self._units(blocks)

    def _units(self, blocks: list[Block]) -> list[Unit]:
        st = self.style
        spec = st.text
        body = st.roles["body"]
        units: list[Unit] = []
        after_head = True
        indent = spec.indent * body.size
        for pi, b in enumerate(blocks):
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
                after_head = True
                continue
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
                after_head = False
                continue
            lines = self.ts.set(b.runs, body, self.colw, indent=0.0 if after_head else indent, para=pi)
            self._para_units(units, lines, "body")
            after_head = False
        closing = []
        if self.art.source:
            closing.append(("source", [Run("Source: ", "bold"), Run(self.art.source)]))
        if self.art.bio:
            closing.append(("bio", [Run(self.art.bio)]))
        for k, (role, runs) in enumerate(closing):
            r = st.roles[role]
            lines = self.ts.set(runs, r, self.colw, hyphenate=False, para=len(blocks) + k)
            first = len(units)
            self._para_units(units, lines, role)
            if k == 0 and units[first:]:
                units[first].gap = 1
        return units

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
        line.breaks_word = not text[k + 1].isspace()  # the word goes on in the first line ("I" + "n")
        width = line.right + body.size * 0.35
        rest = [Run(text[k + 1 :].lstrip(), b.runs[0].variant), *b.runs[1:]]  # "I have": the gap is the cap's
        return line, rest, width

    def _para_units(self, units: list[Unit], lines: list[Line], role: str) -> None:
        spec = self.style.text
        n = len(lines)
        for i, ln in enumerate(lines):
            keep = i < spec.orphans - 1 or (n - spec.widows <= i < n - 1)
            units.append(
                Unit(
                    [(ln, role)],
                    1,
                    keep_next=keep and i < n - 1,
                    words=_words(ln.text) - (1 if ln.hyphenated and i < n - 1 else 0),
                )
            )


def flow(units: list[Unit], start: int, slots: list[tuple[int, int, int]]) -> tuple[list[tuple[int, int, int]], int]:
    """Fill slots (column, first row, rows) with units from `start`, keeping keep-with-next
    pairs together (widows, orphans, subheads). Returns placements (unit, column, row) and
    the index of the first unit that did not fit."""
    out: list[tuple[int, int, int]] = []
    i = start
    n = len(units)
    for si, (col, row0, rows) in enumerate(slots):
        if i >= n:
            break
        used = 0
        placed: list[tuple[int, int, int]] = []
        j = i
        while j < n:
            u = units[j]
            gap = u.gap if placed else 0
            if used + gap + u.rows > rows:
                break
            placed.append((j, col, row0 + used + gap))
            used += gap + u.rows
            j += 1
        if j < n and placed:
            # Back off so that no keep-with-next unit ends the slot.
            k = len(placed)
            while k > 0 and units[placed[k - 1][0]].keep_next:
                k -= 1
            if k > 0:
                placed = placed[:k]
                j = placed[-1][0] + 1
            elif si + 1 < len(slots):
                # The slot is too short for what must stay together (a paragraph's first
                # lines under a photo, say): leave it empty rather than strand one line.
                placed = []
                j = i
        out.extend(placed)
        i = j
    return out, i


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

    def row_y(self, row: int) -> float:
        return self.area_top + row * self.grid

    # -- header ------------------------------------------------------------------------

    def header(self, top_row: int, jump_from: int | None = None) -> tuple[list, int]:
        """Kicker, headline, deck and byline across the story; returns items and rows used."""
        st = self.style
        art = self.c.art
        x0 = self.cols[0][0]
        width = self.cols[-1][0] + self.cols[-1][1] - x0
        y = self.row_y(top_row)
        items: list = []
        aid = self.c.aid

        def put(lines: list[Line], role: str, leading: float, size: float, space_after: float) -> None:
            nonlocal y
            for ln in lines:
                items.append(
                    TextItem(
                        x0,
                        y + size * 0.92 if role == "headline" else y + leading * BASELINE,
                        y,
                        y + leading,
                        ln,
                        role,
                        aid,
                    )
                )
                y += leading
            y += space_after

        if jump_from is not None:
            r = st.roles["jump"]
            put(
                self.ts.set([Run(f"Continued from page {jump_from}")], r, width, hyphenate=False),
                "jump",
                r.leading,
                r.size,
                0,
            )
            hsize = st.headline_size(1 if len(self.cols) < 3 else 2)
            r = st.roles["headline"]
            put(
                self.ts.set([Run(art.headline)], r, width, size=hsize, hyphenate=False, ragged_balance=True),
                "headline",
                hsize * 1.08,
                hsize,
                4,
            )
        else:
            if art.kicker:
                r = st.roles["kicker"]
                put(self.ts.set([Run(art.kicker)], r, width, hyphenate=False), "kicker", r.leading, r.size, 1)
            r = st.roles["headline"]
            hsize = st.headline_size(len(self.cols))
            lead = hsize * r.leading / r.size
            put(
                self.ts.set([Run(art.headline)], r, width, size=hsize, hyphenate=False, ragged_balance=True),
                "headline",
                lead,
                hsize,
                5,
            )
            if art.deck:
                r = st.roles["deck"]
                dsize = min(r.size, max(10.5, hsize * 0.45))
                put(
                    self.ts.set([Run(art.deck)], r, width, size=dsize, hyphenate=False, ragged_balance=True),
                    "deck",
                    dsize * r.leading / r.size,
                    dsize,
                    3,
                )
            if art.byline:
                r = st.roles["byline"]
                put(self.ts.set([Run(art.byline)], r, width, hyphenate=False), "byline", r.leading, r.size, 0)
        rows = math.ceil((y - self.row_y(top_row)) / self.grid - 1e-6)
        return items, rows

    # -- photos and quotes ---------------------------------------------------------------

    def photo_block(self, index: int, cols: int) -> tuple[float, list[Line], int]:
        """Image height, caption lines and rows for a photo `cols` columns wide."""
        key = ("photo", index, cols)
        if key not in self._blocks:
            self._blocks[key] = self._photo_block(index, cols)
        return self._blocks[key]

    def _photo_block(self, index: int, cols: int) -> tuple[float, list[Line], int]:
        ph = self.c.art.photos[index]
        width = self._span_width(cols)
        with Image.open(self._photo_path(index)) as im:
            w, h = im.size
        img_h = width * h / w
        st = self.style
        cap = st.roles["caption"]
        runs = [Run(ph.caption)] if ph.caption else []
        if ph.credit:
            runs.append(Run((" " if ph.caption else "") + f"(PHOTO: {ph.credit.upper()})", "credit"))
        lines = (
            self.ts.set(runs, cap, width, hyphenate=False, extra_faces={"credit": st.roles["credit"].face})
            if runs
            else []
        )
        total = img_h + 3 + len(lines) * cap.leading
        rows = math.ceil(total / self.grid - 1e-6) + 1  # one row of air before the text
        return img_h, lines, rows

    def _photo_path(self, index: int) -> Path:
        return self.c.photo_paths[index]

    def _span_width(self, cols: int) -> float:
        return self._span_width_from(0, min(cols, len(self.cols)))

    def quote_block(self, index: int, cols: int) -> tuple[list[Line], list[Line], int]:
        """Quote lines, attribution lines and rows for a pull quote `cols` columns wide."""
        key = ("quote", index, cols)
        if key not in self._blocks:
            self._blocks[key] = self._quote_block(index, cols)
        return self._blocks[key]

    def _quote_block(self, index: int, cols: int) -> tuple[list[Line], list[Line], int]:
        q = self.c.art.pull_quotes[index]
        st = self.style
        width = self._span_width(cols) - 4
        r = st.roles["pull_quote"]
        lines = self.ts.set([Run(f"\u201c{q.text}\u201d")], r, width, hyphenate=False, ragged_balance=True)
        att = []
        if q.attribution:
            a = st.roles["attribution"]
            att = self.ts.set([Run(f"\u2014 {q.attribution}")], a, width, hyphenate=False)
        h = 8 + len(lines) * r.leading + len(att) * st.roles["attribution"].leading + 8
        rows = math.ceil(h / self.grid - 1e-6) + 1
        return lines, att, rows

    # -- body ------------------------------------------------------------------------------

    def obstacles(self, H: int, blocks: dict) -> list[Obstacle] | None:
        """Where photos and quotes sit for a body `H` rows tall; None if they cannot."""
        m = len(self.cols)
        top = [0] * m
        obs: list[Obstacle] = []
        col = 0
        for i, (cols, rows, placement) in blocks["photos"].items():
            if placement != "top":
                continue
            cols = min(cols, m)
            if col + cols > m:
                col = 0
            base = max(top[col : col + cols])
            obs.append(Obstacle(col, cols, base, rows, "photo", i))
            for c in range(col, col + cols):
                top[c] = base + rows
            col += cols

        def free_at(c0: int, n: int, r: int, rows: int) -> bool:
            return all(
                not (o.col < c0 + n and c0 < o.col + o.cols and o.row < r + rows and r < o.row + o.rows) for o in obs
            )

        inline = [(i, v) for i, v in blocks["photos"].items() if v[2] == "inline"]
        inline += [(i, v) for i, v in blocks["quotes"].items()]
        for k, (i, (cols, rows, placement)) in enumerate(inline):
            cols = min(cols, m)
            kind = "quote" if placement == "quote" else "photo"
            prefer = m - cols if kind == "photo" else min(m - cols, (1 + 2 * k) % m if m > 1 else 0)
            # The preferred column first, then those with the most free height.
            order = [prefer] + sorted(
                (c for c in range(m - cols + 1) if c != prefer), key=lambda c: max(top[c : c + cols])
            )
            frac = 0.38 if k % 2 == 0 else 0.62
            for c0 in order:
                r = max(top[c0 : c0 + cols] + [int(H * frac) - rows // 2])
                r = min(r, max(top[c0 : c0 + cols] + [H - rows]))
                while r + rows <= H and not free_at(c0, cols, r, rows):
                    r += 1
                if r + rows <= H:
                    obs.append(Obstacle(c0, cols, r, rows, kind, i))
                    break
            else:
                return None
        return obs

    def slots(self, H: int, obs: list[Obstacle], cut: set[int] | None = None) -> list[tuple[int, int, int]]:
        out = []
        for c in range(len(self.cols)):
            blocked = sorted((o.row, o.row + o.rows) for o in obs if o.col <= c < o.col + o.cols)
            end = H - (1 if cut and c in cut else 0)
            r = 0
            for a, b in blocked:
                if a > r:
                    out.append((c, r, min(a, end) - r))
                r = max(r, b)
            if end > r:
                out.append((c, r, end - r))
        return [s for s in out if s[2] > 0]

    def place_body(
        self, start: int, top_row: int, max_rows: int, fixed_rows: int | None, reserve_jump: bool
    ) -> tuple[int, list, list[Obstacle], dict, int]:
        """Choose the body height and distribute units. Returns (rows, placements,
        obstacles, blocks, next unit)."""
        units = self.c.units
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
        m = len(self.cols)
        need = sum(u.rows + u.gap for u in units[start:]) + sum(
            v[0] * v[1] for d in blocks.values() for v in d.values()
        )
        limit = max_rows if fixed_rows is None else min(fixed_rows, max_rows)
        lo = max(1, min(limit, math.ceil(need / m)))
        best = None
        for H in range(lo, limit + 1):
            if fixed_rows is not None and H < limit:
                continue
            obs = self.obstacles(H, blocks)
            if obs is None:
                continue
            placed, nxt = flow(units, start, self.slots(H, obs))
            best = (H, placed, obs, nxt)
            if nxt >= len(units):
                break
        if best is None:
            obs = self.obstacles(limit, blocks) or []
            placed, nxt = flow(units, start, self.slots(limit, obs))
            best = (limit, placed, obs, nxt)
        H, placed, obs, nxt = best
        if nxt < len(units) and reserve_jump:
            # Make room for the "Continued on page N" line at the foot of the last column.
            placed, nxt = flow(units, start, self.slots(H, obs, cut={m - 1}))
        elif nxt >= len(units) and fixed_rows is None and m > 1:
            # Balance: shorten the last columns by a row while everything still fits.
            for k in range(m - 1, 0, -1):
                cut = set(range(m - k, m))
                p2, n2 = flow(units, start, self.slots(H, obs, cut))
                if n2 >= len(units):
                    placed = p2
                    break
        return H, placed, obs, blocks, nxt

    def draw_body(
        self, top_row: int, H: int, placed, obs: list[Obstacle], blocks: dict, jump_to: int | None, nxt: int
    ) -> list:
        items: list = []
        st = self.style
        aid = self.c.aid
        units = self.c.units
        g = self.grid
        for ui, c, row in placed:
            x = self.cols[c][0]
            u = units[ui]
            if u.drop is not None:
                dl, depth = u.drop
                top = self.row_y(top_row + row)
                base = top + g * BASELINE + (depth - 1) * g
                items.append(TextItem(x, base, top, top + depth * g, dl, "drop_cap", aid, c + self.first_col))
            for k, (ln, role) in enumerate(u.lines):
                top = self.row_y(top_row + row + k)
                items.append(TextItem(x + u.dx, top + g * BASELINE, top, top + g, ln, role, aid, c + self.first_col))
        for o in obs:
            x = self.cols[o.col][0]
            w = self._span_width_from(o.col, o.cols)
            top = self.row_y(top_row + o.row)
            if o.kind == "photo":
                img_h, lines, rows = self.photo_block(o.index, o.cols)
                if o.row > 0:
                    top += g * 0.5  # air between the text above and an inline photo
                items.append(ImageItem(x, top, w, img_h, self._photo_path(o.index), aid))
                y = top + img_h + 3
                cap = st.roles["caption"]
                for ln in lines:
                    items.append(TextItem(x, y + cap.leading * BASELINE, y, y + cap.leading, ln, "caption", aid))
                    y += cap.leading
            else:
                lines, att, rows = self.quote_block(o.index, o.cols)
                rule_c = st.color("accent")
                y = top + (g * 0.5 if o.row > 0 else 0)
                items.append(RuleItem(x, y, x + w, y, 1.2, rule_c, aid))
                y += 8
                r = st.roles["pull_quote"]
                for ln in lines:
                    items.append(TextItem(x + 2, y + r.leading * BASELINE, y, y + r.leading, ln, "pull_quote", aid))
                    y += r.leading
                a = st.roles["attribution"]
                for ln in att:
                    items.append(TextItem(x + 2, y + a.leading * BASELINE, y, y + a.leading, ln, "attribution", aid))
                    y += a.leading
                y += 4
                items.append(RuleItem(x, y, x + w, y, 1.2, rule_c, aid))
        if jump_to is not None and nxt < len(units):
            r = st.roles["jump"]
            c = len(self.cols) - 1
            ln = self.ts.set([Run(f"Continued on page {jump_to}")], r, self.cols[c][1], align="right", hyphenate=False)[
                0
            ]
            top = self.row_y(top_row + H - 1)
            items.append(TextItem(self.cols[c][0], top + g * BASELINE, top, top + g, ln, "jump", aid, None))
        # Thin rules in the gutters between the story's columns, broken where a photo or
        # quote spans the gutter.
        y0, y1 = self.row_y(top_row), self.row_y(top_row + H) - g * 0.25
        for c in range(len(self.cols) - 1):
            gx = (self.cols[c][0] + self.cols[c][1] + self.cols[c + 1][0]) / 2
            spans = sorted(
                (self.row_y(top_row + o.row), self.row_y(top_row + o.row + o.rows))
                for o in obs
                if o.col <= c and c + 1 < o.col + o.cols
            )
            y = y0
            for a, b in spans:
                if a - y > g:
                    items.append(RuleItem(gx, y, gx, a - g * 0.5, st.rule("column", 0.35), st.color("rule"), aid))
                y = max(y, b)
            if y1 - y > g:
                items.append(RuleItem(gx, y, gx, y1, st.rule("column", 0.35), st.color("rule"), aid))
        return items

    def _span_width_from(self, col: int, cols: int) -> float:
        a = self.cols[col]
        b = self.cols[col + cols - 1]
        return b[0] + b[1] - a[0]
