"""A page's frames grouped as an archive describes them: text blocks and illustrations in reading order.

Reads a `Composed` issue; produces, per page, `Block`s of words with boxes: one block per story
column segment of running text (body, subheads, closing lines), one per headline, kicker, deck,
byline, caption, pull quote, attribution, jump line and piece of page furniture, and one per photo.
The order is the frames' own: each story's header, then its columns left to right, as the
composer placed them. Words broken across lines (and columns, and pages) are paired here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..page.frames import Composed, ImageItem, TextItem
from .words import Word, join_broken, line_words

# Roles that flow through a story's columns: one block per column segment.
RUNNING = {"body", "subhead", "source", "bio", "drop_cap"}


@dataclass
class Line:
    item: TextItem
    words: list[Word]


@dataclass
class Block:
    id: str
    kind: str  # "text" | "illustration"
    role: str  # body (running text), headline, caption, ..., photo
    story: str | None
    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    lines: list[Line] = field(default_factory=list)
    image: Path | None = None


def _key(it: TextItem) -> tuple:
    role = "body" if it.role in RUNNING else it.role
    return (it.story, role, it.column if role == "body" else None)


def _bounds(b: Block) -> None:
    words = [w for ln in b.lines for w in ln.words]
    b.x0, b.x1 = min(w.x0 for w in words), max(w.hyphen[1] if w.hyphen else w.x1 for w in words)
    b.top, b.bottom = min(ln.item.top for ln in b.lines), max(ln.item.bottom for ln in b.lines)


def _split_credit(b: Block, credit_face: str) -> Block | None:
    """The photo credit set at the end of a caption, as a block of its own (it may share a
    line with the caption's last words: that line is then split in two)."""
    for i, ln in enumerate(b.lines):
        for j, w in enumerate(ln.words):
            if w.face.name != credit_face or (i == 0 and j == 0):
                continue
            credit = Block(f"{b.id}_CR", "text", "credit", b.story, b.page, 0, 0, 0, 0)
            credit.lines = [Line(ln.item, ln.words[j:])] + b.lines[i + 1 :]
            b.lines = b.lines[:i] + ([Line(ln.item, ln.words[:j])] if j else [])
            _bounds(b)
            _bounds(credit)
            return credit
    return None


def page_blocks(composed: Composed, credit_face: str | None = None) -> list[list[Block]]:
    """Every page's blocks, in reading order, with broken words paired across lines.
    `credit_face` (the font name of photo credits) splits credits from their captions."""
    pages: list[list[Block]] = []
    running: dict[str, list[Line]] = {}  # story -> its running lines, in reading order
    for page in composed.pages:
        blocks: list[Block] = []
        cur: Block | None = None
        cur_key: tuple | None = None
        for it in page.items:
            if isinstance(it, ImageItem):
                bid = f"P{page.number}_IL{len(blocks) + 1:04d}"
                blocks.append(
                    Block(bid, "illustration", "photo", it.story, page.number, it.x, it.top, it.x + it.width, it.bottom)
                )
                blocks[-1].image = it.path
                cur = cur_key = None
                continue
            if not isinstance(it, TextItem) or not it.line.spans:
                continue
            key = _key(it)
            gap = cur is not None and it.top - cur.bottom > 2.5 * (it.bottom - it.top)
            if cur is None or key != cur_key or gap:
                bid = f"P{page.number}_TB{len(blocks) + 1:04d}"
                cur = Block(bid, "text", key[1], it.story, page.number, it.x0, it.top, it.x1, it.bottom)
                cur_key = key
                blocks.append(cur)
            ln = Line(it, line_words(it))
            cur.lines.append(ln)
            cur.x0, cur.x1 = min(cur.x0, it.x0), max(cur.x1, it.x1)
            cur.top, cur.bottom = min(cur.top, it.top), max(cur.bottom, it.bottom)
            if key[1] == "body" and it.story:  # a drop cap too: it begins the first word
                running.setdefault(it.story, []).append(ln)
        pages.append(blocks)
    for lines in running.values():
        join_broken([ln.words for ln in lines], [ln.item.line.breaks_word for ln in lines])
    for block in (b for blocks in pages for b in blocks if b.kind == "text" and b.role != "body"):
        # a headline or caption broken after a dash: within its own block
        join_broken([ln.words for ln in block.lines], [ln.item.line.breaks_word for ln in block.lines])
    if credit_face:
        for blocks in pages:
            for k in range(len(blocks) - 1, -1, -1):
                credit = _split_credit(blocks[k], credit_face) if blocks[k].role == "caption" else None
                if credit is not None:
                    blocks.insert(k + 1, credit)
    return pages
