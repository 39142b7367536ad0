"""The shortcuts that make separating a photo for print fast give exactly what the long way gives:
the ink cap computed only for the pixels over it, and trial JPEGs coded without optimized tables."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from layout.print import colour, photos

LIMITS = [0, 0.5, 1, 60, 100, 120.3, 199.99, 200, 224, 232, 239.99, 240, 260, 300, 333.3, 399, 400]


def _arrays() -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    smooth = np.linspace(0, 255, 64 * 48 * 4).reshape(48, 64, 4).astype(np.uint8)
    return [
        rng.integers(0, 256, (120, 90, 4), dtype=np.uint8),
        rng.integers(150, 256, (40, 40, 4), dtype=np.uint8),  # nearly every pixel over any cap
        smooth,
        np.full((5, 5, 4), 255, np.uint8),
        np.zeros((3, 3, 4), np.uint8),
        np.zeros((0, 4, 4), np.uint8),
        rng.integers(0, 256, (10, 10, 4), dtype=np.uint8)[:, ::2],  # not contiguous
    ]


@pytest.mark.parametrize("limit", LIMITS + list(np.random.default_rng(1).uniform(0, 400, 12)))
def test_capping_the_pixels_over_the_cap_equals_capping_all(limit: float) -> None:
    for a in _arrays():
        whole = colour._capped(a, limit / 100.0 * 255.0)  # every pixel through the float arithmetic
        got = colour.cap_ink(a, limit)
        assert got.dtype == np.uint8 and got.shape == a.shape
        assert np.array_equal(got, whole), (a.shape, limit)
        assert got is not a and (a.size == 0 or not np.shares_memory(got, a))  # the input is left alone
        if a.size:
            assert colour.max_ink(got) <= limit + 1e-9
        expect = float(a.astype(np.uint32).sum(axis=-1).max()) * 100.0 / 255.0 if a.size else 0.0
        assert colour.max_ink(a) == expect


def test_a_jpeg_coded_with_optimized_tables_decodes_to_the_same_pixels() -> None:
    """prepare() tries each cap coded plainly and keeps the one that passes coded optimized: the
    check holds for the kept bytes only because both decode alike (the same coefficients)."""
    rng = np.random.default_rng(3)
    base = np.cumsum(rng.integers(0, 9, (300, 400, 4)), axis=1) % 256  # photo-like gradients
    noisy = (base + rng.integers(0, 40, base.shape)).clip(0, 255).astype(np.uint8)
    for px in (base.astype(np.uint8), noisy):
        im = Image.fromarray(px, "CMYK")
        plain, optimized = photos._jpeg(im, False), photos._jpeg(im, True)
        assert plain != optimized
        with Image.open(io.BytesIO(plain)) as a, Image.open(io.BytesIO(optimized)) as b:
            assert np.array_equal(np.asarray(a), np.asarray(b))
