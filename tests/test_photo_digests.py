"""Photo digests kept between renders (pdf.photodigests): a re-render names the photos without
reading them, a photo changed in any way (even with its old time put back) is hashed again, and a
damaged or ill-shaped pack names nothing; the PDF is always a render without any cache."""

from __future__ import annotations

import hashlib
import marshal
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from layout.cli import app
from layout.manifest.packs import signed_pack
from layout.pdf import photodigests, photonames


def render(issue: Path, out: Path, *extra: str) -> bytes:
    r = CliRunner().invoke(app, ["render", str(issue), "-o", str(out), *extra])
    assert r.exit_code == 0, r.output
    return out.read_bytes()


def _photos(issue: Path) -> list[Path]:
    return sorted(p for p in (issue / "photos").iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))


def test_a_re_render_names_the_photos_without_reading_them(issue: Path, tmp_path: Path, monkeypatch) -> None:
    first = render(issue, tmp_path / "a.pdf")
    pack = issue / "build" / ".cache" / "photos.bin"
    assert pack.is_file()
    photonames._digests.clear()  # as a fresh process starts

    class NoHashing:  # photonames' own hashlib, without the hash that names a photo
        def __getattr__(self, name: str) -> object:
            if name == "sha256":
                raise AssertionError("a photo was read to be named")
            return getattr(hashlib, name)

    monkeypatch.setattr(photonames, "hashlib", NoHashing())
    assert render(issue, tmp_path / "b.pdf") == first


def test_a_photo_changed_in_place_is_hashed_again(issue: Path, tmp_path: Path) -> None:
    first = render(issue, tmp_path / "a.pdf")
    photo = next(p for p in _photos(issue) if p.suffix.lower() in (".jpg", ".jpeg"))
    st = photo.stat()
    data = bytearray(photo.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit of the picture: same size, still a JPEG
    photo.write_bytes(bytes(data))
    os.utime(photo, ns=(st.st_atime_ns, st.st_mtime_ns))  # its old modification time put back
    photonames._digests.clear()
    warm = render(issue, tmp_path / "b.pdf")
    photonames._digests.clear()
    assert warm == render(issue, tmp_path / "c.pdf", "--no-cache")
    assert warm != first


@pytest.mark.parametrize("damage", ["wrong-shapes", "other-code", "garbage"])
def test_a_bad_pack_names_nothing(issue: Path, tmp_path: Path, damage: str) -> None:
    clean = render(issue, tmp_path / "clean.pdf", "--no-cache")
    render(issue, tmp_path / "a.pdf")
    pack = issue / "build" / ".cache" / "photos.bin"
    fp = photodigests._fingerprint()
    keys = [(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns) for st in map(os.stat, _photos(issue))]
    if damage == "wrong-shapes":  # signed here, but naming every photo with one made-up digest
        pack.write_bytes(signed_pack(photodigests.MAGIC, marshal.dumps((fp, {k: "0" * 31 + "z" for k in keys}))))
    elif damage == "other-code":
        pack.write_bytes(signed_pack(photodigests.MAGIC, marshal.dumps(("old", {k: "0" * 32 for k in keys}))))
    else:
        pack.write_bytes(b"not a pack")
    photonames._digests.clear()
    assert render(issue, tmp_path / "b.pdf") == clean
