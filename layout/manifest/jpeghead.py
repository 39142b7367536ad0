"""A JPEG's pixel size from its header, read as Pillow's JPEG reader reads it, without Pillow.

Reads the start of an image file, up to its first start-of-scan marker; produces (width, height)
when the file is one Pillow would open as a plain JPEG without complaint, else None. Loading Pillow
to learn a photo's size cost a cold render about 15 ms of CPU (its image core and format plugins,
logging, EXIF tables; measured on the 16-page benchmark issue), for photos that go into the PDF
untouched. The walk over the markers follows Pillow's own (JpegImagePlugin: junk skipped a byte at a
time, fill bytes, segments read by their length, the last frame header's size), and answers None, so
that the caller asks Pillow, wherever the file is in any doubt: not a JPEG, a truncated segment, an
unknown marker, no frame before the scan, sample precision other than 8 bits, other than 1, 3 or 4
components, a zero side, a malformed quantization table, a short JFIF, Adobe, ICC or Photoshop
segment, a multi-picture (MPO) index, or more pixels than Pillow's decompression-bomb guard lets
through. Pillow looks for a resolution in the EXIF data when the JFIF header gives none, and can
fail there (an XResolution of one byte or one character): the EXIF data is read too, and anything
odd in it (not plain little- or big-endian TIFF, an entry or its value past the end, a resolution
tag twice, an XResolution not a number) is doubt. tests/test_jpeghead.py holds it equal to Pillow on
generated, hostile and mutated files.
"""

from __future__ import annotations

from typing import BinaryIO

# Pillow's Image.MAX_IMAGE_PIXELS by default: above it, opening warns (and above twice it, fails).
PIL_PIXEL_GUARD = 1024 * 1024 * 1024 // 4 // 3
MAX_JUNK = 4096  # stray bytes between segments tolerated here; more is left to Pillow
MAX_SEGMENTS = 1024  # segments before the scan; more is left to Pillow

_SKIP = {0xFFC4, 0xFFCC, 0xFFDA, 0xFFDC, 0xFFDD, 0xFFDF}  # segments Pillow reads past unexamined
_FRAME = {0xFFC0, 0xFFC1, 0xFFC2, 0xFFC3, 0xFFC5, 0xFFC6, 0xFFC7, 0xFFC9, 0xFFCA, 0xFFCB, 0xFFCD, 0xFFCE}
_FRAME |= {0xFFCF, 0xFFDE}  # start of frame (every process), and DHP, which Pillow reads as one
_SOS, _DQT, _COM = 0xFFDA, 0xFFDB, 0xFFFE


class _Doubt(Exception):
    """Anything this reader does not take on trust: Pillow decides."""


def jpeg_size(f: BinaryIO) -> tuple[int, int] | None:
    """(width, height) of the JPEG read from `f` (at its start), or None: see the module's doc."""
    try:
        return _walk(f)
    except _Doubt:
        return None


def _segment(f: BinaryIO) -> bytes:
    head = f.read(2)
    if len(head) < 2:
        raise _Doubt
    n = (head[0] << 8 | head[1]) - 2
    if n <= 0:  # a length under 2: Pillow reads nothing and goes on from here
        return b""
    data = f.read(n)
    if len(data) < n:
        raise _Doubt  # Pillow: "Truncated File Read"
    return data


def _walk(f: BinaryIO) -> tuple[int, int] | None:
    if f.read(3) != b"\xff\xd8\xff":
        return None
    s = b"\xff"
    size: tuple[int, int] | None = None
    icc: list[bytes] = []
    seen: dict[str, bytes] = {}  # "exif" (Pillow's joined EXIF data), "dpi": what its resolution lookup reads
    junk = segments = 0
    while s:
        if s[0] != 0xFF:  # junk between segments, skipped a byte at a time
            junk += 1
            if junk > MAX_JUNK:
                raise _Doubt
            s = f.read(1)
            continue
        s += f.read(1)
        if len(s) < 2:
            raise _Doubt  # the file ends before a scan: Pillow opens it all the same; it decides
        marker = s[0] << 8 | s[1]
        if marker == 0xFFFF:  # a fill byte
            s = b"\xff"
            continue
        if marker == 0xFF00:
            s = f.read(1)
            continue
        if marker < 0xFFC0:
            raise _Doubt  # Pillow: "no marker found"
        segments += 1
        if segments > MAX_SEGMENTS:
            raise _Doubt
        if marker == _SOS:
            _segment(f)
            if "exif" in seen and "dpi" not in seen:
                _exif_resolution(seen["exif"])  # where Pillow then looks for the resolution
            return _checked(size)
        if marker in _FRAME:
            size = _frame(_segment(f), icc)
            icc = []
        elif marker in _SKIP or marker == _COM:
            _segment(f)
        elif marker == _DQT:
            _quantization(_segment(f))
        elif 0xFFE0 <= marker <= 0xFFEF:
            _application(marker, _segment(f), icc, seen)
        s = f.read(1)  # any other marker (SOI, EOI, RSTn, JPGn) has no segment
    raise _Doubt


