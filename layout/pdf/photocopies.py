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
`issue serve` prepares once it has answered, while it waits for the next render; its first build
draws the whole PDF of the issue's own output into that temporary (`drawn`), and a build after an
input changed draws the whole next PDF into it (`predrawn`), named by its document, so that a
render of the same document only puts that file in place (pdf/draw.py).
"""

from __future__ import annotations

import os
import stat
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from ..manifest.files import copy_range, file_version
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
    copied whole into it, by offset (none if anything wrote to it since the copying stopped);
    `document`: what a whole PDF drawn into it ahead is of (`PhotoCopies.predrawn`; None if none
    was, or anything wrote to it since)."""

    def __init__(self, path: Path, fd: int, version: tuple, copied: dict[int, Placed], document: object = None):
        self.path, self.fd, self.version, self.copied = path, fd, version, copied
        self.document = document

    def release(self) -> int:
        """The descriptor, now the caller's to close."""
        fd, self.fd = self.fd, -1
        return fd

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.release())


class PhotoCopies:
    """What a build session knows of its last PDF's photos, and the temporary prepared from it."""

    WAIT = 2.0  # seconds a render waits for the photo being copied (a stuck file system: not used)

    def __init__(self) -> None:
        self.out: str | None = None  # the PDF the placements are of (absolute)
        self.placed: list[Placed] = []
        self._tmp: Path | None = None
        self._fd = -1
        self._job: _Copying | None = None
        self._document: object = None  # what the temporary holds a whole PDF of (`predrawn`)

    def record(self, out: Path | str, placed: list[Placed]) -> None:
        """The render just put `out` in place with its photos' bytes where `placed` says."""
        self.out, self.placed = os.path.abspath(out), list(placed)

    def prepare(self) -> None:
        """Start copying the last PDF's photos into a new temporary beside it, by a thread of its own
        (`take` stops it). Nothing if there is nothing to copy or a temporary is already prepared;
        never raises (a failure costs only the time it would have saved)."""
        if self._tmp is not None or self.out is None or not self.placed:
            return
        try:
            fd, name = _temporary(Path(self.out))
        except OSError:
            return
        try:
            self._job = _Copying(fd, list(self.placed))
        except OSError:  # (no descriptor or thread left)
            os.close(fd)
            _unlink(Path(name))
            return
        self._tmp, self._fd = Path(name), fd

    def drawn(self, out: Path | str, draw: Callable[[Path, list[Placed]], None]) -> None:
        """Make the temporary for `out` by drawing a whole PDF into it now (`draw(path, placed)`, a
        server's first build): its photos are whole where the drawing put them. Never raises."""
        self.discard()
        try:
            Path(os.path.abspath(out)).parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            return
        self.predrawn(out, lambda path, _ready, placed: draw(path, placed))  # (of no document: drawn as ever)

    def predrawn(self, out: Path | str, draw: Callable[[Path, Ready, list[Placed]], object]) -> bool:
        """Draw now, into the prepared temporary for `out` (or a new one), the whole PDF a render of
        `out` would write: `draw(path, prepared, placed)` writes it as a render does and returns
        what it is of (a document's key, see pdf/draw.py); `take` hands that key on with the
        temporary while nothing else has written to it. Whether drawn; never raises but for
        stop signals (the temporary is removed after a failure)."""
        out = Path(os.path.abspath(out))
        ready = self.take(out)
        try:
            if ready is None:
                fd, name = _temporary(out)
                ready = Ready(Path(name), fd, file_version(os.fstat(fd)), {})
            keep = os.dup(ready.fd)  # the drawing writes through (and closes) the prepared descriptor
        except OSError:
            if ready is not None:
                ready.close()
                _unlink(ready.path)
            return False
        placed: list[Placed] = []
        try:
            document = draw(ready.path, ready, placed)
            job = _Copying(keep, placed, done=True)
        except BaseException as e:
            os.close(keep)
            _unlink(ready.path)
            if isinstance(e, Exception):
                return False
            raise
        finally:
            ready.close()  # (unless the drawing wrote through it)
        self.record(out, placed)
        self._tmp, self._fd, self._job, self._document = ready.path, keep, job, document
        return True

    def settle(self) -> None:
        """Wait for the copying to end (as it has when an edit comes seconds after a render)."""
        if self._job is not None and self._job.thread is not None:
            self._job.thread.join()

    def take(self, out: Path | str) -> Ready | None:
        """The prepared temporary for a render about to write `out`, now the render's to put in place
        or remove; None (and any temporary removed) if it is for another file or no longer ours."""
        tmp, fd, job, document = self._tmp, self._fd, self._job, self._document
        self._tmp, self._fd, self._job, self._document = None, -1, None, None
        if tmp is None or job is None:
            return None
        whole = job.halt(self.WAIT)  # (still copying after that: nothing in it is used, nor the file)
        try:
            mine = os.fstat(fd)
            named = os.lstat(tmp)
            ours = stat.S_ISREG(named.st_mode) and (named.st_dev, named.st_ino) == (mine.st_dev, mine.st_ino)
        except OSError:
            ours = False
        if ours and whole and os.path.abspath(out) == self.out:
            now = file_version(mine)
            if now != job.version:
                return Ready(tmp, fd, now, {})
            return Ready(tmp, fd, now, job.copied, document)
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


class _Copying:
    """One preparation: a thread copying photos into the temporary through a descriptor of its own
    (closed when it ends, so a thread left running writes into nothing else); or, `done`, a file
    that already holds every photo of `placed` (drawn whole), as it is now."""

    def __init__(self, fd: int, placed: list[Placed], done: bool = False):
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        if done:
            self.fd, self.copied, self.version = -1, {p.at: p for p in placed}, file_version(os.fstat(fd))
            return
        self.fd = os.dup(fd)
        self.copied = {}
        self.version = ()  # the temporary's, once the copying stopped
        thread = threading.Thread(target=self._run, args=(placed,), name="layout-photo-prepare", daemon=True)
        try:
            thread.start()
        except BaseException:
            os.close(self.fd)
            raise
        self.thread = thread

    def _run(self, placed: list[Placed]) -> None:
        try:
            for p in placed:
                if self.stop.is_set():
                    return
                try:
                    if _copy_whole(p, self.fd):
                        self.copied[p.at] = p
                except OSError:  # (a photo gone, a full disk): what was copied whole still counts
                    continue
        finally:
            try:  # anything written to it after this is someone else's doing
                self.version = file_version(os.fstat(self.fd))
            except OSError:
                self.version = ()
            os.close(self.fd)

    def halt(self, wait: float) -> bool:
        """Stop after the photo being copied; whether the thread ended within `wait` seconds."""
        self.stop.set()
        if self.thread is None:
            return True
        self.thread.join(wait)
        return not self.thread.is_alive()


def _copy_whole(p: Placed, fd: int) -> bool:
    """Copy photo `p` to offset `p.at` of the file open as `fd`; True if copied whole. Nothing is
    copied of a file that is no longer `p.version`: the next render, which compares its photos'
    versions with these, would not use it."""
    # (O_NONBLOCK: a pipe put in the photo's place is not waited on; its version differs anyway)
    src = os.open(p.path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if file_version(os.fstat(src)) != p.version:
            return False
        return copy_range(src, fd, p.at, p.size) == p.size
    finally:
        os.close(src)


def _temporary(out: Path) -> tuple[int, str]:
    """A new temporary for `out` beside it, named as every temporary of ours (see leftovers.py)."""
    return tempfile.mkstemp(prefix=temp_prefix(out.name), suffix=".tmp", dir=out.parent)


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
