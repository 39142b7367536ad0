"""The strict check: a manifest or style sheet proved valid without pydantic (so a render never imports it).

Reads the plain data `yamlsource` builds (every scalar a string or None; lists; mappings with string
keys); produces the records of `model.py` and `stylemodel.py`, exactly those the pydantic schema
(`schema.py`, `styleschema.py`) would, or None. It accepts only what it can prove valid with
pydantic's very result: numbers written plainly (`12`, `0.5`), `true`/`false`, the shared conversions
(lengths, page sizes, margins, column ranges, dates) and checks, each limit. On any doubt (a spelling
pydantic would coerce, an unknown key, a value out of range, a missing field) it answers None and the
caller asks pydantic, which gives its coercion or today's messages. The tests hold the two equal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from . import model as m
from . import stylemodel as s
from .record import Record, build
from .units import parse_length, parse_page_size

Check = Callable[[Any], Any]
_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")  # ASCII digits, no sign, spaces or leading zeros
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,17})?")


class GiveUp(Exception):
    """Not provably valid: pydantic decides."""


def issue(data: Any) -> m.Issue | None:
    """The manifest's records, or None when only pydantic can say (see the module's docstring)."""
    try:
        return _ISSUE(data)
    except Exception:  # GiveUp, or anything a hostile value provokes: pydantic has the last word
        return None


def style_sheet(data: Any) -> s.StyleSheet | None:
    """The style sheet's records, or None when only pydantic can say."""
    try:
        return _SHEET(data)
    except Exception:
        return None


def _limits(v: Any, lo: Any, hi: Any, gt: Any) -> Any:
    if (lo is not None and not v >= lo) or (hi is not None and not v <= hi) or (gt is not None and not v > gt):
        raise GiveUp
    return v


def integer(lo: int | None = None, hi: int | None = None) -> Check:
    def check(v: Any) -> int:
        if type(v) is not str or not _INT.fullmatch(v):
            raise GiveUp
        return _limits(int(v), lo, hi, None)  # type: ignore[no-any-return]

    return check


def _float(v: Any) -> float:
    if type(v) is not str or not _FLOAT.fullmatch(v) or (v[0] == "-" and not float(v)):
        raise GiveUp  # (and "-0": no negative zero)
    return float(v)


def number(lo: float | None = None, hi: float | None = None, gt: float | None = None) -> Check:
    return lambda v: _limits(_float(v), lo, hi, gt)


def length(lo: float | None = None, hi: float | None = None, gt: float | None = None) -> Check:
    def check(v: Any) -> float:
        if type(v) not in (str, float):  # float: from one margin for all four
            raise GiveUp
        return _limits(parse_length(v), lo, hi, gt)  # type: ignore[no-any-return]

    return check


def boolean(v: Any) -> bool:
    if v == "true" and type(v) is str:
        return True
    if v == "false" and type(v) is str:
        return False
    raise GiveUp


def text(limit: int | None = None) -> Check:
    def check(v: Any) -> str:
        if type(v) is not str or (limit is not None and len(v) > limit):
            raise GiveUp
        return v  # type: ignore[no-any-return]

    return check


def one_of(*choices: Any) -> Check:
    def check(v: Any) -> Any:
        if type(v) is not str or v not in choices:
            raise GiveUp
        return v

    return check


def optional(check: Check) -> Check:
    return lambda v: None if v is None else check(v)


def either(*checks: Check) -> Check:
    """The first check that accepts (each accepts a spelling no other does)."""

    def check(v: Any) -> Any:
        for c in checks:
            try:
                return c(v)
            except GiveUp:
                pass
        raise GiveUp

    return check


def list_of(item: Check, lo: int = 0, hi: int | None = None) -> Check:
    def check(v: Any) -> list:
        if type(v) is not list or len(v) < lo or (hi is not None and len(v) > hi):
            raise GiveUp
        return [item(x) for x in v]

    return check


