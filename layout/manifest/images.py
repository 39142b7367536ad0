"""Photo files checked cheaply: the header read, the file's end verified, sizes remembered.

Reads image files; produces their pixel size and, for the manifest check, a reason a file cannot be
used. A JPEG is checked by its header and its end-of-image marker (a truncated file has none); only a
JPEG without that marker where it belongs gets a reduced-size (draft) decode to judge it. Other
formats are verified and decoded in full. Sizes are remembered per file (path, length, mtime), so
the page builder does not open the file again.
"""

from __future__ import annotations

import os
from pathlib import Path

_sizes: dict[tuple[Path, int, int], tuple[int, int]] = {}


def _key(p: Path) -> tuple[Path, int, int]:
    st = os.stat(p)
    return (p, st.st_size, st.st_mtime_ns)


def image_size(p: Path) -> tuple[int, int]:
    """(width, height) in pixels, read from the header once per file version."""
    key = _key(p)
    size = _sizes.get(key)
    if size is None:
        from PIL import Image

        with Image.open(p) as im:
            size = _sizes[key] = im.size
    return size


def _jpeg_ends_well(p: Path) -> bool:
    """The file ends with the end-of-image marker (trailing padding allowed)."""
    with open(p, "rb") as f:
        f.seek(0, os.SEEK_END)
        n = f.tell()
        f.seek(max(0, n - 4096))
        tail = f.read().rstrip(b"\x00\r\n\t ")
    return tail.endswith(b"\xff\xd9")


def unreadable_image(p: Path) -> str | None:
    """Why the file cannot be placed as a photo, or None if it can."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(p) as im:
            fmt = im.format
            size = im.size
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
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        return str(e) or type(e).__name__
    _sizes[_key(p)] = size
    return None
