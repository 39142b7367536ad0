"""Composed pages as plain data: positioned text lines, images and rules, each tagged
with its story. Tests, proofs, previews and the PDF exporter all read these; nothing
re-parses the PDF to learn what the layout did. Coordinates are points from the page's
top-left corner, y growing downwards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..text.line import Line


@dataclass(slots=True)
class TextItem:
    x: float  # the line's origin (left edge of its measure)
    baseline: float
    top: float  # the line box it occupies
    bottom: float
    line: Line
    role: str
    story: str | None = None
    column: int | None = None  # page column (0-based) for text that flows in a column

    @property
    def x0(self) -> float:
        return self.x + (self.line.spans[0].x if self.line.spans else 0.0)

    @property
    def x1(self) -> float:
        return self.x + self.line.right

    @property
    def text(self) -> str:
        return self.line.text


@dataclass(slots=True)
class ImageItem:
    x: float
    top: float
    width: float
    height: float
    path: Path
    story: str | None = None

    @property
    def bottom(self) -> float:
        return self.top + self.height


@dataclass(slots=True)
class RuleItem:
    x0: float
    y0: float
    x1: float
    y1: float
    width: float
    color: str = "#000000"
    story: str | None = None


@dataclass(slots=True)
class Box:
    x: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height


@dataclass
class Page:
    number: int
    width: float
    height: float
    area: Box  # the text area inside the margins
    columns: list[tuple[float, float]]  # (x, width) of each column
    grid: float
    section: str = ""
    items: list[TextItem | ImageItem | RuleItem] = field(default_factory=list)
    stories_area: Box | None = None  # the part of the text area stories may use (below furniture, above folio)

    def text(self, role: str | None = None, story: str | None = None) -> list[TextItem]:
        return [
            i
            for i in self.items
            if isinstance(i, TextItem) and (role is None or i.role == role) and (story is None or i.story == story)
        ]


@dataclass(slots=True)
class StoryFit:
    """How one story (or its continuation) came out on a page."""

    story: str
    page: int
    columns: tuple[int, int]  # 1-based, inclusive
    top: float
    bottom: float
    lines: int  # body lines set here
    overset_lines: int = 0  # lines that fit nowhere
    overset_words: int = 0
    continued_to: int | None = None
    continued_from: int | None = None
    x: float = 0.0  # the story's box across its columns (top and bottom above)
    width: float = 0.0
    fixed_height: bool = False
    free_lines: int = 0  # empty grid lines left at the foot of a fixed-height story
    overset_text: str = ""  # the copy that fits nowhere, paragraphs separated by a blank line

    @property
    def box(self) -> Box:
        return Box(self.x, self.top, self.width, self.bottom - self.top)


def lines_text(lines: list[Line]) -> str:
    """Set lines back to running text: a hyphen the breaker added is dropped and the word
    rejoined (a word's own hyphen is kept), a blank line between paragraphs (so overset
    copy can be shown and searched whole)."""
    out: list[str] = []
    para = None
    joined = False  # the previous line ended inside a word
    for ln in lines:
        if para is not None and ln.para != para:
            out.append("\n\n")
        elif out and not joined:
            out.append(" ")
        t = ln.text
        joined = ln.hyphenated
        out.append(t[:-1] if added_hyphen(ln) else t)
        para = ln.para
    return "".join(out)


def added_hyphen(ln: Line) -> bool:
    """The line ends in a hyphen the breaker added (drawn as a span of its own), not in a
    hyphen the word already had."""
    s = ln.spans
    return ln.hyphenated and len(s) > 1 and s[-1].shaped.text == "-" and not s[-1].space_before


Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Finding:
    """Something a layout editor would circle on the page: an error (a story that does not
    fit its box: exit 1) or a warning (a hole, a short strip). `box` is (x, top, width, height)
    in points from the page's top-left; `page` and `story` are None where they do not apply."""

    page: int | None
    story: str | None
    box: tuple[float, float, float, float] | None
    severity: Severity
    message: str
    # What sort: overset, overfull, fit, containment, hole, foot, strip, inline, resolution, quote, unplaced, body.
    kind: str = ""

    def __str__(self) -> str:
        where = []
        if self.story:
            where.append(f"story '{self.story}'")
        if self.page is not None:
            where.append(f"on page {self.page}")
        head = " ".join(where)
        return f"{self.kind or self.severity}: {head + ': ' if head else ''}{self.message}"


@dataclass
class Composed:
    pages: list[Page]
    fits: list[StoryFit]
    title: str
    subject: str
    words: int
    stories: int
    date: dt.date | None = None  # the issue date: the PDF's creation date, so output is reproducible
    problems: list[Finding] = field(default_factory=list)  # layout problems found while composing

    @property
    def overset(self) -> list[StoryFit]:
        return [f for f in self.fits if f.overset_lines]

    @property
    def overfull(self) -> list[tuple[int, TextItem]]:
        """Lines wider than their measure (only where a glyph or an indent is wider than
        the column): (page number, line)."""
        return [(p.number, i) for p in self.pages for i in p.items if isinstance(i, TextItem) and i.line.overfull > 0.5]
