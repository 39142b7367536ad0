"""The issue manifest: schema, loading and every check that names a manifest line.

The field names of the manifest are a contract with the newsroom: extend, never rename.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import pyphen
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from . import yamlsource
from .errors import InvalidInput, Problem
from .units import parse_length, parse_page_size

Length = Annotated[float, BeforeValidator(parse_length)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


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
    article: str
    columns: ColumnRange | None = None  # default: all columns of the page
    height: Length | None = Field(None, gt=0)


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

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: object) -> object:
        if isinstance(v, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v.strip()):
            raise ValueError(f"expected a date as YYYY-MM-DD, got {v!r}")
        return v


class LoadedIssue:
    """A validated manifest with its folder, article bodies and source positions."""

    def __init__(
        self,
        issue: Issue,
        folder: Path,
        manifest: Path,
        smap: yamlsource.SourceMap,
        bodies: dict[str, str],
        body_files: dict[str, Path | None],
    ):
        self.issue = issue
        self.folder = folder
        self.manifest = manifest
        self.smap = smap
        self.bodies = bodies  # article id -> Markdown text
        self.body_files = body_files  # article id -> Markdown file (None when inline)


def resolve_manifest(path: Path) -> Path:
    if path.is_dir():
        return path / "issue.yaml"
    return path


def hyphen_language(lang: str) -> str | None:
    """The pyphen dictionary for a language tag such as en-US, or None if there is none."""
    tag = lang.replace("-", "_")
    for cand in (tag, tag.split("_")[0]):
        if cand in pyphen.LANGUAGES:
            return cand
    return None


def _expected(err: dict[str, Any]) -> str:
    t = err["type"]
    msg = err["msg"]
    if t == "missing":
        return "is required"
    if t in ("int_parsing", "int_type"):
        return f"expected a whole number, got {err.get('input')!r}"
    if t in ("bool_parsing", "bool_type"):
        return f"expected true or false, got {err.get('input')!r}"
    if t in ("string_type",):
        return f"expected text, got {type(err.get('input')).__name__}"
    if t in ("list_type",):
        return "expected a list (lines starting with '- ')"
    if t in ("dict_type", "model_type", "model_attributes_type"):
        return "expected a mapping of fields (key: value lines)"
    if t == "literal_error":
        return f"{msg.lower()}, got {err.get('input')!r}"
    if t == "value_error":
        return msg.removeprefix("Value error, ")
    if t in ("greater_than_equal", "less_than_equal", "greater_than", "too_short"):
        return f"{msg.lower()}, got {err.get('input')!r}"
    if t.startswith("date"):
        return f"expected a date as YYYY-MM-DD, got {err.get('input')!r}"
    return msg


def fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names valid at `loc` (the mapping that holds the bad key)."""
    from typing import get_origin

    cur: Any = model
    in_dict = False
    for part in loc:
        if isinstance(part, int):
            continue
        if in_dict:  # a key of a dict such as articles: the id, not a field
            in_dict = False
            continue
        if not (isinstance(cur, type) and issubclass(cur, BaseModel)):
            return []
        f = cur.model_fields.get(str(part))
        if f is None:
            return []
        in_dict = get_origin(f.annotation) is dict
        cur = _inner_model(f.annotation)
    if isinstance(cur, type) and issubclass(cur, BaseModel):
        return list(cur.model_fields)
    return []


def _inner_model(ann: Any) -> Any:
    from typing import get_args, get_origin

    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    origin = get_origin(ann)
    args = get_args(ann)
    if origin is dict:
        return _inner_model(args[1])
    for a in args:
        m = _inner_model(a)
        if m is not None:
            return m
    return None


