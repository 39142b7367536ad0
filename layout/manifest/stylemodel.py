"""The style sheet's validated values: plain records of roles, text settings and house colours.

Reads nothing; produces the record classes the typesetter reads (`StyleSheet`, `RoleSpec`,
`TextSpec`, `WordSpace`, `PunctuationSpec`), the limits, and the checks both validations share: the
strict one (`strict.py`, no pydantic, for a valid sheet) and the pydantic schema (`styleschema.py`,
which reports what is wrong). A field added here is added to `styleschema.py` and `strict.py` too.
"""

from __future__ import annotations

import re

from .model import PrintSpec
from .record import Make, Record

MIN_SIZE = 4.0  # points: below this no type is readable in print
MAX_SIZE = 400.0
HEX = re.compile(r"#[0-9a-fA-F]{6}")


class RoleSpec(Record):
    font: str
    variant: str = "regular"
    size: float
    leading: float
    align: str = "left"  # left | right | center | justify
    upper: bool = False
    color: str = "#000000"  # #rrggbb, or the name of an entry under colors:


class WordSpace(Record):
    min: float = 0.8
    ideal: float = 1.0
    max: float = 1.33


class PunctuationSpec(Record):
    """Newspaper punctuation made from what the writer typed."""

    quotes: bool = True  # "straight" quotes and apostrophes curled, by the story's language
    dashes: bool = True  # -- and --- as en and em dashes; a spaced hyphen as a spaced en dash
    ellipsis: bool = True  # ... as one ellipsis character
    number_ranges: bool = False  # 1990-1995 as 1990–1995


class TextSpec(Record):
    justify: bool = True
    word_space: WordSpace = Make(WordSpace)  # type: ignore[assignment]
    letter_spacing: float = 0.03
    glyph_scaling: tuple[float, float] = (0.98, 1.02)
    hyphenate: bool = True
    hyphen_min_word: int = 6
    hyphen_min_left: int = 2
    hyphen_min_right: int = 3
    hyphenate_capitalized: bool | str = "fallback"  # names break only where they must
    hyphen_limit: int = 2
    indent: float = 1.0
    optical_margins: bool = True
    drop_cap: bool = False
    drop_cap_lines: int = 3
    widows: int = 2
    orphans: int = 2
    punctuation: PunctuationSpec = Make(PunctuationSpec)  # type: ignore[assignment]


class StyleSheet(Record):
    fonts: dict[str, dict[str, str]]
    grid: float
    roles: dict[str, RoleSpec]
    headline_sizes: dict[int, float]
    text: TextSpec = Make(TextSpec)  # type: ignore[assignment]
    colors: dict[str, str] = Make(dict)  # type: ignore[assignment]
    rules: dict[str, float] = Make(dict)  # type: ignore[assignment]
    # Faces for characters the main fonts lack, tried in order: file names looked up in the style's
    # folder, fonts/ and the system's font folders (a missing one is skipped; `name.ttc#1` picks a face).
    fallback_fonts: list[str] = Make(list)  # type: ignore[assignment]
    # The printing plant's settings shared by every issue in this style; an issue's own `print:` wins key by key.
    print_: PrintSpec | None = None


# The checks both validations apply (their messages are the style sheet's errors).


def check_leading(size: float, leading: float) -> None:
    if leading < size * 0.75:
        raise ValueError(f"leading {leading:g} is less than three quarters of the size {size:g}: lines would overprint")


def check_order(lo: float, ideal: float, hi: float) -> None:
    if not lo <= ideal <= hi:
        raise ValueError(f"expected min <= ideal <= max, got {lo:g}, {ideal:g}, {hi:g}")


def check_scaling(v: tuple[float, float]) -> tuple[float, float]:
    lo, hi = v
    if not 0.5 <= lo <= 1.0 <= hi <= 2.0:
        raise ValueError(f"expected [low, high] with 0.5 <= low <= 1 <= high <= 2, got [{lo:g}, {hi:g}]")
    return v


def check_colors(v: dict[str, str]) -> dict[str, str]:
    for name, c in v.items():
        if not HEX.fullmatch(c):
            raise ValueError(f"colors.{name}: expected #rrggbb (six hex digits, such as #b3261e), got {c!r}")
    return v


def check_rules(v: dict[str, float]) -> dict[str, float]:
    for name, w in v.items():
        if not 0 <= w <= 20:
            raise ValueError(f"rules.{name}: expected a rule weight from 0 to 20 points, got {w:g}")
    return v


def check_spans(v: dict[int, float]) -> dict[int, float]:
    for span in v:
        if not 1 <= span <= 12:
            raise ValueError(f"headline_sizes: expected column spans from 1 to 12, got {span}")
    return v
