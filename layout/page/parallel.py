"""Story bodies set in two processes for large issues, with the paragraph cache as the transfer.

Reads a `Composer` before it lays out any page; fills its paragraph cache. A story's body does not
depend on where it is placed (its column width comes from the grid), so every story the manifest
places can be set before composition. A forked child sets the later pages' stories (a share by
length) while this process checks the issue (Markdown, glyphs), sets the first pages' stories and
lays out pages. The child sends each story as soon as it is set: only the paragraphs it set and the
Markdown it parsed, as the cache's own plain-data entries (`marshal`), appended to an anonymous
spool file, with where it lies sent down a pipe (a pipe's buffer would stop the child while this
process is busy). Composition takes each of the child's stories when it first needs it, waiting
only if the child has not sent it yet. The child's lines are the same plain data a warm re-render
reads, so the PDF is the same bytes as a serial render; a story the child never sent is set here.
Used only where it pays (see `worth_it`); without `os.fork` (Windows) it never runs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from functools import partial

from ..manifest.errors import InvalidInput
from ..manifest.load import LoadedIssue
from .compose import Composer
from .forks import _ready, fork_streaming, reap, receive
from .grid import page_geometry

MIN_WORDS = 12_000  # below this, forking and transfer cost more than the second core saves
# The helper's share of the stories (by body length). This process checks the issue, sets the first
# pages' stories and lays out every page, taking the helper's (which costs it about 0.45 of setting
# them); the helper also sets its stories' headers, captions and quotes, and then hashes the photos.
# On the 16-page benchmark issue (interleaved cold runs, median end of this process), once this
# process stopped collecting garbage (round 8: it got faster, the helper did not): 50 runs each,
# 0.5: 0.560 s, 0.6: 0.543 s; 30 each, 0.5: 0.520, 0.62: 0.515, 0.7: 0.534. At 64 pages 0.5 and 0.6
# end alike. (Before, with this process collecting, 0.5 was best: 0.6 0.792 s, 0.5 0.751 s.)
CHECKS_SHARE = 0.6


def _stories(comp: Composer) -> list[tuple[str, float, int, list]]:
    """(article, column width, body length, where the manifest places it) for every story placed,
    in manifest order; each place is (its columns, the text area's top, its first column)."""
    li = comp.li
    out: dict[tuple[str, float], tuple[int, list]] = {}
    for pi, pdef in enumerate(li.issue.pages):
        area, cols = page_geometry(li, pi + 1, comp.grid)
        for s in pdef.stories:
            if s.article is None:
                continue  # a placed continuation: its copy is set with the story it continues
            c0, c1 = s.columns or (1, len(cols))
            n, places = out.setdefault((s.article, cols[c0 - 1][1]), (len(li.bodies.get(s.article, "")), []))
            places.append((cols[c0 - 1 : c1], area.top, c0))
    return [(a, w, n, places) for (a, w), (n, places) in out.items()]


def spare_core() -> bool:
    """Whether a second process of ours would have a core to itself: the system can fork, two or
    more cores are ours, and the load average leaves one free or, failing that, nothing else is
    runnable now at most looks (two or three, at least 2 ms apart: the load average trails by a minute, so a
    job that just ended, or the two cores a Typst run just used, still count in it; a kernel thread
    passing by is runnable at one look in fifty on an idle machine, a busy one at every look). On a
    busy machine the two halves only queue for the same core (measured: slower). A look taken early
    in this render (`look_early`) counts as the first, so the second need not wait."""
    global _early
    early, _early = _early, None  # one render's look, used once
    cpus = cores()
    if not hasattr(os, "fork") or cpus < 2:
        return False
    if os.getloadavg()[0] <= cpus - 1:
        return True
    busy = []
    last = None
    fresh = early is not None and early[0] == os.getpid() and 0 <= time.monotonic() - early[1] <= EARLY_FOR
    if fresh and early is not None and early[2] >= 1:  # (`is not None` for the type checker)
        busy.append(early[2] - 1 > cpus - 2)
        last = early[1]
    while len(busy) < 3:
        if last is not None:  # looks at least LOOKS_APART apart: two at once would see the same moment
            wait = LOOKS_APART - (time.monotonic() - last)
            if wait > 0:
                time.sleep(wait)
        last = time.monotonic()
        others = _runnable() - 1  # this process is runnable as it looks
        if others < 0:
            return False  # cannot tell: the load average says busy
        busy.append(others > cpus - 2)
        if len(busy) == 2 and busy[0] == busy[1]:
            return not busy[0]  # two looks agree: a third cannot change the majority
    return sum(busy) < 2


LOOKS_APART = 0.002
EARLY_FOR = 1.0  # an early look older than this (seconds) says nothing of now
_early: tuple[int, float, int] | None = None  # (process, when, runnable) of `look_early`


def look_early() -> None:
    """Take `spare_core`'s first look now, at the start of a render, before it has any child of
    its own: asked later (tens of milliseconds on), it then needs one more look at most, not two
    2 ms apart (the render waited those 2 ms before anything could run beside it)."""
    global _early
    _early = (os.getpid(), time.monotonic(), _runnable())


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _runnable() -> int:
    """Processes runnable on the system now (Linux's /proc/loadavg), or -1 if it cannot tell."""
    try:
        with open("/proc/loadavg", "rb") as f:
            return int(f.read().split()[3].split(b"/")[0])
    except (OSError, ValueError, IndexError):
        return -1


def worth_it(li: LoadedIssue, cached: int, free: Callable[[], bool] | None = None) -> bool:
    """Large issues with nothing in the cache yet, when a core is free (`free`: `spare_core`, or its
    answer from before this render forked anything of its own, which would count as busy)."""
    if cached or not (free or spare_core)():
        return False
    placed = {s.article for p in li.issue.pages for s in p.stories if s.article is not None}
    return sum(len(li.bodies.get(a, "").split()) for a in placed) >= MIN_WORDS


def _in_page_order(stories: list[tuple[str, float, int, list]], share: float) -> tuple[list, list]:
    """The stories split where the first part, in the order the pages place them, holds about
    `share` of the total length: this process sets the first pages' stories and can lay out those
    pages while the helper still sets the rest."""
    total = sum(s[2] for s in stories)
    run = 0
    for i, s in enumerate(stories):
        if run + s[2] / 2 > share * total:
            return stories[:i], stories[i:]
        run += s[2]
    return stories, []


def start(
    comp: Composer,
    share: float,
    after: Callable[[], object] | None = None,
    checks: Callable[[], object] | None = None,
) -> Helper | None:
    """A helper setting `share` of the bodies, or None when the system will not give one (no memory
    or processes to fork, no file to spool to): the bodies are then all set here. `after` is run by
    the helper once its stories are sent (what it returns, plain data, is `Helper.after` here);
    `checks` before them (whether it returned without raising is `Helper.passed` here).
    Without `os.fork` (Windows) there is none, even when asked for (`--jobs 2`)."""
    if not hasattr(os, "fork"):
        return None
    try:
        return Helper(comp, share, after, checks)
    except OSError:
        return None


_CHECKED = "checks passed"  # the helper's first word when given `checks`: (None, _CHECKED, verdict), the
# verdict True (they passed), False (the input is invalid) or None (they failed otherwise: run here at the end)


class Refused(Exception):
    """The helper's checks found the input invalid: run them here, for the problems to raise."""


def _passed(checks: Callable[[], object], state: dict) -> tuple:
    try:
        checks()
    except InvalidInput:  # the stories are not set: this process says why
        state["refused"] = True
        return (None, _CHECKED, False)
    except Exception:  # noqa: BLE001 (not known: this process runs them again at the end)
        return (None, _CHECKED, None)
    return (None, _CHECKED, True)


class Helper:
    """A forked child setting the later pages' story bodies while this process goes on (checking the
    issue, setting the first pages' stories and laying out pages); composition takes each of the
    child's stories when it first needs it (`take`), as soon as the child has sent it."""

    def __init__(
        self,
        comp: Composer,
        share: float,
        after: Callable[[], object] | None = None,
        checks: Callable[[], object] | None = None,
    ):
        cache = comp.cache
        assert cache is not None
        self.comp = comp
        # Loaded before the fork, so that neither process loads them again: the hyphenation
        # dictionaries (the slowest thing a first paragraph does) and the typesetters.
        for lang in {comp.li.issue.language, *(a.language for a in comp.li.issue.articles.values() if a.language)}:
            comp.ts(lang).hyph.preload()
        self.mine, theirs = _in_page_order(_stories(comp), 1 - share)
        self.theirs = {f"{aid}@{colw:.3f}": i for i, (aid, colw, _, _) in enumerate(theirs)}  # Composer.content's keys
        self.got = 0  # the child's stories taken so far, in its order
        self.reaped = False
        self.after: object = None  # what `after` gave in the child (None: nothing, or it failed)
        self.passed = False  # whether `checks` ran in the child without raising (False: not known to)
        self.heard = checks is None  # whether its word on the checks is in (or none was asked)
        # Work for this process while the child's next story is not in yet (the pack's own records;
        # `meanwhile` adds more), each asked in turn until it says it has nothing left.
        self.idle: list[Callable[[], bool]] = [cache.make_ahead]
        known = set(cache.used)
        state: dict = {}  # (in the child: whether its checks refused the input)

        def story(aid: str, colw: float, places: list) -> tuple:  # in the child: one story's paragraphs
            if state:
                return ()  # the input was refused: nothing is set
            content = comp.content(aid, colw)  # and Markdown, as a record of the cache's pack holds them
            for place in places:  # and what placing it sets first (its header, captions, quotes)
                comp.preset(content, *place)
            new = {k: v for k, v in cache.used.items() if k not in known}
            known.update(new)
            return cache.fingerprint, new

        works: list[Callable[[], object]] = [partial(story, aid, colw, places) for aid, colw, _, places in theirs]
        if checks is not None:
            works.insert(0, partial(_passed, checks, state))
        if after is not None:
            works.append(lambda: (after(),))  # a 1-tuple: no story (those are (fingerprint, entries))
        self.pid, self.fd, self.spool = fork_streaming(works)

    def meanwhile(self, job: Callable[[], bool]) -> None:
        """Have `job` run (again and again, until it returns False) whenever composition waits for
        one of the child's stories, after the jobs given before it."""
        self.idle.append(job)

    def set_mine(self) -> None:
        """Set this process's share; then composition takes each of the child's stories when it
        first needs it, so that pages are laid out meanwhile."""
        try:
            for aid, colw, _, _ in self.mine:
                self._listen()
                self.comp.content(aid, colw)
        except BaseException:  # interrupted (Ctrl-C, SIGTERM), failed or refused: the child goes too
            self.abandon()
            raise
        self.comp.awaiting = self._wanted

    def _listen(self) -> None:
        """Take the child's word on the checks if it has come (without waiting); Refused if they
        found the input invalid (a hostile body is then not set at length before it is refused)."""
        if self.heard or self.reaped or not _ready(self.fd):
            return
        got = receive(self.fd, self.spool)
        if got is None:  # it failed: its stories are set here
            self._end(wait=True)
            return
        self._heard(got[1])

    def _heard(self, sent: object) -> None:
        if not (isinstance(sent, tuple) and len(sent) == 3 and sent[:2] == (None, _CHECKED)):
            self._end(wait=False)  # not its first word: trust none of the rest
            return
        self.heard, self.passed = True, sent[2] is True
        if sent[2] is False:
            raise Refused()

    def _wanted(self, key: str) -> None:
        i = self.theirs.get(key)
        if i is not None:
            self.take(i + 1)

    def take(self, upto: int | None = None) -> None:
        """Take the child's stories into the cache, waiting for them, up to its `upto`-th (None:
        all, and then reap it). Those it never sent (it failed) are set here, as a serial render would."""
        try:
            while not self.reaped and (upto is None or self.got < upto):
                cache = self.comp.cache
                assert cache is not None
                if self.idle and not _ready(self.fd):
                    if not self.idle[0]():
                        del self.idle[0]  # nothing left for it to do meanwhile
                    continue  # then look again
                got = receive(self.fd, self.spool)
                if got is None:  # it has finished, or failed: nothing more will come
                    self._end(wait=True)
                    break
                data, sent = got
                if isinstance(sent, tuple) and len(sent) == 1 and self.got == len(self.theirs):
                    self.after = sent[0]  # its last word, once every story is in
                    continue
                if not self.heard:
                    self._heard(sent)  # its first word
                    continue
                if not (isinstance(sent, tuple) and len(sent) == 2 and sent[0] == cache.fingerprint):
                    self._end(wait=False)  # not what it writes: trust none of the rest
                    break
                cache.adopt(sent[1], data)
                self.got += 1
        except BaseException:
            self.abandon()
            raise
        if upto is None or self.reaped:
            self.comp.awaiting = None
            if not self.reaped:
                self._end(wait=True)

    def abandon(self) -> None:
        """The build stopped (invalid input, an interrupt): end the child and reap it."""
        self.comp.awaiting = None
        self._end(wait=False)

    def _end(self, wait: bool) -> None:
        if self.reaped:
            return
        self.reaped = True  # its pid is no longer ours to signal
        fd, self.fd = self.fd, -1
        if wait:
            os.close(fd)
            os.waitpid(self.pid, 0)
        else:
            reap(self.pid, fd)
        os.close(self.spool)
