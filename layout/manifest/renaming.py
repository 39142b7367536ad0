"""A finished file put in place by a thread of its own (for `files.atomic_write` and the render).

Reads a finished temporary and the output's name; produces the output in place, whole at every
moment: over an earlier file, the two names exchanged in one step where the system can (Linux's
renameat2, `_swap`), the earlier file then removed and the new one's write-back started; else a
rename, as `os.replace` does.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

if os.environ.get("LAYOUT_PURE_PYTHON", "") in ("", "0"):
    try:
        from ._swap import exchange as _exchange  # type: ignore[import-not-found]
    except ImportError:  # not built (no compiler) or not this system: rename as before
        _exchange = None
else:
    _exchange = None


class Renaming:
    """A finished file being put in place by a thread of its own. On ext4, renaming over an existing
    file first starts the new file's write-back (so that a crash cannot leave it empty) and frees
    the earlier file's blocks: 15-23 ms for a 31 MB PDF, which a render can spend waiting for its
    helper instead. Where the system can (`_swap`: Linux's renameat2), the two names are exchanged
    instead, at once (`wait` returns), and then the new file's write-back is started, as the rename
    would have, and the earlier file, now under the temporary's name, removed, while the render
    goes on (or `issue serve` answers). Either file is whole at every moment, as with a rename in
    line; `wait` before saying it is done, and `finish` before the process ends."""

    def __init__(self, tmp: Path, out: Path):
        # (absolute: `issue serve` goes back to its own folder while this thread may still be tidying)
        self.tmp, self.out = Path(os.path.abspath(tmp)), Path(os.path.abspath(out))
        self.error: BaseException | None = None
        self.swapped = False  # the names were exchanged: the earlier file is under `tmp`, to remove
        self.placed = threading.Event()
        self._lock = threading.Lock()  # the exchange and `abandon` one at a time
        # A daemon: `wait` and `finish` join it on every way to success; after `abandon` nothing waits for it.
        self.thread = threading.Thread(target=self._main, name="layout-rename", daemon=True)
        self.thread.start()

    def _main(self) -> None:
        try:
            self._run()
        finally:
            self.placed.set()
        if self.swapped:
            self._tidy()

    def _run(self) -> None:
        try:
            with self._lock:
                self._place()
        except BaseException as e:  # handed to `wait`
            self.error = e

    def _place(self) -> None:
        if _exchange is not None and _regular_or_link(self.out):
            try:
                _exchange(self.tmp, self.out)
                self.swapped = True
                return
            except OSError:  # not on this file system, or the earlier file has gone since: rename
                pass
        os.replace(self.tmp, self.out)

    def wait(self) -> None:
        """Return once the file is in place; raise what the rename raised (the temporary removed)."""
        self.placed.wait()
        if self.error is not None:
            self.thread.join()
            self.tmp.unlink(missing_ok=True)
            raise self.error

    def finish(self) -> None:
        """Return once the thread is done: after an exchange, the earlier file under the
        temporary's name removed and the new file's write-back started (`_tidy`)."""
        self.thread.join()

    def _tidy(self) -> None:
        """Start the new file's write-back (what ext4 does before a rename over a file: a crash soon
        after then finds the new file whole) and remove the earlier file the exchange left under the
        temporary's name. Nothing here is an error: a temporary left behind is swept by the next
        render."""
        try:
            fd = os.open(self.out, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            fd = -1
        if fd >= 0:
            try:
                start_write_back(fd)
            finally:
                os.close(fd)
        with self._lock:
            if self.swapped:
                self.swapped = False
                try:
                    self.tmp.unlink()
                except OSError:
                    pass

    def abandon(self) -> bool:
        """The process is stopping (Ctrl-C, SIGTERM) before the rename was waited for: remove the
        temporary (or, once the names were exchanged, the earlier file under its name); whether
        that came first (False: the new file was already in place). Either way the output is whole
        and no temporary is left."""
        # (An exchange takes microseconds; one that hangs, a stuck file system, is not waited for:
        # the temporary is then still the new file, and the exchange fails once it is gone.)
        locked = self._lock.acquire(timeout=0.5)
        try:
            placed = self.placed.is_set() and self.error is None
            try:
                self.tmp.unlink()
            except FileNotFoundError:
                return False
            self.swapped = False
            return not placed
        finally:
            if locked:
                self._lock.release()


def start_write_back(fd: int, at: int = 0, size: int = 0) -> None:
    """Start writing the file's dirty pages (`size` bytes from `at`; 0: to the end) to disk now,
    without waiting for it; they stay cached. Only a hint: nothing where the system has none."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is not None:
        try:
            advise(fd, at, size, os.POSIX_FADV_DONTNEED)
        except OSError:
            pass


def _regular_or_link(p: Path) -> bool:
    """`p` is a regular file or a symbolic link (exchanging names with anything else, or nothing,
    is not a rename over it)."""
    try:
        mode = os.lstat(p).st_mode
    except OSError:
        return False
    return stat.S_ISREG(mode) or stat.S_ISLNK(mode)
