"""Signed cache packs: the build caches' one file format (paragraphs, fonts, drawn pages).

Reads and writes `MAGIC + keyed BLAKE2 digest + marshal((fingerprint, entries))`. A pack that is
missing, corrupt, signed on another machine, or made for another fingerprint (tool version, fonts,
style) reads as empty, so the caller rebuilds it; nothing in a pack is trusted until it verifies.
Writing is atomic and never an error: a read-only issue folder renders, just without a cache.
"""

from __future__ import annotations

import marshal
import os
import tempfile
from pathlib import Path

from .files import pack_digest


def read_pack(path: Path, magic: bytes, fingerprint: object) -> dict:
    """The entries of the pack at `path`, or {} unless it verifies and matches `fingerprint`."""
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    head = len(magic)
    if not data.startswith(magic) or len(data) < head + 32:
        return {}
    digest, payload = data[head : head + 32], data[head + 32 :]
    if pack_digest(payload) != digest:
        return {}  # corrupt, tampered with or made elsewhere: rebuild
    try:
        fp, entries = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return {}
    if fp != fingerprint or not isinstance(entries, dict):
        return {}  # another version of the tool, the fonts or the style: rebuild
    return entries


def write_pack(path: Path, magic: bytes, fingerprint: object, entries: dict) -> None:
    """Write the pack atomically (a temporary file renamed into place); a failure is not an error."""
    payload = marshal.dumps((fingerprint, entries))
    data = magic + pack_digest(payload) + payload
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass
