"""Loading an issue: the manifest read with positions, validated, and checked against the files beside it.

Reads an issue folder (or its issue.yaml); produces a `LoadedIssue` (the validated model, article
bodies and the source map) or raises `InvalidInput` with every problem located at its manifest line.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pyphen

from . import strict, yamlsource
from .chars import char_problems, read_text, take_breaks
from .errors import InvalidInput, Problem
from .files import resolve_ref
from .images import unreadable_image
from .model import Article, Issue
from .problems import path_name, pydantic_problems
from .reads import KeptReads

MAX_BODY_BYTES = 1_000_000  # an article of ~150,000 words: far beyond any story
MAX_TOTAL_BODY_CHARS = 6_000_000  # a 400-page issue at 2,000 words a page is about 5,000,000
REGION_SLIPS = {"UK": "GB"}  # a region code people write that ISO 3166 spells otherwise
# ISO 3166-1 alpha-2 regions: a language tag's region must be one of these.
REGIONS = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT
    BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER
    ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID
    IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV
    LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR
    NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC
    VE VG VI VN VU WF WS YE YT ZA ZM ZW""".split()
)


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
        photo_files: dict[str, list[Path]] | None = None,
        style_file: Path | None = None,
    ):
        self.issue = issue
        self.folder = folder
        self.manifest = manifest
        self.smap = smap
        self.bodies = bodies  # article id -> Markdown text
        self.body_files = body_files  # article id -> Markdown file (None when inline)
        self.photo_files = photo_files or {}  # article id -> its photos' files, resolved
        self.style_file = style_file  # the style sheet, resolved (None: the house style alone)

    def inputs(self) -> list[Path]:
        """Every file the issue is made from (an output must never be one of them)."""
        files = [self.manifest, *(p for p in self.body_files.values() if p)]
        files += [p for ps in self.photo_files.values() for p in ps]
        return files + ([self.style_file] if self.style_file else [])


def resolve_manifest(path: Path) -> Path:
    if path.is_dir():
        return path / "issue.yaml"
    return path


def hyphen_language(lang: str) -> str | None:
    """The pyphen dictionary for a language tag such as en-US, or None if there is none. A tag with
    a region pyphen lacks (fr-CA) takes the language's dictionary, but only for a real region: en-UK
    is a mistake for en-GB, not English."""
    tag = lang.strip().replace("-", "_")
    if tag in pyphen.LANGUAGES:
        return tag
    parts = tag.split("_")
    if len(parts) == 2 and parts[0] in pyphen.LANGUAGES and parts[1] in REGIONS:
        return parts[0]
    return None


def _inside(folder: Path, rel: str) -> Path | None:
    """A path from the manifest: inside the issue folder, or `@house/...` inside the house assets."""
    return resolve_ref(folder, rel)


def _looks_like_path(body: str) -> bool:
    """One token naming a file (a Markdown name, or anything with a slash) is a path;
    anything else is the body text itself."""
    s = body.strip()
    return "\n" not in s and " " not in s and (bool(re.search(r"\.(md|markdown|txt)$", s)) or "/" in s)


def load_issue(path: Path, reads: KeptReads | None = None) -> LoadedIssue:
    """Read and validate an issue folder (or its issue.yaml); raise InvalidInput with every problem. `reads`
    (a session's) keeps the manifest parsed and bodies read while unchanged; the checks around them run."""
    manifest, issue, smap = _read_manifest(path, reads)
    folder = manifest.parent
    problems: list[Problem] = []
    problems += _check_page(issue, smap)
    problems += _check_languages(issue, smap)
    page_of, placement_problems = _check_placements(issue, smap)
    problems += placement_problems
    bodies: dict[str, str] = {}
    body_files: dict[str, Path | None] = {}
    photo_files: dict[str, list[Path]] = {}
    for aid, art in issue.articles.items():
        problems += _read_body(folder, aid, art, smap, bodies, body_files, reads)
        photo_files[aid] = [p for p in (_inside(folder, ph.file) for ph in art.photos) if p]
        problems += _check_photos(folder, issue, aid, art, smap)
        problems += _check_jump(issue, aid, art, page_of, smap)
    problems += _check_style_path(folder, issue, smap)
    total = sum(len(b) for b in bodies.values())
    if total > MAX_TOTAL_BODY_CHARS:
        limit = MAX_TOTAL_BODY_CHARS
        msg = f"articles: the bodies hold {total:,} characters together; the limit for an issue is {limit:,}"
        problems.append(Problem(msg, smap.key(("articles",))))
    if problems:
        raise InvalidInput(problems)
    style_file = _inside(folder, issue.style) if issue.style else None
    if reads is not None:
        reads.done()
    return LoadedIssue(issue, folder, manifest, smap, bodies, body_files, photo_files, style_file)