def dict_of(key: Check, value: Check, lo: int = 0, hi: int | None = None) -> Check:
    def check(v: Any) -> dict:
        if type(v) is not dict or len(v) < lo or (hi is not None and len(v) > hi):
            raise GiveUp
        return {key(k): value(x) for k, x in v.items()}

    return check


def pair(item: Check) -> Check:
    def check(v: Any) -> tuple:
        if type(v) is not list or len(v) != 2:
            raise GiveUp
        return (item(v[0]), item(v[1]))

    return check


def record(cls: type[Record], fields: dict[str, Check], after: Callable[[Any], Any] | None = None) -> Check:
    """A mapping of `cls`'s fields, every one known, every required one given; `after` the model's
    own check. `print` is the manifest's name for `print_` (either is accepted, as by pydantic)."""
    assert set(fields) == set(cls._fields), cls  # a field added to a record is added here too
    required = frozenset(n for n in cls._fields if n not in cls._defaults)

    def check(v: Any) -> Any:
        if type(v) is not dict:
            raise GiveUp
        values = {}
        for k, x in v.items():
            name = "print_" if k == "print" else k
            c = fields.get(name)
            if c is None or name in values or type(k) is not str:
                raise GiveUp
            values[name] = c(x)
        if not required <= values.keys():
            raise GiveUp
        r = build(cls, values)
        if after is not None:
            try:
                after(r)
            except ValueError:
                raise GiveUp from None
        return r

    return check


def _shared(convert: Callable[[Any], Any]) -> Check:
    """A conversion both validations run (its ValueError is pydantic's message: give up)."""

    def check(v: Any) -> Any:
        if type(v) is not str:
            raise GiveUp
        try:
            return convert(v)
        except ValueError:
            raise GiveUp from None

    return check


def _page_size(v: str) -> tuple[float, float]:
    w, h = parse_page_size(v)
    return m.check_size((float(w), float(h)))


def _columns(v: str) -> tuple[int, int]:
    r = m._column_range(v)
    if type(r) is not tuple or len(r) != 2 or not all(type(x) is int for x in r):
        raise GiveUp
    return r


def _margins(v: Any) -> Any:
    if type(v) is str:
        try:
            v = m._margins(v)
        except ValueError:
            raise GiveUp from None
    return _MARGINS(v)


def _date(v: Any) -> Any:
    d = _shared(m.parse_date)(v)
    if type(d) is not m.dt.date:
        raise GiveUp
    return d


