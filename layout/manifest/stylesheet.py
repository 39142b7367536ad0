"""The style sheet's schema and loading: role -> font, size and leading; typesetting settings; house colours.

Reads the house style (`default_style.yaml`) and an issue's style sheet laid over it; produces a validated
`StyleSheet` and the folders its font files are found in, or raises `InvalidInput` with located problems.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from . import strict, yamlsource
from .chars import read_text
from .errors import InvalidInput, Location, Problem
from .files import HOUSE_PREFIX, file_version, house_dir, inside
from .fontinfo import FontCache, font_key
from .problems import _expected, fields_at
from .stylemodel import HEX, MAX_SIZE, MIN_SIZE, PunctuationSpec, RoleSpec, StyleSheet, TextSpec, WordSpace

__all__ = ["MAX_SIZE", "MIN_SIZE", "PunctuationSpec", "RoleSpec", "StyleSheet", "TextSpec", "WordSpace"]

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
    sheet = strict.style_sheet(data)
    if sheet is not None:
        return sheet
    from pydantic import ValidationError  # only for a sheet the strict check could not prove valid

    from . import styleschema

    try:
        return styleschema.validate(data)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
            name = ".".join(str(p) for p in loc)
            where = _at(smap, loc)
            msg = _expected(err)
            if err["type"] == "extra_forbidden" and smap:
                where = smap.key(loc)
                fields = fields_at(styleschema.StyleSheet, loc[:-1])
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
_digests: dict[tuple[Path, int, int], str] = {}  # font_key of each file version the check read


def font_digest(p: Path) -> str:
    """`font_key` of the font file at `p` (resolved) as it is now: the check's, when it read this
    version (a style's fingerprint would read and hash its dozen font files, 4 MB, once more)."""
    st = p.stat()
    key = (p, st.st_mtime_ns, st.st_size)
    digest = _digests.get(key)
    if digest is None:
        digest = _digests[key] = font_key(p.read_bytes())
    return digest


def parsed_face(p: Path) -> object | None:
    """The parsed face (fontinfo.FontCache.face's) the check made from `p` (resolved), if this version of the
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
            with p.open("rb", buffering=0) as f:
                before = os.fstat(f.fileno())
                magic = f.read(4)  # (a file of another kind is not read at length)
                # Read whole in one piece: magic + the rest took a second copy of every font (5 MiB
                # of new memory, 1,300 page faults, before the body helper can start).
                data = b""
                if magic in (b"\x00\x01\x00\x00", b"true"):
                    f.seek(0)
                    data = f.read()
                after = os.fstat(f.fileno())
            if magic == b"OTTO":
                _checked[key] = "a CFF (PostScript-outline) font; ReportLab embeds only TrueType .ttf fonts"
            elif magic not in (b"\x00\x01\x00\x00", b"true"):
                _checked[key] = "not a TrueType font file"
            else:
                cache = fonts or FontCache(None)
                same = file_version(before) == file_version(after)  # else changing as it was read: hash it
                _digests[key] = cache.digest(p, before, data) if same else font_key(data)
                _parsed[key] = cache.face(p, data, _digests[key])
                _checked[key] = None
        return _checked[key]
    except Exception as e:  # a corrupt font raises anything from struct.error to KeyError
        return f"not a readable TrueType font ({type(e).__name__}: {e})"
