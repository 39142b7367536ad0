"""What each article is, as the archive records it: headline, byline, pages, paragraphs, photos, text.

Reads a built issue (`layout.pipeline.Built`: the manifest, the Markdown bodies, the composed
story fits); produces `ArticleFacts` per article in page order, and its plain UTF-8 text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..pipeline import Built
from ..text import markdown
from ..text.markdown import Block


@dataclass(frozen=True)
class PhotoFacts:
    path: Path
    caption: str
    credit: str | None


@dataclass(frozen=True)
class ArticleFacts:
    id: str  # the manifest's article id
    key: str  # the id made safe for file names and XML IDs, unique in the issue
    headline: str
    kicker: str | None
    deck: str | None
    byline: str | None
    section: str  # the section of the page it starts on
    pages: tuple[int, ...]  # every page it is printed on, first page first
    blocks: tuple[Block, ...]  # paragraphs and subheads, as the Markdown gives them
    photos: tuple[PhotoFacts, ...]
    source: str | None
    bio: str | None
    language: str

    @property
    def page(self) -> int:
        return self.pages[0]

    @property
    def body(self) -> str:
        return "\n\n".join(b.text for b in self.blocks)

    @property
    def words(self) -> int:
        return len(self.body.split())

    def text(self, publication: str, date: str) -> str:
        """The article as plain text: header, where it was printed, body, closing lines, captions."""
        jumps = f" (continued on page {', '.join(map(str, self.pages[1:]))})" if len(self.pages) > 1 else ""
        head = [self.kicker, self.headline, self.deck, self.byline]
        out = [h for h in head if h]
        out.append(f"{publication}, {date}, page {self.page}{jumps}")
        out += [b.text for b in self.blocks]
        tail = [f"Source: {self.source}" if self.source else None, self.bio]
        tail += [f"Photo: {p.caption}" + (f" ({p.credit})" if p.credit else "") for p in self.photos]
        tail = [t for t in tail if t]
        if tail:
            out += [""] + tail
        return "\n\n".join(x for x in out if x) + "\n"


def articles(b: Built) -> list[ArticleFacts]:
    """Every placed article, in the order its first line appears in the issue."""
    li = b.loaded
    iss = li.issue
    pages: dict[str, list[int]] = {}
    for f in b.composed.fits:
        p = pages.setdefault(f.story, [])
        if f.page not in p:
            p.append(f.page)
    out = []
    keys: set[str] = set()
    for aid, pnums in sorted(pages.items(), key=lambda kv: (min(kv[1]), _order(b, kv[0]))):
        art = iss.articles[aid]
        pnums = sorted(pnums)
        photos = tuple(PhotoFacts((li.folder / ph.file).resolve(), ph.caption, ph.credit) for ph in art.photos)
        out.append(
            ArticleFacts(
                aid,
                _key(aid, keys),
                art.headline,
                art.kicker,
                art.deck,
                art.byline,
                iss.pages[pnums[0] - 1].section,
                tuple(pnums),
                tuple(markdown.parse(li.bodies[aid])),
                photos,
                art.source,
                art.bio,
                art.language or iss.language,
            )
        )
    return out


def _key(aid: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", aid).strip("-.") or "article"
    key, n = base, 1
    while key.lower() in taken:  # case-insensitive: some filesystems are
        n += 1
        key = f"{base}-{n}"
    taken.add(key.lower())
    return key


def _order(b: Built, aid: str) -> int:
    for i, f in enumerate(b.composed.fits):
        if f.story == aid:
            return i
    return 0
