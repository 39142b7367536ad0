"""What a layout editor would circle, as plain data: errors (copy or parts of a story that do not fit,
anything drawn outside its box) and warnings (holes, empty feet, short strips under photos, inline
photos with nothing above them, photos under 200 ppi at their printed size, pull quotes beside the
sentence they quote, articles never placed, a body that names a file that is not there).

Reads `Composed` and the `LoadedIssue`; produces `Finding`s (page, story, box, severity, message,
kind), each with a place on the page where one applies, for `issue check`, proofs and preflight.
"""

from __future__ import annotations

import math
import re
from operator import attrgetter
from pathlib import Path

from ..manifest.images import image_size
from ..manifest.load import LoadedIssue
from . import containment
from .frames import Box, Composed, Finding, ImageItem, Page, RuleItem, StoryFit, TextItem
from .recheck import PageMemo
from .wordsearch import first_lines, norm

FOOT_LINES = 3  # empty grid lines at the foot of a story's column worth a warning
BAND_LINES = 3  # empty grid lines across a page's column worth a warning
STRIP_LINES = 6  # a strip of text under a photo shorter than this looks like an accident
QUOTE_NEAR = 3  # grid lines: a pull quote this close to its sentence sits beside it
MIN_PPI = 200  # a photo printed at fewer pixels per inch than this looks soft on newsprint
_COLUMN_TOP = attrgetter("column", "top")  # reading order of a story's body lines


def _mm(pt: float) -> str:
    return f"{pt * 25.4 / 72:.0f} mm"


def _t(b: Box) -> tuple[float, float, float, float]:
    return (b.x, b.top, b.width, b.height)


def checked(composed: Composed, loaded: LoadedIssue, memo: PageMemo | None = None) -> tuple[list, list]:
    """`errors` and `warnings` together; with `memo`, each page's signature is made once for both."""
    sigs = None if memo is None else [memo.signature(composed, page) for page in composed.pages]
    return errors(composed, memo, sigs), warnings(composed, loaded, memo, sigs)


def errors(composed: Composed, memo: PageMemo | None = None, sigs: list[tuple] | None = None) -> list[Finding]:
    """Everything that stops a PDF: overset copy, overfull lines, parts of stories left out, and
    anything drawn outside its box or over something else. With `memo` (a build session's), a page
    unchanged since the last build keeps its containment findings (`sigs`: the pages' signatures)."""
    out: list[Finding] = []
    for f in composed.overset:
        out.append(
            Finding(
                f.page,
                f.story,
                _t(f.box),
                "error",
                f"{f.overset_lines} line{'s' if f.overset_lines != 1 else ''} ({f.overset_words} words) did not fit",
                "overset",
            )
        )
    for page, it in composed.overfull:
        out.append(
            Finding(
                page,
                it.story,
                (it.x0, it.top, it.x1 - it.x0, it.bottom - it.top),
                "error",
                f"{it.role} line {it.text[:40]!r} runs {it.line.overfull:.1f} pt past its measure",
                "overfull",
            )
        )
    out += [p for p in composed.problems if p.severity == "error"]
    if memo is None:
        return out + containment.check(composed)
    for i, page in enumerate(composed.pages):
        sig = memo.signature(composed, page) if sigs is None else sigs[i]
        out += memo.findings("contained", sig, lambda page=page: containment.check_page(composed, page))
    return out


def warnings(
    composed: Composed, loaded: LoadedIssue, memo: PageMemo | None = None, sigs: list[tuple] | None = None
) -> list[Finding]:
    """What a layout editor would circle but that does not stop the PDF (with `memo`, a page
    unchanged since the last build, with the same articles on it, keeps its warnings)."""
    out = [p for p in composed.problems if p.severity == "warning"]
    where: dict[Path, Path] = {}  # photo files resolved, once per check
    for i, page in enumerate(composed.pages):
        if memo is None:
            out += _page_warnings(composed, page, loaded, where)
            continue
        # What the page's warnings also read: the articles set on it, their photos, the folder.
        stories = sorted({f.story for f in composed.fits if f.page == page.number})
        arts = tuple((a, loaded.issue.articles.get(a), loaded.photo_files.get(a)) for a in stories)
        sig = (*(memo.signature(composed, page) if sigs is None else sigs[i]), arts, loaded.folder)
        out += memo.findings("warned", sig, lambda page=page: _page_warnings(composed, page, loaded, where))
    out += _unplaced(loaded)
    out += _bodies(loaded)
    return out


