"""Breaks into lines: spans positioned, punctuation hung into the margins, lines filled to the measure.

Reads the breaker's `Breaks` over `Items` and the matching `Box`es; produces `Line`s. Word spaces take
the adjustment first (within the style's limits), then letter-spacing and glyph scaling share the rest.

`build_lines` runs in C when the optional extension `_setlines` (built from _setlines.c by setup.py)
imports: the same lines, bit for bit. `build_lines_python` is the reference and the fallback (no
compiler, input the C code declines, or LAYOUT_PURE_PYTHON=1 set before the import).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from itertools import chain

from ..manifest.stylesheet import TextSpec
from .fonts import Shaped
from .items import Box
from .line import Line, Span
from .linebreak import HYPH, JOIN, SPACE, Breaks, Items

_join = chain.from_iterable

_setlines = None
if os.environ.get("LAYOUT_PURE_PYTHON", "") in ("", "0"):
    try:
        from . import _setlines  # type: ignore[attr-defined,no-redef]
    except ImportError:  # not built (no compiler): the Python code below does the work
        _setlines = None


def _register() -> bool:
    """Let the C code make Spans, Shapeds and Lines without calling their classes (their __init__
    only stores each field), if one it makes equals one the class makes; else it calls them."""
    if _setlines is None:
        return False

    def names(cls: type) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    if not _setlines.register(Span, names(Span), Shaped, names(Shaped), Line, names(Line)):
        return False
    make = _setlines.make
    shaped = ("ab", (1.5, 0.0), 2.5, 2)
    span = (None, 9.5, 3.25, True, "#000000")  # face, size, (shaped), x, space before, colour
    rest = (100.0, 0.1, 0.99, True, False, True, False, 0.5, 3, 0.0, True)
    want = Line([Span(*span[:2], Shaped(*shaped), *span[2:])], *rest)  # type: ignore[misc]
    made = make(Line, [make(Span, *span[:2], make(Shaped, *shaped), *span[2:])], *rest)
    return type(made) is Line and made == want and repr(made) == repr(want)


if not _register():
    _setlines = None
ACCELERATED = _setlines is not None
_ALIGN = {"center": 1, "right": 2}  # any other alignment starts at the left

# Optical margin alignment: the share of a character's width that hangs outside the measure.
HANG_RIGHT = {
    ".": 0.6,
    ",": 0.6,
    "-": 0.6,
    "\u2010": 0.6,
    "\u2013": 0.3,
    "\u2014": 0.2,
    ":": 0.3,
    ";": 0.3,
    "!": 0.2,
    "?": 0.2,
    '"': 0.5,
    "'": 0.6,
    "\u201d": 0.5,
    "\u2019": 0.6,
}
HANG_LEFT = {'"': 0.5, "'": 0.6, "\u201c": 0.5, "\u2018": 0.6, "(": 0.2, "\u2014": 0.2, "\u2013": 0.3}


class _Runs:
    """A paragraph's runs (a box's runs of one face) as columns, each with the space before it
    (0 unless it begins a box after a word space), its natural width and glyph count: a line takes
    slices of them (at C speed) instead of gathering its runs one by one."""

    __slots__ = ("runs", "first", "gaps", "stretch", "shrink", "before", "wk", "wsz", "glyphs")

    def __init__(self, it: Items, boxes: list[Box], size: float):
        k = size / 1000.0
        sep = it.sep
        runs = self.runs = list(_join([b.segs for b in boxes]))
        after = [s == SPACE for s in sep[:-1]]  # a word space after each box but the last
        before = [False, *after]
        gaps = [0.0, *[g if a else 0.0 for g, a in zip(it.gw[:-1], after, strict=True)]]
        stretch = [0.0, *[g if a else 0.0 for g, a in zip(it.gy[:-1], after, strict=True)]]
        shrink = [0.0, *[g if a else 0.0 for g, a in zip(it.gz[:-1], after, strict=True)]]
        self.first: list[int] | range = range(len(boxes) + 1)  # each box's first run, and the end
        if len(runs) != len(boxes):  # a word of several faces: spaces go before its first run only
            self.first = first = [0]
            for b in boxes:
                first.append(first[-1] + len(b.segs))
            before, gaps, stretch, shrink = (_spread(col, first, z) for col, z in
                                             ((before, False), (gaps, 0.0), (stretch, 0.0), (shrink, 0.0)))  # fmt: skip
        self.before, self.gaps, self.stretch, self.shrink = before, gaps, stretch, shrink
        self.wk = [sh.width * k for _, sh, _ in runs]  # as the natural width sums it
        self.wsz = [sh.width * size / 1000.0 for _, sh, _ in runs]  # as Line.advance computes it
        self.glyphs = [sh.glyphs for _, sh, _ in runs]


def _spread(col: list, first: list[int], zero: object) -> list:
    """A value per box as a value per run: the box's on its first run, `zero` on the others."""
    out = [zero] * first[-1]
    for bi, v in enumerate(col):
        out[first[bi]] = v
    return out


