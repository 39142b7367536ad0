"""ALTO 4.4 for one page, from the frames rather than OCR: every word where the PDF draws it.

Reads a page's `Block`s (`blocks.py`); produces the ALTO XML bytes. Positions are in
1/1200 inch (points x 50/3), VPOS from the top of the page; a word's box runs from its
first glyph's left edge to its last glyph's advance, ascent to descent of its font.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from ..page.frames import Page
from ..text.fonts import Face
from .blocks import Block
from .info import TOOL
from .words import Word
from .xmlout import serialize

NS = "http://www.loc.gov/standards/alto/ns-v4#"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA = f"{NS} http://www.loc.gov/alto/v4/alto-4-4.xsd"


def u(points: float) -> int:
    """Points to ALTO's inch1200 units."""
    return round(points * 50 / 3)


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _box(el: ET.Element, x0: float, top: float, x1: float, bottom: float) -> None:
    el.set("HPOS", str(u(x0)))
    el.set("VPOS", str(u(top)))
    el.set("WIDTH", str(max(u(x1) - u(x0), 0)))
    el.set("HEIGHT", str(max(u(bottom) - u(top), 0)))


class _Styles:
    """One TextStyle per face and size, numbered in order of first use."""

    def __init__(self) -> None:
        self.ids: dict[tuple[str, float], str] = {}

    def ref(self, face: Face, size: float) -> str:
        key = (face.path.stem, round(size, 2))  # the font file's name: SourceSerif4SmText-Italic
        if key not in self.ids:
            self.ids[key] = f"TS{len(self.ids) + 1}"
        return self.ids[key]

    def write(self, parent: ET.Element) -> None:
        for (name, size), sid in self.ids.items():
            family, _, variant = name.partition("-")
            el = ET.SubElement(parent, _q("TextStyle"), ID=sid, FONTFAMILY=family, FONTSIZE=f"{size:g}")
            style = _font_style(variant)
            if style:
                el.set("FONTSTYLE", style)


def _font_style(variant: str) -> str:
    """ALTO's FONTSTYLE from a font file's style name (Bold, SemiboldIt, It, Black...)."""
    v = variant.lower()
    style = []
    if any(k in v for k in ("bold", "black", "heavy")):
        style.append("bold")
    if v.endswith("it") or "italic" in v:
        style.append("italics")
    return " ".join(style)


def _string(line_el: ET.Element, w: Word, sid: str, wid: str) -> None:
    el = ET.SubElement(line_el, _q("String"), ID=wid)
    _box(el, w.x0, w.top, w.x1, w.bottom)
    el.set("CONTENT", w.text)
    el.set("STYLEREFS", sid)
    el.set("WC", "1.0")  # born digital: the word is exact, not recognised
    if w.part:
        el.set("SUBS_TYPE", f"HypPart{w.part}")
        el.set("SUBS_CONTENT", w.whole)


def _text_block(parent: ET.Element, b: Block, styles: _Styles, tags: dict[str, str]) -> None:
    el = ET.SubElement(parent, _q("TextBlock"), ID=b.id)
    _box(el, b.x0, b.top, b.x1, b.bottom)
    el.set("TAGREFS", tags.setdefault(b.role, f"LT{len(tags) + 1}"))
    for li, ln in enumerate(b.lines, 1):
        words = ln.words
        if not words:
            continue
        tl = ET.SubElement(el, _q("TextLine"), ID=f"{b.id}_L{li:03d}")
        x1 = words[-1].hyphen[1] if words[-1].hyphen else words[-1].x1
        _box(tl, words[0].x0, min(w.top for w in words), x1, max(w.bottom for w in words))
        base = u(ln.item.baseline)
        tl.set("BASELINE", f"{u(words[0].x0)},{base} {u(x1)},{base}")
        for wi, w in enumerate(words):
            if wi:
                prev = words[wi - 1]
                sp = ET.SubElement(tl, _q("SP"), WIDTH=str(max(u(w.x0) - u(prev.x1), 0)))
                sp.set("HPOS", str(u(prev.x1)))
                sp.set("VPOS", str(u(w.top)))
            _string(tl, w, styles.ref(w.face, w.size), f"{tl.get('ID')}_W{wi + 1:03d}")
        last = words[-1]
        if last.hyphen:
            hyp = ET.SubElement(tl, _q("HYP"), CONTENT="-")
            _box(hyp, last.hyphen[0], last.top, last.hyphen[1], last.bottom)


def alto_page(page: Page, blocks: list[Block], pdf_name: str, photos: dict[Path, str] | None = None) -> bytes:
    """The ALTO document of one page; `photos` names each photo file as the bag holds it
    (relative to the ALTO file), for the Illustration blocks."""
    root = ET.Element(_q("alto"), {f"{{{XSI}}}schemaLocation": SCHEMA, "SCHEMAVERSION": "4.4"})
    desc = ET.SubElement(root, _q("Description"))
    ET.SubElement(desc, _q("MeasurementUnit")).text = "inch1200"
    src = ET.SubElement(desc, _q("sourceImageInformation"))
    ET.SubElement(src, _q("fileName")).text = pdf_name
    proc = ET.SubElement(desc, _q("Processing"), ID="PROC1")
    ET.SubElement(proc, _q("processingCategory")).text = "contentGeneration"
    ET.SubElement(
        proc, _q("processingStepDescription")
    ).text = "Born digital: text and word positions taken from the typesetter's composed page, not OCR"
    sw = ET.SubElement(proc, _q("processingSoftware"))
    name, _, version = TOOL.partition(" ")
    ET.SubElement(sw, _q("softwareName")).text = name
    ET.SubElement(sw, _q("softwareVersion")).text = version
    styles_el = ET.SubElement(root, _q("Styles"))
    tags_el = ET.SubElement(root, _q("Tags"))
    layout = ET.SubElement(root, _q("Layout"))
    pg = ET.SubElement(layout, _q("Page"), ID=f"P{page.number}", PHYSICAL_IMG_NR=str(page.number))
    pg.set("PRINTED_IMG_NR", str(page.number))
    pg.set("WIDTH", str(u(page.width)))
    pg.set("HEIGHT", str(u(page.height)))
    ps = ET.SubElement(pg, _q("PrintSpace"), ID=f"P{page.number}_PS")
    _box(ps, 0, 0, page.width, page.height)
    styles = _Styles()
    tags: dict[str, str] = {}
    for b in blocks:
        if b.kind == "illustration":
            il = ET.SubElement(ps, _q("Illustration"), ID=b.id, TYPE="photo")
            _box(il, b.x0, b.top, b.x1, b.bottom)
            if b.image is not None and photos and b.image.resolve() in photos:
                il.set("FILEID", photos[b.image.resolve()])
        else:
            _text_block(ps, b, styles, tags)
    styles.write(styles_el)
    for role, tid in tags.items():
        ET.SubElement(tags_el, _q("LayoutTag"), ID=tid, LABEL=role)
    if not len(tags_el):
        root.remove(tags_el)
    return serialize(root, NS, {"xlink": XLINK, "xsi": XSI})
