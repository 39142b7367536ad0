"""Findings: everything worth an editor's eye, as a flat list of (page, box, severity,
note). Reads the composed frames only; the proof marks them on the page and lists them
on its report sheet. Each check is a function from `Composed` to findings, so a new
check (holes, short strips under photos, unplaced articles...) plugs in by being passed
in `extra` or appended to CHECKS."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PIL import Image

from ..page.frames import Composed, ImageItem, Page, RuleItem, TextItem
from .fit import fit_rows

MIN_PPI = 200  # a photo printed at less than this looks soft on newsprint
BAND_ROWS = 2  # an empty band across the page this many grid rows tall is a hole


@dataclass(frozen=True, slots=True)
class Finding:
    page: int  # page number as composed (1-based)
    box: tuple[float, float, float, float]  # x0, top, x1, bottom in points from the top-left
    severity: str  # error | warning | info
    note: str  # short, for the margin of the page
    kind: str  # overset | overfull | underset | band | resolution | ...
    story: str | None = None

    def line(self) -> str:
        who = f"story '{self.story}'" if self.story else "page"
        return f"{self.severity}: p{self.page} {who}: {self.note}"


Check = Callable[[Composed], Iterable[Finding]]


def _story_box(page: Page, cols: tuple[int, int], top: float, bottom: float) -> tuple[float, float, float, float]:
    a = page.columns[cols[0] - 1]
    b = page.columns[min(cols[1], len(page.columns)) - 1]
    # A story with no room at all sits below the folio: mark the foot of its columns instead.
    last = page.area.bottom - 3 * page.grid
    top = min(top, last)
    return (a[0], top, b[0] + b[1], max(bottom if bottom <= last + page.grid else top, top + page.grid))


def overset(composed: Composed) -> Iterable[Finding]:
    for f in composed.overset:
        page = composed.pages[f.page - 1]
        yield Finding(
            f.page,
            _story_box(page, f.columns, f.top, f.bottom),
            "error",
            f"OVERSET {f.overset_lines} line{'s' if f.overset_lines != 1 else ''}, {f.overset_words} words: "
            "see the overflow sheet",
            "overset",
            f.story,
        )


def overfull(composed: Composed) -> Iterable[Finding]:
    for number, it in composed.overfull:
        yield Finding(
            number,
            (it.x0, it.top, it.x1, it.bottom),
            "warning",
            f"overfull line: {it.line.overfull:.1f} pt past the measure",
            "overfull",
            it.story,
        )


def underset(composed: Composed) -> Iterable[Finding]:
    """Empty grid lines at the foot of a story's columns."""
    for row in fit_rows(composed):
        if row.free <= 0 or row.over > 0:
            continue
        page = composed.pages[row.page - 1]
        for col, (top, rows) in row.feet.items():
            if rows <= 0:
                continue
            x, w = page.columns[col]
            severity = "warning" if rows >= 2 or row.fixed else "info"
            yield Finding(
                row.page,
                (x, top, x + w, top + rows * page.grid),
                severity,
                f"{rows} empty line{'s' if rows != 1 else ''} at the column foot",
                "underset",
                row.story,
            )


def bands(composed: Composed) -> Iterable[Finding]:
    """A horizontal band across the whole text area with nothing in it."""
    for page in composed.pages:
        a = page.area
        foot = a.bottom - page.grid  # the folio's row
        spans = sorted(_extent(it) for it in page.items) + [(foot, foot)]
        y = a.top
        for top, bottom in spans:
            if top - y >= BAND_ROWS * page.grid:
                rows = int((top - y) / page.grid)
                yield Finding(
                    page.number, (a.x, y, a.right, top), "warning", f"empty band, {rows} lines deep", "band", None
                )
            y = max(y, bottom)


def _extent(it: TextItem | ImageItem | RuleItem) -> tuple[float, float]:
    if isinstance(it, RuleItem):
        return (min(it.y0, it.y1), max(it.y0, it.y1))
    return (it.top, it.bottom)


def resolution(composed: Composed) -> Iterable[Finding]:
    """Photos with fewer than MIN_PPI pixels per inch at the size they print."""
    sizes: dict[str, tuple[int, int]] = {}
    for page in composed.pages:
        for it in page.items:
            if not isinstance(it, ImageItem):
                continue
            key = str(it.path)
            if key not in sizes:
                with Image.open(it.path) as im:
                    sizes[key] = im.size
            px_w, px_h = sizes[key]
            ppi = min(px_w / (it.width / 72), px_h / (it.height / 72))
            if ppi < MIN_PPI:
                yield Finding(
                    page.number,
                    (it.x, it.top, it.x + it.width, it.bottom),
                    "warning",
                    f"photo {it.path.name}: {ppi:.0f} ppi at this size (needs {MIN_PPI})",
                    "resolution",
                    it.story,
                )


CHECKS: list[Check] = [overset, overfull, underset, bands, resolution]
SEVERITY = {"error": 0, "warning": 1, "info": 2}


def findings(composed: Composed, extra: Iterable[Check] = ()) -> list[Finding]:
    """Every finding of every check, by page, then severity, then position."""
    out = [f for check in [*CHECKS, *extra] for f in check(composed)]
    return sorted(out, key=lambda f: (f.page, SEVERITY.get(f.severity, 9), f.box[1], f.box[0]))