def path_name(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _pydantic_problems(e: ValidationError, smap: yamlsource.SourceMap) -> list[Problem]:
    problems = []
    for err in e.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        # pydantic adds a function name to loc for some validators; drop non-path parts
        loc = tuple(p for p in loc if p not in ("function-before[_margins(), Margins]",))
        name = path_name(loc)
        if err["type"] == "extra_forbidden":
            key = str(loc[-1])
            fields = fields_at(Issue, loc[:-1])
            near = difflib.get_close_matches(key, fields, n=1, cutoff=0.6)
            hint = (
                f"; did you mean '{near[0]}'?"
                if near
                else (f"; expected one of: {', '.join(fields)}" if fields else "")
            )
            problems.append(
                Problem(f"unknown field '{key}' in {path_name(loc[:-1]) or 'the manifest'}{hint}", smap.key(loc))
            )
        elif err["type"] == "missing":
            parent = path_name(loc[:-1]) or "the manifest"
            problems.append(Problem(f"{parent}: field '{loc[-1]}' is required", smap.key(loc[:-1])))
        else:
            problems.append(Problem(f"{name}: {_expected(err)}", smap.value(loc)))
    return problems


def _inside(folder: Path, rel: str) -> Path | None:
    p = (folder / rel).resolve()
    try:
        p.relative_to(folder.resolve())
    except ValueError:
        return None
    return p


def _looks_like_path(body: str) -> bool:
    """One token naming a file (a Markdown name, or anything with a slash) is a path;
    anything else is the body text itself."""
    s = body.strip()
    return "\n" not in s and " " not in s and (bool(re.search(r"\.(md|markdown|txt)$", s)) or "/" in s)


def load_issue(path: Path) -> LoadedIssue:
    """Read and validate an issue folder (or its issue.yaml); raise InvalidInput with every problem."""
    manifest = resolve_manifest(path)
    if not manifest.exists():
        raise InvalidInput(
            [Problem(f"{manifest}: no such issue manifest (expected an issue folder or its issue.yaml)")]
        )
    folder = manifest.parent
    try:
        text = manifest.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InvalidInput([Problem(f"{manifest}: cannot read: {e}")]) from None
    data, smap = yamlsource.load(text, manifest)
    if not isinstance(data, dict):
        raise InvalidInput(
            [Problem("the manifest must be a mapping of fields (publication:, date:, pages:, ...)", smap.value(()))]
        )
    try:
        issue = Issue.model_validate(data)
    except ValidationError as e:
        raise InvalidInput(_pydantic_problems(e, smap)) from None
    problems: list[Problem] = []
    bodies: dict[str, str] = {}
    body_files: dict[str, Path | None] = {}
    ncols = issue.page.columns
    m = issue.page.margins
    w, h = issue.page.size
    if m.inside + m.outside + (ncols - 1) * issue.page.gutter >= w * 0.9 or m.top + m.bottom >= h * 0.8:
        problems.append(Problem("page: margins and gutters leave no room for text", smap.value(("page",))))
    for lang_path, lang in [(("language",), issue.language)] + [
        (("articles", k, "language"), a.language) for k, a in issue.articles.items() if a.language
    ]:
        if hyphen_language(lang) is None:
            near = difflib.get_close_matches(lang.replace("-", "_"), list(pyphen.LANGUAGES), n=1)
            hint = f"; did you mean '{near[0].replace('_', '-')}'?" if near else ""
            problems.append(Problem(f"{path_name(lang_path)}: unknown language '{lang}'{hint}", smap.value(lang_path)))
    placed: dict[str, tuple] = {}
    page_of: dict[str, int] = {}
    for pi, page in enumerate(issue.pages):
        for si, st in enumerate(page.stories):
            loc = ("pages", pi, "stories", si)
            if st.article not in issue.articles:
                near = difflib.get_close_matches(st.article, list(issue.articles), n=1)
                hint = (
                    f"; did you mean '{near[0]}'?"
                    if near
                    else (f"; articles defined: {', '.join(issue.articles) or 'none'}")
                )
                problems.append(
                    Problem(
                        f"{path_name((*loc, 'article'))}: no article '{st.article}' under articles:{hint}",
                        smap.value((*loc, "article")),
                    )
                )
            elif st.article in placed:
                first = smap.value(placed[st.article])
                problems.append(
                    Problem(
                        f"article '{st.article}' is placed twice (first at line {first.line}); "
                        "use continued_on: for a jump",
                        smap.value((*loc, "article")),
                    )
                )
            else:
                placed[st.article] = (*loc, "article")
                page_of[st.article] = pi + 1
            if st.columns and st.columns[1] > ncols:
                problems.append(
                    Problem(
                        f"{path_name((*loc, 'columns'))}: column range {st.columns[0]}-{st.columns[1]} "
                        f"is outside the page's {ncols} columns",
                        smap.value((*loc, "columns")),
                    )
                )
    for aid, art in issue.articles.items():
        base = ("articles", aid)
        if _looks_like_path(art.body):
            p = _inside(folder, art.body.strip())
            if p is None:
                problems.append(
                    Problem(
                        f"articles.{aid}.body: path '{art.body}' leaves the issue folder", smap.value((*base, "body"))
                    )
                )
            elif not p.is_file():
                problems.append(
                    Problem(f"articles.{aid}.body: file not found: {art.body}", smap.value((*base, "body")))
                )
            else:
                try:
                    bodies[aid] = p.read_text(encoding="utf-8")
                    body_files[aid] = p
                except (OSError, UnicodeDecodeError) as e:
                    problems.append(
                        Problem(
                            f"articles.{aid}.body: cannot read {art.body} as UTF-8 text: {e}",
                            smap.value((*base, "body")),
                        )
                    )
        else:
            bodies[aid] = art.body
            body_files[aid] = None
        if aid in bodies and not bodies[aid].strip():
            problems.append(Problem(f"articles.{aid}.body: the article body is empty", smap.value((*base, "body"))))
        for i, ph in enumerate(art.photos):
            if ph.columns > ncols:
                problems.append(
                    Problem(
                        f"articles.{aid}.photos[{i}].columns: {ph.columns} is wider than the page's {ncols} columns",
                        smap.value((*base, "photos", i, "columns")),
                    )
                )
            ploc = (*base, "photos", i, "file")
            p = _inside(folder, ph.file)
            if p is None:
                problems.append(
                    Problem(
                        f"articles.{aid}.photos[{i}].file: path '{ph.file}' leaves the issue folder", smap.value(ploc)
                    )
                )
            elif not p.is_file():
                problems.append(
                    Problem(f"articles.{aid}.photos[{i}].file: file not found: {ph.file}", smap.value(ploc))
                )
            else:
                from PIL import Image, UnidentifiedImageError

                try:
                    with Image.open(p) as im:
                        im.verify()
                    with Image.open(p) as im:
                        im.load()  # verify() does not decode: a truncated JPEG gets past it
                except (UnidentifiedImageError, OSError) as e:
                    problems.append(
                        Problem(
                            f"articles.{aid}.photos[{i}].file: not a readable image: {ph.file} ({e})", smap.value(ploc)
                        )
                    )
        if art.continued_on is not None and aid in page_of:
            cloc = (*base, "continued_on")
            if art.continued_on > len(issue.pages):
                problems.append(
                    Problem(
                        f"articles.{aid}.continued_on: page {art.continued_on} does not exist "
                        f"(the issue has {len(issue.pages)} pages)",
                        smap.value(cloc),
                    )
                )
            elif art.continued_on <= page_of[aid]:
                problems.append(
                    Problem(
                        f"articles.{aid}.continued_on: expected a page after page {page_of[aid]} "
                        f"where the story starts, got {art.continued_on}",
                        smap.value(cloc),
                    )
                )
    if issue.style:
        p = _inside(folder, issue.style)
        if p is None:
            problems.append(Problem(f"style: path '{issue.style}' leaves the issue folder", smap.value(("style",))))
        elif not p.is_file():
            problems.append(Problem(f"style: file not found: {issue.style}", smap.value(("style",))))
    if problems:
        raise InvalidInput(problems)
    return LoadedIssue(issue, folder, manifest, smap, bodies, body_files)
