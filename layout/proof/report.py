"""The diff report folder: index.html listing the words changed per story and, for each
changed page, the old and new page side by side with the changed regions highlighted
(found by comparing the rendered pixels, drawn with Pillow). Reads a Comparison; writes
PNGs, changes.json and index.html, each through a temporary file renamed into place."""

from __future__ import annotations

import html
import json
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw

from ..manifest.files import atomic_write
from .diff import Comparison
from .preview import save_png

CELL = 10  # pixels: changed pixels are gathered into cells, cells into regions
HIGHLIGHT = (230, 20, 40)


def regions(a: Image.Image, b: Image.Image) -> list[tuple[int, int, int, int]]:
    """Rectangles (in pixels) around the areas where the two pages differ."""
    w, h = max(a.width, b.width), max(a.height, b.height)
    pa, pb = Image.new("RGB", (w, h), "white"), Image.new("RGB", (w, h), "white")
    pa.paste(a)
    pb.paste(b)
    mask = ImageChops.difference(pa, pb).convert("L").point(lambda v: 255 if v > 24 else 0)
    cols, rows = (w + CELL - 1) // CELL, (h + CELL - 1) // CELL
    small = mask.resize((cols, rows), Image.BOX)  # any changed pixel lifts the cell above 0
    px = small.load()
    cells = {(x, y) for y in range(rows) for x in range(cols) if px[x, y] > 0}
    out = []
    while cells:
        stack = [cells.pop()]
        x0 = x1 = stack[0][0]
        y0 = y1 = stack[0][1]
        while stack:
            cx, cy = stack.pop()
            x0, x1, y0, y1 = min(x0, cx), max(x1, cx), min(y0, cy), max(y1, cy)
            for dx in (-2, -1, 0, 1, 2):  # cells two apart belong to one region
                for dy in (-2, -1, 0, 1, 2):
                    n = (cx + dx, cy + dy)
                    if n in cells:
                        cells.remove(n)
                        stack.append(n)
        out.append((x0 * CELL - 3, y0 * CELL - 3, (x1 + 1) * CELL + 3, (y1 + 1) * CELL + 3))
    return sorted(out, key=lambda r: (r[1], r[0]))


def side_by_side(a: Image.Image | None, b: Image.Image | None, boxes: list[tuple[int, int, int, int]]) -> Image.Image:
    blank = Image.new("RGB", (a or b).size, (235, 235, 238))  # type: ignore[union-attr]
    a, b = a or blank, b or blank
    gap, head = 24, 28
    out = Image.new("RGB", (a.width + b.width + gap, max(a.height, b.height) + head), (200, 200, 204))
    d = ImageDraw.Draw(out)
    d.text((8, 8), "OLD", fill=(20, 20, 24))
    d.text((a.width + gap + 8, 8), "NEW", fill=(20, 20, 24))
    for img, x in ((a, 0), (b, a.width + gap)):
        layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
        ld = ImageDraw.Draw(layer)
        for r in boxes:
            ld.rectangle(r, fill=(*HIGHLIGHT, 40), outline=(*HIGHLIGHT, 255), width=3)
        out.paste(Image.alpha_composite(img.convert("RGBA"), layer).convert("RGB"), (x, head))
    return out


def _write_text(path: Path, text: str) -> None:
    with atomic_write(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_report(cmp: Comparison, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    cards = []
    written = set()
    for pc in cmp.pages:
        if not pc.changed:
            continue
        i = pc.number - 1
        a = cmp.old.images[i] if i < len(cmp.old.images) else None
        b = cmp.new.images[i] if i < len(cmp.new.images) else None
        boxes = regions(a, b) if a is not None and b is not None else []
        name = f"page-{pc.number:03d}.png"
        save_png(side_by_side(a, b, boxes), out / name)
        written.add(name)
        cards.append(
            f"<section><h2>{html.escape(pc.line())}</h2><p>{len(boxes)} changed region"
            f"{'s' if len(boxes) != 1 else ''}</p><img src='{name}' alt='page {pc.number}, old and new'></section>"
        )
    words = "".join(f"<li>{html.escape(c.line())}</li>" for c in cmp.changes) or "<li>no words changed</li>"
    pages = "".join(f"<li>{html.escape(p.line())}</li>" for p in cmp.pages)
    title = f"{html.escape(cmp.old.pdf.name)} \u2192 {html.escape(cmp.new.pdf.name)}"
    doc = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Proof diff</title><style>"
        "body{font:14px/1.4 sans-serif;margin:24px;background:#f4f4f6}img{max-width:100%;border:1px solid #999}"
        "section{margin:24px 0}h1{font-size:20px}h2{font-size:16px}</style></head><body>"
        f"<h1>Proof diff: {title}</h1><h2>Words</h2><ul>{words}</ul><h2>Pages</h2><ul>{pages}</ul>"
        + "".join(cards)
        + "</body></html>"
    )
    data = {
        "old": str(cmp.old.pdf),
        "new": str(cmp.new.pdf),
        "changed": cmp.changed,
        "stories": [{"story": c.story, "page": c.page, "removed": c.removed, "added": c.added} for c in cmp.changes],
        "pages": [{"page": p.number, "changed": p.changed, "reflowed": p.reflowed} for p in cmp.pages],
    }
    _write_text(out / "changes.json", json.dumps(data, ensure_ascii=False, indent=1))
    _write_text(out / "index.html", doc)
    for stale in out.glob("page-[0-9][0-9][0-9].png"):
        if stale.name not in written:
            stale.unlink()
    return out / "index.html"
