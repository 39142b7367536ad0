"""The manifest's validated values: plain records of the issue, its pages, stories and articles.

Reads nothing; produces the record classes every later phase reads (`Issue`, `PageDef`, `StoryRef`,
`Article`, `Photo`, `PullQuote`, `PrintSpec`, ...), the entry limits, and the checks and conversions
both validations share: the strict one (`strict.py`, no pydantic, for a valid manifest) and the
pydantic schema (`schema.py`, which reports what is wrong). The field names are a contract with the
newsroom: extend, never rename or drop; a field added here is added to `schema.py` and `strict.py` too.
"""

from __future__ import annotations

import datetime as dt
import re

from .record import Make, Record
from .units import MM, parse_length, parse_page_size

# Entry limits: far beyond any newspaper, far below what would hang a render.
MAX_PAGES = 500
MAX_STORIES_PER_PAGE = 100
MAX_ARTICLES = 2000
MAX_PHOTOS = 50
MAX_PULL_QUOTES = 20
MAX_TEXT = 2000  # characters in a one-line field (headline, caption, ...)
MIN_PAGE, MAX_PAGE = 72.0, 14400.0  # 1 inch; the largest page a PDF may have (200 inches)
MAX_BLEED = parse_length("20mm")


class Margins(Record):
    top: float = parse_length("14mm")
    bottom: float = parse_length("16mm")
    inside: float = parse_length("13mm")
    outside: float = parse_length("11mm")


class PageSpec(Record):
    size: tuple[float, float] = parse_page_size("tabloid")
    margins: Margins = Make(Margins)  # type: ignore[assignment]
    columns: int = 5
    gutter: float = parse_length("4mm")


class StoryRef(Record):
    """A story's place on a page: an article, or (`continued:`) the jump of one that starts earlier."""

    article: str | None = None
    continued: str | None = None  # the article whose overset copy is set here (its continued_on is this page)
    columns: tuple[int, int] | None = None  # default: all columns of the page
    height: float | None = None

    @property
    def aid(self) -> str:
        """The article this entry sets (its start, or its continuation)."""
        return self.article if self.article is not None else str(self.continued)


class PageDef(Record):
    section: str = ""
    masthead: bool = False
    banner: str | None = None
    stories: list[StoryRef] = Make(list)  # type: ignore[assignment]


class Photo(Record):
    file: str
    caption: str = ""
    credit: str | None = None
    columns: int = 2
    placement: str = "top"  # top | inline


class PullQuote(Record):
    text: str
    attribution: str | None = None
    columns: int = 1


class Article(Record):
    headline: str
    kicker: str | None = None
    deck: str | None = None
    byline: str | None = None
    body: str
    photos: list[Photo] = Make(list)  # type: ignore[assignment]
    pull_quotes: list[PullQuote] = Make(list)  # type: ignore[assignment]
    continued_on: int | None = None
    source: str | None = None
    bio: str | None = None
    language: str | None = None
    drop_cap: bool | None = None  # default from the style sheet


class PrintSpec(Record):
    """The printing plant's requirements for the print rendition (`issue render --print`)."""

    profile: str | None = None  # the plant's CMYK output profile: a path from the issue folder, or a vendored name
    output_condition: str | None = None  # its identifier, e.g. FOGRA39 (default: the profile's description)
    ink_limit: float = 240  # total area coverage, per cent (the default stays an int, as pydantic left it)
    ppi_warn: float = 170  # effective resolution below which a photo is a warning
    ppi_error: float = 120  # ... and below which it is an error
    bleed: float = 0.0
    crop_marks: bool = True
    slug: bool = True
    target: str = "x1a"  # x1a | x4
    file_name: str = "<publication>-<yyyymmdd>-<edition>-p<NN>.pdf"


class Issue(Record):
    publication: str
    date: dt.date
    number: int
    volume: int | None = None
    edition: str | None = None
    language: str = "en-US"
    page: PageSpec = Make(PageSpec)  # type: ignore[assignment]
    style: str | None = None
    pages: list[PageDef]
    articles: dict[str, Article] = Make(dict)  # type: ignore[assignment]
    print_: PrintSpec | None = None  # `print:` in the manifest ("print" shadows a builtin in Python)


# The conversions and checks both validations apply (their messages are the manifest's errors).


def _margins(v: object) -> object:
    """One length for all four margins, or the mapping as it is."""
    if isinstance(v, str | int | float) and not isinstance(v, bool):
        n = parse_length(v)
        return {"top": n, "bottom": n, "inside": n, "outside": n}
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


def check_size(v: tuple[float, float]) -> tuple[float, float]:
    for side, n in zip(("width", "height"), v, strict=True):
        if not MIN_PAGE <= n <= MAX_PAGE:
            raise ValueError(
                f"page {side} {n / MM:.0f}mm is outside {MIN_PAGE / MM:.0f}mm to {MAX_PAGE / MM:.0f}mm "
                "(the largest page a PDF may have)"
            )
    return v


def check_one_story(article: str | None, continued: str | None) -> None:
    if (article is None) == (continued is None):
        raise ValueError("expected either article: (a story) or continued: (the jump of a story from an earlier page)")


def parse_date(v: object) -> object:
    """A YYYY-MM-DD text as a date (anything else as it is, for the schema to refuse)."""
    if isinstance(v, str):
        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", v.strip())
        if not m:
            raise ValueError(f"expected a date as YYYY-MM-DD, got {v!r}")
        y, mo, d = map(int, m.groups())
        if 1900 <= y <= 2999 and 1 <= mo <= 12:
            try:
                return dt.date(y, mo, d)
            except ValueError:
                pass  # the day is outside the month: said below
        raise ValueError(f"expected a real date as YYYY-MM-DD, got {v!r}: {_wrong_date_part(y, mo, d)}")
    return v


def _wrong_date_part(y: int, m: int, d: int) -> str | None:
    """Which part of a YYYY-MM-DD date is out of range, in words."""
    import calendar  # for the message only (it imports locale)

    if not 1900 <= y <= 2999:
        return f"year {y} is outside 1900-2999"
    if not 1 <= m <= 12:
        return f"month {m:02d} is not 01-12"
    last = calendar.monthrange(y, m)[1]
    if not 1 <= d <= last:
        return f"day {d:02d} is not 01-{last} ({calendar.month_name[m]} {y} has {last} days)"
    return None
