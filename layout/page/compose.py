"""The page builder: page grid, furniture, and stories placed on a skyline in the order
the manifest lists them, with jumps to later pages for overset copy."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ..manifest.load import LoadedIssue
from ..text import markdown
from ..text.markdown import Run
from ..text.style import Style
from ..text.typeset import Typesetter
from .frames import Box, Composed, Page, RuleItem, StoryFit, TextItem, lines_text
from .story import BASELINE, StoryContent, StoryLayout


@dataclass
class _Jump:
    aid: str
    from_page: int
    content: StoryContent
    start: int  # first unit still to set


def page_geometry(li: LoadedIssue, number: int, grid: float) -> tuple[Box, list[tuple[float, float]]]:
    spec = li.issue.page
    w, h = spec.size
    m = spec.margins
    recto = number % 2 == 1  # odd pages are right-hand pages: the inside margin is on the left
    left = m.inside if recto else m.outside
    right = m.outside if recto else m.inside
    aw = w - left - right
    # The text area holds a whole number of grid rows, so the foot of every column is on the grid.
    ah = math.floor((h - m.top - m.bottom) / grid + 1e-6) * grid
    n = spec.columns
    colw = (aw - (n - 1) * spec.gutter) / n
    cols = [(left + i * (colw + spec.gutter), colw) for i in range(n)]
    return Box(left, m.top, aw, ah), cols


class Composer:
    def __init__(self, li: LoadedIssue, style: Style, breaker: str = "total", tick: Callable[[], None] | None = None):
        self.tick = tick
        self.li = li
        self.style = style
        self.grid = style.grid
        self.breaker = breaker
        self._ts: dict[str, Typesetter] = {}
        self._content: dict[str, StoryContent] = {}

    def ts(self, language: str | None = None) -> Typesetter:
        lang = language or self.li.issue.language
        t = self._ts.get(lang)
        if t is None:
            t = self._ts[lang] = Typesetter(self.style, lang, self.breaker)
        return t

    def content(self, aid: str, colw: float) -> StoryContent:
        key = f"{aid}@{colw:.3f}"
        c = self._content.get(key)
        if c is None:
            art = self.li.issue.articles[aid]
            blocks = markdown.parse(self.li.bodies[aid])
            photos = [(self.li.folder / p.file).resolve() for p in art.photos]
            c = StoryContent(aid, art, blocks, self.style, self.ts(art.language), colw, photos)
            self._content[key] = c
        return c

    # -- furniture --------------------------------------------------------------------------

    def _line(self, text: str, role: str, width: float, align: str | None = None, size: float | None = None):
        r = self.style.roles[role]
        return self.ts().set([Run(text)], r, width, align=align, size=size, hyphenate=False)

    def nameplate(self, page: Page) -> float:
        """Publication name, dateline and rules across the top; returns the y below them."""
        st = self.style
        iss = self.li.issue
        a = page.area
        y = a.top
        r = st.roles["nameplate"]
        # The nameplate is one line: shrink it to the page's width if the name is long.
        size = min(r.size, 0.98 * r.size * a.width / max(1.0, r.face.width(iss.publication, r.size)))
        lead = r.leading * size / r.size
        for ln in self._line(iss.publication, "nameplate", a.width + 1, size=size):
            page.items.append(TextItem(a.x, y + size * 0.95, y, y + lead, ln, "nameplate"))
            y += lead
        y += 2
        page.items.append(RuleItem(a.x, y, a.right, y, 0.6, st.color("rule")))
        y += 3
        parts = []
        if iss.volume is not None:
            parts.append(f"Vol. {iss.volume}")
        parts.append(f"No. {iss.number:,}")
        parts.append(iss.date.strftime("%A, %-d %B %Y"))
        if iss.edition:
            parts.append(f"{iss.edition} edition")
        d = st.roles["dateline"]
        for ln in self._line("  \u00b7  ".join(parts), "dateline", a.width):
            page.items.append(TextItem(a.x, y + d.leading * BASELINE, y, y + d.leading, ln, "dateline"))
            y += d.leading
        y += 2
        page.items.append(RuleItem(a.x, y, a.right, y, 2.0, st.color("rule")))
        return y + 2

    def banner(self, page: Page, text: str, y: float) -> float:
        st = self.style
        a = page.area
        r = st.roles["banner"]
        for ln in self._line(text, "banner", a.width):
            page.items.append(TextItem(a.x, y + r.size * 0.9, y, y + r.leading, ln, "banner"))
            y += r.leading
        y += 1
        page.items.append(RuleItem(a.x, y, a.right, y, 3.0, st.color("accent")))
        return y + 3

    def folio(self, page: Page) -> float:
        """The folio at the foot of the text area; returns the y above it."""
        st = self.style
        iss = self.li.issue
        a = page.area
        g = self.grid
        top = a.bottom - g
        page.items.append(RuleItem(a.x, top - 2, a.right, top - 2, 0.5, st.color("rule")))
        date = iss.date.strftime("%-d %B %Y")
        outer = f"{page.number}  \u00b7  {page.section}".strip(" \u00b7") if page.section else str(page.number)
        inner = f"{iss.publication}  \u00b7  {date}"
        recto = page.number % 2 == 1
        left, right = (inner, outer) if recto else (outer, inner)
        r = st.roles["folio"]
        for text, align in ((left, "left"), (right, "right")):
            for ln in self._line(text, "folio", a.width / 2, align=align):
                x = a.x if align == "left" else a.x + a.width / 2
                page.items.append(TextItem(x, top + g * BASELINE, top, top + r.leading, ln, "folio"))
        return top - g  # one row of air above the folio rule

    # -- pages -------------------------------------------------------------------------------

    def compose(self) -> Composed:
        iss = self.li.issue
        pages: list[Page] = []
        fits: list[StoryFit] = []
        jumps: dict[int, list[_Jump]] = {}
        g = self.grid
        w, h = iss.page.size
        words = 0
        for pi, pdef in enumerate(iss.pages):
            number = pi + 1
            area, cols = page_geometry(self.li, number, g)
            page = Page(number, w, h, area, cols, g, pdef.section)
            pages.append(page)
            y = area.top
            if pdef.masthead:
                y = self.nameplate(page)
            if pdef.banner:
                y = self.banner(page, pdef.banner, y + (4 if pdef.masthead else 0))
            first_row = math.ceil((y - area.top) / g - 1e-6)
            last_row = int(round((self.folio(page) - area.top) / g))
            sky = [first_row] * len(cols)
            entries = [(s.article, s.columns or (1, len(cols)), s.height, None) for s in pdef.stories]
            entries += [(j.aid, (1, len(cols)), None, j) for j in jumps.pop(number, [])]
            for aid, (c0, c1), height, jump in entries:
                scols = cols[c0 - 1 : c1]
                colw = scols[0][1]
                art = iss.articles[aid]
                content = jump.content if jump else self.content(aid, colw)
                top = max(sky[c0 - 1 : c1])
                rule = None
                if top > first_row:
                    # A rule and a row of air between this story and what stands above it.
                    ry = area.top + (top + 0.35) * g
                    x1 = scols[-1][0] + scols[-1][1]
                    rule = RuleItem(
                        scols[0][0], ry, x1, ry, self.style.rule("story", 0.6), self.style.color("rule"), aid
                    )
                    top += 1
                lay = StoryLayout(content, self.style, self.ts(art.language), scols, g, area.top, c0 - 1)
                if jump:
                    hitems, hrows = lay.header(top, jump_from=jump.from_page)
                else:
                    hitems, hrows = lay.header(top)
                body_top = top + hrows
                max_rows = last_row - body_top
                fixed = None
                if height is not None:
                    fixed = max(1, int((height + 1e-6) // g) - hrows)
                start = jump.start if jump else 0
                to = art.continued_on if not jump and art.continued_on else None
                if max_rows < 2:
                    # No room left for the headline and two lines of text: the whole story
                    # is overset here (or jumps), and nothing is drawn past the folio.
                    fit = StoryFit(
                        aid,
                        number,
                        (c0, c1),
                        area.top + top * g,
                        area.top + top * g,
                        0,
                        continued_from=jump.from_page if jump else None,
                    )
                    left = content.units[start:]
                    fit.overset_lines = sum(len(u.lines) for u in left)
                    fit.overset_words = sum(u.words for u in left)
                    fit.overset_text = lines_text([ln for u in left for ln, _ in u.lines])
                    fits.append(fit)
                    continue
                H, placed, obs, blocks, nxt = lay.place_body(
                    start, body_top, max_rows, fixed, reserve_jump=to is not None
                )
                if rule is not None:
                    page.items.append(rule)
                page.items.extend(hitems)
                page.items.extend(lay.draw_body(body_top, H, placed, obs, blocks, to, nxt))
                left = content.units[nxt:]
                fit = StoryFit(
                    aid,
                    number,
                    (c0, c1),
                    area.top + top * g,
                    area.top + (body_top + H) * g,
                    sum(len(content.units[u].lines) for u, _, _ in placed),
                    continued_from=jump.from_page if jump else None,
                    fixed_height=fixed is not None,
                )
                if fixed is not None:
                    used = {}
                    for u, c, r in placed:
                        used[c] = max(used.get(c, 0), r + content.units[u].rows)
                    fit.free_lines = sum(H - used.get(c, 0) for c in range(len(scols)))
                words += sum(content.units[u].words for u, _, _ in placed)
                if left:
                    if to is not None:
                        fit.continued_to = to
                        jumps.setdefault(to, []).append(_Jump(aid, number, content, nxt))
                    else:
                        fit.overset_lines = sum(len(u.lines) for u in left)
                        fit.overset_words = sum(u.words for u in left)
                        fit.overset_text = lines_text([ln for u in left for ln, _ in u.lines])
                fits.append(fit)
                for c in range(c0 - 1, c1):
                    sky[c] = body_top + H
            if self.tick:
                self.tick()
        # Every jump has been set: continued_on is validated to name a later page.
        title = f"{iss.publication}, {iss.date.isoformat()}, No. {iss.number}"
        subject = ", ".join(dict.fromkeys(p.section for p in iss.pages if p.section))
        return Composed(pages, fits, title, subject, words, len({f.story for f in fits}), iss.date)


def compose(li: LoadedIssue, style: Style, breaker: str = "total", tick: Callable[[], None] | None = None) -> Composed:
    """Lay out every page; `tick` is called as each page is done (for a progress bar)."""
    return Composer(li, style, breaker, tick).compose()
