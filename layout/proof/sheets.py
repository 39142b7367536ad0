"""The proof's own pages after the edition: the list of problems, then every story's
overset copy set at its column width in a red-ruled box under the story's id, so editors
can read what to cut. Produced as composed frames (Page items) so the same PDF drawer
sets them and text extraction finds every overset word."""

from __future__ import annotations

import math

from ..manifest.load import LoadedIssue
from ..page.frames import Composed, Page, RuleItem, TextItem
from ..page.grid import page_geometry
from ..text.markdown import Run
from ..text.style import Style
from ..text.typeset import Line, Typesetter
from .findings import Finding

RED = "#d0021b"
BASELINE = 0.78  # as on the edition's pages: a baseline sits this far down its row
Box4 = tuple[float, float, float, float]


class Sheets:
    """Lays out proof sheets page after page from a y cursor."""

    def __init__(self, li: LoadedIssue, style: Style, composed: Composed):
        self.li = li
        self.style = style
        self.grid = style.grid
        self.first = len(composed.pages) + 1
        self.pages: list[Page] = []
        self.boxes: dict[int, list[tuple[str, Box4]]] = {}  # page index (in the whole proof) -> story boxes
        self.edition = len(composed.pages)
        self.y = 0.0
        self._ts: dict[str, Typesetter] = {}

    def ts(self, language: str | None) -> Typesetter:
        lang = language or self.li.issue.language
        if lang not in self._ts:
            self._ts[lang] = Typesetter(self.style, lang)
        return self._ts[lang]

    @property
    def page(self) -> Page:
        return self.pages[-1]

    def new_page(self) -> None:
        number = self.first + len(self.pages)
        area, cols = page_geometry(self.li, number, self.grid)
        w, h = self.li.issue.page.size
        self.pages.append(Page(number, w, h, area, cols, self.grid, "Proof sheet"))
        self.y = area.top

    def room(self, height: float) -> None:
        if not self.pages or self.y + height > self.page.area.bottom:
            self.new_page()

    def lines(self, text: str, role: str, story: str | None = None, size: float | None = None) -> None:
        r = self.style.roles[role]
        a = self.page.area if self.pages else None
        width = a.width if a else 500.0
        for ln in self.ts(None).set([Run(text)], r, width, size=size, hyphenate=False, align="left"):
            lead = r.leading * (size or r.size) / r.size
            self.room(lead)
            y = self.y
            self.page.items.append(TextItem(self.page.area.x, y + lead * BASELINE, y, y + lead, ln, role, story))
            self.y += lead

    def report(self, found: list[Finding]) -> None:
        """The heading and every finding, one line each."""
        self.new_page()
        self.lines("Proof sheet", "kicker")
        self.lines("Problems found on this proof" if found else "No problems found on this proof", "deck")
        self.y += self.grid * 0.5
        for f in found:
            self.lines(f.line(), "caption")
        self.y += self.grid

    def overset(self, aid: str, page: int, text: str, lines_over: int, words: int, colw: float) -> None:
        """The story's overset copy in a red-ruled box, flowed across the sheet's columns."""
        art = self.li.issue.articles[aid]
        st = self.style
        body = st.roles["body"]
        ts = self.ts(art.language)
        set_lines: list[Line] = []
        for k, para in enumerate(p for p in text.split("\n\n") if p.strip()):
            set_lines += ts.set([Run(para.strip())], body, colw, indent=body.size if k else 0.0, para=k)
        head = f"OVERSET \u00b7 {aid} \u00b7 page {page} \u00b7 {lines_over} lines, {words} words did not fit"
        self.room(self.grid * 4)
        self.y += self.grid * 0.5
        self.lines(head, "byline", story=None)
        g = self.grid
        while set_lines:
            self.room(g * 3)
            p = self.page
            ncols = len(p.columns)
            rows_left = int((p.area.bottom - self.y - 8) / g)
            rows = max(1, min(rows_left, math.ceil(len(set_lines) / ncols)))
            chunk, set_lines = set_lines[: rows * ncols], set_lines[rows * ncols :]
            top = self.y + 4
            for i, ln in enumerate(chunk):
                c, r = divmod(i, rows)
                x = p.columns[c][0]
                y = top + r * g
                p.items.append(TextItem(x, y + g * BASELINE, y, y + g, ln, "overset", aid, c))
            used_cols = math.ceil(len(chunk) / rows)
            x1 = p.columns[used_cols - 1][0] + p.columns[used_cols - 1][1]
            box = (p.area.x - 3, self.y, x1 + 3, top + rows * g + 3)
            for x0, y0, xa, ya in _frame(box):
                p.items.append(RuleItem(x0, y0, xa, ya, 1.0, RED, None))
            self.boxes.setdefault(self.edition + len(self.pages) - 1, []).append((aid, box))
            self.y = box[3] + g
            if set_lines:
                self.new_page()
                self.lines(f"OVERSET \u00b7 {aid} (continued)", "byline")


def _frame(b: Box4) -> list[Box4]:
    x0, y0, x1, y1 = b
    return [(x0, y0, x1, y0), (x1, y0, x1, y1), (x1, y1, x0, y1), (x0, y1, x0, y0)]


def proof_sheets(li: LoadedIssue, style: Style, composed: Composed, found: list[Finding]) -> Sheets:
    s = Sheets(li, style, composed)
    s.report(found)
    for f in composed.overset:
        page = composed.pages[f.page - 1]
        colw = page.columns[f.columns[0] - 1][1]
        s.overset(f.story, f.page, f.overset_text, f.overset_lines, f.overset_words, colw)
    return s
