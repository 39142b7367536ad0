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
from dataclasses import dataclass, field

from ..manifest.stylesheet import TextSpec
from .fonts import Shaped
from .items import Box
from .line import Line, Span
from .linebreak import HYPH, JOIN, SPACE, Breaks, Items

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
    return build_lines_python(it, boxes, br, width, size, justify, align, indent, para, spec)


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


@dataclass(slots=True)
class _Gathered:
    """One line's spans with the natural width, stretch and shrink of the space before each."""

    spans: list[Span] = field(default_factory=list)
    gaps: list[float] = field(default_factory=list)
    stretch: list[float] = field(default_factory=list)
    shrink: list[float] = field(default_factory=list)

    def add(self, span: Span, gap: float = 0.0, stretch: float = 0.0, shrink: float = 0.0) -> None:
        self.spans.append(span)
        self.gaps.append(gap)
        self.stretch.append(stretch)
        self.shrink.append(shrink)


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
    lines: list[Line] = []
    s = 0
    nlines = len(br.ends)
    for li, e in enumerate(br.ends):
        last = li == nlines - 1
        g = _gather(it, boxes, s, e, size)
        hyphenated = False
        if not last and it.sep[e] == HYPH:
            f = g.spans[-1].face
            g.add(Span(f, size, f.shape("-"), 0.0, False, g.spans[-1].color))
            hyphenated = True
        elif not last and it.sep[e] == JOIN and it.flag[e]:
            hyphenated = True
        ratio = br.ratios[li] if li < len(br.ratios) else 0.0
        line = Line(g.spans, width(li), 0.0, 1.0, justify and not last, hyphenated, li == 0, last, ratio, para)
        line.breaks_word = not last and it.sep[e] in (HYPH, JOIN)
        # A line broken inside a URL or after a slash or dash is never letter-spaced.
        letters = last or not (it.sep[e] == JOIN and not it.flag[e])
        _place(line, g.gaps, g.stretch, g.shrink, li, indent, justify, align, size, spec, letters)
        lines.append(line)
        s = e + 1
    return lines


def _gather(it: Items, boxes: list[Box], s: int, e: int, size: float) -> _Gathered:
    g = _Gathered()
    spans, gaps, stretch, shrink = g.spans, g.gaps, g.stretch, g.shrink  # add(), inlined: hot
    sep, gw, gy, gz = it.sep, it.gw, it.gy, it.gz
    for bi in range(s, e + 1):
        sp_before = bi > s and sep[bi - 1] == SPACE
        first = True
        for face, shaped, col in boxes[bi].segs:
            spans.append(Span(face, size, shaped, 0.0, sp_before and first, col))
            if first and sp_before:
                gaps.append(gw[bi - 1])
                stretch.append(gy[bi - 1])
                shrink.append(gz[bi - 1])
            else:
                gaps.append(0.0)
                stretch.append(0.0)
                shrink.append(0.0)
            first = False
    return g


def _hangs(line: Line, li: int, indent: float, justify: bool, size: float, spec: TextSpec) -> tuple[float, float]:
    """Optical margins: punctuation at either end hangs partly outside the measure."""
    if not (spec.optical_margins and justify):
        return 0.0, 0.0
    spans = line.spans
    hang_l = hang_r = 0.0
    first_ch = spans[0].shaped.text[:1]
    if li > 0 or not indent:
        hang_l = HANG_LEFT.get(first_ch, 0.0) * spans[0].face.width(first_ch, size) if first_ch else 0.0
    if not line.last:
        last_ch = spans[-1].shaped.text[-1:]
        hang_r = HANG_RIGHT.get(last_ch, 0.0) * spans[-1].face.width(last_ch, size) if last_ch else 0.0
    return hang_l, hang_r


def _place(
    line: Line,
    gaps: list[float],
    stretch: list[float],
    shrink: list[float],
    li: int,
    indent: float,
    justify: bool,
    align: str,
    size: float,
    spec: TextSpec,
    letters: bool = True,
) -> None:
    """Fill the line to its measure (when justified) or align it, and give every span its x.
    Without `letters`, a line that word spaces cannot fill is set flush left, not letter-spaced."""
    spans = line.spans
    k = size / 1000.0
    L = line.width
    x0 = indent if li == 0 else 0.0
    hang_l, hang_r = _hangs(line, li, indent, justify, size, spec)
    target = L + hang_l + hang_r
    nat_boxes = sum(sp.shaped.width * k for sp in spans)
    nat_gaps = sum(gaps)
    if line.last and justify and nat_boxes + nat_gaps > target - 1.0:
        # A last line that fits only with its spaces tightened, or that falls short of the
        # measure by less than a point (it would look like a justifying mistake): fill it.
        line.justified = True
    if line.justified and not letters and target - nat_boxes - nat_gaps > sum(stretch):
        line.justified = False
    if line.justified:
        gaps = _justify(line, gaps, stretch, shrink, target, nat_boxes, nat_gaps, size, spec)
    x = x0 - hang_l
    if not line.justified:
        natural = nat_boxes + nat_gaps
        if align == "center":
            x = x0 + (L - natural) / 2
        elif align == "right":
            x = x0 + L - natural + hang_r
    for sp, g in zip(spans, gaps, strict=True):
        x += g
        sp.x = x
        x += line.advance(sp)
    over = max(line.right - (x0 + L + hang_r), (x0 - hang_l) - spans[0].x)
    if over > 0.01:
        line.overfull = over


def _justify(
    line: Line,
    gaps: list[float],
    stretch: list[float],
    shrink: list[float],
    target: float,
    nat_boxes: float,
    nat_gaps: float,
    size: float,
    spec: TextSpec,
) -> list[float]:
    """Set the line's tracking and scaling and return the word spaces that fill the target exactly."""
    spans = line.spans
    glyphs = sum(sp.shaped.glyphs for sp in spans)
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
    adv = sum(line.advance(sp) for sp in spans) - line.tracking * line.scale
    room = target - adv
    if nat_gaps > 0:
        # Never closer than the minimum word space: a line that cannot fit
        # overflows (and is reported) rather than run its words together.
        factor = max(room / nat_gaps, spec.word_space.min / spec.word_space.ideal)
        return [g * factor for g in gaps]
    if glyphs > 1 and len(spans) >= 1:
        # One word alone on a line: letter-space it to the measure within the style's limit;
        # beyond it the word is set flush left rather than stretched.
        t = line.tracking + room / ((glyphs - 1) * line.scale)
        limit = spec.letter_spacing * size
        if t > limit + 1e-9:
            line.tracking, line.scale, line.justified = 0.0, 1.0, False
        else:
            line.tracking = max(t, -limit)
    return gaps
