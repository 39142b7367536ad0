"""Signed cache packs: the build caches' one file format (paragraphs, fonts, drawn pages).

A pack is `MAGIC` and then records, each `length (8 bytes) + keyed BLAKE2 digest + marshal((fingerprint,
entries))`; a later record's entries add to (or replace) the earlier ones'. A pack that is missing,
corrupt, signed on another machine, or made for another fingerprint (tool version, fonts, style)
reads as empty, so the caller rebuilds it; nothing in a pack is trusted until it verifies; a record
torn off at the end (an append cut short) is left out. Writing is never an error: a read-only issue
folder renders, just without a cache. A pack is written whole (a temporary file renamed into
place), or, by `keep_pack`, grown by one record holding only what the file lacks, when the file is
the one this process last read or wrote: a re-render after a one-word correction then writes one
paragraph, not a few MiB.
"""

from __future__ import annotations

import marshal
import os
import stat
import struct
import tempfile
from collections.abc import Callable, Collection, Iterable, Sequence
from functools import partial
from pathlib import Path

from .files import pack_digest, pack_key, read_regular_stat
from .leftovers import sweep, temp_prefix

MAX_PACK = 1 << 30  # bytes: a 64-page issue's paragraphs take a few MiB


_HEAD = struct.Struct("<Q")  # a record's payload length, before its 32-byte digest
# Records a pack may hold before it is written whole again (a record costs its reader a digest and a
# marshal call: microseconds; a parallel render's paragraph pack starts with one per story set apart).
MAX_RECORDS = 512
# What this process knows of a pack file it read or wrote: its identity then (device, inode, size,
# modification time), the keys it holds, and how many records (for `keep_pack`).
_known: dict[str, tuple[tuple, frozenset, int]] = {}


def read_pack(path: Path, magic: bytes, fingerprint: object) -> dict:
    """The entries of the pack at `path`, or {} unless it verifies and matches `fingerprint`."""
    data, st = read_regular_stat(path, MAX_PACK)
    _known.pop(str(path), None)
    if data is None or st is None or not data.startswith(magic):
        return {}
    entries: dict = {}
    pos, records = len(magic), 0
    while pos + _HEAD.size + 32 <= len(data):
        (n,) = _HEAD.unpack_from(data, pos)
        start = pos + _HEAD.size + 32
        digest, payload = data[start - 32 : start], data[start : start + n]
        if len(payload) != n or pack_digest(payload) != digest:
            break  # corrupt, tampered with, made elsewhere, or an append cut short: what follows is not read
        try:
            fp, more = marshal.loads(payload)
        except (ValueError, EOFError, TypeError):
            break
        if fp != fingerprint or not isinstance(more, dict):
            break  # another version of the tool, the fonts or the style: rebuild
        entries.update(more)
        pos = start + n
        records += 1
    if records and pos == len(data) == st.st_size:  # read whole: it can be grown by appending
        _known[str(path)] = (_identity(st), frozenset(entries), records)
    return entries


def _identity(st: os.stat_result) -> tuple:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _record(fingerprint: object, entries: dict) -> bytes:
    return _signed(marshal.dumps((fingerprint, entries)))


def _signed(payload: bytes) -> bytes:
    return _HEAD.pack(len(payload)) + pack_digest(payload) + payload


def signed_pack(magic: bytes, payload: bytes) -> bytes:
    """The bytes of a pack of one record holding `payload` (a marshalled (fingerprint, entries)),
    signed with this machine's key: for tests and tools that craft packs."""
    return magic + _signed(payload)


def first_payload(data: bytes, magic: bytes) -> bytes:
    """The payload of a pack's first record (unchecked): for tests and tools that inspect packs."""
    start = len(magic) + _HEAD.size + 32
    (n,) = _HEAD.unpack_from(data, len(magic))
    return data[start : start + n]


def known_pack(path: Path) -> bool:
    """Whether this process read or wrote the pack at `path` whole (so `keep_pack` may append)."""
    return str(path) in _known


def pack_parts(
    magic: bytes, fingerprint: object, entries: dict, before: Sequence[tuple[bytes, Iterable]] = ()
) -> list[bytes]:
    """The pieces of the pack `write_pack` writes, in order (its magic line, then each record's head
    and digest and its payload; raises ValueError for entries that are not plain data), to be
    written one after another: joining a pack of a few MiB copied it three times over (7-13 ms in
    the drawing helper, most of it faulting in fresh pages)."""
    key = pack_key()  # (once: it is looked up by the file's version)
    parts = [magic]
    for payload in [p for p, _ in before] + [marshal.dumps((fingerprint, entries))]:
        parts += (_HEAD.pack(len(payload)) + pack_digest(payload, key), payload)
    return parts


def stage_data(path: Path, data: Sequence[bytes], owner: int) -> tuple[str, int] | None:
    """In a helper process of a render: write a whole pack's `data` to a temporary beside `path`, named
    for the render's process `owner` (this one's parent), which puts it in place once its output is
    (`keep_staged`) or removes it (`drop_staged`); (the temporary's path, its size), or None. So the
    megabytes of a new pack are written by the helper, not sent to the render and written there.
    Nothing is written once the render has gone (killed: this process is someone else's child now);
    a temporary it never took carries its number, and the next render sweeps it."""
    if os.getppid() != owner:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        sweep(path.parent, path.name)
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path.name, owner), suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.writelines(data)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return None
    return tmp, sum(map(len, data))


