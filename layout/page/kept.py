"""Pages kept between builds in one process: a page whose inputs are all unchanged is not composed again.

Reads what composing one page reads (the issue's furniture fields and page spec, the page's entry,
the stories set on it with their articles, bodies as set and photo files' versions, the jumps
handed to it from earlier pages, and the paragraph cache's fingerprint: the style, its fonts, the
language, the breaker and the setting code) as the page's key; keeps under it what composing the
page made: the `Page`, its story fits, the problems found, the jumps it hands to later pages and
its word count. `Composer.compose` takes a kept page when its key is equal (a build session's,
`issue watch` and `issue serve`); a fresh process keeps none and composes every page. Kept frames
are shared between builds, so nothing downstream of composition may change them in place.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..manifest.reads import version
from .frames import Finding, Page, StoryFit
from .grid import page_geometry

if TYPE_CHECKING:
    from .compose import Composer, _Jump


@dataclass
class Used:
    """The paragraph cache's entries a page used: set lines (needed to take the page again) and
    other entries it added (parsed text, punctuation: counted as used again if still there)."""

    lines: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)


@dataclass
class KeptPage:
    """What composing one page made, besides the page itself, for the pages after it and the issue."""

    page: Page
    fits: list[StoryFit]
    problems: list[Finding]
    jumps: list[tuple[int, _Jump]]  # (page it jumps to, jump) in the order they were made
    words: int
    used: Used  # the paragraph cache's entries the page used (to count them as used again)


class KeptPages:
    """Each page number's last composition under its key. A build session's subclass also records
    which cached paragraphs a page used (`recording`) and counts them as used when the page is
    taken (`reuse`); this base keeps no such account."""

    def __init__(self) -> None:
        self._kept: dict[int, tuple[tuple, KeptPage]] = {}
        self.fingerprint: object = None  # of the paragraph cache the pages were set under
        self.hits = 0

    def start(self, fingerprint: object) -> None:
        """A new build: pages set under another fingerprint (style, fonts, code) are let go."""
        if fingerprint != self.fingerprint:
            self._kept, self.fingerprint = {}, fingerprint
        self.hits = 0

    def get(self, number: int, key: tuple) -> KeptPage | None:
        prev = self._kept.get(number)
        if prev is None or prev[0] != key or not self.reuse(prev[1].used):
            return None
        self.hits += 1
        return prev[1]

    def put(self, number: int, key: tuple, kept: KeptPage) -> None:
        self._kept[number] = (key, kept)

    def trim(self, pages: int) -> None:
        """Forget pages beyond the issue's last."""
        for n in [n for n in self._kept if n > pages]:
            del self._kept[n]

    @contextmanager
    def recording(self) -> Iterator[Used]:
        """The paragraph cache's entries used while the page is composed."""
        yield Used()

    def reuse(self, used: Used) -> bool:
        """Count a kept page's entries as used by this build; False if one is gone (compose it)."""
        return True


def compose_page(comp: Composer, kept: KeptPages, pi: int) -> Page:
    """Page `pi` (0-based) as kept, if its key is unchanged; else composed (and kept)."""
    number = pi + 1
    key = page_key(comp, pi)
    hit = kept.get(number, key) if key is not None else None
    if hit is not None:
        comp.jumps.pop(number, None)  # the jumps it takes, as composing it would
        comp.fits.extend(hit.fits)
        comp.problems.extend(hit.problems)
        comp.words += hit.words
        for to, jump in hit.jumps:
            comp.jumps.setdefault(to, []).append(jump)
        if comp.tick:
            comp.tick()
        return hit.page
    nfits, nproblems, words = len(comp.fits), len(comp.problems), comp.words
    handed = {to: len(js) for to, js in comp.jumps.items()}
    with kept.recording() as used:
        page = comp._page(pi)
    if key is not None:
        jumps = [(to, j) for to, js in comp.jumps.items() for j in js[handed.get(to, 0) :]]
        made = KeptPage(page, comp.fits[nfits:], comp.problems[nproblems:], jumps, comp.words - words, used)
        kept.put(number, key, made)
    return page


def page_key(comp: Composer, pi: int) -> tuple | None:
    """Everything composing page `pi` reads, compared by value (the stories' set content by
    identity: a session hands the same object while what sets it is unchanged, and the key holds
    it); None when the page cannot be keyed (it is composed)."""
    li, number = comp.li, pi + 1
    iss = li.issue
    pdef = iss.pages[pi]
    _, cols = page_geometry(li, number, comp.grid)
    stories = []
    for s in pdef.stories:
        if s.continued is not None:
            continue  # set from the jump handed to the page (below), if any
        c0 = s.columns[0] if s.columns else 1
        if not 1 <= c0 <= len(cols):
            return None
        stories.append((comp.content(s.aid, cols[c0 - 1][1]), *_article(comp, s.aid)))
    jumps = tuple((j.aid, j.from_page, j.content, j.start, *_article(comp, j.aid)) for j in comp.jumps.get(number, []))
    # Publication, date, number, volume, edition, language, page spec, ...: the issue without its pages and articles.
    furniture = iss.model_copy(update={"pages": [], "articles": {}}).model_dump_json()
    fingerprint = comp.cache.fingerprint if comp.cache is not None else None
    return (number, fingerprint, comp.breaker, furniture, pdef.model_dump_json(), tuple(stories), jumps)


def _article(comp: Composer, aid: str) -> tuple:
    """An article's fields, its body's file (named in messages) and its photos' file versions
    (a photo replaced in place may have another pixel size)."""
    li = comp.li
    body = li.body_files.get(aid)
    photos = tuple(_version(p) for p in li.photo_files.get(aid, []))
    return (aid, li.issue.articles[aid].model_dump_json(), str(body) if body else None, photos)


def _version(p: Path) -> tuple:
    """A photo file's version; one never equal to another while the file is missing or was changed
    within the last moments (a write in the same clock tick would leave its version as it was)."""
    v = version(p)
    return (str(p), v if v is not None else object())
