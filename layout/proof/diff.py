"""Compare two proofs (or renders) of an issue: per story, the words added and removed
(a word-level diff of each story's text from the embedded maps, or of each page's text
when a PDF has no map); per page, whether what prints changed, and which stories' lines
moved as a consequence. The slug and watermark are marks, not content: two proofs of the
same inputs compare as unchanged. Reads two PDFs; produces a Comparison."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageChops

from .preview import render
from .proofmap import read_map, unmarked

DPI = 72  # the report's page images; enough to see what moved
DIFF_PIXELS = 8_000_000  # per page image (a broadsheet at 72 dpi is 1.2 million): a hostile page size stays small


@dataclass
class Side:
    pdf: Path
    clean: Path  # the pages as they print: marks and proof sheets removed
    map: dict | None
    pages: int  # the edition's pages (proof sheets excluded)
    texts: dict[str, list[str]]  # story id (or "page N" without a map) -> words
    images: list[Image.Image] = field(default_factory=list)


@dataclass
class Change:
    story: str
    removed: list[str]
    added: list[str]
    page: int | None  # where the old words stood (or the new ones, for an insertion)
    overset: bool = False  # the words are in the overset copy (on a proof sheet)

    def line(self) -> str:
        where = " (overset copy)" if self.overset else f" (page {self.page})" if self.page else ""
        old, new = _short(self.removed), _short(self.added)
        if self.removed and self.added:
            return f"story '{self.story}'{where}: replaced \u201c{old}\u201d with \u201c{new}\u201d"
        if self.removed:
            return f"story '{self.story}'{where}: removed \u201c{old}\u201d"
        return f"story '{self.story}'{where}: added \u201c{new}\u201d"


def _short(words: list[str], most: int = 24) -> str:
    """A long run of words shown by its ends and its length."""
    if len(words) <= most:
        return " ".join(words)
    return f"{' '.join(words[:12])} \u2026 {' '.join(words[-6:])} ({len(words)} words)"


@dataclass
class PageChange:
    number: int
    changed: bool
    reflowed: dict[str, int] = field(default_factory=dict)  # story -> lines set differently

    def line(self) -> str:
        if not self.changed:
            return f"page {self.number}: unchanged"
        cons = ", ".join(f"'{s}' {n} line{'s' if n != 1 else ''} reset" for s, n in self.reflowed.items())
        return f"page {self.number}: changed" + (f" ({cons})" if cons else "")


@dataclass
class Comparison:
    old: Side
    new: Side
    changes: list[Change]
    pages: list[PageChange]

    @property
    def changed(self) -> bool:
        return bool(self.changes) or any(p.changed for p in self.pages)


def read_side(pdf: Path, clean: Path) -> Side:
    """A proof read through its map, or any PDF through its page text."""
    m = read_map(pdf)
    if m is not None:
        unmarked(pdf, clean, m["edition_pages"])
        return Side(pdf, clean, m, m["edition_pages"], {k: v["text"].split() for k, v in m["stories"].items()})
    return Side(pdf, pdf, None, 0, {})


def _page_texts(side: Side) -> Side:
    """The same side read as page text (for a proof against a plain render)."""
    doc = pdfium.PdfDocument(str(side.clean))
    try:
        texts = {f"page {i + 1}": doc[i].get_textpage().get_text_range().split() for i in range(len(doc))}
        n = len(doc)
    finally:
        doc.close()
    texts = {k: [w.replace("\ufffe", "") for w in v] for k, v in texts.items()}
    return Side(side.pdf, side.clean, None, n, texts, side.images)


def _word_page(side: Side, story: str, index: int) -> int | None:
    """The page on which word `index` of the story is set (from the map)."""
    if side.map is None:
        return int(story.split()[1]) if story.startswith("page ") else None
    for p in side.map["pages"]:
        for ln in p["lines"]:
            if ln["story"] == story and ln["w0"] <= index < ln["w0"] + max(1, len(ln["words"])):
                return p["number"]
    return None


def story_changes(old: Side, new: Side) -> list[Change]:
    out = []
    for story in dict.fromkeys([*old.texts, *new.texts]):
        a, b = old.texts.get(story, []), new.texts.get(story, [])
        if a == b:
            continue
        sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
        for op, i1, i2, j1, j2 in sm.get_opcodes():
            if op == "equal":
                continue
            page = _word_page(old, story, i1) if i2 > i1 else _word_page(new, story, j1)
            side = old if i2 > i1 else new
            sheet = page is not None and side.map is not None and page > side.pages
            out.append(Change(story, a[i1:i2], b[j1:j2], page, sheet))
    return out


def _lines(side: Side, number: int) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    if side.map is None or number > side.pages:
        return out
    for ln in side.map["pages"][number - 1]["lines"]:
        out.setdefault(ln["story"], []).append((ln["text"], tuple(ln["box"])))
    return out


def page_changes(old: Side, new: Side, pixels: dict[int, bool] | None = None) -> list[PageChange]:
    """Pages changed by the maps' fingerprints, or by their pixels without maps."""
    out = []
    for n in range(1, max(old.pages, new.pages) + 1):
        if n > old.pages or n > new.pages:
            out.append(PageChange(n, True))
            continue
        changed = bool(pixels and pixels.get(n))
        if old.map is not None and new.map is not None:
            changed = changed or old.map["pages"][n - 1]["fingerprint"] != new.map["pages"][n - 1]["fingerprint"]
        pc = PageChange(n, changed)
        if changed:
            lo, ln = _lines(old, n), _lines(new, n)
            for story in dict.fromkeys([*lo, *ln]):
                a, b = lo.get(story, []), ln.get(story, [])
                sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
                reset = sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in sm.get_opcodes() if op != "equal")
                if reset:
                    pc.reflowed[story] = reset
        out.append(pc)
    return out


def compare(old_pdf: Path, new_pdf: Path, work: Path) -> Comparison:
    """Compare two PDFs; `work` is a scratch folder for their unmarked copies."""
    old, new = read_side(old_pdf, work / "old.pdf"), read_side(new_pdf, work / "new.pdf")
    if old.map is None or new.map is None:
        # Without a map on both sides, compare what each page says.
        old, new = _page_texts(old), _page_texts(new)
    old.images, new.images = render(old.clean, DPI, most=DIFF_PIXELS), render(new.clean, DPI, most=DIFF_PIXELS)
    pixels = {}
    for i, (a, b) in enumerate(zip(old.images, new.images, strict=False)):
        pixels[i + 1] = a.size != b.size or ImageChops.difference(a, b).getbbox() is not None
    return Comparison(old, new, story_changes(old, new), page_changes(old, new, pixels))