def build_lines(
    it: Items,
    boxes: list[Box],
    br: Breaks,
    width: Callable[[int], float],
    size: float,
    justify: bool,
    align: str,
    indent: float,
    para: int,
    spec: TextSpec,
) -> list[Line]:
    """The lines of one paragraph broken at `br` (in C when the extension is built)."""
    if not br.ends:
        return []
    out = _c_lines(it, boxes, br, width, size, justify, align, indent, para, spec)
    if out is not None:
        return out
    return _lines(_Runs(it, boxes, size), it, br, width, size, justify, align, indent, para, spec)


def _c_lines(
    it: Items,
    boxes: list[Box],
    br: Breaks,
    width: Callable[[int], float],
    size: float,
    justify: bool,
    align: str,
    indent: float,
    para: int,
    spec: TextSpec,
) -> list[Line] | None:
    """The lines from the C code, or None where it is not built or declines the input."""
    ws = spec.word_space
    if _setlines is None or not ws.ideal:  # (the Python code divides by ws.ideal only when it must)
        return None
    lo, hi = spec.glyph_scaling
    return _setlines.set_lines(
        boxes, it.sep, it.gw, it.gy, it.gz, it.flag, br.ends, br.ratios, [width(li) for li in range(len(br.ends))],
        size, justify, _ALIGN.get(align, 0), indent, para, spec.optical_margins, spec.letter_spacing,
        (lo, hi, ws.min / ws.ideal), Span, Line, HANG_LEFT, HANG_RIGHT,
    )  # fmt: skip


def build_lines_python(
    it: Items,
    boxes: list[Box],
    br: Breaks,
    width: Callable[[int], float],
    size: float,
    justify: bool,
    align: str,
    indent: float,
    para: int,
    spec: TextSpec,
) -> list[Line]:
    """`build_lines` in Python: the reference the C code must equal."""
    return _lines(_Runs(it, boxes, size), it, br, width, size, justify, align, indent, para, spec) if br.ends else []


def _lines(
    p: _Runs,
    it: Items,
    br: Breaks,
    width: Callable[[int], float],
    size: float,
    justify: bool,
    align: str,
    indent: float,
    para: int,
    spec: TextSpec,
) -> list[Line]:
    lines: list[Line] = []
    first = p.first
    sep, flag = it.sep, it.flag
    s = 0
    nlines = len(br.ends)
    for li, e in enumerate(br.ends):
        last = li == nlines - 1
        a, b = first[s], first[e + 1]
        runs, gaps, stretch, shrink = p.runs[a:b], p.gaps[a:b], p.stretch[a:b], p.shrink[a:b]
        before, wk, wsz, glyphs = p.before[a:b], p.wk[a:b], p.wsz[a:b], p.glyphs[a:b]
        gaps[0], stretch[0], shrink[0], before[0] = 0.0, 0.0, 0.0, False  # nothing before a line
        hyphenated = False
        if not last and sep[e] == HYPH:
            f, _, col = runs[-1]
            hs = f.shape("-")
            runs.append((f, hs, col))
            gaps.append(0.0)
            stretch.append(0.0)
            shrink.append(0.0)
            before.append(False)
            wk.append(hs.width * (size / 1000.0))
            wsz.append(hs.width * size / 1000.0)
            glyphs.append(hs.glyphs)
            hyphenated = True
        elif not last and sep[e] == JOIN and flag[e]:
            hyphenated = True
        ratio = br.ratios[li] if li < len(br.ratios) else 0.0
        # A line broken inside a URL or after a slash or dash is never letter-spaced.
        letters = last or not (sep[e] == JOIN and not flag[e])
        line = Line([], width(li), 0.0, 1.0, justify and not last, hyphenated, li == 0, last, ratio, para)
        line.breaks_word = not last and sep[e] in (HYPH, JOIN)
        cols = (runs, gaps, stretch, shrink, before, wk, wsz, glyphs)
        _place(line, cols, li, indent, justify, align, size, spec, letters)
        lines.append(line)
        s = e + 1
    return lines


def _hangs(
    runs: list, last: bool, li: int, indent: float, justify: bool, size: float, spec: TextSpec
) -> tuple[float, float]:
    """Optical margins: punctuation at either end hangs partly outside the measure."""
    if not (spec.optical_margins and justify):
        return 0.0, 0.0
    hang_l = hang_r = 0.0
    first_ch = runs[0][1].text[:1]
    if li > 0 or not indent:
        hang_l = HANG_LEFT.get(first_ch, 0.0) * runs[0][0].width(first_ch, size) if first_ch else 0.0
    if not last:
        last_ch = runs[-1][1].text[-1:]
        hang_r = HANG_RIGHT.get(last_ch, 0.0) * runs[-1][0].width(last_ch, size) if last_ch else 0.0
    return hang_l, hang_r


