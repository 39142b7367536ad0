"""Find characters drawn as .notdef (glyph 0, the empty box) in a PDF, independently of the engine.

Reads each page's content stream (text-showing operators and the font each is set in) and each
embedded TrueType subset's own cmap; produces (page, font, code) for every code drawn that the
embedded font maps to glyph 0.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pikepdf
from reportlab.pdfbase.ttfonts import TTFontFile


def _gid_of_code(font: pikepdf.Object, cache: dict) -> dict[int, int] | None:
    """Code -> glyph id in the embedded font program (None when the font is not embedded TrueType)."""
    key = font.objgen
    if key in cache:
        return cache[key]
    cmap = None
    if font.get("/Subtype") == "/TrueType":
        desc = font.get("/FontDescriptor")
        ff = desc.get("/FontFile2") if desc is not None else None
        if ff is not None:
            cmap = _byte_cmap(TTFontFile(io.BytesIO(ff.read_bytes()), validate=0).get_table("cmap"))
    cache[key] = cmap
    return cmap


def _byte_cmap(table: bytes) -> dict[int, int]:
    """The single-byte (platform 1, encoding 0) cmap subtable, format 0 or 6, as code -> glyph id."""
    (n,) = struct.unpack(">H", table[2:4])
    for i in range(n):
        plat, enc, off = struct.unpack(">HHI", table[4 + 8 * i : 12 + 8 * i])
        if (plat, enc) != (1, 0):
            continue
        (fmt,) = struct.unpack(">H", table[off : off + 2])
        if fmt == 0:
            return dict(enumerate(table[off + 6 : off + 262]))
        if fmt == 6:
            first, count = struct.unpack(">HH", table[off + 6 : off + 10])
            ids = struct.unpack(f">{count}H", table[off + 10 : off + 10 + 2 * count])
            return {first + k: g for k, g in enumerate(ids)}
    raise AssertionError("embedded subset has no (1, 0) cmap: unexpected font program")


def _shown(operands, op: str) -> list[bytes]:
    if op in ("Tj", "'"):
        return [bytes(operands[0])]
    if op == '"':
        return [bytes(operands[2])]
    if op == "TJ":
        return [bytes(x) for x in operands[0] if isinstance(x, pikepdf.String)]
    return []


def notdef_glyphs(pdf: Path) -> list[tuple[int, str, int]]:
    """(page number, font resource name, character code) for each .notdef drawn."""
    found: list[tuple[int, str, int]] = []
    cache: dict = {}
    with open(pdf, "rb") as fh, pikepdf.open(fh) as doc:  # a handle: qpdf takes only UTF-8 names
        for pn, page in enumerate(doc.pages, 1):
            fonts = page.Resources.get("/Font", {})
            cur = None
            for operands, op in pikepdf.parse_content_stream(page):
                o = str(op)
                if o == "Tf":
                    cur = str(operands[0])
                    continue
                for data in _shown(operands, o):
                    font = fonts.get(cur) if cur else None
                    if font is None:
                        continue
                    cmap = _gid_of_code(font, cache)
                    if cmap is None:
                        continue
                    found += [(pn, cur, b) for b in data if cmap.get(b, 0) == 0]
    return found