def _read_manifest(path: Path, reads: KeptReads | None = None) -> tuple[Path, Issue, yamlsource.SourceMap]:
    manifest = resolve_manifest(path)
    if not manifest.exists():
        raise InvalidInput(
            [Problem(f"{manifest}: no such issue manifest (expected an issue folder or its issue.yaml)")]
        )
    try:  # PDFs, proofs and archives record the issue's path as text
        str(manifest.resolve()).encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(manifest).decode("utf-8", "backslashreplace")
        raise InvalidInput([Problem(f"{shown}: the issue's path is not valid UTF-8; rename the folder")]) from None
    made = reads.get("manifest", manifest, lambda: _parse_manifest(manifest)) if reads else _parse_manifest(manifest)
    return (manifest, *made)


def _parse_manifest(manifest: Path) -> tuple[Issue, yamlsource.SourceMap]:
    text = read_text(manifest, yamlsource.MAX_CHARS, "the manifest")
    data, smap = yamlsource.load(text, manifest)
    if not isinstance(data, dict):
        raise InvalidInput(
            [Problem("the manifest must be a mapping of fields (publication:, date:, pages:, ...)", smap.value(()))]
        )
    issue = strict.issue(data)
    if issue is None:  # not provably valid: pydantic's coercions, or its account of what is wrong
        from pydantic import ValidationError

        from . import schema

        try:
            issue = schema.validate(data)
        except ValidationError as e:
            raise InvalidInput(pydantic_problems(e, smap, schema.Issue)) from None
    return issue, smap


def _check_page(issue: Issue, smap: yamlsource.SourceMap) -> list[Problem]:
    m = issue.page.margins
    w, h = issue.page.size
    if m.inside + m.outside + (issue.page.columns - 1) * issue.page.gutter >= w * 0.9 or m.top + m.bottom >= h * 0.8:
        return [Problem("page: margins and gutters leave no room for text", smap.value(("page",)))]
    return []


def _check_languages(issue: Issue, smap: yamlsource.SourceMap) -> list[Problem]:
    problems = []
    for lang_path, lang in [(("language",), issue.language)] + [
        (("articles", k, "language"), a.language) for k, a in issue.articles.items() if a.language
    ]:
        if hyphen_language(lang) is None:
            tag = lang.replace("-", "_")
            base, _, region = tag.partition("_")
            fixed = f"{base}_{REGION_SLIPS.get(region.upper(), region)}"
            same = [k for k in pyphen.LANGUAGES if k.split("_")[0] == base and "_" in k]
            near = [fixed] if fixed in pyphen.LANGUAGES else []
            import difflib  # for a hint only: a valid issue never needs it

            near = near or difflib.get_close_matches(tag, same or list(pyphen.LANGUAGES), n=1, cutoff=0.4)
            hint = f"; did you mean '{near[0].replace('_', '-')}'?" if near else ""
            problems.append(Problem(f"{path_name(lang_path)}: unknown language '{lang}'{hint}", smap.value(lang_path)))
    return problems


def _check_placements(issue: Issue, smap: yamlsource.SourceMap) -> tuple[dict[str, int], list[Problem]]:
    """Every placed story names a defined article, once, within the page's columns; every
    `continued:` entry names a story that jumps to that page. Returns the page each article starts on."""
    problems = []
    ncols = issue.page.columns
    placed: dict[str, tuple] = {}
    page_of: dict[str, int] = {}
    for pi, page in enumerate(issue.pages):
        for si, st in enumerate(page.stories):
            loc = ("pages", pi, "stories", si)
            if st.article is not None:
                problems += _check_article_ref(issue, smap, st.article, loc, placed, page_of, pi)
            if st.columns and st.columns[1] > ncols:
                problems.append(
                    Problem(
                        f"{path_name((*loc, 'columns'))}: column range {st.columns[0]}-{st.columns[1]} "
                        f"is outside the page's {ncols} columns",
                        smap.value((*loc, "columns")),
                    )
                )
    problems += _check_continued_refs(issue, smap, page_of)
    return page_of, problems


def _unknown_article(issue: Issue, smap: yamlsource.SourceMap, aid: str, loc: tuple) -> Problem:
    import difflib  # for a hint only: a valid issue never needs it

    near = difflib.get_close_matches(aid, list(issue.articles), n=1)
    hint = f"; did you mean '{near[0]}'?" if near else (f"; articles defined: {', '.join(issue.articles) or 'none'}")
    return Problem(f"{path_name(loc)}: no article '{aid}' under articles:{hint}", smap.value(loc))


def _check_article_ref(
    issue: Issue,
    smap: yamlsource.SourceMap,
    aid: str,
    loc: tuple,
    placed: dict[str, tuple],
    page_of: dict[str, int],
    pi: int,
) -> list[Problem]:
    if aid not in issue.articles:
        return [_unknown_article(issue, smap, aid, (*loc, "article"))]
    if aid in placed:
        first = smap.value(placed[aid])
        return [
            Problem(
                f"article '{aid}' is placed twice (first at line {first.line}); "
                "use continued_on: and a continued: entry for a jump",
                smap.value((*loc, "article")),
            )
        ]
    placed[aid] = (*loc, "article")
    page_of[aid] = pi + 1
    return []


