"""Photo-like JPEGs for the benchmarks: a scene with sky, hills, buildings, foliage and
sensor grain, so that the files are as large and as costly to decode as real photographs
(a flat colour compresses to almost nothing and would flatter any exporter).

    from photos import photo
    photo(Path("p.jpg"), (1600, 1000), random.Random(1))
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter


def _colour(rng: random.Random, lo: int = 20, hi: int = 235) -> tuple[int, int, int]:
    return tuple(rng.randint(lo, hi) for _ in range(3))  # type: ignore[return-value]


def photo(path: Path, size: tuple[int, int], rng: random.Random, quality: int = 88) -> None:
    """Write a photo-like JPEG of `size` pixels to `path`."""
    w, h = size
    sky_top, sky_low, ground = _colour(rng, 30, 140), _colour(rng, 150, 240), _colour(rng, 30, 150)
    grad = Image.linear_gradient("L").resize((w, h))
    im = Image.composite(Image.new("RGB", size, sky_low), Image.new("RGB", size, sky_top), grad)
    d = ImageDraw.Draw(im)
    # Hills in layers, darker towards the viewer.
    for layer in range(3):
        base = int(h * (0.45 + 0.1 * layer))
        pts = [(0, h), (0, base)]
        for x in range(0, w + 40, 40):
            pts.append((x, base - int(rng.random() * h * 0.08)))
        pts.append((w, h))
        shade = tuple(max(0, c - 25 * layer) for c in ground)
        d.polygon(pts, fill=shade)
    # Buildings with lit windows.
    for _ in range(rng.randint(6, 14)):
        bw, bh = rng.randint(60, 220), rng.randint(80, int(h * 0.45))
        x = rng.randint(0, w - bw)
        col = _colour(rng, 40, 200)
        d.rectangle((x, h - bh, x + bw, h), fill=col)
        for wy in range(h - bh + 10, h - 20, 26):
            for wx in range(x + 8, x + bw - 14, 22):
                if rng.random() < 0.6:
                    d.rectangle((wx, wy, wx + 10, wy + 14), fill=_colour(rng, 150, 255))
    # Foliage: many small blobs.
    for _ in range(900):
        x, y = rng.randint(0, w), rng.randint(int(h * 0.5), h)
        r = rng.randint(3, 16)
        g = rng.randint(60, 160)
        d.ellipse((x - r, y - r, x + r, y + r), fill=(rng.randint(10, 70), g, rng.randint(10, 60)))
    im = im.filter(ImageFilter.GaussianBlur(0.8))
    # Sensor grain: what makes a real photograph's JPEG large.
    noise = Image.effect_noise(size, 12).convert("RGB")
    im = ImageChops.add(im, noise, scale=1.0, offset=-128)
    im.save(path, "JPEG", quality=quality, optimize=False)
