"""The pipeline up to the frames: manifest -> validated model -> style -> glyph check -> composed pages.

Reads an issue folder; produces `Built` (the loaded issue, the style and the `Composed` frames) that
every output (PDF, proof, print, archive) starts from, or raises `InvalidInput` with every problem.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from .manifest.chars import bad_chars
from .manifest.errors import InvalidInput, Location, Problem
from .manifest.files import real, user_cache_dir
from .manifest.fontinfo import FontCache
from .manifest.load import LoadedIssue, load_issue
from .manifest.problems import path_name
from .page.compose import Composer
from .page.frames import Composed, TextItem
from .page.parallel import CHECKS_SHARE, worth_it
from .page.parallel import start as start_helper
from .pdf import photodigests
from .pdf.pagecache import PageCache
from .pdf.pagecache import fingerprint as page_fingerprint
from .text import markdown, parsed
from .text.cache import ParagraphCache, code_fingerprint, style_fingerprint, style_fonts
from .text.fonts import Face
from .text.hyphenate import use_house
from .text.punctuation import Punctuation
from .text.style import Style, load_style

TYPE_CHECKING = False  # as typing's; the session (and what only it uses) is `issue serve`'s, not a plain render's
if TYPE_CHECKING:
    from .session import Session


@dataclass
class Built:
    loaded: LoadedIssue
    style: Style
    composed: Composed
    cache: ParagraphCache | None = None
    fonts: FontCache | None = None
    pages: PageCache | None = None  # drawn pages kept between renders (for the screen PDF)

    def keep_cache(self) -> None:
        """Write the set paragraphs (and parsed fonts) back for the next build (after the output
        is written: a render that writes nothing leaves nothing behind)."""
        if self.cache is not None:
            self.cache.save()
        if self.fonts is not None:
            self.fonts.save()
        if self.pages is not None:
            self.pages.save()
            photos = [p for ps in self.loaded.photo_files.values() for p in ps]
            photodigests.keep(cache_path(self.loaded).with_name("photos.bin"), photos)


def build(
    issue_path: Path,
    breaker: str = "total",
    on_loaded: Callable[[LoadedIssue], None] | None = None,
    tick: Callable[[], None] | None = None,
    cache: bool = True,
    parallel: bool | None = None,
    session: Session | None = None,
) -> Built:
    """Validate and lay out an issue; raise InvalidInput with every problem found.
    `on_loaded` hears of the validated manifest; `tick` of each page laid out. With `cache`,
    set paragraphs are read from ISSUE/build/.cache/ (Built.keep_cache writes them back).
    `parallel` sets story bodies in two processes (None: where it pays, see page.parallel).
    `session` keeps, between builds in this process, what the caches would read from disk again
    (with `cache` only: --no-cache sets everything afresh)."""
    session = session if cache else None
    if session is None:
        return _build(issue_path, breaker, on_loaded, tick, cache, parallel, None)
    session.drop_changed_fonts()
    mark = session.fonts_mark()
    try:
        b = _build(issue_path, breaker, on_loaded, tick, cache, parallel, session)
        if session.fonts_ambiguous(mark):
            # Two font files wanted one name, and faces loaded by earlier builds took names first: the
            # PDF would name fonts unlike a fresh process. Once more, with the process's fonts forgotten.
            session.reset_fonts()
            b = _build(issue_path, breaker, on_loaded, tick, cache, parallel, session)
    finally:
        session.note_fonts()  # the version of each font file loaded, to notice a change
    return b


def _build(
    issue_path: Path,
    breaker: str,
    on_loaded: Callable[[LoadedIssue], None] | None,
    tick: Callable[[], None] | None,
    cache: bool,
    parallel: bool | None,
    session: Session | None,
) -> Built:
    li = load_issue(issue_path, session.reads if session else None)
    fonts_path = cache_path(li).with_name("fonts.bin")
    house = user_cache_dir() / "fonts" if cache else None
    use_house(user_cache_dir() if cache else None)  # parsed hyphenation patterns likewise
    fonts = session.font_cache(fonts_path, house) if session else FontCache(fonts_path if cache else None, house)
    style = load_style(li.style_file, li.folder, fonts)
    pc = None
    if cache or parallel is not False:
        sfp = (session.style_fingerprint if session else style_fingerprint)(style, li.issue.language, breaker)
        fp = f"{code_fingerprint()}:{sfp}"
        faces = list(style_fonts(style).values())
        if session is not None:
            pc = session.paragraph_cache(cache_path(li), fp, faces)
        else:
            pc = ParagraphCache(cache_path(li) if cache else None, fp, faces)
    use_parallel = parallel if parallel is not None else worth_it(li, pc.loaded if pc else 0)
    if not cache and not use_parallel:
        pc = None  # nothing to keep and nothing to pass between processes
    memo = (session.story_memo(pc), session.page_memo(pc)) if session else (None, None)
    comp = Composer(li, style, breaker, tick, pc, *memo)
    # A helper process sets its share of the bodies while this one checks the issue.
    # ... and then hashes the placed stories' photos (their names in the PDF), which drawing would do here.
    placed = dict.fromkeys(s.article for p in li.issue.pages for s in p.stories if s.article is not None)
    photos = [p for a in placed for p in li.photo_files.get(a, [])]
    helper = start_helper(comp, CHECKS_SHARE, partial(photodigests.made, photos, True)) if use_parallel else None
    try:
        _check_markdown(li, pc)
        _check_glyphs(li, style, pc, session.glyph_memo(pc.fingerprint) if session and pc else None)
    except BaseException:
        if helper:
            helper.abandon()
        raise
    if on_loaded:
        on_loaded(li)
    if helper:
        helper.set_mine()  # the child's stories are taken as composition first needs each
    pages = None
    if cache and pc:
        pages_path, pages_fp = cache_path(li).with_name("pages.bin"), page_fingerprint(fp)
        pages = session.page_cache(pages_path, pages_fp) if session else PageCache(pages_path, pages_fp)
        photodigests.load(pages_path.with_name("photos.bin"))  # the photos' names, without reading them
    try:
        composed = comp.compose()
        if helper:
            helper.take()  # its paragraphs go into the cache even if no page asked for them
            photodigests.take(helper.after)
    except BaseException:
        if helper:
            helper.abandon()
        raise
    if session is not None:
        session.composed(pc)
    return Built(li, style, composed, pc, fonts, pages)


def tune_gc() -> None:
    """Garbage collection for a build: a build makes hundreds of thousands of small objects with no
    cycles among them (lines, spans), which the collector would scan again and again (7-10 % of a
    render). Freeze what is loaded so far (modules, schemas) out of its reach and collect rarely."""
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


def cache_path(li: LoadedIssue) -> Path:
    """Where an issue's set paragraphs are kept between renders."""
    return li.folder / "build" / ".cache" / "paragraphs.bin"


