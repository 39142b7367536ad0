"""The style sheet's schema as pydantic models: the slow validation, which says what is wrong.

Reads the merged style sheet data (strings typed by the field); produces the records of
`stylemodel.py` (`validate`) or a `ValidationError` naming every problem. A valid sheet never comes
here: `strict.py` proves it valid without pydantic; anything it cannot prove comes here, for
pydantic's answer. The models mirror the records field by field (the tests hold them equal).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from . import model, noplugins, stylemodel
from .record import from_model
from .schema import PrintSpec
from .stylemodel import (
    MAX_SIZE,
    MIN_SIZE,
    check_colors,
    check_leading,
    check_order,
    check_rules,
    check_scaling,
    check_spans,
)

_quiet = noplugins.off()  # until the last model is defined: see noplugins


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class RoleSpec(_M):
    font: str
    variant: str = "regular"
    size: float = Field(ge=MIN_SIZE, le=MAX_SIZE)
    leading: float = Field(ge=MIN_SIZE, le=500)
    align: Literal["left", "right", "center", "justify"] = "left"
    upper: bool = False
    color: str = "#000000"  # #rrggbb, or the name of an entry under colors:

    @model_validator(mode="after")
    def _leading(self) -> RoleSpec:
        check_leading(self.size, self.leading)
        return self


class WordSpace(_M):
    min: float = Field(0.8, gt=0, le=4)
    ideal: float = Field(1.0, gt=0, le=4)
    max: float = Field(1.33, gt=0, le=4)

    @model_validator(mode="after")
    def _order(self) -> WordSpace:
        check_order(self.min, self.ideal, self.max)
        return self


class PunctuationSpec(_M):
    quotes: bool = True
    dashes: bool = True
    ellipsis: bool = True
    number_ranges: bool = False


class TextSpec(_M):
    justify: bool = True
    word_space: WordSpace = WordSpace()
    letter_spacing: float = Field(0.03, ge=0, le=0.03)
    glyph_scaling: tuple[float, float] = (0.98, 1.02)
    hyphenate: bool = True
    hyphen_min_word: int = Field(6, ge=2, le=100)
    hyphen_min_left: int = Field(2, ge=1, le=20)
    hyphen_min_right: int = Field(3, ge=1, le=20)
    hyphenate_capitalized: bool | Literal["fallback"] = "fallback"  # names break only where they must
    hyphen_limit: int = Field(2, ge=1, le=100)
    indent: float = Field(1.0, ge=0, le=4)
    optical_margins: bool = True
    drop_cap: bool = False
    drop_cap_lines: int = Field(3, ge=2, le=4)
    widows: int = Field(2, ge=1, le=4)
    orphans: int = Field(2, ge=1, le=4)
    punctuation: PunctuationSpec = PunctuationSpec()

    @field_validator("glyph_scaling")
    @classmethod
    def _scaling(cls, v: tuple[float, float]) -> tuple[float, float]:
        return check_scaling(v)


class StyleSheet(_M):
    fonts: dict[str, dict[str, str]]
    grid: float = Field(ge=MIN_SIZE, le=72)
    roles: dict[str, RoleSpec]
    headline_sizes: dict[int, Annotated[float, Field(ge=MIN_SIZE, le=MAX_SIZE)]] = Field(min_length=1)
    text: TextSpec = TextSpec()
    colors: dict[str, str] = Field(default_factory=dict)
    rules: dict[str, float] = Field(default_factory=dict)
    fallback_fonts: list[str] = Field(default_factory=list)
    print_: PrintSpec | None = Field(None, alias="print")

    @field_validator("colors")
    @classmethod
    def _colors(cls, v: dict[str, str]) -> dict[str, str]:
        return check_colors(v)

    @field_validator("rules")
    @classmethod
    def _rules(cls, v: dict[str, float]) -> dict[str, float]:
        return check_rules(v)

    @field_validator("headline_sizes")
    @classmethod
    def _spans(cls, v: dict[int, float]) -> dict[int, float]:
        return check_spans(v)


noplugins.back(_quiet)

RECORDS = {
    c.__name__: c
    for m in (model, stylemodel)
    for c in vars(m).values()
    if isinstance(c, type) and issubclass(c, model.Record)
}


def validate(data: Any) -> stylemodel.StyleSheet:
    """The style sheet's records, by pydantic's rules (raises its ValidationError)."""
    return from_model(StyleSheet.model_validate(data), RECORDS)
