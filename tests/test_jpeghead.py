"""manifest.jpeghead reads a JPEG's size without Pillow: wherever it answers, Pillow opens the file as a
JPEG of that size, and the manifest check's verdict (manifest.images) is the one Pillow's route gives,
on every photo in the repository, on files Pillow writes in every mode it has, on hostile files and
on thousands of mutations of a header."""

from __future__ import annotations

import io
import random
import struct
from pathlib import Path

import pytest
from PIL import Image

from layout.manifest import images
from layout.manifest.jpeghead import PIL_PIXEL_GUARD, jpeg_size

ROOT = Path(__file__).resolve().parents[1]
REPO_PHOTOS = sorted(p for p in ROOT.glob("**/*.jp*g") if "build" not in p.parts)


def _pil(data: bytes) -> tuple[str, tuple[int, int]] | None:
    """(format, size) as Pillow opens the bytes, or None if it does not."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            return im.format, im.size
    except Exception:
        return None


def _verdicts(p: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str | None, str | None]:
    """The manifest check's verdict with the header reader, and by Pillow's route alone."""
    ours = images._unreadable(p)
    with monkeypatch.context() as m:
        m.setattr(images, "_jpeg_size", lambda _p: None)
        theirs = images._unreadable(p)
    return ours, theirs


def _agrees(data: bytes) -> tuple[int, int] | None:
    size = jpeg_size(io.BytesIO(data))
    if size is not None:
        assert _pil(data) == ("JPEG", size), (size, _pil(data))
    return size


def _jpeg(mode: str = "RGB", size: tuple[int, int] = (64, 40), **save: object) -> bytes:
    im = Image.new(mode, size, {"L": 90, "RGB": (200, 80, 30), "CMYK": (10, 80, 200, 5)}[mode])
    out = io.BytesIO()
    im.save(out, "JPEG", **save)
    return out.getvalue()


def _exif(orientation: int, resolution: bool) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    if resolution:
        exif[0x0128], exif[0x011A], exif[0x011B] = 2, 300.0, 300.0
    return exif.tobytes()


def _tiff(entries: list[tuple[int, int, int, bytes]], big: bool = False, tail: bytes = b"") -> bytes:
    """EXIF data by hand: one directory of (tag, type, count, 4-byte value or offset) entries."""
    e = ">" if big else "<"
    head = (b"MM\0*" if big else b"II*\0") + struct.pack(e + "I", 8) + struct.pack(e + "H", len(entries))
    body = b"".join(struct.pack(e + "HHI", t, typ, n) + v for t, typ, n, v in entries)
    return b"Exif\0\0" + head + body + struct.pack(e + "I", 0) + tail


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">HH", marker, len(payload) + 2) + payload


def _after_soi(data: bytes, extra: bytes) -> bytes:
    return data[:2] + extra + data[2:]


def _sof_at(data: bytes) -> int:
    for marker in (b"\xff\xc0", b"\xff\xc2"):
        i = data.find(marker)
        if i >= 0:
            return i
    raise AssertionError("no frame header")


def _with_size(data: bytes, w: int, h: int) -> bytes:
    i = _sof_at(data) + 5
    return data[:i] + struct.pack(">HH", h, w) + data[i + 4 :]


def _variants() -> dict[str, bytes]:
    base = _jpeg()
    sof = _sof_at(base)
    app0 = 4 + struct.unpack(">H", base[4:6])[0]  # the end of the JFIF segment

    def no_jfif(exif: bytes) -> bytes:  # the EXIF segment in the JFIF one's place: Pillow reads its resolution
        return base[:2] + _segment(0xFFE1, exif) + base[app0:]

    def unit(big: bool) -> tuple[int, int, int, bytes]:
        return (0x0128, 3, 1, struct.pack(">HH" if big else "<HH", 2, 0))

    def rational(big: bool) -> tuple[int, int, int, bytes]:  # its value just after the directory
        return (0x011A, 5, 1, struct.pack(">I" if big else "<I", 8 + 2 + 2 * 12 + 4))

    def one(typ: int) -> tuple[int, int, int, bytes]:
        return (0x011A, typ, 1, b"7\0\0\0")

    icc = b"ICC_PROFILE\0\x01\x01" + bytes(200)
    v = {
        "baseline": base,
        "grey": _jpeg("L"),
        "cmyk": _jpeg("CMYK"),
        "progressive": _jpeg(progressive=True),
        "optimized": _jpeg(optimize=True),
        "subsampling 4:4:4": _jpeg(subsampling=0),
        "restart markers": _jpeg(size=(300, 200), restart_marker_blocks=1),
        "dpi": _jpeg(dpi=(300, 300)),
        "comment": _jpeg(comment=b"a caption"),
        "icc": _jpeg(icc_profile=bytes(300)),
        "exif rotated, no resolution": _jpeg(exif=_exif(6, False)),
        "exif rotated, dpi": _jpeg(exif=_exif(8, True), dpi=(200, 200)),
        "exif with a resolution, no JFIF one": _jpeg(exif=_exif(1, True)),
        "exif, big-endian": no_jfif(_tiff([unit(True), rational(True)], True, struct.pack(">II", 300, 1))),
        "exif, little-endian": no_jfif(_tiff([unit(False), rational(False)], False, struct.pack("<II", 300, 1))),
        "exif, rational of 300/0": no_jfif(_tiff([unit(False), rational(False)], False, struct.pack("<II", 300, 0))),
        "exif, XResolution of one character": no_jfif(_tiff([unit(False), one(2)])),
        "exif, XResolution of one byte": no_jfif(_tiff([unit(False), one(1)])),
        "exif, XResolution undefined": no_jfif(_tiff([unit(False), one(7)])),
        "exif, XResolution short": no_jfif(_tiff([unit(False), one(3)])),
        "exif, XResolution twice": no_jfif(_tiff([unit(False), one(3), one(2)])),
        "exif, value past the end": no_jfif(_tiff([unit(False), rational(False)])),
        "exif, no unit": no_jfif(_tiff([one(2)])),
        "exif, not TIFF": no_jfif(b"Exif\0\0not tiff at all"),
        "exif, empty": no_jfif(b"Exif\0\0"),
        "exif, directory past the end": no_jfif(_tiff([unit(False), one(2)])[:20]),
        "at the pixel guard": _with_size(base, 9459, 9459),
        "over the pixel guard": _with_size(base, 9461, 9461),
        "over the 90 megapixel limit": _with_size(base, 10000, 9001),
        "declared 65535 x 65535": _with_size(base, 65535, 65535),
        "zero width": _with_size(base, 0, 40),
        "12-bit": base[: sof + 4] + b"\x0c" + base[sof + 5 :],
        "2 components": base[: sof + 9] + b"\x02" + base[sof + 10 :],
        "short JFIF": _after_soi(base[:2] + base[20:], _segment(0xFFE0, b"JFIF\0")),
        "short Adobe": _after_soi(base, _segment(0xFFEE, b"Adobe")),
        "MPF index": _after_soi(base, _segment(0xFFE2, b"MPF\0" + bytes(40))),
        "short ICC": _after_soi(base, _segment(0xFFE2, b"ICC_PROFILE\0\x01")),
        "two ICC parts": _after_soi(base, _segment(0xFFE2, icc) + _segment(0xFFE2, icc[:13] + b"\x02" + icc[14:])),
        "photoshop": _after_soi(base, _segment(0xFFED, b"Photoshop 3.0\0" + b"8BIM\x04\x04\0\0" + b"\0\0\0\x02ab")),
        "photoshop, name past end": _after_soi(base, _segment(0xFFED, b"Photoshop 3.0\x008BIM\x03\xed")),
        "photoshop, short size": _after_soi(base, _segment(0xFFED, b"Photoshop 3.0\x008BIM\x04\x04\0\0\0")),
        "bad quantization table": _after_soi(base, _segment(0xFFDB, b"\x00" + bytes(30))),
        "16-bit quantization table": _after_soi(base, _segment(0xFFDB, b"\x11" + bytes(128))),
        "junk between segments": base[:app0] + b"junk" + base[app0:],
        "junk at the start": _after_soi(base, b"junk"),
        "fill bytes": _after_soi(base, b"\xff\xff\xff"),
        "escaped ff": _after_soi(base, b"\xff\x00"),
        "unknown marker": _after_soi(base, _segment(0xFF02, b"xx")),
        "segment length under 2": _after_soi(base, b"\xff\xfe\x00\x01"),
        "EOI before the frame": _after_soi(base, b"\xff\xd9"),
        "frame with a short component list": base[: sof + 3]
        + bytes([base[sof + 3] + 1])
        + base[sof + 4 : sof + 19]
        + b"\0"
        + base[sof + 19 :],
        "no frame": base[:sof] + base[sof + 2 + struct.unpack(">H", base[sof + 2 : sof + 4])[0] :],
        "data after the end": base + b"trailing bytes",
        "padding after the end": base + b"\0\0\r\n",
        "truncated in the scan": base[: len(base) - 20],
        "truncated in the header": base[: sof + 6],
        "only the start marker": base[:3],
        "empty": b"",
        "garbage": bytes(random.Random(3).randrange(256) for _ in range(2000)),
        "text": b"not an image at all\n" * 20,
    }
    png = io.BytesIO()
    Image.new("RGB", (30, 20), (1, 2, 3)).save(png, "PNG")
    v["a PNG named .jpg"] = png.getvalue()
    return v


VARIANTS = _variants()


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow's own, on the hostile files (MPO index, EXIF)
@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_each_hostile_or_unusual_file_gets_pillows_size_and_verdict(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = VARIANTS[name]
    _agrees(data)
    p = tmp_path / "photo.jpg"
    p.write_bytes(data)
    ours, theirs = _verdicts(p, monkeypatch)
    assert ours == theirs
    if ours is None:
        assert images.image_size(p) == _pil(data)[1]


def test_the_ordinary_kinds_are_read_without_pillow() -> None:
    """The reader vouches for the JPEGs photo desks send (else this file tests nothing)."""
    for name in ("baseline", "grey", "cmyk", "progressive", "optimized", "restart markers", "icc", "comment"):
        assert _agrees(VARIANTS[name]) is not None, name
    for name in ("exif rotated, dpi", "exif rotated, no resolution", "exif with a resolution, no JFIF one"):
        assert _agrees(VARIANTS[name]) is not None, name
    for name in ("exif, big-endian", "exif, rational of 300/0", "exif, XResolution short", "exif, no unit"):
        assert _agrees(VARIANTS[name]) is not None, name
    for name in ("at the pixel guard", "photoshop", "two ICC parts", "fill bytes"):
        assert _agrees(VARIANTS[name]) is not None, name
    assert _agrees(VARIANTS["over the pixel guard"]) is None  # Pillow's bomb warning: its own words
    assert 9461 * 9461 > PIL_PIXEL_GUARD == Image.MAX_IMAGE_PIXELS >= 9459 * 9459


@pytest.mark.parametrize("path", REPO_PHOTOS, ids=lambda p: p.name)
def test_every_photo_in_the_repository(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _agrees(path.read_bytes()) is not None
    assert _verdicts(path, monkeypatch) == (None, None)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_mutated_headers_never_disagree_with_pillow() -> None:
    """Bytes changed, cut or inserted anywhere in the headers of several kinds of JPEG: whenever the
    reader answers, Pillow opens the file as a JPEG of that size."""
    rng = random.Random(12)
    names = ("baseline", "progressive", "cmyk", "icc", "photoshop", "exif rotated, dpi", "exif, big-endian")
    kinds = [VARIANTS[k] for k in (*names, "exif with a resolution, no JFIF one", "exif, little-endian")]
    answered = 0
    for _ in range(4000):
        data = bytearray(rng.choice(kinds))
        head = _sof_at(bytes(data)) + 40
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(2, head)
            how = rng.random()
            if how < 0.6:
                data[i] = rng.choice((0x00, 0x01, 0x02, 0xFF, 0xC0, 0xD9, 0xDA, rng.randrange(256)))
            elif how < 0.8:
                del data[i : i + rng.randint(1, 8)]
            else:
                data[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))
        answered += _agrees(bytes(data)) is not None
    assert answered > 300  # enough mutations are read (not all left to Pillow)
