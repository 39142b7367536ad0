"""Forked helpers: a child that runs works and streams their results back, and its reaping.

Reads and writes nothing but the processes' own pipes and an anonymous spool file; produces forked
children (`fork_child`, `fork_streaming`), what they sent (`receive`), and their end (`reap`). The
body helper (page.parallel), the drawing helper (pdf.pardraw), the photo hashing child
(pdf.photodigests) and the print separations (print.separate) are built on these.
"""

from __future__ import annotations

import marshal
import os
import select
import signal
import struct
import tempfile
from collections.abc import Callable


def _ready(fd: int) -> bool:
    """Whether reading `fd` would not wait (something was sent, or the child has left)."""
    return bool(select.select([fd], [], [], 0)[0])


def spool_file() -> int:
    """An anonymous file the child writes its stories to (the pipe carries only where each is: a
    pipe's buffer would stop the child while this process is busy elsewhere)."""
    if hasattr(os, "memfd_create"):
        try:
            return os.memfd_create("layout-helper", os.MFD_CLOEXEC)
        except OSError:
            pass
    f = tempfile.TemporaryFile()
    fd = os.dup(f.fileno())
    f.close()
    return fd


_RECORD = struct.Struct("<QQ")  # a story's (offset, length) in the spool


def fork_streaming(works: list[Callable[[], object]]) -> tuple[int, int, int]:
    """Fork a child that runs each of `works` in turn and, after each, appends its result (plain
    data, `marshal`) to a new spool file and sends where it is down a pipe; (its pid, the pipe's
    read end, the spool). The spool is closed again if the system refuses the fork (raised)."""
    spool = spool_file()

    def child(w: int) -> None:
        end = 0
        for work in works:
            data = marshal.dumps(work())
            view = memoryview(data)
            while view:
                view = view[os.pwrite(spool, view, end + len(data) - len(view)) :]
            os.write(w, _RECORD.pack(end, len(data)))
            end += len(data)

    try:
        pid, r = fork_child(child)
    except BaseException:
        os.close(spool)
        raise
    return pid, r, spool


def receive(fd: int, spool: int) -> tuple[bytes, object] | None:
    """The next story the child sent: its bytes and what they hold (None if unreadable); None when
    it sends no more (it has left)."""
    rec = b""
    while len(rec) < _RECORD.size:
        chunk = os.read(fd, _RECORD.size - len(rec))
        if not chunk:
            return None
        rec += chunk
    off, n = _RECORD.unpack(rec)
    data = os.pread(spool, n, off)
    try:
        return data, (marshal.loads(data) if len(data) == n else None)
    except (ValueError, EOFError, TypeError):
        return data, None


def fork_child(child: Callable[[int], None]) -> tuple[int, int]:
    """Fork a child that runs `child(write end of a pipe)` and leaves without clean-up (exit 0 if it
    returned, 1 if it raised); (its pid, the pipe's read end) here. The pipe is closed if the
    system refuses the fork (which is raised)."""
    r, w = os.pipe()
    try:
        pid = os.fork()
    except BaseException:
        os.close(r)
        os.close(w)
        raise
    if pid == 0:
        code = 1
        try:
            os.close(r)
            child(w)
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    return pid, r


def reap(pid: int, fd: int) -> None:
    """End a forked helper and wait for it: its pipe closed (if `fd` >= 0), SIGKILL, waitpid."""
    if fd >= 0:
        try:
            os.close(fd)
        except OSError:
            pass
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
