"""Page images: one PNG per page of a PDF (rendered by PDFium) and a contact sheet of
every page on one image, each thumbnail numbered. Reads a PDF; writes PNGs into a folder,
each through a temporary file renamed into place (manifest.files.atomic_write)."""

from __future__ import annotations

import math
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from ..manifest.files import atomic_write

THUMB_W = 280  # contact-sheet thumbnail width, pixels
PER_ROW = 4


def render(pdf: Path, dpi: int, pages: range | None = None) -> list[Image.Image]:
    """Pages of `pdf` as RGB images at `dpi`."""
    doc = pdfium.PdfDocument(str(pdf))
    try:
        idx = pages if pages is not None else range(len(doc))
        return [doc[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in idx]
    finally:
        doc.close()


def save_png(img: Image.Image, path: Path) -> None:
    with atomic_write(path) as tmp:
        img.save(tmp, format="PNG", optimize=False)


def contact_sheet(images: list[Image.Image], width: int = THUMB_W) -> Image.Image:
    """Thumbnails in rows of PER_ROW on a grey ground, page numbers under each."""
    thumbs = [im.resize((width, max(1, round(im.height * width / im.width))), Image.LANCZOS) for im in images]
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
    images = render(pdf, dpi)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for i, im in enumerate(images):
        p = out_dir / f"page-{i + 1:03d}.png"
        save_png(im, p)
        written.append(p)
    for stale in out_dir.glob("page-[0-9][0-9][0-9].png"):
        if stale not in written:
            stale.unlink()
    sheet = out_dir / "contact.png"
    save_png(contact_sheet(images), sheet)
    return [*written, sheet]
