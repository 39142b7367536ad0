"""Files read by an earlier load in this process, kept by version: the manifest parsed and validated,
each body as read, made again only when its file changed (a build session: `issue watch`, `issue serve`).

Reads a file's version (device, inode, size, modification and change times, following symlinks)
before its bytes; produces what was made of the bytes under that version, or makes it afresh. A
file changed within the last `RECENT_NS` is not kept: a write in the same tick of the file
system's clock as the reading would leave its version as it was (as "racy git" does). Only what
was made without a problem is kept; the checks that read the file system around a read (is it
inside the issue folder, a regular file, a readable photo) are not kept here and run every time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

RECENT_NS = 2_000_000_000  # beyond the coarsest clock of a local or network file system (2 s)


def version(p: Path | str) -> tuple[int, ...] | None:
    """The file's version, or None if it cannot be had or is too recent to tell a later write from."""
    try:
        st = os.stat(p)
    except OSError:
        return None
    if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) < RECENT_NS:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class KeptReads:
    """What the last loads made of each file, under the file's version."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str], tuple[tuple[int, ...], object]] = {}
        self._seen: set[tuple[str, str]] = set()  # read by the load under way
        self.hits = 0

    def get(self, what: str, path: Path, make: Callable[[], T]) -> T:
        """`make()` (which reads `path`), or what it gave when the file had this version."""
        key = (what, str(path))
        self._seen.add(key)
        v = version(path)  # before the bytes are read: a later write gives another version
        prev = self._kept.get(key)
        if v is not None and prev is not None and prev[0] == v:
            self.hits += 1
            return prev[1]  # type: ignore[return-value]
        value = make()
        if v is not None:
            self._kept[key] = (v, value)
        else:
            self._kept.pop(key, None)
        return value

    def done(self) -> None:
        """A load finished: files it did not read are let go."""
        self._kept = {k: v for k, v in self._kept.items() if k in self._seen}
        self._seen = set()
