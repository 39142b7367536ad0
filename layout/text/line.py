"""A set line as plain data: glyph spans positioned from the line's origin.

Produced by the paragraph builder (`typeset`), read by page composition, the PDF drawing and every
output package. Widths are the shaped widths the PDF draws, so a justified line is exactly its measure.
"""

from __future__ import annotations

from dataclasses import dataclass

from .fonts import LIGATURES, Face, Shaped

_SPELL_OUT = str.maketrans(LIGATURES)


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