def _page_warnings(
    composed: Composed, page: Page, loaded: LoadedIssue, where: dict[Path, Path] | None = None
) -> list[Finding]:
    out: list[Finding] = []
    where = {} if where is None else where
    fits = [f for f in composed.fits if f.page == page.number and f.box.height > 0]
    out += _bands(page, fits)
    out += _resolution(page)
    by_story: dict[str | None, list] = {}  # each story's items, in page order (the page read once)
    for i in page.items:
        by_story.setdefault(getattr(i, "story", None), []).append(i)
    for f in fits:
        if f.lines == 0:
            continue  # left out whole: reported as an error already
        items = by_story.get(f.story, [])
        out += _foot(page, f, items)
        out += _photos(page, f, loaded, items, where)
        out += _quotes(page, f, loaded, items)
    return out


def findings(composed: Composed, loaded: LoadedIssue) -> list[Finding]:
    return errors(composed) + warnings(composed, loaded)


def _col_range(page: Page, x0: float, x1: float) -> list[int]:
    return [c for c, (cx, cw) in enumerate(page.columns) if cx < x1 - 0.5 and x0 + 0.5 < cx + cw]


def _bottom(it) -> float:
    return it.y1 if isinstance(it, RuleItem) else it.bottom


def _foot(page: Page, f: StoryFit, items: list) -> list[Finding]:
    """Empty grid lines at the foot of each of the story's columns (`items`: the story's)."""
    out = []
    g = page.grid
    lows = _lows(page, [i for i in items if not (isinstance(i, RuleItem) and i.x0 == i.x1)], f)
    for c in range(f.columns[0] - 1, f.columns[1]):
        cx, cw = page.columns[c]
        low = lows.get(c, f.top)
        empty = int((f.bottom - low) / g + 1e-6)
        if empty >= FOOT_LINES:
            box = (cx, f.bottom - empty * g, cw, empty * g)
            out.append(
                Finding(
                    page.number,
                    f.story,
                    box,
                    "warning",
                    f"column {c + 1} ends {empty} empty lines ({_mm(empty * g)}) short of the story's foot",
                    "foot",
                )
            )
    return out


def _lows(page: Page, items: list, f: StoryFit) -> dict[int, float]:
    """The lowest bottom of the items in each column (an item is in the columns `_col_range` finds
    for it), at least for the story's columns: the items are read from the lowest up, and the
    columns of each found only until every one of the story's columns has its lowest."""
    bottoms = [_bottom(i) for i in items]
    lows: dict[int, float] = {}
    if math.isnan(sum(bottoms)):  # NaN orders nothing: every item, in page order
        for i, b in zip(items, bottoms, strict=True):
            for c in _col_range(page, *_xs(i)):
                if b > lows.get(c, -math.inf):
                    lows[c] = b
        return lows
    want = set(range(f.columns[0] - 1, f.columns[1]))
    for k in sorted(range(len(items)), key=bottoms.__getitem__, reverse=True):
        b = bottoms[k]
        if b == -math.inf or want.issubset(lows):
            break
        for c in _col_range(page, *_xs(items[k])):
            if c not in lows:
                lows[c] = b
    return lows


def _xs(it) -> tuple[float, float]:
    if isinstance(it, TextItem):
        return it.x0, it.x1
    if isinstance(it, ImageItem):
        return it.x, it.x + it.width
    return min(it.x0, it.x1), max(it.x0, it.x1)


