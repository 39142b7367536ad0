"""Page images: one PNG per page of a PDF (rendered by PDFium) and a contact sheet of
every page on one image, each thumbnail numbered. Reads a PDF; writes PNGs into a folder,
each through a temporary file renamed into place (manifest.files.atomic_write)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from ..manifest.files import atomic_write

THUMB_W = 280  # contact-sheet thumbnail width, pixels
PER_ROW = 4
MAX_PIXELS = 89_000_000  # one page image, under Pillow's own bomb limit (a tabloid at 600 dpi is 67 million)
MAX_SHEET = 400  # pages on the contact sheet; a longer PDF still gets every page image


def _scale(page: pdfium.PdfPage, dpi: int, most: int) -> float:
    """`dpi` as a scale, lowered for a page so large (any PDF may claim 200 inches square) that
    the image would pass `most` pixels: memory stays bounded whatever the file says."""
    w, h = page.get_size()
    area = max(1.0, abs(w * h))
    return max(1e-3, min(dpi / 72, 0.998 * math.sqrt(most / area)))  # 0.998: PDFium rounds sizes up


def iter_pages(pdf: Path, dpi: int, pages: range | None = None, most: int = MAX_PIXELS) -> Iterator[Image.Image]:
    """Pages of `pdf` as RGB images at `dpi`, one at a time."""
    doc = pdfium.PdfDocument(str(pdf))
    try:
        for i in pages if pages is not None else range(len(doc)):
            page = doc[i]
            yield page.render(scale=_scale(page, dpi, most)).to_pil().convert("RGB")
    finally:
        doc.close()


def render(pdf: Path, dpi: int, pages: range | None = None, most: int = MAX_PIXELS) -> list[Image.Image]:
    """Pages of `pdf` as RGB images at `dpi` (each at most `most` pixels)."""
    return list(iter_pages(pdf, dpi, pages, most))


def save_png(img: Image.Image, path: Path) -> None:
    with atomic_write(path) as tmp:
        img.save(tmp, format="PNG", optimize=False)


def thumbnail(im: Image.Image, width: int = THUMB_W) -> Image.Image:
    """The page `width` pixels wide (no taller than 3 widths: a sliver of a page stays a thumbnail)."""
    return im.resize((width, min(3 * width, max(1, round(im.height * width / im.width)))), Image.LANCZOS)


def contact_sheet(images: list[Image.Image], width: int = THUMB_W) -> Image.Image:
    """Thumbnails in rows of PER_ROW on a grey ground, page numbers under each."""
    thumbs = [thumbnail(im, width) for im in images]
    th = max(t.height for t in thumbs)
    cols = min(PER_ROW, len(thumbs))
    rows = math.ceil(len(thumbs) / cols)
    pad, label = 16, 18
    sheet = Image.new("RGB", (pad + cols * (width + pad), pad + rows * (th + label + pad)), (200, 200, 204))
    draw = ImageDraw.Draw(sheet)
    for i, t in enumerate(thumbs):
        r, c = divmod(i, cols)
        x, y = pad + c * (width + pad), pad + r * (th + label + pad)
        sheet.paste(t, (x, y))
        draw.rectangle((x - 1, y - 1, x + t.width, y + t.height), outline=(90, 90, 96))
        draw.text((x + width // 2 - 4, y + t.height + 4), str(i + 1), fill=(30, 30, 34))
    return sheet


def preview(pdf: Path, out_dir: Path, dpi: int) -> list[Path]:
    """Write page-001.png... and contact.png into `out_dir`; page images from an earlier,
    longer preview are removed so the folder shows this PDF only."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    images = []  # thumbnails only: one page image in memory at a time
    for i, im in enumerate(iter_pages(pdf, dpi)):
        p = out_dir / f"page-{i + 1:03d}.png"
        save_png(im, p)
        written.append(p)
        if i < MAX_SHEET:
            images.append(thumbnail(im))
    if not written:
        raise ValueError("the PDF has no pages")
    for stale in out_dir.glob("page-[0-9][0-9][0-9].png"):
        if stale not in written:
            stale.unlink()
    sheet = out_dir / "contact.png"
    save_png(contact_sheet(images), sheet)
    return [*written, sheet]
