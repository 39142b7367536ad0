"""The manifest's schema: pydantic models of the issue, its pages, stories and articles.

Reads plain YAML data (strings typed by the field); produces a validated `Issue`.
The field names are a contract with the newsroom: extend, never rename or drop.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from . import noplugins
from .units import MM, parse_length, parse_page_size

_quiet = noplugins.off()  # until the last model is defined: see noplugins
Length = Annotated[float, BeforeValidator(parse_length)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, populate_by_name=True)


NonNegativeLength = Annotated[float, BeforeValidator(parse_length), Field(ge=0)]
# Entry limits: far beyond any newspaper, far below what would hang a render.
MAX_PAGES = 500
MAX_STORIES_PER_PAGE = 100
MAX_ARTICLES = 2000
MAX_PHOTOS = 50
MAX_PULL_QUOTES = 20
MAX_TEXT = 2000  # characters in a one-line field (headline, caption, ...)
MIN_PAGE, MAX_PAGE = 72.0, 14400.0  # 1 inch; the largest page a PDF may have (200 inches)
Text = Annotated[str, Field(max_length=MAX_TEXT)]


class Margins(Model):
    top: NonNegativeLength = parse_length("14mm")
    bottom: NonNegativeLength = parse_length("16mm")
    inside: NonNegativeLength = parse_length("13mm")
    outside: NonNegativeLength = parse_length("11mm")


def _margins(v: object) -> object:
    if isinstance(v, str | int | float) and not isinstance(v, bool):
        n = parse_length(v)
        return {"top": n, "bottom": n, "inside": n, "outside": n}
    return v


class PageSpec(Model):
    size: Annotated[tuple[float, float], BeforeValidator(parse_page_size)] = parse_page_size("tabloid")
    margins: Annotated[Margins, BeforeValidator(_margins)] = Margins()
    columns: int = Field(5, ge=1, le=12)
    gutter: NonNegativeLength = parse_length("4mm")

    @field_validator("size")
    @classmethod
    def _size(cls, v: tuple[float, float]) -> tuple[float, float]:
        for side, n in zip(("width", "height"), v, strict=True):
            if not MIN_PAGE <= n <= MAX_PAGE:
                raise ValueError(
                    f"page {side} {n / MM:.0f}mm is outside {MIN_PAGE / MM:.0f}mm to {MAX_PAGE / MM:.0f}mm "
                    "(the largest page a PDF may have)"
                )
        return v


def _column_range(v: object) -> object:
    if isinstance(v, int) and not isinstance(v, bool):
        return (v, v)
    if isinstance(v, str):
        m = re.fullmatch(r"\s*(\d+)\s*(?:[-–]\s*(\d+))?\s*", v)
        if m:
            a = int(m.group(1))
            b = int(m.group(2) or a)
            if a < 1 or b < a:
                raise ValueError(f"expected a column range such as 1-3 with 1 <= first <= last, got {v!r}")
            return (a, b)
    if isinstance(v, tuple):
        return v
    raise ValueError(f"expected a column range such as 2 or 1-3, got {v!r}")


ColumnRange = Annotated[tuple[int, int], BeforeValidator(_column_range)]


class StoryRef(Model):
    """A story's place on a page: an article, or (`continued:`) the jump of one that starts earlier."""

    article: str | None = None
    continued: str | None = None  # the article whose overset copy is set here (its continued_on is this page)
    columns: ColumnRange | None = None  # default: all columns of the page
    height: Length | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _one_story(self) -> StoryRef:
        if (self.article is None) == (self.continued is None):
            raise ValueError(
                "expected either article: (a story) or continued: (the jump of a story from an earlier page)"
            )
        return self

    @property
    def aid(self) -> str:
        """The article this entry sets (its start, or its continuation)."""
        return self.article if self.article is not None else str(self.continued)


class PageDef(Model):
    section: Text = ""
    masthead: bool = False
    banner: Text | None = None
    stories: list[StoryRef] = Field(default_factory=list, max_length=MAX_STORIES_PER_PAGE)


class Photo(Model):
    file: str
    caption: Text = ""
    credit: Text | None = None
    columns: int = Field(2, ge=1, le=12)
    placement: Literal["top", "inline"] = "top"


class PullQuote(Model):
    text: Text
    attribution: Text | None = None
    columns: int = Field(1, ge=1, le=2)


class Article(Model):
    headline: Text
    kicker: Text | None = None
    deck: Text | None = None
    byline: Text | None = None
    body: str
    photos: list[Photo] = Field(default_factory=list, max_length=MAX_PHOTOS)
    pull_quotes: list[PullQuote] = Field(default_factory=list, max_length=MAX_PULL_QUOTES)
    continued_on: int | None = Field(None, ge=1, le=MAX_PAGES)
    source: Text | None = None
    bio: Text | None = None
    language: str | None = None
    drop_cap: bool | None = None  # default from the style sheet


class PrintSpec(Model):
    """The printing plant's requirements for the print rendition (`issue render --print`)."""

    profile: str | None = None  # the plant's CMYK output profile: a path from the issue folder, or a vendored name
    output_condition: str | None = None  # its identifier, e.g. FOGRA39 (default: the profile's description)
    ink_limit: float = Field(240, ge=100, le=400)  # total area coverage, per cent
    ppi_warn: float = Field(170, gt=0)  # effective resolution below which a photo is a warning
    ppi_error: float = Field(120, gt=0)  # ... and below which it is an error
    bleed: Length = Field(0.0, ge=0, le=parse_length("20mm"))
    crop_marks: bool = True
    slug: bool = True
    target: Literal["x1a", "x4"] = "x1a"
    file_name: str = "<publication>-<yyyymmdd>-<edition>-p<NN>.pdf"


class Issue(Model):
    publication: Text
    date: dt.date
    number: int = Field(ge=0, le=10**9)
    volume: int | None = Field(None, ge=0, le=10**6)
    edition: Text | None = None
    language: str = "en-US"
    page: PageSpec = PageSpec()
    style: str | None = None
    pages: list[PageDef] = Field(min_length=1, max_length=MAX_PAGES)
    articles: dict[str, Article] = Field(default_factory=dict, max_length=MAX_ARTICLES)
    print_: PrintSpec | None = Field(None, alias="print")  # "print" shadows a builtin in Python

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: object) -> object:
        if isinstance(v, str):
            m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", v.strip())
            if not m:
                raise ValueError(f"expected a date as YYYY-MM-DD, got {v!r}")
            wrong = _wrong_date_part(*map(int, m.groups()))
            if wrong:
                raise ValueError(f"expected a real date as YYYY-MM-DD, got {v!r}: {wrong}")
            return dt.date(*map(int, m.groups()))
        return v


def _wrong_date_part(y: int, m: int, d: int) -> str | None:
    """Which part of a YYYY-MM-DD date is out of range, in words."""
    if not 1900 <= y <= 2999:
        return f"year {y} is outside 1900-2999"
    if not 1 <= m <= 12:
        return f"month {m:02d} is not 01-12"
    last = calendar.monthrange(y, m)[1]
    if not 1 <= d <= last:
        return f"day {d:02d} is not 01-{last} ({calendar.month_name[m]} {y} has {last} days)"
    return None


noplugins.back(_quiet)