def _bands(page: Page, fits: list[StoryFit]) -> list[Finding]:
    """Runs of grid lines that no story claims, merged across neighbouring columns."""
    area = page.stories_area
    if area is None:
        return []
    g = page.grid
    rows = round(area.height / g)
    free: list[list[tuple[int, int]]] = []
    for c in range(len(page.columns)):
        taken = sorted(
            (round((f.top - area.top) / g), round((f.bottom - area.top) / g))
            for f in fits
            if f.columns[0] - 1 <= c < f.columns[1]
        )
        runs, r = [], 0
        for a, b in taken:
            if a - r >= BAND_LINES:
                runs.append((r, a))
            r = max(r, b)
        if rows - r >= BAND_LINES:
            runs.append((r, rows))
        free.append(runs)
    out = []
    seen: set[tuple[int, tuple[int, int]]] = set()
    for c, runs in enumerate(free):
        for run in runs:
            if (c, run) in seen:
                continue
            c1 = c
            while c1 + 1 < len(free) and run in free[c1 + 1]:
                c1 += 1
                seen.add((c1, run))
            x0, x1 = page.columns[c][0], page.columns[c1][0] + page.columns[c1][1]
            top, h = area.top + run[0] * g, (run[1] - run[0]) * g
            below = [f.story for f in fits if abs(f.top - (top + h)) < 0.5 and f.columns[0] - 1 <= c1]
            cols = f"column {c + 1}" if c == c1 else f"columns {c + 1}-{c1 + 1}"
            msg = f"empty band {_mm(x1 - x0)} wide and {_mm(h)} tall ({run[1] - run[0]} lines) in {cols}, "
            msg += f"{_mm(top - area.top)} below the top of the stories' area"
            if below:
                msg += f", above story '{below[0]}'"
            out.append(Finding(page.number, None, (x0, top, x1 - x0, h), "warning", msg, "hole"))
    return out


def _resolution(page: Page) -> list[Finding]:
    """Photos with fewer than MIN_PPI pixels per inch at the size they print."""
    out = []
    for it in page.items:
        if not (isinstance(it, ImageItem) and it.width > 0 and it.height > 0):
            continue
        w, h = image_size(it.path)
        ppi = min(w / (it.width / 72), h / (it.height / 72))
        if ppi < MIN_PPI:
            size = f"{w}x{h} px over {_mm(it.width)} x {_mm(it.height)}"
            msg = f"photo {it.path.name}: {ppi:.0f} ppi at this size ({size}; needs {MIN_PPI})"
            box = (it.x, it.top, it.width, it.height)
            out.append(Finding(page.number, it.story, box, "warning", msg, "resolution"))
    return out


def _photo_index(loaded: LoadedIssue, story: str, img: ImageItem, where: dict[Path, Path]) -> int | None:
    art = loaded.issue.articles.get(story)
    if art is None:
        return None
    for i, ph in enumerate(art.photos):
        p = loaded.folder / ph.file
        if p == img.path or _resolved(p, where) == _resolved(img.path, where):  # equal paths: the same file
            return i
    return None


def _resolved(p: Path, where: dict[Path, Path]) -> Path:
    r = where.get(p)
    if r is None:
        r = where[p] = p.resolve()
    return r


def _photos(page: Page, f: StoryFit, loaded: LoadedIssue, items: list, where: dict[Path, Path]) -> list[Finding]:
    """A short strip of text under a photo; an inline photo with no text above it (`items`: the story's)."""
    out: list[Finding] = []
    images = [i for i in items if isinstance(i, ImageItem)]
    if not images:
        return out
    texts = [i for i in items if isinstance(i, TextItem)]
    body: dict[int, list[TextItem]] = {}  # body lines by their column, in page order
    for i in texts:
        if i.role == "body" and i.column is not None:
            body.setdefault(i.column, []).append(i)
    blocks = images + [i for i in items if isinstance(i, RuleItem) and i.y0 == i.y1 and i.y0 > f.top + page.grid]
    marks = [(b.top if isinstance(b, ImageItem) else b.y0, _col_range(page, *_xs(b))) for b in blocks]
    g = page.grid
    for img in images:
        cols = _col_range(page, img.x, img.x + img.width)
        caps = [i for i in texts if i.role == "caption" and abs(i.x - img.x) < 0.5]
        foot = max([img.bottom] + [c.bottom for c in caps if c.top >= img.bottom - 0.5])
        name = img.path.name
        strips = []
        for c in cols:
            # The top of the next photo or quote below this one in the column, or the story's foot.
            nxt = min((top for top, bcols in marks if top > foot + 0.5 and c in bcols), default=f.bottom)
            n = sum(1 for i in body.get(c, ()) if i.top >= foot - 0.5 and i.bottom <= nxt + 0.5)
            if 0 < n < STRIP_LINES:
                strips.append((c, n, nxt))
        if strips:
            c, n, nxt = min(strips, key=lambda s: s[1])
            x0, x1 = page.columns[cols[0]][0], page.columns[cols[-1]][0] + page.columns[cols[-1]][1]
            out.append(
                Finding(
                    page.number,
                    f.story,
                    (x0, foot, x1 - x0, max(g, nxt - foot)),
                    "warning",
                    f"a strip of {n} line{'s' if n != 1 else ''} under photo {name} "
                    f"(fewer than {STRIP_LINES}): move the photo or change the story's height",
                    "strip",
                )
            )
        k = _photo_index(loaded, f.story, img, where)
        art = loaded.issue.articles.get(f.story)
        if k is not None and art is not None and art.photos[k].placement == "inline":
            if not any(i.bottom <= img.top + 0.5 for c in cols for i in body.get(c, ())):
                out.append(
                    Finding(
                        page.number,
                        f.story,
                        (img.x, img.top, img.width, img.height),
                        "warning",
                        f"inline photo {name} has no text above it: it heads its column (use placement: top, "
                        "or give the story more room)",
                        "inline",
                    )
                )
    return out


