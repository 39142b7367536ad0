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

from .files import pack_digest, read_regular

MAX_PACK = 1 << 30  # bytes: a 64-page issue's paragraphs take a few MiB


def read_pack(path: Path, magic: bytes, fingerprint: object) -> dict:
    """The entries of the pack at `path`, or {} unless it verifies and matches `fingerprint`."""
    data = read_regular(path, MAX_PACK)
    if data is None or len(data) > MAX_PACK:
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


class Shelf:
    """House packs: one signed pack file per entry in a folder of the user's cache (`key.bin`, the
    key a hash of what the entry was made from), so a render reads only the entries it needs; the
    oldest files beyond `limit` are removed when one is added."""

    def __init__(self, folder: Path, magic: bytes, fingerprint: object, limit: int = 64):
        self.folder, self.magic, self.fingerprint, self.limit = folder, magic, fingerprint, limit

    def _path(self, key: str) -> Path:
        if not key.isalnum():
            raise ValueError(f"not a shelf key: {key!r}")
        return self.folder / f"{key}.bin"

    def get(self, key: str) -> object | None:
        return read_pack(self._path(key), self.magic, self.fingerprint).get(key)

    def put(self, key: str, entry: object) -> None:
        write_pack(self._path(key), self.magic, self.fingerprint, {key: entry})
        try:
            files = sorted(self.folder.glob("*.bin"), key=lambda p: p.stat().st_mtime_ns)
            for old in files[: max(0, len(files) - self.limit)]:
                old.unlink(missing_ok=True)
        except OSError:
            pass  # another process tidied first; a failure to tidy is not an error
