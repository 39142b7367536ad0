"""Typographic measurement read back from a PDF: word spaces, hyphens, baselines.

It reads the content streams and font dictionaries (widths, ToUnicode) with pypdf and
knows nothing of the engine's own numbers, so it checks what a reader actually gets.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import ContentStream

_BFCHAR = re.compile(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


@dataclass(slots=True)
class Glyph:
    x0: float
    x1: float
    ch: str


@dataclass
class PdfLine:
    page: int
    y: float  # baseline, points from the page top
    font: str  # BaseFont of the line's first glyph
    size: float
    glyphs: list[Glyph] = field(default_factory=list)
    space: float = 0.0  # natural width of a space in the line's first font
    fonts: set[str] = field(default_factory=set)  # every font the line uses

    @property
    def text(self) -> str:
        return "".join(g.ch for g in self.glyphs)

    @property
    def x0(self) -> float:
        return self.glyphs[0].x0

    @property
    def x1(self) -> float:
        return self.glyphs[-1].x1

    def gaps(self) -> list[float]:
        """Each inter-word space as a multiple of the font's natural space."""
        out = []
        for a, b, c in zip(self.glyphs, self.glyphs[1:], self.glyphs[2:], strict=False):
            if b.ch == " " and a.ch != " " and c.ch != " " and self.space:
                out.append((c.x0 - a.x1) / self.space)
        return out


class _Font:
    def __init__(self, d):
        self.name = str(d.get("/BaseFont", "?")).lstrip("/")
        self.first = int(d.get("/FirstChar", 0))
        self.widths = [float(w) for w in d.get("/Widths", [])]
        self.map: dict[int, str] = {}
        tu = d.get("/ToUnicode")
        if tu is not None:
            data = tu.get_object().get_data().decode("latin-1")
            body = "".join(re.findall(r"beginbfchar(.*?)endbfchar", data, re.S))
            for src, dst in _BFCHAR.findall(body):
                self.map[int(src, 16)] = bytes.fromhex(dst).decode("utf-16-be")

    def width(self, code: int) -> float:
        i = code - self.first
        return self.widths[i] if 0 <= i < len(self.widths) else 0.0

    def code_of(self, ch: str) -> int | None:
        for k, v in self.map.items():
            if v == ch:
                return k
        return None


def read_lines(pdf: Path | str) -> list[PdfLine]:
    """Every text object of every page as one line (the exporter writes one per line)."""
    reader = PdfReader(str(pdf))
    lines: list[PdfLine] = []
    for pno, page in enumerate(reader.pages, 1):
        h = float(page.mediabox.height)
        fonts = {}
        res = page.get("/Resources")
        fdict = res.get_object().get("/Font", {}) if res is not None else {}
        for name, ref in fdict.get_object().items():
            fonts[name] = _Font(ref.get_object())
        cs = ContentStream(page.get_contents(), reader)
        font = None
        size = tc = 0.0
        tz = 1.0
        x = y = 0.0
        cur: PdfLine | None = None
        for operands, op in cs.operations:
            if op == b"BT":
                cur = None
                x = y = 0.0
            elif op == b"Tf":
                font, size = fonts.get(operands[0]), float(operands[1])
            elif op == b"Tc":
                tc = float(operands[0])
            elif op == b"Tz":
                tz = float(operands[0]) / 100
            elif op == b"Tm":
                x, y = float(operands[4]), float(operands[5])
            elif op in (b"TJ", b"Tj") and font is not None:
                items = operands[0] if op == b"TJ" else [operands[0]]
                if cur is None:
                    cur = PdfLine(pno, h - y, font.name, size)
                    sp = font.code_of(" ")
                    cur.space = font.width(sp) * size / 1000 if sp is not None else 0.0
                    lines.append(cur)
                cur.fonts.add(font.name)
                for it in items:
                    if isinstance(it, bytes | str) or hasattr(it, "original_bytes"):
                        data = it.original_bytes if hasattr(it, "original_bytes") else it
                        if isinstance(data, str):
                            data = data.encode("latin-1")
                        for code in data:
                            w = font.width(code) * size / 1000
                            cur.glyphs.append(Glyph(x, x + w * tz, font.map.get(code, "\ufffd")))
                            x += (w + tc) * tz
                    else:
                        x -= float(it) / 1000 * size * tz
            elif op == b"ET":
                cur = None
    return [ln for ln in lines if ln.glyphs]


@dataclass
class Quality:
    lines: int
    median_space: float
    p95_space: float
    loose_15: float  # share of lines with a space looser than 1.5x natural
    loose_2: float
    hyphens_per_100: float
    max_hyphen_run: int
    on_grid: float  # share of body baselines on the page grid
    widows: int = 0  # a paragraph's last line alone at the head of a column
    orphans: int = 0  # a paragraph's first line alone at the foot of a column

    def rows(self) -> list[tuple[str, str]]:
        return [
            ("body lines", f"{self.lines}"),
            ("median word space (x natural)", f"{self.median_space:.2f}"),
            ("95th percentile word space", f"{self.p95_space:.2f}"),
            ("lines looser than 1.5x", f"{self.loose_15:.1%}"),
            ("lines looser than 2x", f"{self.loose_2:.1%}"),
            ("hyphenated line ends per 100 lines", f"{self.hyphens_per_100:.1f}"),
            ("longest run of hyphenated lines", f"{self.max_hyphen_run}"),
            ("body baselines on the grid", f"{self.on_grid:.1%}"),
            ("widows", f"{self.widows}"),
            ("orphans", f"{self.orphans}"),
        ]


