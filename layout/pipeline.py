"""The pipeline up to the frames: manifest -> validated model -> style -> glyph check -> composed pages.

Reads an issue folder; produces `Built` (the loaded issue, the style and the `Composed` frames) that
every output (PDF, proof, print, archive) starts from, or raises `InvalidInput` with every problem.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .manifest.errors import InvalidInput, Location, Problem
from .manifest.load import LoadedIssue, load_issue
from .manifest.problems import path_name
from .page.compose import Composer
from .page.frames import Composed, TextItem
from .page.parallel import prewarm, worth_it
from .text import markdown
from .text.cache import ParagraphCache, code_fingerprint, style_fingerprint, style_fonts
from .text.fonts import Face
from .text.punctuation import Punctuation
from .text.style import Style, load_style


@dataclass
class Built:
    loaded: LoadedIssue
    style: Style
    composed: Composed
    cache: ParagraphCache | None = None

    def keep_cache(self) -> None:
        """Write the set paragraphs back for the next build (after the output is written:
        a render that writes nothing leaves nothing behind)."""
        if self.cache is not None:
            self.cache.save()


def build(
    issue_path: Path,
    breaker: str = "total",
    on_loaded: Callable[[LoadedIssue], None] | None = None,
    tick: Callable[[], None] | None = None,
    cache: bool = True,
    parallel: bool | None = None,
) -> Built:
    """Validate and lay out an issue; raise InvalidInput with every problem found.
    `on_loaded` hears of the validated manifest; `tick` of each page laid out. With `cache`,
    set paragraphs are read from ISSUE/build/.cache/ (Built.keep_cache writes them back).
    `parallel` sets story bodies in two processes (None: where it pays, see page.parallel)."""
    li = load_issue(issue_path)
    _check_markdown(li)
    style_path = (li.folder / li.issue.style) if li.issue.style else None
    style = load_style(style_path)
    _check_glyphs(li, style)
    if on_loaded:
        on_loaded(li)
    pc = None
    if cache or parallel is not False:
        fp = f"{code_fingerprint()}:{style_fingerprint(style, li.issue.language, breaker)}"
        pc = ParagraphCache(cache_path(li) if cache else None, fp, list(style_fonts(style).values()))
    use_parallel = parallel if parallel is not None else worth_it(li, pc.loaded if pc else 0)
    if not cache and not use_parallel:
        pc = None  # nothing to keep and nothing to pass between processes
    comp = Composer(li, style, breaker, tick, pc)
    if use_parallel:
        prewarm(comp)
    return Built(li, style, comp.compose(), pc)


def tune_gc() -> None:
    """Garbage collection for a build: a build makes hundreds of thousands of small objects with no
    cycles among them (lines, spans), which the collector would scan again and again (7-10 % of a
    render). Freeze what is loaded so far (modules, schemas) out of its reach and collect rarely."""
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


def cache_path(li: LoadedIssue) -> Path:
    """Where an issue's set paragraphs are kept between renders."""
    return li.folder / "build" / ".cache" / "paragraphs.bin"


def _check_markdown(li: LoadedIssue) -> None:
    """Markdown a newspaper column does not set (images, code blocks, undefined footnotes)
    is refused by file and line rather than dropped or printed as typed."""
    problems = []
    for aid, body in li.bodies.items():
        for line, msg in markdown.unsupported(body):
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


def _check_glyphs(li: LoadedIssue, style: Style) -> None:
    """A character a font cannot draw would print as an empty box: refuse it by name,
    checking each text against the faces of the roles that set it and then the fallback faces."""
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
    for aid, art in iss.articles.items():
        a = ("articles", aid)
        checks.append(((*a, "body"), li.bodies.get(aid, ""), body_faces + faces("subhead")))
        for name in ("headline", "deck", "byline", "kicker", "source", "bio"):
            checks.append(((*a, name), getattr(art, name) or "", faces(name)))
        for i, ph in enumerate(art.photos):
            checks.append(((*a, "photos", i), ph.caption + (ph.credit or ""), faces("caption", "credit")))
        for i, q in enumerate(art.pull_quotes):
            checks.append(((*a, "pull_quotes", i), q.text + (q.attribution or ""), faces("pull_quote", "attribution")))
    problems = []
    punct = {lang: Punctuation(style.text.punctuation, lang) for lang in {iss.language, *iss_languages(iss)}}
    for path, text, fs in checks:
        # The text as it will be set: with the curly quotes and dashes the style makes of it.
        lang = (iss.articles[path[1]].language if path[0] == "articles" else None) or iss.language
        text = text + punct[lang].text(text)
        missing = sorted({ch for f in fs for ch in f.missing(text) if ch.isprintable()})
        missing = [ch for ch in missing if not any(fb.has(ch) for fb in style.fallbacks)]  # drawn by a fallback
        if not missing:
            continue
        shown = ", ".join(f"'{ch}' (U+{ord(ch):04X})" for ch in missing[:6])
        msg = f"{path_name(path)}: the fonts have no glyph for {shown}"
        where = li.body_files.get(path[1]) if path[-1] == "body" else None
        if where is not None:
            line = _first_line_with(where, missing[0])
            msg = f"{where.name}:{line}: {msg}" if line else msg
        problems.append(Problem(msg, li.smap.value(path)))
    if problems:
        raise InvalidInput(problems)


def iss_languages(iss) -> set[str]:
    return {a.language for a in iss.articles.values() if a.language}


def _first_line_with(path: Path, ch: str) -> int | None:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if ch in line:
            return n
    return None


def default_output(li: LoadedIssue) -> Path:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", li.issue.publication).strip("-").lower() or "issue"
    return li.folder / "build" / f"{slug}-{li.issue.date.isoformat()}.pdf"


def body_lines(composed: Composed) -> list[TextItem]:
    return [it for p in composed.pages for it in p.items if isinstance(it, TextItem) and it.role == "body"]
