"""Colour for print: house colours to CMYK operators, and the total-ink cap shared with photos.

Reads `#rrggbb` colours from the frames and the output profile; produces PDF `k`/`K` operator strings.
Neutral greys (black text, rules, tints) go to the black plate only, so type never prints as four-colour
black; other colours are converted through the profile (sRGB source, relative colorimetric with
black-point compensation) and capped to the ink limit.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageCms

NEUTRAL = 3  # channel spread (of 255) within which a colour is a grey
CAP_MARGIN = 8.0  # per cent kept under the limit before JPEG encoding adds its own


def parse_hex(color: str) -> tuple[int, int, int]:
    h = color.strip().lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def is_neutral(rgb: tuple[int, int, int]) -> bool:
    return max(rgb) - min(rgb) <= NEUTRAL


def rgb_to_cmyk_transform(src: ImageCms.ImageCmsProfile, dst: ImageCms.ImageCmsProfile) -> ImageCms.ImageCmsTransform:
    return ImageCms.buildTransform(
        src,
        dst,
        "RGB",
        "CMYK",
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
    )


def cap_ink(cmyk: np.ndarray, limit: float) -> np.ndarray:
    """Bring every pixel's C+M+Y+K (0-255 each) to at most `limit` per cent, taking the
    excess from the chromatic inks and keeping black (it carries the detail on newsprint)."""
    cap = limit / 100.0 * 255.0
    if cmyk.dtype != np.uint8 or cmyk.ndim != 3 or cmyk.shape[-1] != 4:
        return _capped(cmyk, cap)
    # Only the pixels over the cap are computed (a tenth to a fifth of a photo's at 240 %): for the
    # others the arithmetic below gives back what it was given (floor(x * 1.0) == x), and since
    # the inks are whole numbers, "over" is exactly a total above the cap's float32 floor.
    over = np.flatnonzero(_total(cmyk) > math.floor(np.float32(cap)))
    out = np.ascontiguousarray(cmyk).copy()
    pixels = out.reshape(-1, 4)  # a view: indexed by flat pixel number (a boolean mask is 3x slower)
    pixels[over] = _capped(pixels[over], cap)
    return out


def _capped(cmyk: np.ndarray, cap: float) -> np.ndarray:
    """`cap_ink` of pixels (inks on the last axis), `cap` in ink values (0-1020), in float32."""
    px = cmyk.astype(np.float32)
    k = np.minimum(px[..., 3], cap)
    cmy = px[..., :3]
    s = cmy.sum(axis=-1)
    room = cap - k
    scale = np.where(s > room, room / np.maximum(s, 1e-6), 1.0)
    out = np.empty_like(px)
    out[..., :3] = cmy * scale[..., None]
    out[..., 3] = k
    # Round down so that rounding never lifts a pixel back over the cap.
    return np.floor(out).astype(np.uint8)


def _total(cmyk: np.ndarray) -> np.ndarray:
    """Each pixel's C+M+Y+K of 8-bit inks, as uint16 (a channel at a time: a tenth of the time of a
    sum over the last axis)."""
    t = cmyk[..., 0].astype(np.uint16)
    for i in (1, 2, 3):
        t += cmyk[..., i]
    return t


def max_ink(cmyk: np.ndarray) -> float:
    """The highest total ink of any pixel, per cent."""
    if cmyk.size == 0:
        return 0.0
    if cmyk.dtype == np.uint8 and cmyk.ndim == 3 and cmyk.shape[-1] == 4:
        return float(_total(cmyk).max()) * 100.0 / 255.0
    return float(cmyk.astype(np.uint32).sum(axis=-1).max()) * 100.0 / 255.0


class Colours:
    """CMYK operators for the colours of one rendition (cached per colour)."""

    def __init__(self, profile: ImageCms.ImageCmsProfile, ink_limit: float):
        self.ink_limit = ink_limit
        self._srgb_to_cmyk = rgb_to_cmyk_transform(ImageCms.createProfile("sRGB"), profile)
        self._cache: dict[str, tuple[float, float, float, float]] = {}

    def cmyk(self, color: str) -> tuple[float, float, float, float]:
        """C, M, Y, K as fractions 0-1."""
        v = self._cache.get(color)
        if v is None:
            v = self._cache[color] = self._convert(parse_hex(color))
        return v

    def _convert(self, rgb: tuple[int, int, int]) -> tuple[float, float, float, float]:
        if is_neutral(rgb):
            grey = sum(rgb) / 3.0
            return 0.0, 0.0, 0.0, round(1.0 - grey / 255.0, 3)
        px = self._srgb_to_cmyk.apply(Image.new("RGB", (1, 1), rgb))
        arr = cap_ink(np.asarray(px), self.ink_limit)[0, 0]
        c, m, y, k = (round(int(x) / 255.0, 3) for x in arr)
        return c, m, y, k

    def fill(self, color: str) -> str:
        return _ops(self.cmyk(color)) + " k"

    def stroke(self, color: str) -> str:
        return _ops(self.cmyk(color)) + " K"


def _ops(v: tuple[float, float, float, float]) -> str:
    return " ".join(f"{x:.3f}".rstrip("0").rstrip(".") or "0" for x in v)
