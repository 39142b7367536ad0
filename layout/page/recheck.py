"""Findings kept between builds in one process: a page unchanged since the last build is not checked again.

Reads a composed page, the story fits on it and (for warnings) the articles and photo files set on
it; produces the page's signature, compared by value (set lines first by identity: a build session
hands the same line objects to every build, so an unchanged page compares at C speed), and keeps
each page's findings under it. `findings.errors` and `findings.warnings` use a `PageMemo` when given
one (`issue watch`, `issue serve`); a fresh process has none and checks every page.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from operator import attrgetter
from pathlib import Path

from .frames import Box, Composed, Finding, ImageItem, Page, RuleItem, StoryFit, TextItem

_FIT = attrgetter(*[f.name for f in dataclasses.fields(StoryFit)])
_TEXT = attrgetter("x", "baseline", "top", "bottom", "line", "role", "story", "column")  # 8 values
_RULE = attrgetter(*[f.name for f in dataclasses.fields(RuleItem)])  # dataclasses.astuple's, without its deep copy


def _box(b: Box | None) -> tuple | None:
    return None if b is None else (b.x, b.top, b.width, b.height)


def _file(p: Path) -> tuple:
    """A photo file's version: replaced in place, it is checked again (its pixel size may differ)."""
    try:
        st = os.stat(p)
    except OSError:
        return (str(p),)
    return (str(p), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _item(it: object) -> tuple:
    if type(it) is TextItem:
        return _TEXT(it)
    if isinstance(it, TextItem):
        return (0, *_TEXT(it))
    if isinstance(it, ImageItem):
        return (1, it.x, it.top, it.width, it.height, _file(it.path), it.story)
    if type(it) is RuleItem:
        return (2, "RuleItem", _RULE(it))
    return (2, type(it).__name__, dataclasses.astuple(it))  # type: ignore[call-overload]


class PageMemo:
    """Each page's findings under its signature, from the last build that checked it."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, int], tuple[tuple, list[Finding]]] = {}

    def signature(self, composed: Composed, page: Page) -> tuple:
        """Everything the page's findings are made from: its geometry, its items and its fits.
        (Made afresh on every call: frames may be changed in place between two checks.)"""
        last = len(composed.pages)
        if any(k[1] > last for k in self._kept):
            self._kept = {k: v for k, v in self._kept.items() if k[1] <= last}  # pages no longer there
        fits = tuple(_FIT(f) for f in composed.fits if f.page == page.number)
        geometry = (page.width, page.height, _box(page.area), tuple(page.columns), page.grid, page.section)
        return (page.number, geometry, _box(page.stories_area), fits, tuple(map(_item, page.items)))

    def findings(self, what: str, sig: tuple, compute: Callable[[], list[Finding]]) -> list[Finding]:
        """The page's `what` findings: kept if its signature is the one they were made under."""
        key = (what, sig[0])
        prev = self._kept.get(key)
        found = prev[1] if prev is not None and prev[0] == sig else compute()
        self._kept[key] = (sig, found)
        return list(found)