_TEXT, _STR, _OPT_TEXT, _OPT_STR = text(m.MAX_TEXT), text(), optional(text(m.MAX_TEXT)), optional(text())
_MARGINS = record(m.Margins, {k: length(lo=0) for k in ("top", "bottom", "inside", "outside")})
_PRINT = record(
    m.PrintSpec,
    {
        "profile": _OPT_STR,
        "output_condition": _OPT_STR,
        "ink_limit": number(lo=100, hi=400),
        "ppi_warn": number(gt=0),
        "ppi_error": number(gt=0),
        "bleed": length(lo=0, hi=m.MAX_BLEED),
        "crop_marks": boolean,
        "slug": boolean,
        "target": one_of("x1a", "x4"),
        "file_name": _STR,
    },
)
_PAGE = record(
    m.PageSpec,
    {"size": _shared(_page_size), "margins": _margins, "columns": integer(1, 12), "gutter": length(lo=0)},
)
_STORY = record(
    m.StoryRef,
    {
        "article": _OPT_STR,
        "continued": _OPT_STR,
        "columns": optional(_shared(_columns)),
        "height": optional(length(gt=0)),
    },
    after=lambda r: m.check_one_story(r.article, r.continued),
)
_PAGEDEF = record(
    m.PageDef,
    {"section": _TEXT, "masthead": boolean, "banner": _OPT_TEXT, "stories": list_of(_STORY, hi=m.MAX_STORIES_PER_PAGE)},
)
_PHOTO = record(
    m.Photo,
    {
        "file": _STR,
        "caption": _TEXT,
        "credit": _OPT_TEXT,
        "columns": integer(1, 12),
        "placement": one_of("top", "inline"),
    },
)
_QUOTE = record(m.PullQuote, {"text": _TEXT, "attribution": _OPT_TEXT, "columns": integer(1, 2)})
_ARTICLE = record(
    m.Article,
    {
        **dict.fromkeys(("headline",), _TEXT),
        **dict.fromkeys(("kicker", "deck", "byline", "source", "bio"), _OPT_TEXT),
        "body": _STR,
        "photos": list_of(_PHOTO, hi=m.MAX_PHOTOS),
        "pull_quotes": list_of(_QUOTE, hi=m.MAX_PULL_QUOTES),
        "continued_on": optional(integer(1, m.MAX_PAGES)),
        "language": _OPT_STR,
        "drop_cap": optional(boolean),
    },
)
_ISSUE = record(
    m.Issue,
    {
        "publication": _TEXT,
        "date": _date,
        "number": integer(0, 10**9),
        "volume": optional(integer(0, 10**6)),
        "edition": _OPT_TEXT,
        "language": _STR,
        "page": _PAGE,
        "style": _OPT_STR,
        "pages": list_of(_PAGEDEF, lo=1, hi=m.MAX_PAGES),
        "articles": dict_of(_STR, _ARTICLE, hi=m.MAX_ARTICLES),
        "print_": optional(_PRINT),
    },
)

_SIZE = number(lo=s.MIN_SIZE, hi=s.MAX_SIZE)
_ROLE = record(
    s.RoleSpec,
    {
        "font": _STR,
        "variant": _STR,
        "size": _SIZE,
        "leading": number(lo=s.MIN_SIZE, hi=500),
        "align": one_of("left", "right", "center", "justify"),
        "upper": boolean,
        "color": _STR,
    },
    after=lambda r: s.check_leading(r.size, r.leading),
)
_WORD = number(gt=0, hi=4)
_TEXTSPEC = record(
    s.TextSpec,
    {
        "justify": boolean,
        "word_space": record(
            s.WordSpace,
            {"min": _WORD, "ideal": _WORD, "max": _WORD},
            after=lambda r: s.check_order(r.min, r.ideal, r.max),
        ),
        "letter_spacing": number(lo=0, hi=0.03),
        "glyph_scaling": pair(_float),
        "hyphenate": boolean,
        "hyphen_min_word": integer(2, 100),
        "hyphen_min_left": integer(1, 20),
        "hyphen_min_right": integer(1, 20),
        "hyphenate_capitalized": either(boolean, one_of("fallback")),
        "hyphen_limit": integer(1, 100),
        "indent": number(lo=0, hi=4),
        "optical_margins": boolean,
        "drop_cap": boolean,
        "drop_cap_lines": integer(2, 4),
        "widows": integer(1, 4),
        "orphans": integer(1, 4),
        "punctuation": record(
            s.PunctuationSpec, dict.fromkeys(("quotes", "dashes", "ellipsis", "number_ranges"), boolean)
        ),
    },
    after=lambda r: s.check_scaling(r.glyph_scaling),
)
_SHEET = record(
    s.StyleSheet,
    {
        "fonts": dict_of(_STR, dict_of(_STR, _STR)),
        "grid": number(lo=s.MIN_SIZE, hi=72),
        "roles": dict_of(_STR, _ROLE),
        "headline_sizes": dict_of(integer(), _SIZE, lo=1),
        "text": _TEXTSPEC,
        "colors": dict_of(_STR, _STR),
        "rules": dict_of(_STR, number()),
        "fallback_fonts": list_of(_STR),
        "print_": optional(_PRINT),
    },
    after=lambda r: (s.check_colors(r.colors), s.check_rules(r.rules), s.check_spans(r.headline_sizes)),
)