def _check_continued_refs(issue: Issue, smap: yamlsource.SourceMap, page_of: dict[str, int]) -> list[Problem]:
    """A `continued: X` entry on page N: X is defined, starts on an earlier page, jumps to N, once."""
    problems = []
    seen: dict[str, int] = {}
    for pi, page in enumerate(issue.pages):
        for si, st in enumerate(page.stories):
            if st.continued is None:
                continue
            aid = st.continued
            loc = ("pages", pi, "stories", si, "continued")
            where = smap.value(loc)
            art = issue.articles.get(aid)
            if art is None:
                problems.append(_unknown_article(issue, smap, aid, loc))
            elif aid not in page_of:
                problems.append(Problem(f"{path_name(loc)}: article '{aid}' is continued but never placed", where))
            elif page_of[aid] >= pi + 1:
                problems.append(
                    Problem(
                        f"{path_name(loc)}: the continuation of '{aid}' must be on a page after page "
                        f"{page_of[aid]}, where the story starts",
                        where,
                    )
                )
            elif art.continued_on != pi + 1:
                got = f"continued_on: {art.continued_on}" if art.continued_on else "no continued_on:"
                problems.append(
                    Problem(
                        f"{path_name(loc)}: article '{aid}' does not jump to page {pi + 1} "
                        f"(it has {got}; set continued_on: {pi + 1} under articles.{aid})",
                        where,
                    )
                )
            elif aid in seen:
                problems.append(
                    Problem(f"{path_name(loc)}: the continuation of '{aid}' is placed twice on page {pi + 1}", where)
                )
            seen[aid] = pi + 1
    return problems


def _read_body(
    folder: Path,
    aid: str,
    art: Article,
    smap: yamlsource.SourceMap,
    bodies: dict[str, str],
    body_files: dict[str, Path | None],
    reads: KeptReads | None = None,
) -> list[Problem]:
    """The article's Markdown, from its file or inline; fills `bodies` and `body_files`."""
    problems = []
    where = smap.value(("articles", aid, "body"))
    if _looks_like_path(art.body):
        p = _inside(folder, art.body.strip())
        if p is None:
            problems.append(Problem(f"articles.{aid}.body: path '{art.body}' leaves the issue folder", where))
        elif not p.is_file():
            why = "not a regular file" if p.exists() else "file not found"
            problems.append(Problem(f"articles.{aid}.body: {why}: {art.body}", where))
        else:

            def read() -> str:
                text = read_text(p, MAX_BODY_BYTES, f"articles.{aid}.body", where, art.body.strip())
                bad = char_problems(text, p, f"articles.{aid}.body", where, art.body.strip())
                if bad:
                    raise InvalidInput(bad)
                return take_breaks(text)

            try:
                bodies[aid] = read() if reads is None else reads.get("body", p, read)
            except InvalidInput as e:
                return e.problems
            body_files[aid] = p
    else:
        bodies[aid] = take_breaks(art.body)
        body_files[aid] = None
    if aid in bodies and not bodies[aid].strip():
        problems.append(Problem(f"articles.{aid}.body: the article body is empty", where))
    return problems


def _check_photos(folder: Path, issue: Issue, aid: str, art: Article, smap: yamlsource.SourceMap) -> list[Problem]:
    problems = []
    ncols = issue.page.columns
    base = ("articles", aid)
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
                Problem(f"articles.{aid}.photos[{i}].file: path '{ph.file}' leaves the issue folder", smap.value(ploc))
            )
        elif not p.is_file():
            why = "not a regular file" if p.exists() else "file not found"
            problems.append(Problem(f"articles.{aid}.photos[{i}].file: {why}: {ph.file}", smap.value(ploc)))
        else:
            err = unreadable_image(p)
            if err:
                problems.append(
                    Problem(
                        f"articles.{aid}.photos[{i}].file: not a readable image: {ph.file} ({err})", smap.value(ploc)
                    )
                )
    return problems


def _check_jump(
    issue: Issue, aid: str, art: Article, page_of: dict[str, int], smap: yamlsource.SourceMap
) -> list[Problem]:
    if art.continued_on is None or aid not in page_of:
        return []
    cloc = ("articles", aid, "continued_on")
    if art.continued_on > len(issue.pages):
        return [
            Problem(
                f"articles.{aid}.continued_on: page {art.continued_on} does not exist "
                f"(the issue has {len(issue.pages)} pages)",
                smap.value(cloc),
            )
        ]
    if art.continued_on <= page_of[aid]:
        return [
            Problem(
                f"articles.{aid}.continued_on: expected a page after page {page_of[aid]} "
                f"where the story starts, got {art.continued_on}",
                smap.value(cloc),
            )
        ]
    return []


def _check_style_path(folder: Path, issue: Issue, smap: yamlsource.SourceMap) -> list[Problem]:
    if not issue.style:
        return []
    p = _inside(folder, issue.style)
    if p is None:
        return [Problem(f"style: path '{issue.style}' leaves the issue folder", smap.value(("style",)))]
    if not p.is_file():
        return [Problem(f"style: file not found: {issue.style}", smap.value(("style",)))]
    return []
