"""Words with their boxes, read from the composed frames: where the PDF exporter draws each word.

Reads `TextItem`s (a line's spans: x from the line origin, advances with tracking and glyph
scaling as `layout/pdf/draw.py` writes them); produces `Word`s in page points, and pairs the two
halves of a word broken across lines (so an archive can give the whole word to search).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..page.frames import TextItem
from ..text.fonts import LIGATURES, Face

_SPELL_OUT = str.maketrans(LIGATURES)


@dataclass(slots=True)
class Word:
    text: str  # as printed, ligatures spelt out, without a hyphen the breaker added
    x0: float  # left edge of the first glyph, points from the page's left
    x1: float  # right edge of the last glyph (its advance, without trailing tracking)
    baseline: float
    face: Face
    size: float
    hyphen: tuple[float, float] | None = None  # (x0, x1) of a hyphen the breaker added after it
    part: int = 0  # 0 a whole word, 1 the first half of a broken word, 2 the second half
    whole: str = ""  # the whole word, for a broken one

    @property
    def top(self) -> float:
        return self.baseline - self.face.ascent * self.size / 1000.0

    @property
    def bottom(self) -> float:
        return self.baseline - self.face.descent * self.size / 1000.0

    @property
    def printed(self) -> str:
        """The word as it reads on the page, an added hyphen included."""
        return self.text + ("-" if self.hyphen else "")


def line_words(it: TextItem) -> list[Word]:
    """The words of one line, left to right, split where the typesetter put a word space."""
    ln = it.line
    words: list[Word] = []
    spans = ln.spans
    last = len(spans) - 1
    for i, sp in enumerate(spans):
        x0 = it.x + sp.x
        x1 = x0 + ln.advance(sp) - ln.tracking * ln.scale
        text = sp.shaped.text.translate(_SPELL_OUT)
        added_hyphen = i == last and i > 0 and ln.hyphenated and text == "-" and not sp.space_before
        if added_hyphen and words:
            words[-1].hyphen = (x0, x1)
        elif words and not sp.space_before:
            w = words[-1]
            w.text += text
            w.x1 = x1
        else:
            words.append(Word(text, x0, x1, it.baseline, sp.face, sp.size))
    return words


def join_broken(lines: list[list[Word]], breaks: list[bool]) -> None:
    """Mark a word broken at the end of line k and finished at the start of line k + 1.
    `lines` are one story's lines in reading order; `breaks[k]` says line k ends inside a word."""
    for k, words in enumerate(lines[:-1]):
        nxt = lines[k + 1]
        if not (breaks[k] and words and nxt):
            continue
        a, b = words[-1], nxt[0]
        whole = a.text + b.text  # an added hyphen is not in a.text; a dash or slash is
        a.part, a.whole = 1, whole
        b.part, b.whole = 2, whole
