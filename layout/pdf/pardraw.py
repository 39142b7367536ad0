"""A second process checks the pages, and draws the later pages' text, while this one draws the first.

Reads the `Composed` frames and the page cache (pagecache.py) of a screen render, and the render's
findings check; produces, for each page from `first` on (none when `first` is the page count), what
drawing its text and rules makes: the page-cache key, the operators, the font-subset calls that
changed a face's numbering, and whether it came from the cache; then the findings (overset,
containment, holes) as plain lines. ReportLab numbers each face's glyphs in the order characters are
first drawn, so a page's bytes depend on the pages before it: the forked child first numbers the
characters of pages [0, first) in exactly the drawing order (no operators made: the `encode` calls
drawing would make), then draws the rest, recording its subset calls. Each result is spooled as
plain data (`marshal`) as soon as it is made, and this process, having drawn pages [0, first)
meanwhile, takes each later page as a page-cache hit is taken: its calls replayed in order, its text
copied. The child also shows its pages on its own canvas and sends their streams compressed (named
by a digest of their bytes: a stream that came out differently here is compressed here) and the
digests of their photos (by file version). So the subsets, and every byte, are those of a serial
render. The findings are wanted only once the PDF is drawn, before it is put in place (render.py).
A child that fails leaves its pages and its checks to this process (the same bytes and messages);
an interrupt ends and reaps it. Used only where it pays (see `worth_it`); without `os.fork` it never
runs.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from functools import partial

from ..page.forks import fork_streaming, reap, receive
from ..page.frames import Composed, Page, TextItem
from ..page.parallel import spare_core
from . import images, photonames
from .draw import SCREEN, _TextWriter, finish_page, lookup, new_canvas, page_faces, page_text
from .pagecache import PageCache
from .stream import deflate

# Below this, forking costs what the second core saves (measured on benchmark issues: 4 pages, 10,800
# spans: nothing gained; 8 pages, 22,900 spans: 0.03 s of 0.20 s).
MIN_SPANS = 20_000
# The costs the split weighs, as shares of drawing all the text here. Fitted to forced splits of the
# benchmark issues (cold, interleaved runs, median wall s): 16 pages, first page the helper draws
# 16 (it only checks) 0.741, 13: 0.722, 11: 0.718, 9: 0.714, 7: 0.736; 64 pages, 64: 2.07, 52: 2.05,
# 44: 1.92, 36: 1.90, 28: 1.97. These constants give 11 of 16 and 45 of 64 (the packs, written by the
# helper since round 12, weigh little; with PACKS at 0.3 they gave 12 and 48).
FIND = 0.5  # the findings (overset, containment, holes) the helper runs after its pages
PACKS = 0.1  # then the cache packs, written to temporaries this process puts in place (0.01-0.02 s at 16 pages)
DRY = 0.3  # numbering a page's characters without drawing it, as a share of drawing it
IMAGES = 0.07  # this process places the photos and closes each page: its pages cost that much more
EXTRA = 0.5  # the helper also shows its pages (compressing their streams, hashing their photos)
START = 0.1  # the helper's start (its first writes copy the pages of memory it shares with this process)
SAVE = 0.7  # this process writes the document out after its last page (the helper checks meanwhile)

Check = Callable[[], object]


def worth_it(
    composed: Composed,
    pages: PageCache | None,
    checking: bool = False,
    free: Callable[[], bool] | None = spare_core,
    weights: list[int] | None = None,
) -> bool:
    """Large issues, on a system that can fork and has a core to spare (on a busy machine the two
    halves only queue for the same core; `free`: `spare_core`, or the build's answer from before it
    forked, None when the caller has asked); without `checking`, only those whose pages are not in
    the page cache (a warm render copies them: no text to share). `weights`: `_weights`, if known."""
    if free is not None and not free():
        return False
    if not checking and pages is not None and pages.old:
        return False
    return sum(_weights(composed) if weights is None else weights) >= MIN_SPANS


def _weights(composed: Composed) -> list[int]:
    """Each page's drawing work, in spans of text."""
    return [sum(len(it.line.spans) for it in p.items if isinstance(it, TextItem)) for p in composed.pages]


def split(weights: list[int], checking: bool = False, packing: bool = False) -> int:
    """The first page the helper draws (len(weights): none, it only checks): the one that ends the
    render soonest, this process drawing its pages, waiting for the helper's (which numbers this
    process's pages first, then draws its own), closing them and saving, and the helper then checking
    (and, `packing`, making the packs this process writes last)."""
    total = sum(weights) or 1
    n = len(weights)
    best, best_k = float("inf"), n
    mine = 0.0
    for k in range(1, n + 1):
        mine += weights[k - 1]
        if k == n:
            if not checking:
                break  # a helper that neither draws nor checks is no helper
            ready = START * total
            end = mine * (1 + IMAGES) + SAVE * total
        else:
            ready = START * total + mine * DRY + (total - mine) * (1 + EXTRA)
            end = max(mine * (1 + IMAGES), ready) + (total - mine) * IMAGES + SAVE * total
        done = max(end, ready + ((FIND if checking else 0.0) + (PACKS if packing else 0.0)) * total)
        if done < best:
            best, best_k = done, k
    return best_k