def _place(
    line: Line,
    cols: tuple,
    li: int,
    indent: float,
    justify: bool,
    align: str,
    size: float,
    spec: TextSpec,
    letters: bool = True,
) -> None:
    """Fill the line to its measure (when justified) or align it, and make its spans, each at its x.
    Without `letters`, a line that word spaces cannot fill is set flush left, not letter-spaced."""
    runs, gaps, stretch, shrink, before, wk, wsz, glyphs = cols
    L = line.width
    x0 = indent if li == 0 else 0.0
    hang_l, hang_r = _hangs(runs, line.last, li, indent, justify, size, spec)
    target = L + hang_l + hang_r
    nat_boxes = sum(wk)
    nat_gaps = sum(gaps)
    if line.last and justify and nat_boxes + nat_gaps > target - 1.0:
        # A last line that fits only with its spaces tightened, or that falls short of the
        # measure by less than a point (it would look like a justifying mistake): fill it.
        line.justified = True
    if line.justified and not letters and target - nat_boxes - nat_gaps > sum(stretch):
        line.justified = False
    if line.justified:
        gaps = _justify(line, cols, target, nat_boxes, nat_gaps, size, spec)
    x = x0 - hang_l
    if not line.justified:
        natural = nat_boxes + nat_gaps
        if align == "center":
            x = x0 + (L - natural) / 2
        elif align == "right":
            x = x0 + L - natural + hang_r
    advs = _advances(wsz, glyphs, line.tracking, line.scale)
    spans = line.spans
    add = spans.append
    for (face, shaped, col), g, adv, sb in zip(runs, gaps, advs, before, strict=True):
        x += g
        add(Span(face, size, shaped, x, sb, col))
        x += adv
    # x is now the last span's x plus its advance: Line.right, less the trailing tracking.
    over = max(x - line.tracking * line.scale - (x0 + L + hang_r), (x0 - hang_l) - spans[0].x)
    if over > 0.01:
        line.overfull = over


def _advances(wsz: list[float], glyphs: list[int], tracking: float, scale: float) -> list[float]:
    """Each span's advance as `Line.advance` computes it (without tracking or scaling: its width)."""
    if tracking == 0.0 and scale == 1.0:
        return wsz  # (w + 0.0 * g) * 1.0 is w exactly
    return [(w + tracking * g) * scale for w, g in zip(wsz, glyphs, strict=True)]


def _justify(
    line: Line,
    cols: tuple,
    target: float,
    nat_boxes: float,
    nat_gaps: float,
    size: float,
    spec: TextSpec,
) -> list[float]:
    """Set the line's tracking and scaling and return the word spaces that fill the target exactly."""
    _, gaps, stretch, shrink, _, _, wsz, glyph_counts = cols
    glyphs = sum(glyph_counts)
    need = target - nat_boxes - nat_gaps
    Y = sum(stretch) if need >= 0 else sum(shrink)
    take = max(-Y, min(need, Y)) if Y > 0 else 0.0
    rem = need - take
    if rem and glyphs > 1:
        # Letters next: tracking and glyph scaling share the rest by their limits.
        fl = spec.letter_spacing * size * (glyphs - 1)
        fs = (spec.glyph_scaling[1] - 1.0 if rem > 0 else 1.0 - spec.glyph_scaling[0]) * nat_boxes
        cap = fl + fs
        t = max(-1.0, min(1.0, rem / cap)) if cap > 0 else 0.0
        line.scale = 1.0 + t * fs / nat_boxes if nat_boxes else 1.0
        line.tracking = t * fl / (glyphs - 1) / line.scale if glyphs > 1 else 0.0
    # Fill the measure exactly: spaces take whatever is left after the letters.
    adv = sum(_advances(wsz, glyph_counts, line.tracking, line.scale)) - line.tracking * line.scale
    room = target - adv
    if nat_gaps > 0:
        # Never closer than the minimum word space: a line that cannot fit
        # overflows (and is reported) rather than run its words together.
        factor = max(room / nat_gaps, spec.word_space.min / spec.word_space.ideal)
        return [g * factor for g in gaps]
    if glyphs > 1 and len(wsz) >= 1:
        # One word alone on a line: letter-space it to the measure within the style's limit;
        # beyond it the word is set flush left rather than stretched.
        t = line.tracking + room / ((glyphs - 1) * line.scale)
        limit = spec.letter_spacing * size
        if t > limit + 1e-9:
            line.tracking, line.scale, line.justified = 0.0, 1.0, False
        else:
            line.tracking = max(t, -limit)
    return gaps
