"""Page furniture: the nameplate with its dateline, section banners and the folio.

Reads the issue's masthead fields and the style; appends text and rule items to a page and returns
the y where the stories may begin (or, for the folio, must end).
"""

from __future__ import annotations

from ..manifest.model import Issue
from ..text.line import Line
from ..text.markdown import Run
from ..text.punctuation import Punctuation
from ..text.style import Style
from ..text.typeset import Typesetter
from .frames import Page, RuleItem, TextItem
from .grid import BASELINE


class Furniture:
    """Sets the furniture of every page of one issue."""

    def __init__(self, iss: Issue, style: Style, ts: Typesetter, punct: Punctuation | None = None):
        self.iss = iss
        self.publication = punct.text(iss.publication) if punct else iss.publication
        self.style = style
        self.grid = style.grid
        self._ts = ts

    def _line(self, text: str, role: str, width: float, align: str | None = None, size: float | None = None):
        r = self.style.roles[role]
        return self._ts.set([Run(text)], r, width, align=align, size=size, hyphenate=False)

    def nameplate(self, page: Page) -> float:
        """Publication name, dateline and rules across the top; returns the y below them."""
        st = self.style
        iss = self.iss
        a = page.area
        y = a.top
        r = st.roles["nameplate"]
        # The nameplate is one line: shrink it to the page's width if the name is long.
        size = min(r.size, 0.98 * r.size * a.width / max(1.0, r.face.width(self.publication, r.size)))
        lead = r.leading * size / r.size
        for ln in self._line(self.publication, "nameplate", a.width + 1, size=size):
            base = y + size * 0.95
            page.items.append(TextItem(a.x, base, y, y + lead, ln, "nameplate"))
            y = max(y + lead, _ink_bottom(ln, base))  # the rule clears the descenders
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
            base = y + r.size * 0.9
            page.items.append(TextItem(a.x, base, y, y + r.leading, ln, "banner"))
            y = max(y + r.leading, _ink_bottom(ln, base))
        y += 1
        page.items.append(RuleItem(a.x, y, a.right, y, 3.0, st.color("accent")))
        return y + 3

    def folio(self, page: Page) -> float:
        """The folio at the foot of the text area; returns the y above it."""
        st = self.style
        iss = self.iss
        a = page.area
        g = self.grid
        top = a.bottom - g
        page.items.append(RuleItem(a.x, top - 2, a.right, top - 2, 0.5, st.color("rule")))
        date = iss.date.strftime("%-d %B %Y")
        outer = f"{page.number}  \u00b7  {page.section}".strip(" \u00b7") if page.section else str(page.number)
        inner = f"{self.publication}  \u00b7  {date}"
        recto = page.number % 2 == 1
        left, right = (inner, outer) if recto else (outer, inner)
        r = st.roles["folio"]
        for text, align in ((left, "left"), (right, "right")):
            for ln in self._line(text, "folio", a.width / 2, align=align):
                x = a.x if align == "left" else a.x + a.width / 2
                page.items.append(TextItem(x, top + g * BASELINE, top, top + r.leading, ln, "folio"))
        return top - g  # one row of air above the folio rule


def _ink_bottom(ln: Line, baseline: float) -> float:
    """The lowest mark of a line's glyphs (its deepest descender), with half a point of air."""
    return baseline + 0.5 - min((sp.face.ink(sp.shaped.text)[1] * sp.size / 1000 for sp in ln.spans), default=0.0)
