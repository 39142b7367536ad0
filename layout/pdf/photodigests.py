"""The hashes that name photos in the PDF, kept between renders (ISSUE/build/.cache/photos.bin).

Reads and writes a signed pack (manifest.packs) of `photonames.file_digest`'s results by file version
(device, inode, size, modification and change times: a photo rewritten in place, even with its old
modification time put back, has a new change time, so it is hashed again). A re-render in a fresh
process then reads none of the photos' bytes only to name them (29 MiB of JPEG for 16 pages); it
still copies them into the PDF. The pack's fingerprint is a hash of the code that makes the
digests, so a changed digest never names a photo in a later render.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..manifest.files import file_version
from ..manifest.packs import keep_pack, read_pack
from ..page.forks import fork_child, reap
from ..page.parallel import spare_core
from . import photonames

MAGIC = b"layout-photo-digests 1\n"
# Bytes of photos not yet named below which hashing them here costs less than forking for it.
EARLY_BYTES = 4 << 20


def _fingerprint() -> str:
    return hashlib.blake2b(Path(photonames.__file__).read_bytes(), digest_size=16).hexdigest()


def load(path: Path) -> None:
    """Take the digests kept at `path` (a missing, damaged or foreign pack gives none)."""
    take(read_pack(path, MAGIC, _fingerprint()))


def take(found: object) -> None:
    """Take digests made elsewhere (a pack, another process: `made`), each checked for its shape."""
    if not isinstance(found, dict):
        return
    photonames.remember_digests(
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
                photonames.file_digest(p)
            except OSError:
                continue
        try:
            st = os.stat(p)
        except OSError:
            continue
        key = file_version(st)
        digest = photonames.digest_of(key)
        if digest is not None:
            known[key] = digest
    return known


def keep(path: Path, photos: Iterable[Path]) -> None:
    """Keep at `path` the digests this process knows of `photos` (their current versions)."""
    known = made(photos)
    if known:
        keep_pack(path, MAGIC, _fingerprint(), known)


class Hashing:
    """The photos' digests made by a forked child while this process loads the style and sets
    bodies. Its core is idle until the body helper starts (the first 0.15 s of a render), and the
    digests (29 MiB of JPEG for 16 pages: about 26 ms of reading and SHA-256) were otherwise the
    body helper's last work, which composition waited for."""

    def __init__(self, photos: list[Path]):
        def child(w: int) -> None:
            data = memoryview(marshal.dumps(made(photos, True)))
            while data:
                data = data[os.write(w, data) :]

        self.pid, self.fd = fork_child(child)

    def take(self) -> None:
        """Wait for the child's digests and take them (anything unreadable is ignored: drawing then
        hashes the photos it finds unnamed, as a serial render does)."""
        chunks = []
        try:
            while chunk := os.read(self.fd, 1 << 16):
                chunks.append(chunk)
        finally:
            self.abandon()
        try:
            take(marshal.loads(b"".join(chunks)))
        except (ValueError, EOFError, TypeError):
            pass

    def abandon(self) -> None:
        """End the child (if it still runs) and reap it; idempotent."""
        if self.pid:
            reap(self.pid, self.fd)
            self.pid, self.fd = 0, -1


def start_hashing(
    photos: Iterable[Path], parallel: bool | None, free: Callable[[], bool] | None = None
) -> Hashing | None:
    """A child hashing the photos not yet named (by this process or the kept pack), when they are
    many enough and a core is free (`parallel`: True always, False never, None where `free()`
    says a core is idle); else None, and they are hashed where they are first needed."""
    if parallel is False or not hasattr(os, "fork"):
        return None  # before any photo is looked at: a serial build pays nothing
    todo = []
    size = 0
    for p in dict.fromkeys(photos):
        try:
            st = os.stat(p)
        except OSError:
            continue  # drawing will say what is wrong with it
        if photonames.digest_of(file_version(st)) is None:
            todo.append(p)
            size += st.st_size
    if not todo or size < EARLY_BYTES:
        return None
    if parallel is None and not (free or spare_core)():
        return None
    try:
        return Hashing(todo)
    except OSError:  # no process to fork
        return None


@contextmanager
def hashing(
    photos: Iterable[Path], parallel: bool | None, free: Callable[[], bool] | None = None
) -> Iterator[Hashing | None]:
    """`start_hashing` for a block: the child (if any) is ended and reaped however the block ends
    (after `take`, nothing is left to end)."""
    child = start_hashing(photos, parallel, free)
    try:
        yield child
    finally:
        if child is not None:
            child.abandon()
