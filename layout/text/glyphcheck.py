"""The glyph check: a character no face can draw would print as an empty box, so it is refused by name.

Reads the loaded issue (its fields and bodies) and the style; raises `InvalidInput` with one problem
per field or body that holds a character none of the faces setting it (nor the fallback faces) draws,
located by manifest line or by body file and line. A body is checked as it will be set (Markdown
parsed, entities decoded, punctuation made typographic), and only parsed when the characters its
source can give are not all drawn (`may_hold`).
"""

from __future__ import annotations

from pathlib import Path

from ..manifest.chars import bad_chars
from ..manifest.errors import InvalidInput, Problem
from ..manifest.load import LoadedIssue
from ..manifest.problems import path_name
from . import markdown, parsed
from .cache import ParagraphCache
from .fonts import Face
from .punctuation import Punctuation
from .style import Style


def check_glyphs(li: LoadedIssue, style: Style, pc: ParagraphCache | None = None, memo: dict | None = None) -> None:
    """A character a font cannot draw would print as an empty box: refuse it by name,
    checking each text against the faces of the roles that set it and then the fallback faces.
    `memo` keeps each text's finding between builds with the same style (a build session)."""
    iss = li.issue
    body_family = style.roles["body"].spec.font

    def faces(*roles: str) -> list[Face]:
        return [style.roles[r].face for r in roles]

    body_faces = [style.face(body_family, v) for v in ("regular", "italic", "bold", "bold_italic")]
    checks: list[tuple[tuple, str, list[Face]]] = [  # (manifest path, text, faces that set it)
        (("publication",), iss.publication, faces("nameplate", "folio")),
        (("edition",), iss.edition or "", faces("dateline")),
    ]
    for pi, page in enumerate(iss.pages):
        checks.append((("pages", pi, "section"), page.section, faces("folio")))
        checks.append((("pages", pi, "banner"), page.banner or "", faces("banner")))
    langs = {iss.language, *iss_languages(iss)}
    punct = {lang: Punctuation(style.text.punctuation, lang, pc) for lang in langs}  # remembered in the pack
    for aid, art in iss.articles.items():
        a = ("articles", aid)
        # Parsed and punctuated as composition sets it (the same entry in the pack: parsed once).
        raw, pu = li.bodies.get(aid, ""), punct[art.language or iss.language]
        may = memo.get(("may", raw, pu.quotes)) if memo is not None else None  # the faces: in the fingerprint
        if may is None:
            may = _may_print(raw, pu, body_faces + faces("subhead", "drop_cap"), style) or ""
            if memo is not None:
                memo[("may", raw, pu.quotes)] = may
        body = may or as_set(raw, pc, pu, memo)
        checks.append(((*a, "body"), body, body_faces + faces("subhead")))
        checks.append(((*a, "body"), body.lstrip()[:1], faces("drop_cap")))
        for name in ("headline", "deck", "byline", "kicker", "source", "bio"):
            checks.append(((*a, name), getattr(art, name) or "", faces(name)))
        for i, ph in enumerate(art.photos):
            checks.append(((*a, "photos", i, "caption"), ph.caption, faces("caption")))
            checks.append(((*a, "photos", i, "credit"), ph.credit or "", faces("credit")))
        for i, q in enumerate(art.pull_quotes):
            checks.append(((*a, "pull_quotes", i, "text"), q.text, faces("pull_quote")))
            checks.append(((*a, "pull_quotes", i, "attribution"), q.attribution or "", faces("attribution")))
    problems = []

    def lang_of(path: tuple) -> str:
        return (iss.articles[path[1]].language if path[0] == "articles" else None) or iss.language

    printed = [(path, _as_printed(path, text, style), fs, lang_of(path)) for path, text, fs in checks]
    passing = _passing(printed, punct, style) if memo is None else set()
    for i, (path, text, fs, lang) in enumerate(printed):
        if i in passing:
            continue
        key = (text, lang, path[-1] == "body", *(f.name for f in fs))
        found = memo.get(key) if memo is not None else None
        if found is None:  # a body is checked as set, punctuation included
            found = _glyph_finding(text, None if path[-1] == "body" else punct[lang], fs, style)
            if memo is not None:
                memo[key] = found
        if isinstance(found, str):  # written as a Markdown entity: the source check cannot see it
            problems.append(
                Problem(f"{path_name(path)}: {found} (written as an entity) cannot be printed", li.smap.value(path))
            )
            continue
        missing = found
        if not missing:
            continue
        shown = ", ".join(f"'{ch}' (U+{ord(ch):04X})" for ch in missing[:6])
        msg = f"{path_name(path)}: the fonts have no glyph for {shown}"
        where = li.body_files.get(path[1]) if path[-1] == "body" else None
        if where is not None:
            line = _first_line_with(where, missing[0]) or _block_line(li.bodies[path[1]], missing[0])
            msg = f"{where.name}:{line}: {msg}" if line else msg
        problems.append(Problem(msg, li.smap.value(path)))
    if problems:
        raise InvalidInput(problems)


