"""The later pages' text drawn in a second process while this one checks the issue and draws the first.

Reads the `Composed` frames and the page cache (pagecache.py) of a screen render; produces, for each
page from `first` on, what drawing its text and rules makes: the page-cache key, the operators, the
font-subset calls that changed a face's numbering, and whether it came from the cache. ReportLab
numbers each face's glyphs in the order characters are first drawn, so a page's bytes depend on the
pages before it: the forked child first numbers the characters of pages [0, first) in exactly the
drawing order (no operators made: the `encode` calls drawing would make), then draws the rest,
recording its subset calls. Its results come back as plain data (`marshal`, one write down a pipe),
and this process, having drawn pages [0, first) meanwhile, takes each later page as a page-cache hit
is taken: its calls replayed in order, its text copied. The child also shows its pages on its own
canvas and sends their streams compressed (named by a digest of their bytes: a stream that came out
differently here is compressed here) and the digests of their photos (by file version). So the
subsets, and every byte, are those of a serial render. A child that fails leaves its pages to this
process (the same bytes); an interrupt ends and reaps it. Used only where it pays (see `worth_it`);
without `os.fork` it never runs.
"""

from __future__ import annotations

import gc
import marshal
import os

from ..page.frames import Composed, Page, TextItem
from ..page.parallel import collect, fork_child, reap, spare_core
from . import images
from .draw import SCREEN, _TextWriter, finish_page, lookup, new_canvas, page_faces, page_text
from .pagecache import PageCache
from .stream import deflate

# Below this, forking and transfer cost what the second core saves (measured on benchmark issues:
# 4 pages, 10,800 spans: nothing gained; 8 pages, 22,900 spans: 0.03 s of 0.20 s).
MIN_SPANS = 20_000
# This process's work before it draws, as a share of drawing all the text: the findings (overset,
# holes) that `issue render` reports first. These shares were measured (CPU time) on the 16-page
# benchmark issue, and measured again when the text operators went to C (drawing the text 0.104 ->
# 0.030 s; the findings 0.030 s): compressing and numbering did not get cheaper, so their shares grew.
BEFORE = 1.0
DRY = 0.4  # numbering a page's characters without drawing it, as a share of drawing it
IMAGES = 0.07  # this process places the photos and closes each page: its pages cost that much more
EXTRA = 1.1  # the helper also shows its pages (compressing their streams, hashing their photos)
START = 0.3  # the helper's start (its first writes copy the pages of memory it shares with this process)


def worth_it(composed: Composed, pages: PageCache | None) -> bool:
    """Large issues whose pages are not in the page cache (a warm render copies them: nothing to
    share), on a system that can fork and has a core to spare (on a busy machine the two halves
    only queue for the same core)."""
    if not spare_core():
        return False
    if pages is not None and pages.old:
        return False
    return sum(_weights(composed)) >= MIN_SPANS


def _weights(composed: Composed) -> list[int]:
    """Each page's drawing work, in spans of text."""
    return [sum(len(it.line.spans) for it in p.items if isinstance(it, TextItem)) for p in composed.pages]


def split(weights: list[int], before: float = BEFORE) -> int:
    """The first page the helper draws: the one that best balances this process (`before`, then
    its pages) against the helper (numbering this process's pages, then drawing its own)."""
    total = sum(weights) or 1
    best, best_k = float("inf"), len(weights)
    mine = 0.0
    for k in range(1, len(weights)):
        mine += weights[k - 1]
        here = before * total + mine * (1 + IMAGES)
        there = START * total + mine * DRY + (total - mine) * (1 + EXTRA)
        if max(here, there) < best:
            best, best_k = max(here, there), k
    return best_k


def start(
    composed: Composed, pages: PageCache | None, parallel: bool | None = None, first: int | None = None
) -> TextHelper | None:
    """A helper drawing the later pages' text, or None where it does not pay (`parallel` None),
    is switched off (False), cannot run (no fork, a build session's page cache, one page)."""
    if parallel is False or not hasattr(os, "fork") or len(composed.pages) < 2:
        return None
    if pages is not None and pages.keys() is not None:
        return None  # a build session's keys are remembered by the process that draws: draw here
    if parallel is None and not worth_it(composed, pages):
        return None
    if first is None:
        first = split(_weights(composed))
    try:
        return TextHelper(composed, pages, max(1, min(first, len(composed.pages) - 1)))
    except OSError:  # no memory or processes left to fork: every page is drawn here
        return None


