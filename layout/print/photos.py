"""Photos for print: colour-managed RGB -> CMYK, capped to the total-ink limit, checked as encoded.

Reads a photo file and the print settings; produces a CMYK JPEG (as an ImageReader for the drawing)
and a note of what was done. The source profile is the photo's embedded ICC profile, else sRGB; the
transform is relative colorimetric with black-point compensation. JPEG encoding moves values a few per
cent, so the cap is applied with a margin and the *decoded* JPEG is measured; the margin is widened
until it passes, and as a last resort the photo is stored losslessly.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms
from reportlab.lib.utils import ImageReader

from .colour import CAP_MARGIN, cap_ink, max_ink, rgb_to_cmyk_transform

QUALITY = 90
TRIES = 4
TARGET_PPI = 300  # a photo far above this is resampled to it: the plate cannot hold more detail
RESAMPLE_ABOVE = 450


@dataclass(frozen=True)
class PrintPhoto:
    path: Path
    source_profile: str  # "embedded" or "sRGB" (or "CMYK" for a photo already separated)
    ink_before: float  # highest total ink straight from the transform, per cent
    ink_after: float  # highest total ink in the stored image, per cent
    data: bytes
    encoding: str  # "jpeg" or "flate"

    def reader(self) -> ImageReader:
        if self.encoding == "jpeg":
            return ImageReader(io.BytesIO(self.data))
        w, h = _size(self.data)
        return ImageReader(Image.frombytes("CMYK", (w, h), self.data[8:]))


def _size(data: bytes) -> tuple[int, int]:
    return int.from_bytes(data[:4], "big"), int.from_bytes(data[4:8], "big")


def to_cmyk(path: Path, profile: ImageCms.ImageCmsProfile, width_pt: float = 0.0) -> tuple[np.ndarray, str]:
    """The photo as CMYK pixels (0-255) through the output profile, and where its colours came from;
    resampled to TARGET_PPI when its largest placed width (`width_pt`) puts it above RESAMPLE_ABOVE."""
    with Image.open(path) as im:
        im.load()
        if width_pt > 0 and im.width / (width_pt / 72.0) > RESAMPLE_ABOVE:
            w = round(width_pt / 72.0 * TARGET_PPI)
            info = dict(im.info)
            im = im.resize((w, max(1, round(im.height * w / im.width))), Image.Resampling.LANCZOS)
            im.info.update(info)  # keep the embedded profile
        if im.mode == "CMYK":
            return np.asarray(im), "CMYK"
        icc = im.info.get("icc_profile")
        if im.mode in ("L", "LA", "I", "I;16", "F", "1") and not icc:
            # A greyscale photo prints on the black plate alone.
            grey = np.asarray(im.convert("L"))
            out = np.zeros((*grey.shape, 4), np.uint8)
            out[..., 3] = 255 - grey
            return out, "grey"
        if im.mode in ("RGBA", "LA", "P", "PA"):
            im = im.convert("RGBA")
            flat = Image.new("RGB", im.size, (255, 255, 255))
            flat.paste(im, mask=im.getchannel("A"))
            im = flat
        elif im.mode != "RGB":
            im = im.convert("RGB")
        transform, name = _transform(icc or None, profile)
        cmyk = transform.apply(im)
        return np.asarray(cmyk), name


@functools.lru_cache(maxsize=32)
def _transform(icc: bytes | None, profile: ImageCms.ImageCmsProfile) -> tuple[ImageCms.ImageCmsTransform, str]:
    """The transform from a photo's embedded profile (`icc`; None, broken or not RGB: sRGB) to the
    output profile, and the source's name; built once per source (about 11 ms each)."""
    src, name = ImageCms.createProfile("sRGB"), "sRGB"
    if icc:
        try:
            src, name = ImageCms.ImageCmsProfile(io.BytesIO(icc)), "embedded"
        except (OSError, ImageCms.PyCMSError):
            pass  # a broken embedded profile: treat the photo as sRGB
    if name == "embedded" and src.profile.xcolor_space.strip() != "RGB":
        src, name = ImageCms.createProfile("sRGB"), "sRGB"
    return rgb_to_cmyk_transform(src, profile), name


def prepare(path: Path, profile: ImageCms.ImageCmsProfile, ink_limit: float, width_pt: float = 0.0) -> PrintPhoto:
    """The photo separated for print and held under `ink_limit` after encoding (`width_pt`: its
    largest placed width, for resampling a photo of far more resolution than the plate holds)."""
    px, source = to_cmyk(path, profile, width_pt)
    before = max_ink(px)
    target = ink_limit - CAP_MARGIN
    for _ in range(TRIES):
        capped = Image.fromarray(cap_ink(px, target), "CMYK")
        # Tried without optimized Huffman tables (a third of the time): they code the same
        # coefficients, so the decoded pixels are the same; the one kept is then coded optimized.
        with Image.open(io.BytesIO(_jpeg(capped, False))) as back:
            after = max_ink(np.asarray(back.convert("CMYK")))
        if after <= ink_limit:
            return PrintPhoto(path, source, before, after, _jpeg(capped, True), "jpeg")
        target -= CAP_MARGIN
    capped = cap_ink(px, ink_limit)
    h, w = capped.shape[:2]
    raw = w.to_bytes(4, "big") + h.to_bytes(4, "big") + capped.tobytes()
    return PrintPhoto(path, source, before, max_ink(capped), raw, "flate")


def _jpeg(im: Image.Image, optimize: bool) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=QUALITY, subsampling=0, optimize=optimize)
    return buf.getvalue()
