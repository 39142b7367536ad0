"""A whole PDF drawn ahead by a build session, and whether a render's document is the one drawn.

Reads a composed document, its metadata and the drawn-page cache it was drawn with; produces the
key a prepared temporary carries once `issue serve` has drawn the next PDF into it after an input
changed (pdf/photocopies.py `predrawn`). A build session hands a page's very object on while
everything composing it reads is unchanged (page/kept.py), so the same page objects, title,
subject, date and metadata are the same bytes: `write_pdf` then puts that file in place instead of
drawing it again. The drawn-page cache entries that drawing used are taken over by the render's
own cache (`adopt`), so the packs written after it keep every page, as if it had drawn them.
"""

from __future__ import annotations

from ..page.frames import Composed
from .pagecache import PageCache
from .photocopies import Placed


class Predrawn:
    """What a PDF drawn ahead is of (held, so its pages' objects stay alive while it is compared)."""

    def __init__(self, composed: Composed, meta: dict[str, str], pages: PageCache | None, placed: list[Placed]):
        self.pages = tuple(composed.pages)
        self.rest = _rest(composed, meta)
        self.fingerprint = pages.fingerprint if pages is not None else None
        self.placed = list(placed)
        # (copies: the drawing's cache object is its build's, and a later build reads it)
        self.cache = None
        if pages is not None:
            self.cache = (dict(pages.used), dict(pages.streams_now or {}), dict(pages.keys_now or {}))

    def same(self, composed: Composed, meta: dict[str, str], pages: PageCache | None) -> bool:
        """Whether drawing `composed` with `meta` (and `pages`, a cache of the same fingerprint) gives
        the bytes drawn ahead."""
        if (pages.fingerprint if pages is not None else None) != self.fingerprint:
            return False
        now = composed.pages
        if len(now) != len(self.pages) or any(a is not b for a, b in zip(now, self.pages, strict=True)):
            return False
        return _rest(composed, meta) == self.rest

    def adopt(self, pages: PageCache | None) -> None:
        """Give the render's page cache the entries the drawing ahead used, as drawing would have."""
        if pages is None or self.cache is None:
            return
        used, streams, keys = self.cache
        pages.used.update(used)
        if pages.streams_now is not None:
            pages.streams_now.update(streams)
        if pages.keys_now is not None:
            pages.keys_now.update(keys)


def _rest(composed: Composed, meta: dict[str, str]) -> tuple:
    """Everything else the drawing reads (pdf/draw.py `new_canvas`)."""
    return (composed.title, composed.subject, composed.date, sorted(meta.items()))
