"""The warnings and the pull-quote word search as first written (layout/page/findings.py and
wordsearch.py before they were made fast): the oracle tests/test_compose_fast.py holds them to.
Only the page warnings are kept (errors are the containment check's, kept there)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from layout.manifest.images import image_size
from layout.manifest.load import LoadedIssue
from layout.page.frames import Box, Composed, Finding, ImageItem, Page, RuleItem, StoryFit, TextItem

FOOT_LINES = 3  # empty grid lines at the foot of a story's column worth a warning
BAND_LINES = 3  # empty grid lines across a page's column worth a warning
STRIP_LINES = 6  # a strip of text under a photo shorter than this looks like an accident
QUOTE_NEAR = 3  # grid lines: a pull quote this close to its sentence sits beside it
MIN_PPI = 200  # a photo printed at fewer pixels per inch than this looks soft on newsprint


def _mm(pt: float) -> str:
    return f"{pt * 25.4 / 72:.0f} mm"


def _t(b: Box) -> tuple[float, float, float, float]:
    return (b.x, b.top, b.width, b.height)


def _page_warnings(composed: Composed, page: Page, loaded: LoadedIssue) -> list[Finding]:
    out: list[Finding] = []
    fits = [f for f in composed.fits if f.page == page.number and f.box.height > 0]
    out += _bands(page, fits)
    out += _resolution(page)
    for f in fits:
        if f.lines == 0:
            continue  # left out whole: reported as an error already
        out += _foot(page, f)
        out += _photos(page, f, loaded)
        out += _quotes(page, f, loaded)
    return out


def _story_items(page: Page, story: str) -> list:
    return [i for i in page.items if getattr(i, "story", None) == story]


def _col_range(page: Page, x0: float, x1: float) -> list[int]:
    return [c for c, (cx, cw) in enumerate(page.columns) if cx < x1 - 0.5 and x0 + 0.5 < cx + cw]


def _bottom(it) -> float:
    return it.y1 if isinstance(it, RuleItem) else it.bottom


def _foot(page: Page, f: StoryFit) -> list[Finding]:
    """Empty grid lines at the foot of each of the story's columns."""
    out = []
    items = [i for i in _story_items(page, f.story) if not (isinstance(i, RuleItem) and i.x0 == i.x1)]
    g = page.grid
    lows: dict[int, float] = {}  # the lowest bottom in each column (each item's columns found once)
    for i in items:
        b = _bottom(i)
        for c in _col_range(page, *_xs(i)):
            if b > lows.get(c, -math.inf):
                lows[c] = b
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


def _photo_index(loaded: LoadedIssue, story: str, img: ImageItem) -> int | None:
    art = loaded.issue.articles.get(story)
    if art is None:
        return None
    for i, ph in enumerate(art.photos):
        if (loaded.folder / ph.file).resolve() == img.path.resolve():
            return i
    return None


def _photos(page: Page, f: StoryFit, loaded: LoadedIssue) -> list[Finding]:
    """A short strip of text under a photo; an inline photo with no text above it."""
    out = []
    items = _story_items(page, f.story)
    body = [i for i in items if isinstance(i, TextItem) and i.role == "body" and i.column is not None]
    blocks = [i for i in items if isinstance(i, ImageItem)]
    blocks += [i for i in items if isinstance(i, RuleItem) and i.y0 == i.y1 and i.y0 > f.top + page.grid]
    g = page.grid
    for img in (i for i in items if isinstance(i, ImageItem)):
        cols = _col_range(page, img.x, img.x + img.width)
        caps = [i for i in items if isinstance(i, TextItem) and i.role == "caption" and abs(i.x - img.x) < 0.5]
        foot = max([img.bottom] + [c.bottom for c in caps if c.top >= img.bottom - 0.5])
        name = img.path.name
        strips = []
        for c in cols:
            nxt = min((b.top if isinstance(b, ImageItem) else b.y0 for b in blocks if _below(b, foot, c, page)),
                      default=f.bottom)  # fmt: skip
            n = sum(1 for i in body if i.column == c and i.top >= foot - 0.5 and i.bottom <= nxt + 0.5)
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
        k = _photo_index(loaded, f.story, img)
        art = loaded.issue.articles.get(f.story)
        if k is not None and art is not None and art.photos[k].placement == "inline":
            if not any(i.column in cols and i.bottom <= img.top + 0.5 for i in body):
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


def _below(b, foot: float, c: int, page: Page) -> bool:
    top = b.top if isinstance(b, ImageItem) else b.y0
    return top > foot + 0.5 and c in _col_range(page, *_xs(b))


def _quotes(page: Page, f: StoryFit, loaded: LoadedIssue) -> list[Finding]:
    """A pull quote set within a few lines of the sentence it repeats."""
    art = loaded.issue.articles.get(f.story)
    if art is None or not art.pull_quotes:
        return []
    items = _story_items(page, f.story)
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
        key=lambda i: (i.column, i.top),
    )
    found = first_lines(words_of_lines(body), [qw for *_, qw in quotes])
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


_WORD = re.compile(r"[^\W_]+")


def norm(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def first_lines(words: Iterator[tuple[str, TextItem]], wants: list[list[str]]) -> list[TextItem | None]:
    """For each run of words in `wants`, the line where it first begins in `words` (None if it
    never does); reads no further than the last one found."""
    found: list[TextItem | None] = [None] * len(wants)
    left = set(range(len(wants)))
    seq: list[str] = []
    lines: list[TextItem] = []
    for w, ln in words:
        seq.append(w)
        lines.append(ln)
        for i in list(left):
            n = len(wants[i])
            if len(seq) >= n and seq[-n:] == wants[i]:
                found[i] = lines[-n]
                left.discard(i)
        if not left:
            break
    return found


def words_of_lines(lines: list[TextItem]) -> Iterator[tuple[str, TextItem]]:
    """Normalised words in reading order with the line each starts on; a word broken at a
    line end with a hyphen is joined again."""
    carry: tuple[str, TextItem] | None = None
    for it in lines:
        text = it.text
        ws = norm(text)
        if carry and ws:
            ws[0] = carry[0] + ws[0]
        start = 0
        if carry and ws:
            yield ws[0], carry[1]
            start = 1
        carry = None
        rest = [(w, it) for w in ws[start:]]
        if it.line.hyphenated and text.endswith("-") and rest:
            carry = rest.pop()
        yield from rest
    if carry:
        yield carry