def quality(
    pdf: Path | str,
    body_font: str,
    body_size: float,
    grid: float,
    area_top: float,
    baseline: float,
) -> Quality:
    """Measure the justified body text of a PDF. `body_font` is a part of the body font's
    name; `baseline` the first baseline's distance below the top of the text area."""
    every = read_lines(pdf)
    body = [ln for ln in every if abs(ln.size - body_size) < 0.01 and any(body_font in f for f in ln.fonts)]
    spaces: list[float] = []
    loose15 = loose2 = 0
    on = 0
    hy = 0
    run = best = 0
    for ln in body:
        g = ln.gaps()
        spaces.extend(g)
        if g and max(g) > 1.5:
            loose15 += 1
        if g and max(g) > 2.0:
            loose2 += 1
        off = (ln.y - area_top - baseline) / grid
        if abs(off - round(off)) * grid <= 0.25:
            on += 1
        h = ln.text.rstrip().endswith(("-", "\u2010"))
        hy += h
        # Consecutive in reading order: a paragraph's lines run on across column breaks.
        run = run + 1 if h else 0
        best = max(best, run)
    n = len(body) or 1
    spaces.sort()
    return Quality(
        lines=len(body),
        median_space=statistics.median(spaces) if spaces else 0.0,
        p95_space=spaces[int(len(spaces) * 0.95)] if spaces else 0.0,
        loose_15=loose15 / n,
        loose_2=loose2 / n,
        hyphens_per_100=100 * hy / n,
        max_hyphen_run=best,
        on_grid=on / n,
        **_widows_orphans(every, body, grid, body_size),
    )


def _widows_orphans(every: list[PdfLine], body: list[PdfLine], grid: float, size: float) -> dict[str, int]:
    """Read the column structure off the page: lines one grid step apart starting at the
    same place stand in one column run. A run's head that ends short of the column's edge
    and is not indented is a paragraph's last line (a widow); a run's foot that is indented
    and full is a paragraph's first line (an orphan). Subheads and other text on the grid
    link runs too, so a line under a subhead is not taken for a widow."""
    by_page: dict[int, list[PdfLine]] = {}
    for ln in every:
        by_page.setdefault(ln.page, []).append(ln)
    is_body = {id(ln) for ln in body}
    # Reading order (the order the text is drawn) says whether a paragraph runs on from
    # one line to the next, wherever the two lines stand.
    order = {id(ln): i for i, ln in enumerate(body)}
    widows = orphans = 0
    for lines in by_page.values():
        lines.sort(key=lambda ln: ln.y)
        edges = _column_edges([ln for ln in lines if id(ln) in is_body], size)

        def shape(ln: PdfLine, edges=edges) -> tuple[bool, bool]:
            left, right = edges(ln)
            return ln.x1 < right - 0.5, ln.x0 > left + 0.3 * size  # (short, indented)

        has_prev: set[int] = set()
        has_next: set[int] = set()
        for i, ln in enumerate(lines):
            for other in reversed(lines[:i]):
                dy = ln.y - other.y
                if dy > grid + 0.3:
                    break
                # One column: starting within two ems of each other, in type no larger than
                # a subhead's (a deck or headline across the story does not count).
                if abs(dy - grid) <= 0.3 and abs(ln.x0 - other.x0) <= 2 * size and other.size <= 1.2 * size:
                    has_prev.add(id(ln))
                    has_next.add(id(other))
                    break
        for ln in lines:
            if id(ln) not in is_body:
                continue
            short, indented = shape(ln)
            i = order[id(ln)]
            before = body[i - 1] if i > 0 and body[i - 1].page == ln.page else None
            after = body[i + 1] if i + 1 < len(body) and body[i + 1].page == ln.page else None
            # A widow: a last line alone at a column's head, its paragraph begun before it.
            if id(ln) not in has_prev and short and not indented and before is not None and not shape(before)[0]:
                widows += 1
            # An orphan: a first line alone at a column's foot, its paragraph going on after.
            if id(ln) not in has_next and indented and not short and after is not None and not shape(after)[1]:
                orphans += 1
    return {"widows": widows, "orphans": orphans}


def _column_edges(lines: list[PdfLine], size: float):
    """Column edges on a page: lines starting within two ems of each other share a column;
    its edges are where most of its lines start and end (indents, short last lines and
    hanging punctuation are the exceptions; flush right edges are exact)."""
    clusters: list[list[PdfLine]] = []
    for ln in sorted(lines, key=lambda ln: ln.x0):
        if clusters and ln.x0 - clusters[-1][0].x0 <= 2 * size:
            clusters[-1].append(ln)
        else:
            clusters.append([ln])
    table = []
    for c in clusters:
        starts = Counter(round(x.x0, 1) for x in c)
        ends = Counter(round(x.x1, 1) for x in c)
        table.append(
            (c[0].x0, c[-1].x0, max(starts, key=lambda v: (starts[v], -v)), max(ends, key=lambda v: (ends[v], -v)))
        )

    def edges(ln: PdfLine) -> tuple[float, float]:
        for lo, hi, left, right in table:
            if lo <= ln.x0 <= hi:
                return left, right
        return ln.x0, ln.x1

    return edges
