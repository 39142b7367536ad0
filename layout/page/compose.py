"""The page builder: page grid, furniture, and stories placed on a skyline in the order
the manifest lists them, with jumps to later pages for overset copy.

Reads a `LoadedIssue` and the `Style`; produces `Composed` (the frames every output reads).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ..manifest.load import LoadedIssue
from ..text import parsed
from ..text.cache import ParagraphCache
from ..text.punctuation import Punctuation
from ..text.style import Style
from ..text.typeset import Typesetter
from .content import StoryContent
from .flow import Placements
from .frames import Box, Composed, Finding, Page, RuleItem, StoryFit, lines_text
from .furniture import Furniture
from .grid import page_geometry
from .kept import KeptPages, compose_page
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
        stories: Callable[[tuple, Callable[[], StoryContent]], StoryContent] | None = None,
        kept: KeptPages | None = None,
    ):
        self.cache = cache
        self.stories = stories  # articles set in an earlier build of this process, by what sets them
        self.kept = kept  # pages composed in an earlier build of this process, by what composes them
        self.awaiting: Callable[[str], None] | None = None  # hears of a story not yet set (parallel.Helper)
        self.tick = tick
        self.li = li
        self.style = style
        self.grid = style.grid
        self.breaker = breaker
        self._ts: dict[str, Typesetter] = {}
        self._content: dict[str, StoryContent] = {}
        self._punct: dict[str, Punctuation] = {}
        self.furniture = Furniture(li.issue, style, self.ts(), self.punct())
        self.words = 0
        self.fits: list[StoryFit] = []
        self.jumps: dict[int, list[_Jump]] = {}
        self.problems: list[Finding] = []  # layout problems (errors) and warnings found while composing

    def ts(self, language: str | None = None) -> Typesetter:
        lang = language or self.li.issue.language
        t = self._ts.get(lang)
        if t is None:
            t = self._ts[lang] = Typesetter(self.style, lang, self.breaker, cache=self.cache)
        return t

    def punct(self, language: str | None = None) -> Punctuation:
        lang = language or self.li.issue.language
        p = self._punct.get(lang)
        if p is None:
            p = self._punct[lang] = Punctuation(self.style.text.punctuation, lang, self.cache)
        return p

    def content(self, aid: str, colw: float) -> StoryContent:
        key = f"{aid}@{colw:.3f}"
        c = self._content.get(key)
        if c is None:
            if self.awaiting is not None:  # another process may be setting it: its lines, not ours
                self.awaiting(key)
            art = self.li.issue.articles[aid]
            punct = self.punct(art.language)
            photos = self.li.photo_files[aid]
            q = punct.quotes

            def make() -> StoryContent:
                ts = self.ts(art.language)
                blocks = parsed.parse(self.cache, self.li.bodies[aid], punct)
                return StoryContent(aid, punct.article(art), blocks, self.style, ts, colw, photos, q[:2])

            if self.stories is None:
                c = make()
            else:  # everything the setting reads but the style and code (the memo's fingerprint)
                parsed.keep(self.cache, self.li.bodies[aid], punct)  # a kept story's parse is kept in the pack
                lang = self.li.issue.language
                c = self.stories((key, lang, art.model_dump_json(), self.li.bodies[aid], *map(str, photos)), make)
            self._content[key] = c
        return c

    def preset(self, content: StoryContent, scols: list[tuple[float, float]], area_top: float, c0: int) -> None:
        """Set what placing a story (its `content`) across `scols` sets beyond its body, before any of
        it is placed: its header and its photos' captions and pull quotes at the widths they ask, by
        the very calls `_place` makes (the same cache keys). A helper process sets them with the
        body, so that this one finds them set; one that cannot be set here is set when placed."""
        art = content.art
        lay = StoryLayout(content, self.style, self.ts(art.language), scols, self.grid, area_top, c0 - 1)
        try:
            lay.header(0)
            for i, ph in enumerate(art.photos):
                lay.photo_block(i, min(ph.columns, len(scols)))
            for i, q in enumerate(art.pull_quotes):
                lay.quote_block(i, min(q.columns, len(scols)))
        except Exception:  # noqa: BLE001  (placing it meets the same problem and reports it)
            pass

    def compose(self) -> Composed:
        iss = self.li.issue
        if self.kept is None:
            pages = [self._page(pi) for pi in range(len(iss.pages))]
        else:
            pages = [compose_page(self, self.kept, pi) for pi in range(len(iss.pages))]
            self.kept.trim(len(pages))
        # Every jump has been set: continued_on is validated to name a later page.
        title = f"{iss.publication}, {iss.date.isoformat()}, No. {iss.number}"
        subject = ", ".join(dict.fromkeys(p.section for p in iss.pages if p.section))
        n = len({f.story for f in self.fits})
        return Composed(pages, self.fits, title, subject, self.words, n, iss.date, self.problems)

    def _page(self, pi: int) -> Page:
        iss = self.li.issue
        pdef = iss.pages[pi]
        number = pi + 1
        g = self.grid
        w, h = iss.page.size
        area, cols = page_geometry(self.li, number, g)
        page = Page(number, w, h, area, cols, g, self.punct().text(pdef.section))
        y = area.top
        if pdef.masthead:
            y = self.furniture.nameplate(page)
        if pdef.banner:
            y = self.furniture.banner(page, self.punct().text(pdef.banner), y + (4 if pdef.masthead else 0))
        first_row = math.ceil((y - area.top) / g - 1e-6)
        last_row = int(round((self.furniture.folio(page) - area.top) / g))
        page.stories_area = Box(area.x, area.top + first_row * g, area.width, (last_row - first_row) * g)
        sky = [first_row] * len(cols)
        jumps = {j.aid: j for j in self.jumps.pop(number, [])}
        for s in pdef.stories:
            c0, c1 = s.columns or (1, len(cols))
            jump = None
            if s.continued is not None:
                jump = jumps.pop(s.continued, None)
                if jump is None:
                    self._warn(
                        page,
                        s.continued,
                        None,
                        "its continuation is placed here, but nothing jumps: the story fits on its first page",
                    )
                    continue
            self._place(page, _Slot(s.aid, c0, c1, s.height, jump), sky, first_row, last_row)
        for jump in jumps.values():
            # A jump the manifest does not place takes the highest free place that holds it.
            c0, c1 = self._jump_columns(page, jump, sky, first_row, last_row)
            self._place(page, _Slot(jump.aid, c0, c1, None, jump), sky, first_row, last_row)
        if self.tick:
            self.tick()
        return page

    def _jump_columns(self, page: Page, jump: _Jump, sky: list[int], first_row: int, last_row: int) -> tuple[int, int]:
        """The column range (1-based) whose free top is highest among those that hold the
        rest of the story; the widest of those; if none holds it, the one that holds most."""
        need = sum(u.rows + u.gap for u in jump.content.units[jump.start :])
        art = self.li.issue.articles[jump.aid]
        head: dict[int, int] = {}
        best_fit, best_any = None, None
        n = len(page.columns)
        for a in range(n):
            for b in range(a, n):
                span = b - a + 1
                if span not in head:
                    lay = StoryLayout(
                        jump.content, self.style, self.ts(art.language), page.columns[:span], self.grid, page.area.top
                    )
                    head[span] = lay.header(0, jump_from=jump.from_page)[1]
                top = max(sky[a : b + 1])
                rows = last_row - top - (1 if top > first_row else 0) - head[span]
                cap = max(0, rows) * span
                if cap >= need + span and (best_fit is None or (top, -span) < best_fit[0]):
                    best_fit = ((top, -span), (a + 1, b + 1))
                if best_any is None or (-cap, top) < best_any[0]:
                    best_any = ((-cap, top), (a + 1, b + 1))
        assert best_any is not None
        return (best_fit or best_any)[1]

    def _warn(self, page: Page, story: str | None, box: Box | None, message: str, severity: str = "warning") -> None:
        b = (box.x, box.top, box.width, box.height) if box else None
        kind = "fit" if severity == "error" else "placement"
        self.problems.append(Finding(page.number, story, b, severity, message, kind))  # type: ignore[arg-type]

    def _place(self, page: Page, slot: _Slot, sky: list[int], first_row: int, last_row: int) -> None:
        """Set one story at the highest free row of its columns and raise the skyline under it.
        Nothing is drawn outside the story's box: what does not fit is left out and reported."""
        g = self.grid
        area = page.area
        aid, c0, c1, jump = slot.aid, slot.c0, slot.c1, slot.jump
        scols = page.columns[c0 - 1 : c1]
        art = self.li.issue.articles[aid]
        content = jump.content if jump else self.content(aid, scols[0][1])
        top = max(sky[c0 - 1 : c1])
        x0, x1 = scols[0][0], scols[-1][0] + scols[-1][1]
        y = area.top + top * g
        fit = StoryFit(aid, page.number, (c0, c1), y, y, 0, continued_from=jump.from_page if jump else None)
        fit.x, fit.width = x0, x1 - x0
        if not jump:
            self._content_problems(page, aid, content)
            self._narrowed(page, fit, art)
        rule = None
        head_top = top
        if top > first_row:
            # A rule and a row of air between this story and what stands above it.
            ry = area.top + (top + 0.35) * g
            rule = RuleItem(x0, ry, x1, ry, self.style.rule("story", 0.6), self.style.color("rule"), aid)
            head_top += 1
        lay = StoryLayout(content, self.style, self.ts(art.language), scols, g, area.top, c0 - 1)
        hitems, hrows = lay.header(head_top, jump_from=jump.from_page if jump else None)
        room = last_row - head_top  # rows left on the page for the header and body
        want = None if slot.height is None else int((slot.height + 1e-6) // g)
        rows = room if want is None else min(want, room)
        if want is not None and want > room:
            self._warn(
                page,
                aid,
                fit.box,
                f"its height ({_mm(want * g)} mm) is more than the "
                f"{_mm(max(room, 0) * g)} mm left on the page: set {_mm(max(rows, 0) * g)} mm tall",
            )
        start = jump.start if jump else 0
        if hrows + 2 > rows:
            self._left_out(page, fit, content, start, hrows, rows, want, room, head_top - top)
            if want is not None:
                for c in range(c0 - 1, c1):
                    sky[c] = max(sky[c], min(last_row, head_top + want))
            return
        body_top = head_top + hrows
        to = art.continued_on if not jump and art.continued_on else None
        fixed = rows - hrows if want is not None else None
        H, placed, obs, blocks, nxt = lay.place_body(start, body_top, rows - hrows, fixed, reserve_jump=to is not None)
        if rule is not None:
            page.items.append(rule)
        page.items.extend(hitems)
        page.items.extend(lay.draw_body(body_top, H, placed, obs, blocks, to, nxt))
        fit.bottom = area.top + (body_top + H) * g
        self._dropped(page, fit, lay, H)
        self._account(fit, content, placed, H, len(scols), fixed is not None)
        if nxt < len(content.units):
            if to is not None:
                fit.continued_to = to
                self.jumps.setdefault(to, []).append(_Jump(aid, page.number, content, nxt))
            else:
                _overset(fit, content, nxt)
        self.fits.append(fit)
        for c in range(c0 - 1, c1):
            sky[c] = body_top + H

    def _narrowed(self, page: Page, fit: StoryFit, art) -> None:
        """Photos and quotes wider than the story are set as wide as it: say so."""
        m = fit.columns[1] - fit.columns[0] + 1
        parts = [(f"photo {i + 1} ({p.file})", p.columns) for i, p in enumerate(art.photos)]
        parts += [(f"pull quote {i + 1}", q.columns) for i, q in enumerate(art.pull_quotes)]
        for name, cols in parts:
            if cols > m:
                self._warn(
                    page,
                    fit.story,
                    fit.box,
                    f"{name} asks for {cols} columns; the story has {m}: set {m} column{'s' if m > 1 else ''} wide",
                )

    def _content_problems(self, page: Page, aid: str, content: StoryContent) -> None:
        """What the body holds that cannot be set in the column (a table too wide for it)."""
        for line, msg in content.problems:
            src = self.li.body_files.get(aid)
            where = f"{src.name}:{line}" if src else f"line {line} of its body"
            self._warn(page, aid, None, f"{where}: {msg}; left out", "error")

    def _left_out(
        self,
        page: Page,
        fit: StoryFit,
        content: StoryContent,
        start: int,
        hrows: int,
        rows: int,
        want: int | None,
        room: int,
        rule_rows: int,
    ) -> None:
        """The header and two lines of text do not fit: leave the whole story out (it is
        overset, or jumps) rather than draw over the next story or past the folio."""
        g = self.grid
        what = "its header" if hrows > rows else "its header and two lines of text"
        where = "its height gives" if want is not None and want <= room else "the page has"
        if want is not None:  # a fixed height keeps its place (the rule row above included)
            fit.bottom = fit.top + (rule_rows + max(0, rows)) * g
        self._warn(
            page,
            fit.story,
            fit.box,
            f"does not fit: {what} need{'s' if hrows > rows else ''} "
            f"{_mm((hrows + (0 if hrows > rows else 2)) * g)} mm, {where} {_mm(max(rows, 0) * g)} mm; left out",
            "error",
        )
        _overset(fit, content, start)
        self.fits.append(fit)

    def _dropped(self, page: Page, fit: StoryFit, lay: StoryLayout, H: int) -> None:
        """Photos and pull quotes the story's body had no room for, reported as left out."""
        art = self.li.issue.articles[fit.story]
        for kind, i, brows in lay.dropped:
            name = f"photo {i + 1} ({art.photos[i].file})" if kind == "photo" else f"pull quote {i + 1}"
            self._warn(
                page,
                fit.story,
                fit.box,
                f"does not fit: {name} needs {_mm(brows * self.grid)} mm with its air, "
                f"the story's body has {_mm(H * self.grid)} mm; left out",
                "error",
            )

    def _account(self, fit: StoryFit, content: StoryContent, placed: Placements, H: int, m: int, fixed: bool) -> None:
        fit.lines = sum(len(content.units[u].lines) for u, _, _ in placed)
        fit.fixed_height = fixed
        if fixed:
            used: dict[int, int] = {}
            for u, c, r in placed:
                used[c] = max(used.get(c, 0), r + content.units[u].rows)
            fit.free_lines = sum(H - used.get(c, 0) for c in range(m))
        self.words += sum(content.units[u].words for u, _, _ in placed)


def _mm(pt: float) -> str:
    return f"{pt * 25.4 / 72:.1f}"


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