def keep_staged(path: Path, staged: object) -> bool:
    """Put in place the pack a helper of this process staged for `path`: only a regular file of this
    user with one link, beside `path`, named for this process, of the size it was written with;
    whether it was (else nothing was, and the caller writes the pack itself)."""
    if not (isinstance(staged, tuple) and len(staged) == 2 and type(staged[0]) is str and type(staged[1]) is int):
        return False
    tmp = Path(staged[0])
    if tmp.parent != path.parent or not (tmp.name.startswith(temp_prefix(path.name)) and tmp.name.endswith(".tmp")):
        return False
    try:
        st = os.lstat(tmp)
        ours = not hasattr(os, "geteuid") or st.st_uid == os.geteuid()
        if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1 or not ours or st.st_size != staged[1]:
            return False
        _known.pop(str(path), None)  # not read back here: the next keep_pack writes it whole
        os.replace(tmp, path)
    except OSError:
        return False
    return True


def drop_staged(path: Path) -> None:
    """Remove what helpers of this process staged for `path` and was not put in place (the render
    failed, or wrote the pack itself)."""
    prefix = temp_prefix(path.name)
    try:
        names = [n for n in os.listdir(path.parent) if n.startswith(prefix) and n.endswith(".tmp")]
    except OSError:
        return
    for n in names:
        try:
            os.unlink(path.parent / n)
        except OSError:
            pass


def write_pack(
    path: Path, magic: bytes, fingerprint: object, entries: dict, before: Sequence[tuple[bytes, Iterable]] = ()
) -> None:
    """Write the pack atomically (a temporary file renamed into place); a failure is not an error.
    `before`: records to write first as they are (payloads made by `marshal.dumps((fingerprint,
    entries))` elsewhere, with their entries' keys); `entries` come after them and win."""
    keys = frozenset(entries).union(*(ks for _, ks in before))
    _put(path, pack_parts(magic, fingerprint, entries, before), keys, 1 + len(before))


def _put(path: Path, parts: Sequence[bytes], keys: frozenset, records: int) -> None:
    """Write a whole pack's pieces to `path` and remember what the file holds (for `keep_pack`)."""
    _known.pop(str(path), None)
    st = _write(path, parts)
    if st is not None:
        _known[str(path)] = (_identity(st), keys, records)


def _write(path: Path, data: Sequence[bytes]) -> os.stat_result | None:
    """Write the pieces of `data` to `path` atomically (a temporary file renamed into place); its
    status, or None."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        sweep(path.parent, path.name)
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path.name), suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.writelines(data)
                f.flush()
                st = os.fstat(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return None
    return st


def keep_pack(path: Path, magic: bytes, fingerprint: object, entries: dict, changed: Collection = ()) -> None:
    """Leave the pack at `path` holding `entries`: when the file is the one this process last read or
    wrote (unchanged since), only the entries it lacks (and those in `changed`) are appended, as one
    record, and entries it holds that are no longer used stay until a quarter of it is such; else,
    or past MAX_RECORDS records, it is written whole. A failure is not an error."""
    pack_writer(path, magic, fingerprint, entries, changed)()


def pack_writer(
    path: Path, magic: bytes, fingerprint: object, entries: dict, changed: Collection = ()
) -> Callable[[], None]:
    """`keep_pack` in two steps: the bytes are made now (marshalled and signed: raises ValueError
    for entries that are not plain data), and written when the result is called (a render makes
    them while its output is being put in place, and writes them once it is)."""
    known = _known.get(str(path))
    if known is not None:
        ident, keys, records = known
        changed = set(changed)
        new = {k: v for k, v in entries.items() if k not in keys or k in changed}
        if len(keys - entries.keys()) * 4 <= len(keys) and records < MAX_RECORDS:
            if not new:
                return lambda: None  # the file holds everything (and a few entries no longer used)
            record = _record(fingerprint, new)

            def append() -> None:
                st = _append(path, record, ident)
                if st is not None:
                    _known[str(path)] = (_identity(st), keys | new.keys(), records + 1)
                else:
                    write_pack(path, magic, fingerprint, entries)

            return append
    return partial(_put, path, pack_parts(magic, fingerprint, entries), frozenset(entries), 1)


def _append(path: Path, record: bytes, ident: tuple) -> os.stat_result | None:
    """Append `record` to the file at `path` if it is still the file `ident` names: a regular file of
    ours with one link, reached by no symbolic link (so nothing else is ever written through it);
    its new status, or None if nothing (or not all) was written."""
    flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        ours = not hasattr(os, "geteuid") or st.st_uid == os.geteuid()
        if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1 or not ours or _identity(st) != ident:
            return None
        if os.write(fd, record) != len(record):
            return None  # a short write: the torn record is left out when read, and the file is rewritten next
        return os.fstat(fd)
    except OSError:
        return None
    finally:
        os.close(fd)


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
