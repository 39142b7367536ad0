"""A set line as plain data: glyph spans positioned from the line's origin.

Produced by the paragraph builder (`typeset`), read by page composition, the PDF drawing and every
output package. Widths are the shaped widths the PDF draws, so a justified line is exactly its measure.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .fonts import LIGATURES, Face, Shaped

_SPELL_OUT = str.maketrans(LIGATURES)
_accel = None  # line_ink and text_ink in C (layout/text/_setlines.c), when it is built
if os.environ.get("LAYOUT_PURE_PYTHON", "") in ("", "0"):
    try:
        from . import _setlines as _accel  # type: ignore[attr-defined,no-redef]
    except ImportError:  # not built: the Python loop below
        _accel = None


@dataclass(slots=True)
class Span:
    face: Face
    size: float
    shaped: Shaped
    x: float  # from the line's origin, points
    space_before: bool  # a word space precedes this span (written as a real space)
    color: str

    @property
    def text(self) -> str:
        return self.shaped.text


@dataclass(slots=True)
class Line:
    spans: list[Span]
    width: float  # the measure
    tracking: float  # extra space after each glyph, points (PDF Tc)
    scale: float  # horizontal glyph scaling (PDF Tz / 100)
    justified: bool
    hyphenated: bool  # ends with a hyphen that the breaker added or found
    first: bool  # first line of its paragraph
    last: bool  # last line of its paragraph
    ratio: float  # adjustment ratio chosen by the breaker
    para: int = 0  # paragraph number within its story
    overfull: float = 0.0  # points past the measure (hanging punctuation allowed for)
    breaks_word: bool = False  # ends inside a word (a hyphen, or a break after a dash or slash)

    @property
    def text(self) -> str:
        """The line's text as written (ligatures spelt out)."""
        spans = self.spans
        if not spans:
            return ""
        text = "".join([" " + s.shaped.text if s.space_before else s.shaped.text for s in spans])
        if spans[0].space_before:
            text = text[1:]  # no space before the first span
        # Only ligatures (U+FB00-FB04) are spelt out: most lines have none, and max() is C speed.
        return text.translate(_SPELL_OUT) if text and max(text) >= "\ufb00" else text

    def advance(self, s: Span) -> float:
        return (s.shaped.width * s.size / 1000.0 + self.tracking * s.shaped.glyphs) * self.scale

    @property
    def right(self) -> float:
        """Where the last glyph's advance ends, without its trailing tracking."""
        if not self.spans:
            return 0.0
        s = self.spans[-1]
        return s.x + self.advance(s) - self.tracking * self.scale


def line_ink(spans: list[Span]) -> tuple[float, float]:
    """The highest top and lowest bottom of the spans' glyph ink from the baseline, in points, y up
    (0.0 when none is higher or lower): for checking that nothing touches anything else. In C
    when it is built (every line of an issue is checked)."""
    if _accel is not None:
        got = _accel.line_ink(spans)
        if got is not NotImplemented:
            return got  # type: ignore[no-any-return]
    return line_ink_python(spans)


def text_ink(item: object) -> tuple[float, float, float, float] | None | object:
    """Where a text item (anything with `x`, `baseline` and a `line`, as page.frames.TextItem) leaves
    glyph ink on the page: (x0, top, x1, bottom), None when it leaves none; NotImplemented when the
    C code is not built or meets a field it does not expect (the caller reckons it: the containment
    check asks it of every line of an issue, and its Python took 3-4 µs a line)."""
    if _accel is None:
        return NotImplemented
    return _accel.text_ink(item)


def line_ink_python(spans: list[Span]) -> tuple[float, float]:
    """line_ink's reference: the C code must equal it bit for bit."""
    up = down = 0.0
    for sp in spans:
        t, b = sp.face.ink(sp.shaped.text)
        size = sp.size
        t = t * size / 1000
        if t > up:
            up = t
        b = b * size / 1000
        if b < down:
            down = b
    return up, down
