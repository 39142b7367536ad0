"""Containment, checked on the frames: every element inside its story's box, every story inside the
text area, no two stories' boxes overlapping and no two elements touching.

Reads `Composed` (text lines measured by their glyphs' ink, images, rules); produces a list of
`Finding`s with severity "error", empty when the pages never draw one thing over another. The
composer keeps this invariant; tests run the check after every composition.
"""

from __future__ import annotations

import os
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from math import isfinite
from operator import attrgetter

from ..text import line as _line
from ..text.line import line_ink, text_ink
from .frames import Box, Composed, Finding, ImageItem, Page, RuleItem, StoryFit, TextItem

EPS = 0.01  # points: what counts as touching
HANG = 4.0  # points: punctuation hung into the margin or gutter (optical margins)
_TOP = attrgetter("top")
_KINDS = (TextItem, ImageItem, RuleItem)

_contain = None  # the common answer, "nothing to find", in C (layout/page/_contain.c), when it is built
if os.environ.get("LAYOUT_PURE_PYTHON", "") in ("", "0"):
    try:
        from . import _contain  # type: ignore[attr-defined,no-redef]
    except ImportError:  # not built: every page is checked in Python
        _contain = None


@dataclass(slots=True)
class Ink:
    """An element's marks on the page: x0, top, x1, bottom."""

    x0: float
    top: float
    x1: float
    bottom: float
    item: TextItem | ImageItem | RuleItem

    @property
    def tuple(self) -> tuple[float, float, float, float]:
        return (self.x0, self.top, self.x1 - self.x0, self.bottom - self.top)


def ink(it: TextItem | ImageItem | RuleItem) -> Ink | None:
    """Where an item leaves marks; for text, its glyphs' ink above and below the baseline."""
    if isinstance(it, TextItem):  # most items: text first, its edges as TextItem.x0 and .x1 reckon them
        got = text_ink(it)  # in C when it is built: the same numbers
        if got is not NotImplemented:
            return None if got is None else Ink(*got, it)  # type: ignore[misc]
        return text_ink_python(it)
    if isinstance(it, ImageItem):
        return Ink(it.x, it.top, it.x + it.width, it.bottom, it)
    h = it.width / 2
    return Ink(min(it.x0, it.x1) - (h if it.x0 == it.x1 else 0), min(it.y0, it.y1) - (h if it.y0 == it.y1 else 0),
               max(it.x0, it.x1) + (h if it.x0 == it.x1 else 0), max(it.y0, it.y1) + (h if it.y0 == it.y1 else 0),
               it)  # fmt: skip


def text_ink_python(it: TextItem) -> Ink | None:
    """`ink` of a text item in Python: the reference the C code must equal."""
    line = it.line
    up, down = line_ink(line.spans)
    if up == down:
        return None
    x = it.x
    return Ink(x + line.spans[0].x, it.baseline - up, x + line.right, it.baseline - down, it)


def describe(it: TextItem | ImageItem | RuleItem) -> str:
    if isinstance(it, TextItem):
        return f"{it.role} line {it.text[:30]!r}"
    if isinstance(it, ImageItem):
        return f"photo {it.path.name}"
    return "rule"


def story_boxes(composed: Composed, page: Page) -> dict[str, tuple[StoryFit, Box]]:
    return {f.story: (f, f.box) for f in composed.fits if f.page == page.number and f.width > 0}


def check(composed: Composed) -> list[Finding]:
    """Every containment and overlap failure on every page."""
    out: list[Finding] = []
    for page in composed.pages:
        out += check_page(composed, page)
    return out


def check_page(composed: Composed, page: Page) -> list[Finding]:
    """Every containment and overlap failure on one page."""
    out: list[Finding] = []
    boxes = story_boxes(composed, page)
    area = page.stories_area or page.area
    for sid, (_fit, b) in boxes.items():
        if b.height <= 0:
            continue
        if not _inside(b, area, 0.0):
            out.append(_err(page, sid, b, f"the story's box {_fmt(b)} is outside the page's text area {_fmt(area)}"))
    names = [s for s in boxes if boxes[s][1].height > 0]
    for i, s in enumerate(names):
        for t in names[i + 1 :]:
            b, c = boxes[s][1], boxes[t][1]
            if min(b.right, c.right) - max(b.x, c.x) > EPS and min(b.bottom, c.bottom) - max(b.top, c.top) > EPS:
                out.append(_err(page, s, b, f"the story's box overlaps the box of story '{t}'"))
    if _contain is not None and _clean(page, boxes):
        return out  # (a page the C code cannot vouch for is checked below, which names each failure)
    inks = []
    limits: dict[str | None, tuple[tuple[float, float, float, float], ...]] = {}  # (for text, for the rest)
    for it in page.items:
        k = ink(it)
        if k is None:
            continue
        inks.append(k)
        story = getattr(it, "story", None)
        lims = limits.get(story)
        if lims is None:
            b = boxes[story][1] if story in boxes else page.area
            lims = limits[story] = (_limits(b, True), _limits(b, False))
        lim = lims[0] if isinstance(it, TextItem) else lims[1]
        if not (lim[0] <= k.x0 and k.x1 <= lim[1] and lim[2] <= k.top and k.bottom <= lim[3]):
            where = "the story's box" if story is not None and story in boxes else "the text area"
            out.append(_err(page, story, Box(*k.tuple), f"{describe(it)} lies outside {where}"))
    if _any_touching(inks, page):
        for a, b in _touching(inks):
            story = getattr(a.item, "story", None) or getattr(b.item, "story", None)
            out.append(_err(page, story, Box(*a.tuple), f"{describe(a.item)} touches {describe(b.item)}"))
    return out