def _quotes(page: Page, f: StoryFit, loaded: LoadedIssue, items: list) -> list[Finding]:
    """A pull quote set within a few lines of the sentence it repeats (`items`: the story's)."""
    art = loaded.issue.articles.get(f.story)
    if art is None or not art.pull_quotes:
        return []
    quotes = []  # (first line, its block, text, first six words) of each pull quote on the page
    for q in items:
        if not (isinstance(q, TextItem) and q.role == "pull_quote" and q.line.first):
            continue
        block = [i for i in items if isinstance(i, TextItem) and i.role in ("pull_quote", "attribution") and i.x == q.x]
        qtext = " ".join(i.text for i in block if i.role == "pull_quote")
        qw = norm(qtext)[:6]
        if len(qw) >= 4:
            quotes.append((q, block, qtext, qw))
    if not quotes:
        return []
    body = sorted(
        (i for i in items if isinstance(i, TextItem) and i.role == "body" and i.column is not None),
        key=_COLUMN_TOP,
    )
    found = first_lines(body, [qw for *_, qw in quotes])
    out = []
    g = page.grid
    for (q, block, qtext, _), line in zip(quotes, found, strict=True):
        if line is None:
            continue
        top, bottom = min(i.top for i in block), max(i.bottom for i in block)
        qcols = _col_range(page, q.x, max(i.x1 for i in block))
        near = line.column is not None and min(qcols) - 1 <= line.column <= max(qcols) + 1
        if near and top - QUOTE_NEAR * g <= line.top <= bottom + QUOTE_NEAR * g:
            out.append(
                Finding(
                    page.number,
                    f.story,
                    (q.x, top, max(i.x1 for i in block) - q.x, bottom - top),
                    "warning",
                    f"the pull quote '{qtext[:40]}...' stands beside the sentence it quotes "
                    f"(column {line.column + 1}, {_mm(line.top - f.top)} below the story's top)",
                    "quote",
                )
            )
    return out


def _unplaced(loaded: LoadedIssue) -> list[Finding]:
    placed = {s.aid for p in loaded.issue.pages for s in p.stories}
    out = []
    for aid in loaded.issue.articles:
        if aid not in placed:
            where = loaded.smap.key(("articles", aid))
            msg = f"{where}: article '{aid}' is defined but never placed on a page"
            out.append(_about_article(aid, msg, "unplaced"))
    return out


def _about_article(aid: str, message: str, kind: str) -> Finding:
    """A warning about an article as written, with no place on a page (its manifest line instead)."""
    return Finding(None, aid, None, "warning", message, kind)


def _bodies(loaded: LoadedIssue) -> list[Finding]:
    """A body of one bare word such as `editorial` was probably meant as a file."""
    out = []
    for aid, art in loaded.issue.articles.items():
        b = art.body.strip()
        if loaded.body_files.get(aid) is not None or not re.fullmatch(r"[\w.-]+", b):
            continue
        near = sorted(p.relative_to(loaded.folder).as_posix() for p in loaded.folder.rglob(f"{b}*") if p.is_file())
        hint = f" (did you mean {near[0]}?)" if near else ""
        where = loaded.smap.value(("articles", aid, "body"))
        msg = f"{where}: the body is the single word '{b}', printed as the story's text; "
        out.append(_about_article(aid, msg + f"if it names a file, give its path{hint}", "body"))
    return out
