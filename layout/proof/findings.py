"""The proof's findings: exactly what `issue check` reports (layout.page.findings, the one
source), each given what the proof needs to mark it: a box as (x0, top, x1, bottom) kept on
its page, and a short note for the margin. Reads the composed frames and the loaded issue;
the proof marks findings with a page and a box where they happen and lists every finding
(those with no page too: an article never placed, a bare-word body) on its problem sheet."""

from __future__ import annotations

from dataclasses import dataclass

from ..manifest.load import LoadedIssue
from ..page import findings as check
from ..page.frames import Composed

Box4 = tuple[float, float, float, float]

SHORT = 24  # a note keeps at least this much of the message before a parenthesis is cut


@dataclass(frozen=True, slots=True)
class Finding:
    page: int | None  # page number as composed (1-based); None for the issue as a whole
    box: Box4 | None  # x0, top, x1, bottom in points from the page's top-left; None if nowhere on a page
    severity: str  # error | warning
    note: str  # short, for the page
    kind: str  # as `issue check` names it: overset, hole, foot, strip, resolution, unplaced...
    story: str | None
    message: str  # the line `issue check` prints

    def line(self) -> str:
        return self.message


def findings(composed: Composed, loaded: LoadedIssue) -> list[Finding]:
    """Every finding `issue check` reports, in its order (errors, then warnings)."""
    return [_adapt(composed, f) for f in check.findings(composed, loaded)]


def _adapt(composed: Composed, f: check.Finding) -> Finding:
    box = None
    where = f.box
    if where is None and f.page is not None:  # a problem of a story as a whole: mark the story
        fit = next((s for s in composed.fits if s.page == f.page and s.story == f.story), None)
        where = (fit.box.x, fit.box.top, fit.box.width, fit.box.height) if fit else None
    if f.page is not None and where is not None and 1 <= f.page <= len(composed.pages):
        box = _on_page(composed.pages[f.page - 1], where)
    return Finding(f.page, box, f.severity, _note(f), f.kind, f.story, str(f))


def _note(f: check.Finding) -> str:
    """The message up to its first parenthesis (the place and the advice are on the sheet)."""
    if f.kind == "overset":
        return f"OVERSET {f.message}: see the overflow sheet"
    cut = f.message.find(" (", SHORT)
    return f.message if cut < 0 else f.message[:cut]


def _on_page(page, box: tuple[float, float, float, float]) -> Box4:
    """(x, top, w, h) as corners, kept on the page and at least a grid line tall, so a story
    with no room at all (left out below the folio) is still marked where a reader sees it."""
    x, top, w, h = box
    last = page.area.bottom - page.grid
    top = min(max(top, 0.0), last)
    bottom = min(max(top + h, top + page.grid), page.area.bottom)
    x0 = min(max(x, 0.0), page.width - 1)
    return (x0, top, min(max(x + w, x0 + 1), page.width), bottom)
