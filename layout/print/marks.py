"""Printer's marks drawn outside the bleed: crop marks at the four trim corners and a slug line.

Reads the canvas (origin already at the trim's lower-left corner), the trim size and the print
settings; draws in black ink only (`K`/`k`), so the marks separate onto the black plate and never
add a colour of their own. ReportLab's own `cropMarks=` is not used: with a bleed it scales the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.pdfgen import canvas

MARK_GAP = 3.0  # points between the bleed edge and the start of a crop mark
MARK_LENGTH = 15.0
MARK_WIDTH = 0.25
SLUG_SIZE = 6.5
SLUG_DROP = 15.0  # baseline of the slug line below the bleed edge


@dataclass(frozen=True)
class Slug:
    publication: str
    date: str
    edition: str
    pages: int
    output_condition: str
    ink_limit: float

    def text(self, number: int, section: str) -> str:
        parts = [
            self.publication,
            self.date,
            self.edition,
            f"page {number} of {self.pages}" + (f" ({section})" if section else ""),
            f"{self.output_condition}, total ink {self.ink_limit:g}%",
        ]
        return "  |  ".join(p for p in parts if p)


def crop_marks(c: canvas.Canvas, width: float, height: float, bleed: float) -> None:
    """Eight short lines on the extensions of the trim edges, starting clear of the bleed."""
    start = bleed + MARK_GAP
    end = start + MARK_LENGTH
    ops = ["q", "0 0 0 1 K", f"{MARK_WIDTH} w", "0 J"]
    for x in (0.0, width):
        out = -1 if x == 0.0 else 1
        for y in (0.0, height):
            up = -1 if y == 0.0 else 1
            # horizontal mark on the line of the top/bottom edge, outside the left/right edge
            ops.append(f"{_n(x + out * start)} {_n(y)} m {_n(x + out * end)} {_n(y)} l S")
            # vertical mark on the line of the left/right edge, outside the top/bottom edge
            ops.append(f"{_n(x)} {_n(y + up * start)} m {_n(x)} {_n(y + up * end)} l S")
    ops.append("Q")
    c._code.append("\n".join(ops))


def slug_line(c: canvas.Canvas, text: str, font: str, bleed: float) -> None:
    """The page's identity below the trim, outside the bleed, left-aligned with the trim."""
    c.saveState()
    c.setFillColorCMYK(0, 0, 0, 1)
    c.setFont(font, SLUG_SIZE)
    c.drawString(MARK_GAP + MARK_LENGTH + bleed + 6.0, -(bleed + SLUG_DROP), text)
    c.restoreState()


def _n(v: float) -> str:
    s = f"{v:.3f}".rstrip("0").rstrip(".")
    return s if s not in ("-0", "") else "0"
