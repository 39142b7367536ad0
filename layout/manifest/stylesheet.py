"""The style sheet's schema and loading: role -> font, size and leading; typesetting settings; house colours.

Reads the house style (`default_style.yaml`) and an issue's style sheet laid over it; produces a validated
`StyleSheet` and the folders its font files are found in, or raises `InvalidInput` with located problems.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import yamlsource
from .errors import InvalidInput, Location, Problem
from .model import PrintSpec
from .problems import fields_at

DEFAULT = Path(__file__).with_name("default_style.yaml")
FONT_DIR = Path(__file__).resolve().parents[2] / "fonts"
ROLES = (
    "body",
    "headline",
    "deck",
    "kicker",
    "byline",
    "caption",
    "credit",
    "pull_quote",
    "attribution",
    "subhead",
    "source",
    "bio",
    "banner",
    "nameplate",
    "dateline",
    "folio",
    "jump",
    "drop_cap",
)
VARIANTS = ("regular", "italic", "bold", "bold_italic", "semibold", "black")


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class RoleSpec(_M):
    font: str
    variant: str = "regular"
    size: float = Field(gt=0, le=400)
    leading: float = Field(gt=0, le=500)
    align: Literal["left", "right", "center", "justify"] = "left"
    upper: bool = False
    color: str = "#000000"


class WordSpace(_M):
    min: float = Field(0.8, gt=0)
    ideal: float = Field(1.0, gt=0)
    max: float = Field(1.33, gt=0)


class PunctuationSpec(_M):
    """Newspaper punctuation made from what the writer typed."""

    quotes: bool = True  # "straight" quotes and apostrophes curled, by the story's language
    dashes: bool = True  # -- and --- as en and em dashes; a spaced hyphen as a spaced en dash
    ellipsis: bool = True  # ... as one ellipsis character
    number_ranges: bool = False  # 1990-1995 as 1990–1995


class TextSpec(_M):
    justify: bool = True
    word_space: WordSpace = WordSpace()
    letter_spacing: float = Field(0.03, ge=0, le=0.03)
    glyph_scaling: tuple[float, float] = (0.98, 1.02)
    hyphenate: bool = True
    hyphen_min_word: int = Field(6, ge=2)
    hyphen_min_left: int = Field(2, ge=1)
    hyphen_min_right: int = Field(3, ge=1)
    hyphenate_capitalized: bool | Literal["fallback"] = "fallback"  # names break only where they must
    hyphen_limit: int = Field(2, ge=1)
    indent: float = Field(1.0, ge=0, le=4)
    optical_margins: bool = True
    drop_cap: bool = False
    drop_cap_lines: int = Field(3, ge=2, le=4)
    widows: int = Field(2, ge=1, le=4)
    orphans: int = Field(2, ge=1, le=4)
    punctuation: PunctuationSpec = PunctuationSpec()


class StyleSheet(_M):
    fonts: dict[str, dict[str, str]]
    grid: float = Field(gt=0)
    roles: dict[str, RoleSpec]
    headline_sizes: dict[int, float]
    text: TextSpec = TextSpec()
    colors: dict[str, str] = Field(default_factory=dict)
    rules: dict[str, float] = Field(default_factory=dict)
    # Faces for characters the main fonts lack, tried in order: file names looked up in the style's
    # folder, fonts/ and the system's font folders (a missing one is skipped; `name.ttc#1` picks a face).
    fallback_fonts: list[str] = Field(default_factory=list)
    # The printing plant's settings shared by every issue in this style; an issue's own `print:` wins key by key.
    print_: PrintSpec | None = Field(None, alias="print")


def _merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(base.get(k), v) if k in base else v
        return out
    return over


def read_style_sheet(path: Path | None) -> tuple[StyleSheet, list[Path]]:
    """The default style sheet, with the issue's own laid over it."""
    data, _ = yamlsource.load(DEFAULT.read_text(encoding="utf-8"), DEFAULT)
    smap = None
    dirs = [FONT_DIR]
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise InvalidInput(
                [Problem(f"cannot read the style sheet as UTF-8 text: {e}", Location(path, 1, 1))]
            ) from None
        over, smap = yamlsource.load(text, path)
        if over is not None and not isinstance(over, dict):
            raise InvalidInput(
                [Problem("a style sheet must be a mapping (fonts:, roles:, text:, ...)", smap.value(()))]
            )
        data = _merge(data, over or {})
        dirs.insert(0, path.parent)
    try:
        sheet = StyleSheet.model_validate(data)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            loc = err["loc"]
            where = smap.value(loc) if smap else None
            name = ".".join(str(p) for p in loc)
            msg = err["msg"]
            if err["type"] == "extra_forbidden" and smap:
                where = smap.key(loc)
                fields = fields_at(StyleSheet, loc[:-1])
                near = difflib.get_close_matches(str(loc[-1]), fields, n=1)
                msg = f"unknown field '{loc[-1]}'" + (f"; did you mean '{near[0]}'?" if near else "")
            problems.append(Problem(f"style {name}: {msg}", where))
        raise InvalidInput(problems) from None
    problems = []
    for name in ROLES:
        if name not in sheet.roles:
            problems.append(Problem(f"style roles: role '{name}' is missing", smap.value(("roles",)) if smap else None))
            continue
        spec = sheet.roles[name]
        loc = ("roles", name, "font")
        if spec.font not in sheet.fonts:
            problems.append(
                Problem(
                    f"style roles.{name}.font: no font family '{spec.font}' under fonts: "
                    f"(families: {', '.join(sheet.fonts)})",
                    smap.value(loc) if smap else None,
                )
            )
    for fam, variants in sheet.fonts.items():
        for var, rel in variants.items():
            loc = ("fonts", fam, var)
            if var not in VARIANTS:
                problems.append(
                    Problem(
                        f"style fonts.{fam}: unknown variant '{var}' (expected {', '.join(VARIANTS)})",
                        smap.key(loc) if smap else None,
                    )
                )
            elif not any((d / rel).is_file() for d in dirs):
                problems.append(
                    Problem(f"style fonts.{fam}.{var}: font file not found: {rel}", smap.value(loc) if smap else None)
                )
            elif not rel.lower().endswith(".ttf"):
                problems.append(
                    Problem(
                        f"style fonts.{fam}.{var}: expected a TrueType .ttf file "
                        f"(CFF .otf fonts cannot be embedded), got {rel}",
                        smap.value(loc) if smap else None,
                    )
                )
    if problems:
        raise InvalidInput(problems)
    return sheet, dirs
