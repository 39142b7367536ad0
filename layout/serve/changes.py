"""Changes to an issue's files while `issue serve` waits for a render to be asked for.

Reads the issue folder through `watchfiles` (its notifier, in a thread of its own); produces a
descriptor that becomes readable when an input may have changed: any file in the folder but its
build folder, hidden files and temporaries, and the PDFs the server wrote. The server then builds
and draws the next PDF ahead (serve/ahead.py), so that the render asked for a moment later
finds its work done. Only a hint: a change missed (a network file system, a notifier that cannot
start) costs that head start, never a wrong PDF, since every render checks its inputs itself.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

DEBOUNCE_MS, STEP_MS, TIMEOUT_MS = 50, 5, 500  # a change is told 5-10 ms after it is written


class Changes:
    """A notifier on `folder` and the thread that tells the server through a pipe."""

    def __init__(self, folder: Path):
        from watchfiles._rust_notify import RustNotify
        from watchfiles.main import _default_force_polling, _default_poll_delay_ms

        self.folder = os.path.realpath(folder)
        self.build = os.path.join(self.folder, "build")
        self.written: frozenset[str] = frozenset()  # absolute paths of PDFs the server wrote
        self.stop = threading.Event()
        # Looked for only while the server waits: the notifier gathers what changes meanwhile, and
        # the thread, which takes the interpreter's lock at every step, leaves a render alone.
        self._waiting = threading.Event()
        self._waiting.set()
        self._halt = threading.Event()  # makes a look under way return (what it gathered is dropped)
        # (as watchfiles.watch() makes it: polling where the environment asks for it)
        polling = _default_force_polling(None)
        self.notify = RustNotify([self.folder], False, polling, _default_poll_delay_ms(300), True, False)
        self.fd, self._w = os.pipe()
        os.set_blocking(self._w, False)
        os.set_blocking(self.fd, False)
        self.thread = threading.Thread(target=self._run, name="layout-changes", daemon=True)
        self.thread.start()

    def wrote(self, path: str) -> None:
        """The server writes the PDF `path` (from now on a change to it is its own)."""
        self.written = self.written | {os.path.realpath(path)}

    def input(self, path: str) -> bool:
        """Whether a change to `path` may change a render."""
        p = os.path.realpath(path)
        name = os.path.basename(p)
        if name.startswith(".") or name.endswith(".tmp") or p in self.written:
            return False
        return not (p == self.build or p.startswith(self.build + os.sep))

    def pause(self) -> None:
        """The server renders or draws ahead (reading the files as they are now): stop looking."""
        self._waiting.clear()
        self._halt.set()

    def resume(self) -> None:
        """The server waits again: what changed since `pause` is told now."""
        self._halt.clear()
        self._waiting.set()

    def _run(self) -> None:
        try:
            while not self.stop.is_set():
                self._waiting.wait()
                if self.stop.is_set():
                    return
                raw = self.notify.watch(DEBOUNCE_MS, STEP_MS, TIMEOUT_MS, self._halt)
                if raw == "stop":
                    continue
                if isinstance(raw, set) and any(self.input(p) for _, p in raw):
                    with contextlib.suppress(BlockingIOError):  # (full: it is told already)
                        os.write(self._w, b"!")
        except Exception:  # noqa: BLE001 - a name it cannot decode, a notifier gone: no more hints
            return

    def drain(self) -> bool:
        """Whether a change was told since the last drain (and forget it)."""
        told = False
        with contextlib.suppress(BlockingIOError):
            while os.read(self.fd, 512):
                told = True
        return told

    def close(self) -> None:
        self.stop.set()
        self._halt.set()
        self._waiting.set()
        self.thread.join(2 * TIMEOUT_MS / 1000)
        if self.thread.is_alive():
            return  # (its descriptors left open: a number closed here could be another file's by its next write)
        self.notify.close()
        for fd in (self.fd, self._w):
            with contextlib.suppress(OSError):
                os.close(fd)


def changes(folder: Path) -> Changes | None:
    """A notifier on `folder`, or None where none can be had (the server works as before)."""
    try:
        return Changes(folder)
    except Exception:  # noqa: BLE001 - no watchfiles, no inotify left: no head start
        return None
