"""Where `issue serve` listens, and the lock that makes it the only server of its issue.

Reads the issue's manifest path and the socket folders (serve/client.py); produces the socket's
path in a private folder, a lock file held for the server's life (its pid in it, for the message a
second server gives), and their removal.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from . import client


def place(manifest: Path) -> Path | None:
    """The socket path for `manifest`, its private folder made if need be; None if there is none."""
    for d in client.socket_dirs():
        path = d / client.socket_name(manifest)
        if not client.fits(path):
            continue
        with contextlib.suppress(OSError):
            d.mkdir(mode=0o700, parents=False, exist_ok=True)
        if client.private_dir(d):
            return path
    return None


def lock(path: Path) -> int | None:
    """Hold an exclusive lock on `path` for this process's life (its pid written in it), or None."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    return fd


def read_pid(path: Path) -> str:
    try:
        text = path.read_text()[:20]
    except OSError:
        return ""
    return text if text.isdigit() else ""


def unlink(path: Path) -> None:
    """Remove the socket or lock file (still this server's: no other binds without the lock held here)."""
    with contextlib.suppress(OSError):
        path.unlink()
