"""Photo files checked cheaply: the header read, the file's end verified, sizes remembered.

Reads image files; produces their pixel size and, for the manifest check, a reason a file cannot be
used. A JPEG is checked by its header and its end-of-image marker (a truncated file has none): the
header by jpeghead.py, without loading Pillow, or by Pillow wherever jpeghead is in doubt; only a
JPEG without that marker where it belongs gets a reduced-size (draft) decode to judge it. Other
formats are verified and decoded in full by Pillow. Sizes are remembered per file (path, length, mtime), so
the page builder does not open the file again.
"""

from __future__ import annotations

import os
from pathlib import Path

from .jpeghead import jpeg_size

MAX_IMAGE_BYTES = 200_000_000
MAX_PIXELS = 90_000_000  # 90 megapixels: a full broadsheet page at 300 dpi is about 31
_sizes: dict[tuple[Path, int, int], tuple[int, int]] = {}


def _key(p: Path) -> tuple[Path, int, int]:
    st = os.stat(p)
    return (p, st.st_size, st.st_mtime_ns)


def image_size(p: Path) -> tuple[int, int]:
    """(width, height) in pixels, read from the header once per file version."""
    key = _key(p)
    size = _sizes.get(key)
    if size is None:
        size = _sizes[key] = _jpeg_size(p) or _pil_size(p)
    return size


def _jpeg_size(p: Path) -> tuple[int, int] | None:
    """The size jpeghead reads, or None (not a JPEG it vouches for, or unreadable: Pillow says why)."""
    try:
        with open(p, "rb") as f:
            return jpeg_size(f)
    except OSError:
        return None


def _pil_size(p: Path) -> tuple[int, int]:
    from PIL import Image

    with Image.open(p) as im:
        return im.size


def _jpeg_ends_well(p: Path) -> bool:
    """The file ends with the end-of-image marker (trailing padding allowed)."""
    with open(p, "rb") as f:
        f.seek(0, os.SEEK_END)
        n = f.tell()
        f.seek(max(0, n - 4096))
        tail = f.read().rstrip(b"\x00\r\n\t ")
    return tail.endswith(b"\xff\xd9")


_verdicts: dict[tuple, str | None] = {}  # by file version: a long-lived process (issue serve) checks only new photos


def unreadable_image(p: Path) -> str | None:
    """Why the file cannot be placed as a photo, or None if it can. A file over MAX_IMAGE_BYTES, or
    whose header declares more than MAX_PIXELS, is refused before anything is decoded (a
    decompression bomb is a few KB on disk); Pillow's own bomb guard is turned into a refusal too.
    Remembered per version of the file (device, inode, size, modification and change times: a
    rewrite in place changes the change time, which no one can set back)."""
    st = p.stat()
    key = (str(p), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    if key not in _verdicts:
        if len(_verdicts) > 4096:
            _verdicts.clear()
        _verdicts[key] = _unreadable(p)
    return _verdicts[key]


def _unreadable(p: Path) -> str | None:
    if p.stat().st_size > MAX_IMAGE_BYTES:
        return f"{p.stat().st_size:,} bytes; the limit is {MAX_IMAGE_BYTES:,}"
    size = _jpeg_size(p)
    if size is not None and _jpeg_ends_well(p):  # what Pillow would say of it, without loading Pillow
        _sizes[_key(p)] = size
        return None
    import warnings

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return _check(p)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        return f"over the pixel limit: {e}"
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        return str(e) or type(e).__name__


def _check(p: Path) -> str | None:
    """unreadable_image's checks, past the size limits."""
    from PIL import Image

    with Image.open(p) as im:
        fmt = im.format
        size = im.size
        if size[0] * size[1] > MAX_PIXELS:
            return f"{size[0]} x {size[1]} pixels is over the limit of {MAX_PIXELS // 1_000_000} megapixels"
        if fmt == "JPEG" and _jpeg_ends_well(p):
            _sizes[_key(p)] = size
            return None
        if fmt == "JPEG":
            # No end marker where it belongs: truncated, or trailing data after it.
            # A draft (1/8 scale) decode reads the whole stream and tells them apart.
            im.draft(im.mode, (max(1, size[0] // 8), max(1, size[1] // 8)))
            im.load()
        else:
            im.verify()
    if fmt != "JPEG":
        with Image.open(p) as im:
            im.load()  # verify() does not decode: a truncated file gets past it
    _sizes[_key(p)] = size
    return None
