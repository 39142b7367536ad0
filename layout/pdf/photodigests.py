"""The hashes that name photos in the PDF, kept between renders (ISSUE/build/.cache/photos.bin).

Reads and writes a signed pack (manifest.packs) of `images.file_digest`'s results by file version
(device, inode, size, modification and change times: a photo rewritten in place, even with its old
modification time put back, has a new change time, so it is hashed again). A re-render in a fresh
process then reads none of the photos' bytes only to name them (29 MiB of JPEG for 16 pages); it
still copies them into the PDF. The pack's fingerprint is a hash of the code that makes the
digests, so a changed digest never names a photo in a later render.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from ..manifest.packs import keep_pack, read_pack
from . import images

MAGIC = b"layout-photo-digests 1\n"


def _fingerprint() -> str:
    return hashlib.blake2b(Path(images.__file__).read_bytes(), digest_size=16).hexdigest()


def load(path: Path) -> None:
    """Take the digests kept at `path` (a missing, damaged or foreign pack gives none)."""
    take(read_pack(path, MAGIC, _fingerprint()))


def take(found: object) -> None:
    """Take digests made elsewhere (a pack, another process: `made`), each checked for its shape."""
    if not isinstance(found, dict):
        return
    images.remember_digests(
        {
            k: v
            for k, v in found.items()
            if type(k) is tuple
            and len(k) == 5
            and all(type(x) is int for x in k)
            and type(v) is str
            and len(v) == 32
            and all(c in "0123456789abcdef" for c in v)
        }  # fmt: skip
    )


def made(photos: Iterable[Path], hash_them: bool = False) -> dict[tuple, str]:
    """The digests this process knows of `photos` (their current versions), by file version; with
    `hash_them`, those it does not know are made first (a photo it cannot read is left out)."""
    known = {}
    for p in photos:
        if hash_them:
            try:
                images.file_digest(p)
            except OSError:
                continue
        try:
            st = os.stat(p)
        except OSError:
            continue
        key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        digest = images.digest_of(key)
        if digest is not None:
            known[key] = digest
    return known


def keep(path: Path, photos: Iterable[Path]) -> None:
    """Keep at `path` the digests this process knows of `photos` (their current versions)."""
    known = made(photos)
    if known:
        keep_pack(path, MAGIC, _fingerprint(), known)