def _limits(b: Box, text: bool) -> tuple[float, float, float, float]:
    """Where an element's ink may reach in box `b` (hung punctuation allowed for text): x0, x1, top, bottom."""
    hang = HANG if text else 0.0
    return (b.x - hang - EPS, b.right + hang + EPS, b.top - EPS, b.bottom + EPS)


def _clean(page: Page, boxes: dict[str, tuple[StoryFit, Box]]) -> bool:
    """Whether the C code finds every element inside its limits and no two touching (the page then
    has no element finding: nothing below would be said). Per element it makes only the ink tuple
    of a text line, in half the time the Python takes (which stays the reference: tests compare
    them); the drawing helper, which shares the pages with its parent, writes to fewer of them."""
    mids = _mids(page)
    if mids is None or type(page.items) is not list:
        return False
    lims = {s: _limits(b, True) + _limits(b, False) for s, (_fit, b) in boxes.items()}
    area = _limits(page.area, True) + _limits(page.area, False)
    inked = _line._accel.text_ink if _line._accel is not None else text_ink  # (the C itself: no call between)
    return _contain.clean(page.items, _KINDS, inked, lims, area, mids, EPS) is True  # type: ignore[union-attr]


def _mids(page: Page) -> list[float] | None:
    """The middles of the page's column gutters, or None when they are not finite and in order."""
    mids = [(a[0] + a[1] + b[0]) / 2 for a, b in zip(page.columns, page.columns[1:], strict=False)]
    if not isfinite(sum(mids)) or mids != sorted(mids):
        return None
    return mids


def _any_touching(inks: list[Ink], page: Page) -> bool:
    """Whether any two elements' marks overlap (so `_touching` has pairs to name, in its order).
    Finds every pair `_touching` finds, and more cheaply: elements are sorted into bands between the
    page's column gutters (one across several bands goes into each), and marks overlapping across
    the page share a band; in a band, each element is compared only with those that start above its
    foot (no margin: an overlap by more than EPS has the later top strictly above that foot)."""
    mids = _mids(page)
    if mids is None:
        return True  # columns out of order: let the plain sweep decide
    bands: list[list[Ink]] = [[] for _ in range(len(mids) + 1)]
    for k in inks:
        if not isfinite(k.x0 + k.x1 + k.top + k.bottom):
            return True  # min() and max() of a NaN depend on the order: the plain sweep decides
        first, last = bisect_left(mids, k.x0), bisect_left(mids, k.x1)
        if first == last:
            bands[first].append(k)
        else:
            for band in range(first, last + 1):  # none if x1 < x0: such marks overlap nothing
                bands[band].append(k)
    for band in bands:
        band.sort(key=_TOP)
        n = len(band)
        for i in range(n - 1):
            a = band[i]
            foot = a.bottom
            j = i + 1
            while j < n:
                b = band[j]
                if b.top >= foot:
                    break
                if min(a.x1, b.x1) - max(a.x0, b.x0) > EPS and min(foot, b.bottom) - b.top > EPS:
                    if not (isinstance(a.item, RuleItem) and isinstance(b.item, RuleItem)):
                        return True
                j += 1
    return False


def _touching(inks: list[Ink]) -> Iterator[tuple[Ink, Ink]]:
    """Pairs of elements whose marks overlap (a sweep down the page)."""
    inks = sorted(inks, key=lambda k: k.top)
    for i, a in enumerate(inks):
        for b in inks[i + 1 :]:
            if b.top >= a.bottom - EPS:
                break
            if min(a.x1, b.x1) - max(a.x0, b.x0) > EPS and min(a.bottom, b.bottom) - max(a.top, b.top) > EPS:
                if isinstance(a.item, RuleItem) and isinstance(b.item, RuleItem):
                    continue  # rules may meet (a column rule at a story rule)
                yield a, b


def _inside(b: Box, area: Box, tol: float) -> bool:
    return (
        area.x - tol - EPS <= b.x
        and b.right <= area.right + tol + EPS
        and area.top - EPS <= b.top
        and b.bottom <= area.bottom + EPS
    )


def _fmt(b: Box) -> str:
    return f"({b.x:.1f}, {b.top:.1f}, {b.width:.1f} x {b.height:.1f} pt)"


def _err(page: Page, story: str | None, b: Box, message: str) -> Finding:
    return Finding(page.number, story, (b.x, b.top, b.width, b.height), "error", message, "containment")
