"""The names of photos in the PDF: a hash of each file's bytes, remembered by file version.

Reads photo files; produces their digests (`images` names each image XObject by one, so the PDF is
the same wherever the issue folder sits). Apart from the drawing modules: a render's helper hashes
photos, and the digests are kept between renders (photodigests), without importing ReportLab.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..manifest.files import file_version

_digests: dict[tuple, str] = {}  # by file version: a long-lived process (issue serve) hashes only new photos


def file_digest(path: Path) -> str:
    """A hash of the file's bytes, read in chunks (names the image in the PDF); remembered for this
    version of the file (device, inode, size, modification and change times: a rewrite in place
    changes the change time, which no one can set back)."""
    digest = _digests.get(version_of(path))
    if digest is not None:
        return digest
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        key = file_version(st)
        digest = _digests.get(key)
        if digest is not None:
            return digest
        h = hashlib.sha256()
        while chunk := f.read(1 << 20):
            h.update(chunk)
    if len(_digests) > 4096:
        _digests.clear()
    digest = _digests[key] = h.hexdigest()[:32]
    return digest


def version_of(path: Path) -> tuple | None:
    """The file's version (manifest.files.file_version), or None if it cannot be had."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return file_version(st)


def digest_of(version: tuple) -> str | None:
    """The digest `file_digest` made in this process for a file version, if any."""
    return _digests.get(version)


def remember_digests(found: dict) -> None:
    """Digests another process computed (by file version, as `file_digest` keeps them)."""
    for key, digest in found.items():
        if isinstance(key, tuple) and isinstance(digest, str):
            _digests[key] = digest
