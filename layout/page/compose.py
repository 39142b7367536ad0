"""The page builder: page grid, furniture, and stories placed on a skyline in the order
the manifest lists them, with jumps to later pages for overset copy.

Reads a `LoadedIssue` and the `Style`; produces `Composed` (the frames every output reads).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ..manifest.load import LoadedIssue
from ..text import markdown
from ..text.cache import ParagraphCache
from ..text.style import Style
from ..text.typeset import Typesetter
from .content import StoryContent
from .frames import Composed, Page, RuleItem, StoryFit, lines_text
from .furniture import Furniture
from .grid import page_geometry
from .story import StoryLayout


@dataclass
class _Jump:
    aid: str
    from_page: int
    content: StoryContent
    start: int  # first unit still to set


@dataclass
class _Slot:
    """A story's place on a page: its column range, requested height and the jump it continues."""

    aid: str
    c0: int  # 1-based, inclusive
    c1: int
    height: float | None
    jump: _Jump | None


class Composer:
    def __init__(
        self,
        li: LoadedIssue,
        style: Style,
        breaker: str = "total",
        tick: Callable[[], None] | None = None,
        cache: ParagraphCache | None = None,
    ):
        self.cache = cache
        self.tick = tick
        self.li = li
        self.style = style
        self.grid = style.grid
        self.breaker = breaker
        self._ts: dict[str, Typesetter] = {}
        self._content: dict[str, StoryContent] = {}
        self.furniture = Furniture(li.issue, style, self.ts())
        self.words = 0
        self.fits: list[StoryFit] = []
        self.jumps: dict[int, list[_Jump]] = {}

    def ts(self, language: str | None = None) -> Typesetter:
        lang = language or self.li.issue.language
        t = self._ts.get(lang)
        if t is None:
            t = self._ts[lang] = Typesetter(self.style, lang, self.breaker, cache=self.cache)
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

    def compose(self) -> Composed:
        iss = self.li.issue
        pages = [self._page(pi) for pi in range(len(iss.pages))]
        # Every jump has been set: continued_on is validated to name a later page.
        title = f"{iss.publication}, {iss.date.isoformat()}, No. {iss.number}"
        subject = ", ".join(dict.fromkeys(p.section for p in iss.pages if p.section))
        return Composed(pages, self.fits, title, subject, self.words, len({f.story for f in self.fits}), iss.date)

    def _page(self, pi: int) -> Page:
        iss = self.li.issue
        pdef = iss.pages[pi]
        number = pi + 1
        g = self.grid
        w, h = iss.page.size
        area, cols = page_geometry(self.li, number, g)
        page = Page(number, w, h, area, cols, g, pdef.section)
        y = area.top
        if pdef.masthead:
            y = self.furniture.nameplate(page)
        if pdef.banner:
            y = self.furniture.banner(page, pdef.banner, y + (4 if pdef.masthead else 0))
        first_row = math.ceil((y - area.top) / g - 1e-6)
        last_row = int(round((self.furniture.folio(page) - area.top) / g))
        sky = [first_row] * len(cols)
        slots = [_Slot(s.article, *(s.columns or (1, len(cols))), s.height, None) for s in pdef.stories]
        slots += [_Slot(j.aid, 1, len(cols), None, j) for j in self.jumps.pop(number, [])]
        for slot in slots:
            self._place(page, slot, sky, first_row, last_row)
        if self.tick:
            self.tick()
        return page

    def _place(self, page: Page, slot: _Slot, sky: list[int], first_row: int, last_row: int) -> None:
        """Set one story at the highest free row of its columns and raise the skyline under it."""
        g = self.grid
        area = page.area
        aid, c0, c1, jump = slot.aid, slot.c0, slot.c1, slot.jump
        scols = page.columns[c0 - 1 : c1]
        art = self.li.issue.articles[aid]
        content = jump.content if jump else self.content(aid, scols[0][1])
        top = max(sky[c0 - 1 : c1])
        rule = None
        if top > first_row:
            # A rule and a row of air between this story and what stands above it.
            ry = area.top + (top + 0.35) * g
            x1 = scols[-1][0] + scols[-1][1]
            rule = RuleItem(scols[0][0], ry, x1, ry, self.style.rule("story", 0.6), self.style.color("rule"), aid)
            top += 1
        lay = StoryLayout(content, self.style, self.ts(art.language), scols, g, area.top, c0 - 1)
        hitems, hrows = lay.header(top, jump_from=jump.from_page if jump else None)
        body_top = top + hrows
        max_rows = last_row - body_top
        fixed = None
        if slot.height is not None:
            fixed = max(1, int((slot.height + 1e-6) // g) - hrows)
        start = jump.start if jump else 0
        to = art.continued_on if not jump and art.continued_on else None
        fit = StoryFit(
            aid,
            page.number,
            (c0, c1),
            area.top + top * g,
            area.top + top * g,
            0,
            continued_from=jump.from_page if jump else None,
        )
        if max_rows < 2:
            # No room left for the headline and two lines of text: the whole story
            # is overset here (or jumps), and nothing is drawn past the folio.
            _overset(fit, content, start)
            self.fits.append(fit)
            return
        H, placed, obs, blocks, nxt = lay.place_body(start, body_top, max_rows, fixed, reserve_jump=to is not None)
        if rule is not None:
            page.items.append(rule)
        page.items.extend(hitems)
        page.items.extend(lay.draw_body(body_top, H, placed, obs, blocks, to, nxt))
        fit.bottom = area.top + (body_top + H) * g
        fit.lines = sum(len(content.units[u].lines) for u, _, _ in placed)
        fit.fixed_height = fixed is not None
        if fixed is not None:
            used: dict[int, int] = {}
            for u, c, r in placed:
                used[c] = max(used.get(c, 0), r + content.units[u].rows)
            fit.free_lines = sum(H - used.get(c, 0) for c in range(len(scols)))
        self.words += sum(content.units[u].words for u, _, _ in placed)
        if nxt < len(content.units):
            if to is not None:
                fit.continued_to = to
                self.jumps.setdefault(to, []).append(_Jump(aid, page.number, content, nxt))
            else:
                _overset(fit, content, nxt)
        self.fits.append(fit)
        for c in range(c0 - 1, c1):
            sky[c] = body_top + H


def _overset(fit: StoryFit, content: StoryContent, start: int) -> None:
    left = content.units[start:]
    fit.overset_lines = sum(len(u.lines) for u in left)
    fit.overset_words = sum(u.words for u in left)
    fit.overset_text = lines_text([ln for u in left for ln, _ in u.lines])


def compose(
    li: LoadedIssue,
    style: Style,
    breaker: str = "total",
    tick: Callable[[], None] | None = None,
    cache: ParagraphCache | None = None,
) -> Composed:
    """Lay out every page; `tick` is called as each page is done (for a progress bar); set
    paragraphs come from `cache` where it has them."""
    return Composer(li, style, breaker, tick, cache).compose()
