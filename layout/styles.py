"""The style sheet: role -> font, size and leading; typesetting settings; house colours."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import yamlsource
from .errors import InvalidInput, Location, Problem
from .fonts import FONT_DIR, Face, FontBook
from .manifest import fields_at

DEFAULT = Path(__file__).with_name("default_style.yaml")
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
    model_config = ConfigDict(extra="forbid")


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


class TextSpec(_M):
    justify: bool = True
    word_space: WordSpace = WordSpace()
    letter_spacing: float = Field(0.03, ge=0, le=0.03)
    glyph_scaling: tuple[float, float] = (0.98, 1.02)
    hyphenate: bool = True
    hyphen_min_word: int = Field(6, ge=2)
    hyphen_min_left: int = Field(2, ge=1)
    hyphen_min_right: int = Field(3, ge=1)
    hyphenate_capitalized: bool | Literal["fallback"] = False
    hyphen_limit: int = Field(2, ge=1)
    indent: float = Field(1.0, ge=0, le=4)
    optical_margins: bool = True
    drop_cap: bool = False
    drop_cap_lines: int = Field(3, ge=2, le=4)
    widows: int = Field(2, ge=1, le=4)
    orphans: int = Field(2, ge=1, le=4)


class StyleSheet(_M):
    fonts: dict[str, dict[str, str]]
    grid: float = Field(gt=0)
    roles: dict[str, RoleSpec]
    headline_sizes: dict[int, float]
    text: TextSpec = TextSpec()
    colors: dict[str, str] = Field(default_factory=dict)
    rules: dict[str, float] = Field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Role:
    """A role resolved to a loaded face."""

    name: str
    face: Face
    size: float
    leading: float
    align: str
    upper: bool
    color: str
    spec: RoleSpec


class Style:
    """A validated style sheet with every face loaded."""

    def __init__(self, sheet: StyleSheet, font_dirs: list[Path]):
        self.sheet = sheet
        self.grid = sheet.grid
        self.text = sheet.text
        self.font_dirs = font_dirs
        self.roles: dict[str, Role] = {}
        for name in ROLES:
            spec = sheet.roles[name]
            self.roles[name] = Role(
                name,
                self.face(spec.font, spec.variant),
                spec.size,
                spec.leading,
                spec.align,
                spec.upper,
                spec.color,
                spec,
            )

    def face(self, family: str, variant: str = "regular") -> Face:
        fam = self.sheet.fonts[family]
        rel = (
            fam.get(variant)
            or fam.get({"bold_italic": "bold", "semibold": "bold", "black": "bold"}.get(variant, "regular"))
            or fam["regular"]
        )
        for d in self.font_dirs:
            p = d / rel
            if p.is_file():
                return FontBook.face(p)
        raise FileNotFoundError(rel)

    def headline_size(self, span: int) -> float:
        sizes = self.sheet.headline_sizes
        best = max((k for k in sizes if k <= span), default=min(sizes))
        return sizes[best]

    def color(self, key: str, default: str = "#000000") -> str:
        return self.sheet.colors.get(key, default)

    def rule(self, key: str, default: float = 0.5) -> float:
        return self.sheet.rules.get(key, default)


def _merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(base.get(k), v) if k in base else v
        return out
    return over


def load_style(path: Path | None) -> Style:
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
    return Style(sheet, dirs)