def _draw_later(composed: Composed, pages: PageCache | None, first: int) -> tuple[list[tuple], dict, dict]:
    """In the child: number pages [0, first) as drawing them would, then draw the rest: their text
    (as in `TextHelper.text`), their page streams compressed (by digest) and the photos' digests."""
    c = new_canvas(composed, os.devnull)
    tw = _TextWriter(c, SCREEN)
    look = pages is not None and bool(pages.old)  # an empty cache has no hits: no keys needed
    for page in composed.pages[:first]:
        if not look or lookup(tw, page, pages)[1] is None:
            _encode_only(tw, page)
    known = set(images._digests)
    placer = images.ImagePlacer(c)
    drawn, streams = [], {}
    for page in composed.pages[first:]:
        key, text, calls = lookup(tw, page, pages)
        hit = text is not None
        if text is None:
            tw.calls = []
            text = page_text(tw, page, SCREEN)
            calls, tw.calls = tw.calls, None
        drawn.append((key, text, tuple(calls), hit))
        # The page shown here as there, to compress its stream for that process's save.
        c.setPageSize(SCREEN.page_size(page))
        c._code.append(text)
        finish_page(c, placer, page)
        digest, z = deflate(c._doc.Pages.pages[-1].stream)
        streams[digest] = z
    return drawn, streams, {k: v for k, v in images._digests.items() if k not in known}


def _encode_only(tw: _TextWriter, page: Page) -> None:
    """Number the page's characters in the fonts' subsets as drawing it would, in the same order
    (each span's text, then the space before it in the font before it), writing no operators."""
    for it in page.items:
        if isinstance(it, TextItem):
            prev = None
            for sp in it.line.spans:
                tw.encode(sp.face, sp.shaped.text)
                if prev is not None and sp.space_before:
                    tw.space(prev.face)
                prev = sp


class TextHelper:
    """A forked child drawing the text of pages [first, n) while this process goes on; `text`
    hands each of those pages to the drawing loop."""

    def __init__(self, composed: Composed, pages: PageCache | None, first: int):
        self.first = first
        self.count = len(composed.pages) - first
        self.drawn: list[tuple] | None = None
        self.streams: dict[bytes, bytes] | None = None  # the child's page streams, compressed

        def draw() -> tuple:  # in the child: draw its pages
            gc.disable()  # short-lived: a collection would only copy every page of memory it scans
            return _draw_later(composed, pages, first)

        self.pid, self.fd = fork_child(draw)

    def text(self, i: int, tw: _TextWriter, page: Page, pages: PageCache | None) -> str | None:
        """Page `i`'s text and rule operators as the child drew them, taken as a page-cache hit is
        (subset calls replayed, the page kept in `pages`); None for this process to draw it."""
        if i < self.first:
            return None
        if i == self.first:
            self.drawn = self.take()
        if self.drawn is None:
            return None
        key, text, calls, hit = self.drawn[i - self.first]
        faces = page_faces(page)
        for f, t in calls:
            tw.encode(faces[f], t)
        if pages is not None and not (hit and pages.get(key) is not None):
            pages.put(key, text, list(calls))
        return text

    def take(self) -> list[tuple] | None:
        """The child's pages (waiting for them), or None if it failed (this process draws them).
        Its compressed page streams and photo digests are taken too (both named by content)."""
        try:
            fd, self.fd = self.fd, -1
            data = collect(self.pid, fd)
        except BaseException:  # interrupted (Ctrl-C, SIGTERM) or failed: the child goes too
            self.abandon()
            raise
        self.pid = 0
        try:
            drawn, streams, digests = marshal.loads(data) if data else (None, None, None)
        except (EOFError, ValueError, TypeError):
            return None
        if not (isinstance(drawn, list) and len(drawn) == self.count):
            return None
        self.streams = streams if isinstance(streams, dict) else None
        if isinstance(digests, dict):
            images.remember_digests(digests)
        return drawn

    def abandon(self) -> None:
        """The render stopped (overset, an error, an interrupt) or drew without it: end the child
        and reap it (nothing, if it was already taken)."""
        if self.pid:
            reap(self.pid, self.fd)
        elif self.fd >= 0:
            try:
                os.close(self.fd)
            except OSError:
                pass
        self.pid, self.fd = 0, -1