def _checked(size: tuple[int, int] | None) -> tuple[int, int]:
    if size is None or size[0] <= 0 or size[1] <= 0 or size[0] * size[1] > PIL_PIXEL_GUARD:
        raise _Doubt
    return size


def _frame(s: bytes, icc: list[bytes]) -> tuple[int, int]:
    if len(s) < 6 or s[0] != 8 or s[5] not in (1, 3, 4) or (len(s) - 6) % 3:
        raise _Doubt  # Pillow reads the component list three bytes at a time: a short one fails
    if icc and len(min(icc)) < 14:  # Pillow reads the first ICC fragment's count at byte 13
        raise _Doubt
    return (s[3] << 8 | s[4], s[1] << 8 | s[2])


def _quantization(s: bytes) -> None:
    while s:
        length = 1 + (64 if s[0] < 16 else 128)
        if len(s) < length:
            raise _Doubt  # Pillow: "bad quantization table marker"
        s = s[length:]


def _application(marker: int, s: bytes, icc: list[bytes], seen: dict[str, bytes]) -> None:
    if marker == 0xFFE0 and s.startswith(b"JFIF"):
        if len(s) < 7:
            raise _Doubt
        if len(s) >= 12 and s[7] in (1, 2):  # dots per inch or per cm: Pillow takes the resolution from here
            seen["dpi"] = b""
    elif marker == 0xFFE1 and s.startswith(b"Exif\0\0"):
        seen["exif"] = seen["exif"] + s[6:] if "exif" in seen else s  # as Pillow joins them
    elif marker == 0xFFE2 and s.startswith(b"ICC_PROFILE\0"):
        icc.append(s)
    elif marker == 0xFFE2 and s.startswith(b"MPF\0"):
        raise _Doubt  # a multi-picture file: Pillow may open it as MPO
    elif marker == 0xFFEE and s.startswith(b"Adobe") and len(s) < 7:
        raise _Doubt
    elif marker == 0xFFED and s.startswith(b"Photoshop 3.0\x00"):
        _photoshop(s)


def _photoshop(s: bytes) -> None:
    """Pillow walks the resource blocks and gives up quietly on most short ones; a block whose name
    length lies past the end raises instead. Any short block: Pillow decides."""
    offset = 14
    while s[offset : offset + 4] == b"8BIM":
        offset += 6  # the signature and the resource code
        if offset >= len(s):
            raise _Doubt
        offset += 1 + s[offset]
        offset += offset & 1
        if offset + 4 > len(s):
            raise _Doubt
        size = int.from_bytes(s[offset : offset + 4], "big")
        offset += 4 + size
        offset += offset & 1


# TIFF field types Pillow reads, and their sizes; and those whose XResolution Pillow divides safely
# (a BYTE, ASCII or UNDEFINED value of length 1 makes its resolution lookup raise IndexError).
_TIFF_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8}
_NUMERIC = {3, 4, 5, 6, 8, 9, 10, 11, 12}
_UNIT, _XRES = 0x0128, 0x011A


def _exif_resolution(data: bytes) -> None:
    """Raise _Doubt unless Pillow's resolution lookup in this EXIF data surely ends quietly: no
    ResolutionUnit or no XResolution in the first directory (a KeyError it catches), or a numeric
    XResolution."""
    for _ in range(2):  # Pillow strips the "Exif\0\0" prefix once or twice
        if data.startswith(b"Exif\0\0"):
            data = data[6:]
    if not data:
        return
    order = {b"II*\0": "little", b"MM\0*": "big"}.get(data[:4])
    if order is None or len(data) < 8:
        raise _Doubt

    def num(at: int, n: int) -> int:
        return int.from_bytes(data[at : at + n], order)  # type: ignore[arg-type]

    ifd = num(4, 4)
    if ifd + 2 > len(data) or ifd + 2 + 12 * num(ifd, 2) > len(data):
        raise _Doubt
    types: dict[int, int] = {}
    total = 0
    for at in range(ifd + 2, ifd + 2 + 12 * num(ifd, 2), 12):
        tag, typ, count = num(at, 2), num(at + 2, 2), num(at + 4, 4)
        if typ not in _TIFF_SIZES or count == 0:
            continue  # Pillow skips it
        size = count * _TIFF_SIZES[typ]
        if size > 4:
            total += size
            if total > len(data) or num(at + 8, 4) + size > len(data):
                raise _Doubt  # Pillow skips it or stops reading with a warning
        if tag in types:
            raise _Doubt
        if tag in (_UNIT, _XRES):
            types[tag] = typ
    if _UNIT in types and _XRES in types and types[_XRES] not in _NUMERIC:
        raise _Doubt
