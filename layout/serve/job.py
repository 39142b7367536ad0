"""One served render's job: heartbeats to the waiting client, the progress callbacks that notice it
left, and what the render writes to stdout or stderr gathered for the answer.

Reads the client's connection; produces `Abandoned` (raised at the next page once the client has gone)
and the gathered messages. Used by layout/serve/server.py.
"""

from __future__ import annotations

import contextlib
import io
import os
import select
import socket
import threading

from .client import send_frame

BEAT = 1.0  # seconds between heartbeats while rendering


class Abandoned(KeyboardInterrupt):
    """The client went away: stop the render as Ctrl-C would (nothing half-written is kept)."""


class Job:
    """Heartbeats to the client while it waits, and the progress callbacks that notice it left."""

    def __init__(self, conn: socket.socket):
        self.conn = conn
        self.gone = threading.Event()
        self.done = threading.Event()
        self.wake = os.pipe()  # ends the heartbeat's wait the moment the render is done
        self.thread = threading.Thread(target=self._beat, daemon=True)
        self.thread.start()

    def _beat(self) -> None:
        """A heartbeat a second; and notice at once a client that closes (it sends nothing after go)."""
        while not self.done.is_set():
            try:
                readable, _, _ = select.select([self.conn, self.wake[0]], [], [], BEAT)
                if self.done.is_set():
                    return
                if readable:
                    self.conn.recv(1, socket.MSG_PEEK)  # b"" (closed) or bytes it had no business sending
                    self.gone.set()
                    return
                if not self.done.is_set():
                    send_frame(self.conn, {"t": "beat"})
            except (OSError, ValueError):
                self.gone.set()
                return

    def finish(self) -> None:
        self.done.set()
        os.write(self.wake[1], b".")
        self.thread.join()
        for fd in self.wake:
            os.close(fd)

    def check(self) -> None:
        if self.gone.is_set():
            raise Abandoned

    def __enter__(self) -> Job:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def loaded(self, _li: object) -> None:
        self.check()

    def writing(self, _pages: int) -> None:
        self.check()

    def tick(self) -> None:
        self.check()


@contextlib.contextmanager
def gathered(said: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    """Anything written to stdout or stderr during a render (a library's warning) goes to the client."""

    class _To(io.TextIOBase):
        def __init__(self, stream: str):
            self.stream = stream

        def write(self, s: str) -> int:
            said.append((self.stream, s))
            return len(s)

    with contextlib.redirect_stdout(_To("out")), contextlib.redirect_stderr(_To("err")):
        yield
