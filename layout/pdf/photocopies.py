"""The photos' bytes copied into the next PDF ahead of time, by a build session between renders.

Reads where the last render put each JPEG's bytes in its PDF (`Placed`, recorded by pdf/stream.py)
and the photo files; produces a temporary beside that PDF holding each photo's bytes at its offset
(`PhotoCopies.prepare`), which the next render of the same file writes instead of a new temporary
(`PhotoCopies.take`): a photo found whole at its new offset, from the same file version, is not
copied again; every other byte is written over and the file cut to the new PDF's length, so the
PDF is the same bytes as one written to a new file.

Why: a render copies 29 MiB of JPEG into a 16-page PDF, 14-25 ms of the kernel's time that a
served re-render after a one-word change spent mostly waiting for at its end, though the photos
sit at the same offsets from one render to the next unless what comes before them changed.
`issue serve` prepares once it has answered, while it waits for the next render.
"""

from __future__ import annotations

import os
import stat
import tempfile
import threading
from pathlib import Path
from typing import NamedTuple

from ..manifest.files import file_version
from ..manifest.leftovers import temp_prefix


class Placed(NamedTuple):
    """One photo's bytes in a PDF: the file (absolute), its version when copied, where, how many."""

    path: str
    version: tuple
    at: int
    size: int


class Ready:
    """A prepared temporary handed to a render: its name, its descriptor (held open from the moment
    it was made, so no other file can take its inode), its file version then and the photos
    copied whole into it, by offset (none if anything wrote to it since the copying stopped)."""

    def __init__(self, path: Path, fd: int, version: tuple, copied: dict[int, Placed]):
        self.path, self.fd, self.version, self.copied = path, fd, version, copied

    def release(self) -> int:
        """The descriptor, now the caller's to close."""
        fd, self.fd = self.fd, -1
        return fd

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.release())


class PhotoCopies:
    """What a build session knows of its last PDF's photos, and the temporary prepared from it."""

    def __init__(self) -> None:
        self.out: str | None = None  # the PDF the placements are of (absolute)
        self.placed: list[Placed] = []
        self._tmp: Path | None = None
        self._fd = -1
        self._copied: dict[int, Placed] = {}
        self._version: tuple = ()  # the temporary's, once the copying stopped
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def record(self, out: Path | str, placed: list[Placed]) -> None:
        """The render just put `out` in place with its photos' bytes where `placed` says."""
        self.out, self.placed = os.path.abspath(out), list(placed)

    def prepare(self) -> None:
        """Start copying the last PDF's photos into a new temporary beside it, by a thread of its own
        (`take` stops it). Nothing if there is nothing to copy or a temporary is already prepared;
        never raises (a failure costs only the time it would have saved)."""
        if self._tmp is not None or self.out is None or not self.placed:
            return
        out = Path(self.out)
        try:
            fd, name = tempfile.mkstemp(prefix=temp_prefix(out.name), suffix=".tmp", dir=out.parent)
        except OSError:
            return
        self._tmp, self._fd, self._copied, self._version = Path(name), fd, {}, ()
        self._stop.clear()
        self._thread = threading.Thread(target=self._copy_all, args=(list(self.placed),), daemon=True)
        self._thread.name = "layout-photo-prepare"
        self._thread.start()

    def _copy_all(self, placed: list[Placed]) -> None:
        try:
            for p in placed:
                if self._stop.is_set():
                    return
                try:
                    if _copy_whole(p, self._fd):
                        self._copied[p.at] = p
                except OSError:  # (a photo gone, a full disk): what was copied whole still counts
                    continue
        finally:
            try:  # anything written to it after this is someone else's doing
                self._version = file_version(os.fstat(self._fd))
            except OSError:
                self._version = ()

    def take(self, out: Path | str) -> Ready | None:
        """The prepared temporary for a render about to write `out`, now the render's to put in place
        or remove; None (and any temporary removed) if it is for another file or no longer ours."""
        self._halt()
        tmp, fd, copied = self._tmp, self._fd, self._copied
        self._tmp, self._fd, self._copied = None, -1, {}
        if tmp is None:
            return None
        try:
            mine = os.fstat(fd)
            named = os.lstat(tmp)
            ours = stat.S_ISREG(named.st_mode) and (named.st_dev, named.st_ino) == (mine.st_dev, mine.st_ino)
        except OSError:
            ours = False
        if ours and os.path.abspath(out) == self.out:
            now = file_version(mine)
            return Ready(tmp, fd, now, copied if now == self._version else {})
        os.close(fd)
        if ours:
            _unlink(tmp)
        return None  # (a name someone else put there is not ours to remove)

    def discard(self) -> None:
        """Stop copying and remove the prepared temporary (the session ends)."""
        ready = self.take(self.out or "")
        if ready is not None:
            ready.close()
            _unlink(ready.path)

    def _halt(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()  # (at most the photo being copied: a millisecond or so)
            self._thread = None


def _copy_whole(p: Placed, fd: int) -> bool:
    """Copy photo `p` to offset `p.at` of the file open as `fd`; True if copied whole. Nothing is
    copied of a file that is no longer `p.version`: the next render, which compares its photos'
    versions with these, would not use it."""
    src = os.open(p.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        if file_version(os.fstat(src)) != p.version:
            return False
        done, fast = 0, getattr(os, "copy_file_range", None)
        while done < p.size and fast is not None:
            try:
                n = fast(src, fd, p.size - done, done, p.at + done)
            except OSError:
                break
            if n == 0:
                return False
            done += n
        while done < p.size:
            chunk = os.pread(src, min(p.size - done, 1 << 20), done)
            if not chunk:
                return False
            view = memoryview(chunk)
            while view:
                view = view[os.pwrite(fd, view, p.at + done) :]
            done += len(chunk)
        return True
    finally:
        os.close(src)


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
