"""Story bodies set in two processes for large issues, with the paragraph cache as the transfer.

Reads a `Composer` before it lays out any page; fills its paragraph cache. A story's body does not
depend on where it is placed (its column width comes from the grid), so every story the manifest
places can be set before composition. A forked child sets half of them (balanced by length) while
this process sets the other half; the child sends back only the paragraphs it set, as the cache's
own plain-data entries (`marshal`, one write down a pipe), and composition then finds every body
in the cache. The child's lines are the same plain data a warm re-render reads, so the PDF is the
same bytes as a serial render. Used only where it pays (see `worth_it`); without `os.fork`
(Windows) it never runs.
"""

from __future__ import annotations

import marshal
import os

from ..manifest.load import LoadedIssue
from .compose import Composer
from .grid import page_geometry

MIN_WORDS = 12_000  # below this, forking and transfer cost more than the second core saves


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


def worth_it(li: LoadedIssue, cached: int) -> bool:
    """Large issues with nothing in the cache yet, on a system that can fork and has a core to
    spare: on a busy machine the two halves only queue for the same core (measured: slower)."""
    cpus = os.cpu_count() or 1
    if not hasattr(os, "fork") or cpus < 2 or cached or os.getloadavg()[0] > cpus - 1:
        return False
    placed = {s.article for p in li.issue.pages for s in p.stories if s.article is not None}
    return sum(len(li.bodies.get(a, "").split()) for a in placed) >= MIN_WORDS


def _halves(stories: list[tuple[str, float, int]]) -> tuple[list, list]:
    """Two lists of stories of about equal total length (longest first, to the lighter side)."""
    a: list = []
    b: list = []
    na = nb = 0
    for s in sorted(stories, key=lambda s: -s[2]):
        if na <= nb:
            a.append(s)
            na += s[2]
        else:
            b.append(s)
            nb += s[2]
    return a, b


def prewarm(comp: Composer) -> bool:
    """Set every placed story's body, half in a forked child; True if a child did its share."""
    cache = comp.cache
    assert cache is not None
    mine, theirs = _halves(_stories(comp))
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: set its half, send the new entries, leave without cleanup
        code = 1
        try:
            os.close(r)
            for aid, colw, _ in theirs:
                comp.content(aid, colw)
            data = marshal.dumps({k: cache.used[k] for k in cache.fresh})
            with os.fdopen(w, "wb") as f:
                f.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    for aid, colw, _ in mine:
        comp.content(aid, colw)
    with os.fdopen(r, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return False  # the child failed: composition sets its half here, as a serial render would
    cache.adopt(marshal.loads(data))
    return True