def _passing(printed: list[tuple[tuple, str, list[Face], str]], punct: dict, style: Style) -> set[int]:
    """The checks that pass, found a group at a time: the texts set by the same faces, in the same
    language and way (a body as set, a field punctuated), checked as one text. A character no face
    draws is missing from the joined text exactly when it is missing from one of them, and so is a
    character that cannot print, so a group that passes whole needs no text looked at alone; one
    that does not is checked text by text, which names the field. (Six hundred fields and bodies in a
    16-page issue: 10 ms checked one by one.)"""
    groups: dict[tuple, list[int]] = {}
    for i, (path, _text, fs, lang) in enumerate(printed):
        groups.setdefault((path[-1] == "body", lang, tuple(id(f) for f in fs)), []).append(i)
    passing: set[int] = set()
    for (body, lang, _), members in groups.items():
        joined: str | None = "".join(printed[i][1] for i in members)
        if not body:  # as each field is checked: with what punctuation can make of it
            joined = may_hold(joined, punct[lang])  # None: an entity or an autolink, checked one by one
        if joined is not None and _glyph_finding(joined, None, printed[members[0]][2], style) == []:
            passing.update(members)
    return passing


def _glyph_finding(text: str, punct: Punctuation | None, fs: list[Face], style: Style) -> str | list[str]:
    """What keeps `text` from printing: a character written as an entity that may not be printed
    (described), or the characters no face of `fs` nor any fallback draws (sorted; [] if none)."""
    bad = bad_chars(text, limit=1)
    if bad:
        return bad[0].describe()
    if punct is not None:  # the text as it will be set: with the curly quotes and dashes the style makes of it
        held = may_hold(text, punct)
        if held is not None and not _glyph_finding(held, None, fs, style):
            return []  # whatever punctuation makes of it prints: no need to make it here
        text = text + punct.text(text)
    missing = sorted({ch for f in fs for ch in f.missing(text) if ch.isprintable()})
    return [ch for ch in missing if not any(fb.has(ch) for fb in style.fallbacks)]  # drawn by a fallback


_FIELD_ROLE = {"publication": "nameplate", "edition": "dateline", "section": "folio", "text": "pull_quote"}


def _as_printed(path: tuple, text: str, style: Style) -> str:
    """The text in capitals when the role that sets it prints in capitals (`upper:`): a face may
    have 'ƒ' and lack 'Ƒ'. (The publication is set in the nameplate and the folio: both forms.)"""
    role = style.roles.get(_FIELD_ROLE.get(str(path[-1]), str(path[-1])))
    if role is None or not role.upper:
        return text
    return text + text.upper() if path[-1] == "publication" else text.upper()


# Characters parsing a body can print that its source need not hold: quotes and apostrophes, dashes,
# the ellipsis (Punctuation), list bullets, the asterism a rule of dashes becomes and footnote numbers
# (markdown.parse).
_MADE = "\u2013\u2014\u2026\u2019\u2022*\u2003" + "0123456789".translate(markdown.SUPERSCRIPT)


def may_hold(raw: str, punct: Punctuation) -> str | None:
    """Every character the set text of body `raw` (or of a field punctuated) can hold (sorted, one of
    each), or None when that cannot be told without parsing: entities (&), autolinks (<: their text
    is decoded), NUL."""
    if "&" in raw or "<" in raw or "\x00" in raw:
        return None
    return "".join(sorted(set(raw).union(_MADE, *punct.quotes)))


def _may_print(raw: str, punct: Punctuation, fs: list[Face], style: Style) -> str | None:
    """`may_hold(raw)` when every one of those characters prints in every face of `fs`: what the
    glyph check then reads, so that no body is parsed only to be checked (the helper process parses
    its share itself). None when the body must be parsed and checked as set."""
    chars = may_hold(raw, punct)
    return None if chars is None or _glyph_finding(chars, None, fs, style) else chars


def as_set(
    markdown_text: str, pc: ParagraphCache | None = None, punct: Punctuation | None = None, memo: dict | None = None
) -> str:
    """An article body as it will be set: Markdown parsed, entities such as &#x4ECA; decoded and
    (with `punct`) quotes and dashes made typographic; kept in `memo` (a build session's)."""
    key = ("set", markdown_text, punct.quotes if punct is not None else None)  # the spec: in the fingerprint
    text = memo.get(key) if memo is not None else None
    if text is None:
        text = "\n".join(b.text for b in parsed.parse(pc, markdown_text, punct))
        if memo is not None:
            memo[key] = text
    return text


def _block_line(markdown_text: str, ch: str) -> int | None:
    """The source line of the paragraph that sets `ch` (for a character written as an entity)."""
    return next((b.line for b in markdown.parse(markdown_text) if ch in b.text), None)


def iss_languages(iss) -> set[str]:
    return {a.language for a in iss.articles.values() if a.language}


def _first_line_with(path: Path, ch: str) -> int | None:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if ch in line:
            return n
    return None
