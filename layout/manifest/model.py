"""The manifest's schema: pydantic models of the issue, its pages, stories and articles.

Reads plain YAML data (strings typed by the field); produces a validated `Issue`.
The field names are a contract with the newsroom: extend, never rename or drop.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from .units import parse_length, parse_page_size

Length = Annotated[float, BeforeValidator(parse_length)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, populate_by_name=True)


class Margins(Model):
    top: Length = parse_length("14mm")
    bottom: Length = parse_length("16mm")
    inside: Length = parse_length("13mm")
    outside: Length = parse_length("11mm")


def _margins(v: object) -> object:
    if isinstance(v, str | int | float) and not isinstance(v, bool):
        n = parse_length(v)
        return {"top": n, "bottom": n, "inside": n, "outside": n}
    return v


class PageSpec(Model):
    size: Annotated[tuple[float, float], BeforeValidator(parse_page_size)] = parse_page_size("tabloid")
    margins: Annotated[Margins, BeforeValidator(_margins)] = Margins()
    columns: int = Field(5, ge=1, le=12)
    gutter: Length = parse_length("4mm")


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
    section: str = ""
    masthead: bool = False
    banner: str | None = None
    stories: list[StoryRef] = Field(default_factory=list)


class Photo(Model):
    file: str
    caption: str = ""
    credit: str | None = None
    columns: int = Field(2, ge=1, le=12)
    placement: Literal["top", "inline"] = "top"


class PullQuote(Model):
    text: str
    attribution: str | None = None
    columns: int = Field(1, ge=1, le=2)


class Article(Model):
    headline: str
    kicker: str | None = None
    deck: str | None = None
    byline: str | None = None
    body: str
    photos: list[Photo] = Field(default_factory=list)
    pull_quotes: list[PullQuote] = Field(default_factory=list)
    continued_on: int | None = Field(None, ge=1)
    source: str | None = None
    bio: str | None = None
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
    publication: str
    date: dt.date
    number: int = Field(ge=0)
    volume: int | None = Field(None, ge=0)
    edition: str | None = None
    language: str = "en-US"
    page: PageSpec = PageSpec()
    style: str | None = None
    pages: list[PageDef] = Field(min_length=1)
    articles: dict[str, Article] = Field(default_factory=dict)
    print_: PrintSpec | None = Field(None, alias="print")  # "print" shadows a builtin in Python

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: object) -> object:
        if isinstance(v, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v.strip()):
            raise ValueError(f"expected a date as YYYY-MM-DD, got {v!r}")
        return v
