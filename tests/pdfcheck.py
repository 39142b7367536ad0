"""Helpers that read a rendered PDF back, independently of the engine."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
from pypdf import PdfReader
from pypdf.generic import IndirectObject


def extracted_words(pdf: Path) -> list[str]:
    """Every word of the PDF in reading (content) order, line-end hyphens rejoined."""
    doc = pdfium.PdfDocument(str(pdf))
    text = []
    for page in doc:
        text.append(page.get_textpage().get_text_range())
    doc.close()
    t = "\n".join(text)
    t = t.replace("\ufffe\r\n", "").replace("\ufffe", "").replace("-\r\n", "")
    return [normal(w) for w in t.split() if normal(w)]


def normal(word: str) -> str:
    """Compare words without hyphens (a hyphen at a line end may be the author's own)."""
    return word.replace("-", "").replace("\u00ad", "")


def words_of(text: str) -> list[str]:
    return [normal(w) for w in text.split() if normal(w)]


def missing_in_order(needle: list[str], hay: list[str]) -> list[str]:
    """Words of `needle` not found as an ordered subsequence of `hay`."""
    missing = []
    i = 0
    for w in needle:
        j = i
        while j < len(hay) and hay[j] != w:
            j += 1
        if j == len(hay):
            missing.append(w)
        else:
            i = j + 1
    return missing


def fonts(pdf: Path) -> list[dict]:
    """Every font dictionary used on every page, resolved."""
    out = []
    for page in PdfReader(str(pdf)).pages:
        res = page.get("/Resources")
        if res is None:
            continue
        res = res.get_object()
        fd = res.get("/Font")
        if fd is None:
            continue
        for _, ref in fd.get_object().items():
            f = ref.get_object() if isinstance(ref, IndirectObject) else ref
            out.append(f)
    return out


def is_embedded(font) -> bool:
    if font.get("/Subtype") == "/Type0":
        font = font["/DescendantFonts"][0].get_object()
    desc = font.get("/FontDescriptor")
    if desc is None:
        return False
    desc = desc.get_object()
    return any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))


BASE14 = re.compile(r"Helvetica|Times|Courier|Symbol|ZapfDingbats")
