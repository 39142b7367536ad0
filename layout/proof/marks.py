"""Proof marks drawn over each finished page, inside one optional-content group (the
"Proof marks" layer) so the page beneath is exactly the page that prints: a light
diagonal PROOF watermark, a slug line in the foot margin, each story's id, word count and
fit in the margin beside it, and every finding boxed with a short note."""

from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.pdfgen.canvas import Canvas

from ..page.frames import Page
from ..text.fonts import Face
from .findings import Finding
from .fit import FitRow

OC_NAME = "ProofMarks"  # the /Properties key of the layer in every page's resources
COLORS = {"error": (0.82, 0.0, 0.11), "warning": (0.93, 0.45, 0.0), "info": (0.1, 0.4, 0.85)}
INSIDE = ("foot", "hole", "resolution", "inline")  # findings whose box holds no text: the note goes inside
FIT_COLORS = {
    "fits": (0.1, 0.55, 0.25),
    "short": (0.93, 0.45, 0.0),
    "over": (0.82, 0.0, 0.11),
    "jump": (0.1, 0.4, 0.85),
}


@dataclass
class Marks:
    """What to mark on each page; `__call__` is the drawer's `decorate` hook."""

    face: Face  # a face of the issue's own style: every mark glyph embedded
    bold: Face
    slug: str  # "publication · date · proofed ... · inputs ..."
    total: int  # pages in the proof
    edition: int  # pages of the edition (the rest are proof sheets)
    findings: dict[int, list[Finding]] = field(default_factory=dict)
    fits: dict[int, list[FitRow]] = field(default_factory=dict)
    words: dict[tuple[str, int], int] = field(default_factory=dict)  # (story, page) -> words set there

    def __call__(self, c: Canvas, page: Page) -> None:
        c._code.append(f"/OC /{OC_NAME} BDC")
        c.saveState()
        self._watermark(c, page)
        if page.number <= self.edition:
            self._labels(c, page)
            placed: list[tuple[float, float, float, float]] = []
            for f in self.findings.get(page.number, []):
                self._finding(c, page, f, placed)
        self._slug(c, page)
        c.restoreState()
        c._code.append("EMC")

    def _watermark(self, c: Canvas, page: Page) -> None:
        c.saveState()
        c.setFillColorRGB(0.55, 0.55, 0.6, alpha=0.09)
        c.translate(page.width / 2, page.height / 2)
        c.rotate(52)
        size = min(page.width, page.height) * 0.3
        c.setFont(self.bold.name, size)
        c.drawCentredString(0, -size * 0.35, "PROOF")
        c.restoreState()

    def _slug(self, c: Canvas, page: Page) -> None:
        a = page.area
        y = page.height - (a.bottom + (page.height - a.bottom) * 0.55)
        kind = f"page {page.number} of {self.edition}" if page.number <= self.edition else "proof sheet"
        n = len(self.findings.get(page.number, []))
        probs = f"  \u00b7  {n} finding{'s' if n != 1 else ''} marked" if n else ""
        c.setFillColorRGB(0.35, 0.35, 0.4)
        c.setFont(self.bold.name, 6.5)
        c.drawString(a.x, y, "PROOF")
        c.setFont(self.face.name, 6.5)
        c.drawString(a.x + 24, y, f"{self.slug}  \u00b7  {kind}{probs}")
        c.drawRightString(a.right, y, f"sheet {page.number}/{self.total}")

    def _labels(self, c: Canvas, page: Page) -> None:
        """A coloured bracket and the story's label, set vertically, in the margin nearest it."""
        lanes: dict[str, list[float]] = {"left": [], "right": []}  # bottom of the last label in each lane
        H = page.height
        for row in sorted(self.fits.get(page.number, []), key=lambda r: r.page):
            cols = [int(v) for v in row.columns.split("-")]
            c0, c1 = cols[0], cols[-1]
            side = "left" if c0 == 1 or (c1 < len(page.columns) and c0 - 1 < len(page.columns) - c1) else "right"
            fit = self._fit_for(page, row)
            if fit is None:
                continue
            top, bottom = fit
            words = self.words.get((row.story, page.number), 0)
            text = f"{row.story}  \u00b7  {words} words  \u00b7  {row.label}"
            length = self.face.rl.stringWidth(text, 6.5) + 6
            extent = max(bottom, top + length)
            lane = 0
            used = lanes[side]
            while lane < len(used) and used[lane] > top:
                lane += 1
            if lane == len(used):
                used.append(0.0)
            used[lane] = extent + 4
            a = page.area
            x = a.x - 6 - lane * 9 if side == "left" else a.right + 6 + lane * 9
            key = "over" if row.over else "jump" if row.jumps.startswith("to") else "short" if row.free else "fits"
            r, g, b = FIT_COLORS[key]
            c.setStrokeColorRGB(r, g, b)
            c.setLineWidth(1.2)
            c.line(x, H - top, x, H - bottom)
            # The story's outline, dashed and thin, so the label reads against its story.
            x0 = page.columns[c0 - 1][0]
            x1 = page.columns[min(c1, len(page.columns)) - 1][0] + page.columns[min(c1, len(page.columns)) - 1][1]
            c.setLineWidth(0.4)
            c.setDash(2, 2)
            c.rect(x0 - 1.5, H - bottom - 1.5, x1 - x0 + 3, bottom - top + 3, stroke=1, fill=0)
            c.setDash()
            c.saveState()
            c.setFillColorRGB(r, g, b)
            c.setFont(self.bold.name, 6.5)
            tx = x - 8.5 if side == "left" else x + 3.5  # rotated -90: the glyphs stand to the right of tx
            c.translate(tx, H - top)
            c.rotate(-90)
            c.drawString(2, 0, text)
            c.restoreState()

    def _fit_for(self, page: Page, row: FitRow) -> tuple[float, float] | None:
        ys = [
            (it.top, it.bottom) for it in page.items if getattr(it, "story", None) == row.story and hasattr(it, "top")
        ]
        if not ys:
            return None
        return min(t for t, _ in ys), max(b for _, b in ys)

    def _finding(self, c: Canvas, page: Page, f: Finding, placed: list[tuple[float, float, float, float]]) -> None:
        H = page.height
        x0, top, x1, bottom = f.box
        r, g, b = COLORS.get(f.severity, COLORS["info"])
        c.setStrokeColorRGB(r, g, b)
        c.setFillColorRGB(r, g, b, alpha=0.12)
        c.setLineWidth(1.0 if f.severity == "error" else 0.7)
        c.rect(x0, H - bottom, x1 - x0, bottom - top, stroke=1, fill=1)
        size = 6.5
        note = self._fitted(f.note, size, page.width - 8)
        w = self.bold.rl.stringWidth(note, size) + 6
        tx = min(max(x0 + (2 if f.kind in INSIDE else 0), 2.0), page.width - w - 2)
        if f.kind in INSIDE and bottom - top >= size + 3:
            ty = H - top - size - 2.5  # in the empty space (or on the photo), clear of any text
        else:
            ty = H - bottom - size - 4 if bottom + size + 6 < page.height else H - top + 2
        # Step the note down (or up, near the foot of the sheet) until it clears the notes already set.
        step = -(size + 5) if ty > size + 8 else size + 5
        while any(tx < b[2] and b[0] < tx + w and ty - 2 < b[3] and b[1] < ty + size + 2 for b in placed):
            ty += step
        placed.append((tx, ty - 2, tx + w, ty + size + 2))
        c.setFillColorRGB(1, 1, 1, alpha=0.92)
        c.rect(tx, ty - 2, w, size + 4, stroke=0, fill=1)
        c.setFillColorRGB(r, g, b)
        c.setFont(self.bold.name, size)
        c.drawString(tx + 3, ty + 0.5, note)

    def _fitted(self, note: str, size: float, width: float) -> str:
        """The note, cut at a word and ended with an ellipsis if it is wider than `width`."""
        words = note.split(" ")
        while len(words) > 1 and self.bold.rl.stringWidth(" ".join(words) + "\u2026", size) + 6 > width:
            words.pop()
        return note if len(words) == len(note.split(" ")) else " ".join(words) + "\u2026"