def _check_markdown(li: LoadedIssue, pc: ParagraphCache | None = None) -> None:
    """Markdown a newspaper column does not set (images, code blocks, undefined footnotes)
    is refused by file and line rather than dropped or printed as typed."""
    problems = []
    for aid, body in li.bodies.items():
        for line, msg in parsed.unsupported(pc, body):
            f = li.body_files.get(aid)
            if f is not None:
                problems.append(Problem(f"articles.{aid}.body: {msg}", Location(f, line, 1)))
            else:
                problems.append(
                    Problem(
                        f"articles.{aid}.body, line {line} of the text: {msg}", li.smap.value(("articles", aid, "body"))
                    )
                )
    if problems:
        raise InvalidInput(problems)


def _check_glyphs(li: LoadedIssue, style: Style, pc: ParagraphCache | None = None, memo: dict | None = None) -> None:
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
        body = may or _as_set(raw, pc, pu, memo)
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
    for path, text, fs in checks:
        text = _as_printed(path, text, style)
        lang = (iss.articles[path[1]].language if path[0] == "articles" else None) or iss.language
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


def _as_set(
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


def refuse_input_as_output(out: Path, b: Built) -> None:
    """Raise InvalidInput if `out` is one of the files the issue is made from (the manifest, an
    article, a photo, the style sheet, a font), by any name: symlinks are followed and hard links
    compared by inode. Also refuse a folder as the output."""
    li = b.loaded
    if out.is_dir():
        raise InvalidInput([Problem(f"-o {out}: is a folder; name the PDF to write")])
    if out.exists() and not out.is_file():  # a device or pipe: renaming over it would replace it
        raise InvalidInput([Problem(f"-o {out}: is not a regular file (a device or a pipe); nothing was written")])
    target = out.resolve()
    if out == default_output(li):
        refuse_default_outside(out, li)
    named: list[tuple[Path, tuple]] = [(li.manifest, ())]
    named += [(p, ("articles", aid, "body")) for aid, p in li.body_files.items() if p]
    named += [
        (p, ("articles", aid, "photos", i, "file")) for aid, ps in li.photo_files.items() for i, p in enumerate(ps)
    ]
    if li.style_file:
        named.append((li.style_file, ("style",)))
    named += [(Path(f), ("style",)) for fam in b.style.sheet.fonts.values() for f in fam.values()]
    target_name, out_id = str(target), _file_id(out)
    for p, path in named:
        same = real(p) == target_name or (out_id is not None and _file_id(p) == out_id)  # a hard link
        if same:
            what = "the manifest" if not path else f"an input ({path_name(path)} names it)"
            msg = f"-o {out}: that is {what}; an output never overwrites an input, so nothing was written"
            raise InvalidInput([Problem(msg, li.smap.value(path) if path else Location(li.manifest, 1, 1))])


def _file_id(p: Path) -> tuple[int, int] | None:
    """The file `p` names (device, inode; symlinks followed), or None if there is none."""
    try:
        st = os.stat(p)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def refuse_default_outside(out: Path, li: LoadedIssue) -> None:
    """Raise InvalidInput if a default output (under ISSUE/build/) resolves outside the issue
    folder: a build/ symlinked elsewhere (an issue from a zip) must not aim every command's files."""
    if not out.resolve().is_relative_to(li.folder.resolve()):
        msg = f"{out}: the default output leads out of the issue folder (a symlinked build/?); pass -o to say where"
        raise InvalidInput([Problem(msg, Location(li.manifest, 1, 1))])


def default_output(li: LoadedIssue) -> Path:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", li.issue.publication).strip("-").lower() or "issue"
    return li.folder / "build" / f"{slug}-{li.issue.date.isoformat()}.pdf"


def body_lines(composed: Composed) -> list[TextItem]:
    return [it for p in composed.pages for it in p.items if isinstance(it, TextItem) and it.role == "body"]
