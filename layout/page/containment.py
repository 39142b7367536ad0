"""Containment, checked on the frames: every element inside its story's box, every story inside the
text area, no two stories' boxes overlapping and no two elements touching.

Reads `Composed` (text lines measured by their glyphs' ink, images, rules); produces a list of
`Finding`s with severity "error", empty when the pages never draw one thing over another. The
composer keeps this invariant; tests run the check after every composition.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .frames import Box, Composed, Finding, ImageItem, Page, RuleItem, StoryFit, TextItem

EPS = 0.01  # points: what counts as touching
HANG = 4.0  # points: punctuation hung into the margin or gutter (optical margins)


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
    if isinstance(it, ImageItem):
        return Ink(it.x, it.top, it.x + it.width, it.bottom, it)
    if isinstance(it, RuleItem):
        h = it.width / 2
        return Ink(min(it.x0, it.x1) - (h if it.x0 == it.x1 else 0), min(it.y0, it.y1) - (h if it.y0 == it.y1 else 0),
                   max(it.x0, it.x1) + (h if it.x0 == it.x1 else 0), max(it.y0, it.y1) + (h if it.y0 == it.y1 else 0),
                   it)  # fmt: skip
    up = down = 0.0
    for sp in it.line.spans:
        t, b = sp.face.ink(sp.shaped.text)
        t, b = t * sp.size / 1000, b * sp.size / 1000
        if t > up:
            up = t
        if b < down:
            down = b
    if up == down:
        return None
    return Ink(it.x0, it.baseline - up, it.x1, it.baseline - down, it)


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
    inks = [k for k in map(ink, page.items) if k is not None]
    for k in inks:
        story = getattr(k.item, "story", None)
        hang = HANG if isinstance(k.item, TextItem) else 0.0
        if story is not None and story in boxes:
            b = boxes[story][1]
            if not _inside_ink(k, b, hang):
                out.append(_err(page, story, Box(*k.tuple), f"{describe(k.item)} lies outside the story's box"))
        elif not _inside_ink(k, page.area, hang):
            out.append(_err(page, story, Box(*k.tuple), f"{describe(k.item)} lies outside the text area"))
    for a, b in _touching(inks):
        story = getattr(a.item, "story", None) or getattr(b.item, "story", None)
        out.append(_err(page, story, Box(*a.tuple), f"{describe(a.item)} touches {describe(b.item)}"))
    return out


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


def _inside_ink(k: Ink, b: Box, hang: float) -> bool:
    return (
        b.x - hang - EPS <= k.x0
        and k.x1 <= b.right + hang + EPS
        and b.top - EPS <= k.top
        and k.bottom <= b.bottom + EPS
    )


def _fmt(b: Box) -> str:
    return f"({b.x:.1f}, {b.top:.1f}, {b.width:.1f} x {b.height:.1f} pt)"


def _err(page: Page, story: str | None, b: Box, message: str) -> Finding:
    return Finding(page.number, story, (b.x, b.top, b.width, b.height), "error", message, "containment")
