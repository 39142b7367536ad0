"""The style sheet's schema and loading: role -> font, size and leading; typesetting settings; house colours.

Reads the house style (`default_style.yaml`) and an issue's style sheet laid over it; produces a validated
`StyleSheet` and the folders its font files are found in, or raises `InvalidInput` with located problems.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import noplugins, yamlsource
from .chars import read_text
from .errors import InvalidInput, Location, Problem
from .files import HOUSE_PREFIX, house_dir, inside
from .fontinfo import FontCache
from .model import PrintSpec
from .problems import _expected, fields_at

DEFAULT = Path(__file__).with_name("default_style.yaml")
FONT_DIR = house_dir("fonts")
ASSETS_DIR = house_dir("assets")
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
MIN_SIZE = 4.0  # points: below this no type is readable in print
MAX_SIZE = 400.0
HEX = re.compile(r"#[0-9a-fA-F]{6}")


_quiet = noplugins.off()  # until the last model is defined: see noplugins


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _hex(v: str) -> str:
    if not HEX.fullmatch(v):
        raise ValueError(f"expected a colour as #rrggbb (six hex digits, such as #b3261e), got {v!r}")
    return v


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
        if self.leading < self.size * 0.75:
            raise ValueError(
                f"leading {self.leading:g} is less than three quarters of the size {self.size:g}: lines would overprint"
            )
        return self


class WordSpace(_M):
    min: float = Field(0.8, gt=0, le=4)
    ideal: float = Field(1.0, gt=0, le=4)
    max: float = Field(1.33, gt=0, le=4)

    @model_validator(mode="after")
    def _order(self) -> WordSpace:
        if not self.min <= self.ideal <= self.max:
            raise ValueError(f"expected min <= ideal <= max, got {self.min:g}, {self.ideal:g}, {self.max:g}")
        return self


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
        lo, hi = v
        if not 0.5 <= lo <= 1.0 <= hi <= 2.0:
            raise ValueError(f"expected [low, high] with 0.5 <= low <= 1 <= high <= 2, got [{lo:g}, {hi:g}]")
        return v


class StyleSheet(_M):
    fonts: dict[str, dict[str, str]]
    grid: float = Field(ge=MIN_SIZE, le=72)
    roles: dict[str, RoleSpec]
    headline_sizes: dict[int, Annotated[float, Field(ge=MIN_SIZE, le=MAX_SIZE)]] = Field(min_length=1)
    text: TextSpec = TextSpec()
    colors: dict[str, str] = Field(default_factory=dict)
    rules: dict[str, float] = Field(default_factory=dict)
    # Faces for characters the main fonts lack, tried in order: file names looked up in the style's
    # folder, fonts/ and the system's font folders (a missing one is skipped; `name.ttc#1` picks a face).
    fallback_fonts: list[str] = Field(default_factory=list)
    # The printing plant's settings shared by every issue in this style; an issue's own `print:` wins key by key.
    print_: PrintSpec | None = Field(None, alias="print")

    @field_validator("colors")
    @classmethod
    def _colors(cls, v: dict[str, str]) -> dict[str, str]:
        for name, c in v.items():
            if not HEX.fullmatch(c):
                raise ValueError(f"colors.{name}: expected #rrggbb (six hex digits, such as #b3261e), got {c!r}")
        return v

    @field_validator("rules")
    @classmethod
    def _rules(cls, v: dict[str, float]) -> dict[str, float]:
        for name, w in v.items():
            if not 0 <= w <= 20:
                raise ValueError(f"rules.{name}: expected a rule weight from 0 to 20 points, got {w:g}")
        return v

    @field_validator("headline_sizes")
    @classmethod
    def _spans(cls, v: dict[int, float]) -> dict[int, float]:
        for span in v:
            if not 1 <= span <= 12:
                raise ValueError(f"headline_sizes: expected column spans from 1 to 12, got {span}")
        return v


noplugins.back(_quiet)


def _merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(base.get(k), v) if k in base else v
        return out
    return over


def read_style_sheet(
    path: Path | None, root: Path | None = None, fonts: FontCache | None = None
) -> tuple[StyleSheet, list[Path]]:
    """The default style sheet, with the issue's own (at `path`) laid over it. Font paths come back
    resolved to absolute files, each inside `root` (the issue folder; by default the sheet's own
    folder), the house fonts/ folder, or the house assets/ folder for `@house/...`. Fonts are
    parsed (to check them) through `fonts`, which keeps the parse between renders."""
    data, _ = yamlsource.load(DEFAULT.read_text(encoding="utf-8"), DEFAULT)
    smap = None
    if path is not None:
        text = read_text(path, yamlsource.MAX_CHARS, "the style sheet")
        over, smap = yamlsource.load(text, path)
        if over is not None and not isinstance(over, dict):
            raise InvalidInput(
                [Problem("a style sheet must be a mapping (fonts:, roles:, text:, ...)", smap.value(()))]
            )
        data = _merge(data, over or {})
    sheet = _validate(data, smap)
    problems = _check_roles(sheet, smap)
    problems += _check_fonts(sheet, smap, path, root or (path.parent if path else None), fonts)
    if problems:
        raise InvalidInput(problems)
    return sheet, [FONT_DIR]


def _at(smap: yamlsource.SourceMap | None, loc: tuple, key: bool = False) -> Location | None:
    if smap is None:
        return None
    return smap.key(loc) if key else smap.value(loc)


def _hint(word: str, choices: list[str] | tuple[str, ...]) -> str:
    import difflib  # for a hint only: a valid issue never needs it

    near = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f"; did you mean '{near[0]}'?" if near else f" (expected one of: {', '.join(choices)})"


def _validate(data: Any, smap: yamlsource.SourceMap | None) -> StyleSheet:
    try:
        return StyleSheet.model_validate(data)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
            name = ".".join(str(p) for p in loc)
            where = _at(smap, loc)
            msg = _expected(err)
            if err["type"] == "extra_forbidden" and smap:
                where = smap.key(loc)
                fields = fields_at(StyleSheet, loc[:-1])
                import difflib  # for a hint only: a valid issue never needs it

                near = difflib.get_close_matches(str(loc[-1]), fields, n=1)
                msg = f"unknown field '{loc[-1]}'" + (f"; did you mean '{near[0]}'?" if near else "")
            problems.append(Problem(f"style {name}: {msg}", where))
        raise InvalidInput(problems) from None


def _check_roles(sheet: StyleSheet, smap: yamlsource.SourceMap | None) -> list[Problem]:
    """Every role present, known, with a known font family and variant and a real colour
    (a palette name under colors: is replaced by its #rrggbb here)."""
    problems = []
    for name in sheet.roles:
        if name not in ROLES:
            problems.append(
                Problem(f"style roles: unknown role '{name}'{_hint(name, ROLES)}", _at(smap, ("roles", name), True))
            )
    for name in ROLES:
        if name not in sheet.roles:
            problems.append(Problem(f"style roles: role '{name}' is missing", _at(smap, ("roles",))))
            continue
        spec = sheet.roles[name]
        if spec.font not in sheet.fonts:
            problems.append(
                Problem(
                    f"style roles.{name}.font: no font family '{spec.font}' under fonts: "
                    f"(families: {', '.join(sheet.fonts)})",
                    _at(smap, ("roles", name, "font")),
                )
            )
        if spec.variant not in VARIANTS:
            msg = f"style roles.{name}.variant: unknown variant '{spec.variant}'{_hint(spec.variant, VARIANTS)}"
            problems.append(Problem(msg, _at(smap, ("roles", name, "variant"))))
        if not HEX.fullmatch(spec.color):
            if spec.color in sheet.colors:
                spec.color = sheet.colors[spec.color]
            else:
                names = f"; palette names: {', '.join(sheet.colors)}" if sheet.colors else ""
                msg = f"style roles.{name}.color: expected #rrggbb or a name under colors:, got {spec.color!r}{names}"
                problems.append(Problem(msg, _at(smap, ("roles", name, "color"))))
    return problems


def _check_fonts(
    sheet: StyleSheet,
    smap: yamlsource.SourceMap | None,
    path: Path | None,
    root: Path | None,
    fonts: FontCache | None = None,
) -> list[Problem]:
    """Every font file exists inside an allowed folder and is readable TrueType; rewritten to its
    absolute path so later layers never look anywhere else."""
    problems = []
    for fam, variants in sheet.fonts.items():
        for var, rel in variants.items():
            loc = ("fonts", fam, var)
            if var not in VARIANTS:
                msg = f"style fonts.{fam}: unknown variant '{var}'{_hint(var, VARIANTS)}"
                problems.append(Problem(msg, _at(smap, loc, True)))
                continue
            found, why = _font_file(rel, path, root)
            if found is None:
                problems.append(Problem(f"style fonts.{fam}.{var}: {why}", _at(smap, loc)))
                continue
            bad = _not_truetype(found, fonts)
            if bad:
                problems.append(Problem(f"style fonts.{fam}.{var}: {rel}: {bad}", _at(smap, loc)))
                continue
            variants[var] = str(found)
    return problems


def _font_file(rel: str, sheet: Path | None, root: Path | None) -> tuple[Path | None, str]:
    """The font file a style sheet names: beside the sheet (inside the issue folder), else in the
    house fonts/ folder; `@house/...` in the house assets/ folder. (path, "") or (None, why)."""
    cands: list[Path | None] = []
    if rel.startswith(HOUSE_PREFIX):
        cands.append(inside(ASSETS_DIR, rel[len(HOUSE_PREFIX) :]))
    else:
        if sheet is not None and root is not None and "\x00" not in rel:
            p = (sheet.parent / rel).resolve()
            cands.append(p if p.is_relative_to(root.resolve()) else None)
        cands.append(inside(FONT_DIR, rel))
    for p in cands:
        if p is not None and p.is_file():
            return p, ""
    if cands[0] is None or all(p is None for p in cands):
        return None, f"path '{rel}' leaves the issue folder and the house fonts/ and assets/ folders"
    return None, f"font file not found: {rel}"


_checked: dict[tuple[Path, int, int], str | None] = {}
_parsed: dict[tuple[Path, int, int], object] = {}  # faces parsed by the check, until FontBook takes them


def parsed_face(p: Path) -> object | None:
    """The ReportLab face (TTFontFace) the check parsed from `p` (resolved), if this version of the
    file was checked in this process; handed over once, so that a font is parsed once a render."""
    try:
        st = p.stat()
    except OSError:
        return None
    return _parsed.pop((p, st.st_mtime_ns, st.st_size), None)


def _not_truetype(p: Path, fonts: FontCache | None = None) -> str | None:
    """Why `p` cannot be used as a TrueType font, or None (parsed once per file version; through
    `fonts`, once per file's bytes across renders)."""
    try:
        p = p.resolve()
        st = p.stat()
        key = (p, st.st_mtime_ns, st.st_size)
        if key not in _checked:
            with p.open("rb") as f:
                magic = f.read(4)
            if magic == b"OTTO":
                _checked[key] = "a CFF (PostScript-outline) font; ReportLab embeds only TrueType .ttf fonts"
            elif magic not in (b"\x00\x01\x00\x00", b"true"):
                _checked[key] = "not a TrueType font file"
            else:
                _parsed[key] = (fonts or FontCache(None)).face(p, p.read_bytes())
                _checked[key] = None
        return _checked[key]
    except Exception as e:  # a corrupt font raises anything from struct.error to KeyError
        return f"not a readable TrueType font ({type(e).__name__}: {e})"
