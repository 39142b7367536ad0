"""Story bodies set in two processes for large issues, with the paragraph cache as the transfer.

Reads a `Composer` before it lays out any page; fills its paragraph cache. A story's body does not
depend on where it is placed (its column width comes from the grid), so every story the manifest
places can be set before composition. A forked child sets its share of them (by length) while this
process checks the issue (Markdown, glyphs) and sets the rest; the child sends back only the
paragraphs it set and the Markdown it parsed, as the cache's own plain-data entries (`marshal`,
one write down a pipe), and composition then finds every body in the cache. The child's lines are
the same plain data a warm re-render reads, so the PDF is the same bytes as a serial render. Used
only where it pays (see `worth_it`); without `os.fork` (Windows) it never runs.
"""

from __future__ import annotations

import marshal
import os
import signal
import time
from collections.abc import Callable

from ..manifest.load import LoadedIssue
from .compose import Composer
from .grid import page_geometry

MIN_WORDS = 12_000  # below this, forking and transfer cost more than the second core saves
# The helper's share of the bodies when this process checks the issue meanwhile (the checks cost
# about a fifth of setting the bodies; measured on the 16-page benchmark issue).
CHECKS_SHARE = 0.55


def _stories(comp: Composer) -> list[tuple[str, float, int]]:
    """(article, column width, body length) for every story placed, in manifest order."""
    li = comp.li
    out: dict[tuple[str, float], int] = {}
    for pi, pdef in enumerate(li.issue.pages):
        _, cols = page_geometry(li, pi + 1, comp.grid)
        for s in pdef.stories:
            if s.article is None:
                continue  # a placed continuation: its copy is set with the story it continues
            c0 = (s.columns or (1, len(cols)))[0]
            out.setdefault((s.article, cols[c0 - 1][1]), len(li.bodies.get(s.article, "")))
    return [(a, w, n) for (a, w), n in out.items()]


def spare_core() -> bool:
    """Whether a second process of ours would have a core to itself: the system can fork, two or
    more cores are ours, and the load average leaves one free or, failing that, nothing else is
    runnable right now (three looks, 2 ms apart: the load average trails by a minute, so a job that
    just ended, or the two cores a Typst run just used, still count in it). On a busy machine the two
    halves only queue for the same core (measured: slower)."""
    if not hasattr(os, "fork"):
        return False
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if cpus < 2:
        return False
    if os.getloadavg()[0] <= cpus - 1:
        return True
    for i in range(3):
        others = _runnable() - 1  # this process is runnable as it looks
        if others < 0 or others > cpus - 2:
            return False
        if i < 2:
            time.sleep(0.002)
    return True


def _runnable() -> int:
    """Processes runnable on the system now (Linux's /proc/loadavg), or -1 if it cannot tell."""
    try:
        with open("/proc/loadavg", "rb") as f:
            return int(f.read().split()[3].split(b"/")[0])
    except (OSError, ValueError, IndexError):
        return -1


def worth_it(li: LoadedIssue, cached: int) -> bool:
    """Large issues with nothing in the cache yet, when a core is free (`spare_core`)."""
    if cached or not spare_core():
        return False
    placed = {s.article for p in li.issue.pages for s in p.stories if s.article is not None}
    return sum(len(li.bodies.get(a, "").split()) for a in placed) >= MIN_WORDS


def _halves(stories: list[tuple[str, float, int]], share: float = 0.5) -> tuple[list, list]:
    """Two lists of stories, the first with about `share` of the total length (longest first,
    each to the side furthest below its share)."""
    a: list = []
    b: list = []
    na = nb = 0.0
    for s in sorted(stories, key=lambda s: -s[2]):
        if na * (1 - share) <= nb * share:
            a.append(s)
            na += s[2]
        else:
            b.append(s)
            nb += s[2]
    return a, b


class Helper:
    """A forked child setting its share of the story bodies while this process goes on (checking
    the issue, then setting the rest); `finish` takes its paragraphs into the cache."""

    def __init__(self, comp: Composer, share: float):
        cache = comp.cache
        assert cache is not None
        self.comp = comp
        # Loaded before the fork, so that neither process loads them again: the hyphenation
        # dictionaries (the slowest thing a first paragraph does) and the typesetters.
        for lang in {comp.li.issue.language, *(a.language for a in comp.li.issue.articles.values() if a.language)}:
            comp.ts(lang).hyph.preload()
        self.mine, theirs = _halves(_stories(comp), 1 - share)
        known = set(cache.used)

        def share() -> dict:  # in the child: set its share; its set paragraphs and parsed Markdown
            for aid, colw, _ in theirs:
                comp.content(aid, colw)
            return {k: v for k, v in cache.used.items() if k not in known}

        self.pid, self.fd = fork_child(share)

    def finish(self) -> bool:
        """Set this process's share, then take the child's; True if the child did its share
        (if not, composition sets its stories here, as a serial render would)."""
        try:
            for aid, colw, _ in self.mine:
                self.comp.content(aid, colw)
            fd, self.fd = self.fd, -1
            data = collect(self.pid, fd)
        except BaseException:  # interrupted (Ctrl-C, SIGTERM) or failed: the child goes too
            self.abandon()
            raise
        if data is None:
            return False
        assert self.comp.cache is not None
        self.comp.cache.adopt(marshal.loads(data))
        return True

    def abandon(self) -> None:
        """The build stopped (invalid input, an interrupt): end the child and reap it."""
        reap(self.pid, self.fd)


def fork_child(work: Callable[[], object]) -> tuple[int, int]:
    """Fork a child that runs `work`, sends its result (plain data, `marshal`) down a pipe in one
    write and leaves without clean-up; (its pid, the pipe's read end) here."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(r)
            data = marshal.dumps(work())
            with os.fdopen(w, "wb") as f:
                f.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    return pid, r


def collect(pid: int, fd: int) -> bytes | None:
    """What the child of `fork_child` sent, once it has exited; None if it failed or sent nothing.
    `fd` is closed here; an interrupt while waiting is raised (the caller then reaps the child)."""
    with os.fdopen(fd, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    return data if status == 0 and data else None


def reap(pid: int, fd: int) -> None:
    """End a forked helper and wait for it: its pipe closed (if `fd` >= 0), SIGKILL, waitpid."""
    if fd >= 0:
        try:
            os.close(fd)
        except OSError:
            pass
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
