"""The manifest's schema as pydantic models: the slow validation, which says what is wrong.

Reads plain YAML data (strings typed by the field); produces the records of `model.py` (`validate`)
or a `ValidationError` naming every problem. A valid manifest never comes here: `strict.py` proves it
valid without pydantic; anything it cannot prove comes here, for pydantic's answer (its coercions
or its errors). The models mirror the records field by field (the tests hold them equal).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from . import model, noplugins
from .model import (
    MAX_ARTICLES,
    MAX_BLEED,
    MAX_PAGES,
    MAX_PHOTOS,
    MAX_PULL_QUOTES,
    MAX_STORIES_PER_PAGE,
    MAX_TEXT,
    _column_range,
    _margins,
    check_one_story,
    check_size,
    parse_date,
)
from .record import from_model
from .units import parse_length, parse_page_size

_quiet = noplugins.off()  # until the last model is defined: see noplugins
Length = Annotated[float, BeforeValidator(parse_length)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, populate_by_name=True)


NonNegativeLength = Annotated[float, BeforeValidator(parse_length), Field(ge=0)]
Text = Annotated[str, Field(max_length=MAX_TEXT)]


class Margins(Model):
    top: NonNegativeLength = parse_length("14mm")
    bottom: NonNegativeLength = parse_length("16mm")
    inside: NonNegativeLength = parse_length("13mm")
    outside: NonNegativeLength = parse_length("11mm")


class PageSpec(Model):
    size: Annotated[tuple[float, float], BeforeValidator(parse_page_size)] = parse_page_size("tabloid")
    margins: Annotated[Margins, BeforeValidator(_margins)] = Margins()
    columns: int = Field(5, ge=1, le=12)
    gutter: NonNegativeLength = parse_length("4mm")

    @field_validator("size")
    @classmethod
    def _size(cls, v: tuple[float, float]) -> tuple[float, float]:
        return check_size(v)


ColumnRange = Annotated[tuple[int, int], BeforeValidator(_column_range)]


class StoryRef(Model):
    """A story's place on a page: an article, or (`continued:`) the jump of one that starts earlier."""

    article: str | None = None
    continued: str | None = None  # the article whose overset copy is set here (its continued_on is this page)
    columns: ColumnRange | None = None  # default: all columns of the page
    height: Length | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _one_story(self) -> StoryRef:
        check_one_story(self.article, self.continued)
        return self


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
    bleed: Length = Field(0.0, ge=0, le=MAX_BLEED)
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
        return parse_date(v)


noplugins.back(_quiet)

RECORDS = {c.__name__: c for c in vars(model).values() if isinstance(c, type) and issubclass(c, model.Record)}


def validate(data: Any) -> model.Issue:
    """The manifest's records, by pydantic's rules (raises its ValidationError)."""
    return from_model(Issue.model_validate(data), RECORDS)