def start(
    composed: Composed,
    pages: PageCache | None,
    parallel: bool | None = None,
    first: int | None = None,
    check: Check | None = None,
    after: Check | None = None,
    free: Callable[[], bool] = spare_core,
) -> TextHelper | None:
    """A helper drawing the later pages' text (and running `check`, then `after`, if given), or None where it does
    not pay (`parallel` None), is switched off (False), cannot run (no fork, a build session's page
    cache, one page)."""
    if parallel is False or not hasattr(os, "fork") or len(composed.pages) < 2:
        return None
    if pages is not None and pages.keys() is not None:
        return None  # a build session's keys are remembered by the process that draws: draw here
    if parallel is None and not free():
        return None
    weights = _weights(composed)  # (a pass over every line: once)
    if parallel is None and not worth_it(composed, pages, check is not None, None, weights):
        return None
    n = len(composed.pages)
    if pages is not None and pages.old and check is not None:
        first = n  # a warm render copies its pages: the helper only checks
    if first is None:
        first = split(weights, check is not None, after is not None)
    try:
        return TextHelper(composed, pages, max(1, min(first, n if check is not None else n - 1)), check, after)
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
    known = set(photonames._digests)
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
    return drawn, streams, {k: v for k, v in photonames._digests.items() if k not in known}


def _encode_only(tw: _TextWriter, page: Page) -> None:
    """Number the page's characters in the fonts' subsets as drawing it would, in the same order
    (each span's text, then the space before it in the font before it), writing no operators."""
    enc, spaces = tw.enc, tw.spaces  # (what each has made: asked again, they change nothing)
    for it in page.items:
        if isinstance(it, TextItem):
            prev = None
            for sp in it.line.spans:
                face = sp.face
                if (face.name, sp.shaped.text) not in enc:
                    tw.encode(face, sp.shaped.text)
                if prev is not None and sp.space_before and prev.face.name not in spaces:
                    tw.space(prev.face)
                prev = sp


class TextHelper:
    """A forked child drawing the text of pages [first, n) (none when `first` is n), then running
    `check` (the findings) and then `after` (each giving plain data), while this process goes on;
    `text` hands each of those pages to the drawing loop, `checked` the findings, `made` what `after`
    gave. Each result is spooled as soon as it is made: the pages are wanted first, the findings
    before the PDF is put in place, the last after it."""

    def __init__(
        self,
        composed: Composed,
        pages: PageCache | None,
        first: int,
        check: Check | None = None,
        after: Check | None = None,
    ):
        self.first = first
        self.count = len(composed.pages) - first
        self.checks = check is not None
        self.drawn: list[tuple] | None = None
        self.streams: dict[bytes, bytes] | None = None  # the child's page streams, compressed

        def draw() -> tuple:  # in the child: draw its pages
            gc.disable()  # short-lived: a collection would only copy every page of memory it scans
            return _draw_later(composed, pages, first)

        def in_child(work: Check) -> object:
            gc.disable()
            return work()

        works: list[Callable[[], object]] = []
        self._left: list[str] = []  # what the child has still to send, in its order
        for kind, work in (("pages", draw if self.count else None), ("checks", check), ("after", after)):
            if work is not None:
                works.append(draw if kind == "pages" else partial(in_child, work))
                self._left.append(kind)
        self.pid, self.fd, self.spool = fork_streaming(works)

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
        got = self._read("pages")
        drawn, streams, digests = got if isinstance(got, tuple) and len(got) == 3 else (None, None, None)
        if not (isinstance(drawn, list) and len(drawn) == self.count):
            return None
        self.streams = streams if isinstance(streams, dict) else None
        if isinstance(digests, dict):
            photonames.remember_digests(digests)
        return drawn

    def checked(self) -> object:
        """What `check` returned in the child (waiting for it), or None if it failed or was not
        asked for (this process checks then)."""
        return self._read("checks")

    def made(self) -> object:
        """What `after` returned in the child (waiting for it), or None if it failed or was not asked for."""
        return self._read("after")

    def _read(self, kind: str) -> object:
        """The child's result of `kind` (those sent before it are read and let go: not wanted now);
        None if it was not asked for or already read, or the child failed. The child is reaped once
        it has nothing more to send."""
        got = None
        while kind in self._left:
            was = self._left.pop(0)
            got = self._next()
            if was == kind:
                break
        else:
            got = None
        if not self._left:
            self._done()
        return got

    def _done(self) -> None:
        """The child has sent all it was asked for: its pipe and spool are closed; it is reaped if it
        has left, else by `abandon` (its exit, freeing a render's worth of copied memory, took 5-6 ms
        that this process waited for at the end of the render)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.spool >= 0:
            os.close(self.spool)
            self.spool = -1
        if self.pid:
            try:
                if os.waitpid(self.pid, os.WNOHANG)[0]:
                    self.pid = 0
            except ChildProcessError:
                self.pid = 0

    def _next(self) -> object:
        """The child's next result; None if it has failed or left (it is then reaped)."""
        if not self.pid:
            return None
        try:
            got = receive(self.fd, self.spool)
        except BaseException:  # interrupted (Ctrl-C, SIGTERM): the child goes too
            self.abandon()
            raise
        if got is None or got[1] is None:
            self.abandon()
            return None
        return got[1]

    def abandon(self) -> None:
        """The render stopped (overset, an error, an interrupt) or has all it wanted: end the child
        and reap it, and close the spool (nothing, if that was done). Whoever starts a helper calls
        this once done with it (render.py, in a `finally`)."""
        self._left = []
        if self.pid:
            reap(self.pid, self.fd)
        self.pid, self.fd = 0, -1
        if self.spool >= 0:
            os.close(self.spool)
            self.spool = -1
