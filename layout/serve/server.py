"""`issue serve ISSUE`: keep one issue's build session warm and answer `issue render ISSUE` from it.

Reads requests on a Unix socket in a private folder ($XDG_RUNTIME_DIR/layout/ or /tmp/layout-UID/,
mode 0700; the socket named by a hash of the issue's manifest path) from processes of this user
only (the peer's uid is checked); produces what `issue render` in a fresh process would (the same
PDF bytes, messages and exit code, cache packs included, through layout/render.py with a `Session`):
the PDF is in place before it answers (when `issue render` returns, its PDF is written), and the cache
packs, which serve a later fresh process, are written right after the answer, before the next render. One render at a
time; a request for another issue, from other code (the package, or a library the server loaded,
changed since it started: it then stops), with another environment, malformed, oversized or too
slow is refused or dropped, and the client renders by itself. A client that goes away mid-render
stops it at the next page (the PDF is written atomically, so nothing half-written is left). A lock
file beside the socket makes a second server for the issue exit 2; SIGTERM, SIGINT, SIGHUP and
--idle seconds without a request stop it, removing its socket.
"""

from __future__ import annotations

import contextlib
import gc
import os
import select
import signal
import socket
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from ..manifest.errors import EXIT_INVALID, EXIT_OK, InvalidInput
from ..manifest.files import Terminated, printable
from ..manifest.load import resolve_manifest
from . import client
from .ahead import Ahead
from .changes import Changes, changes
from .client import ENV, MAX_REQUEST, PROTOCOL, Unanswered, recv_frame, send_frame
from .job import Abandoned, Job, gathered
from .libraries import LoadedFiles
from .place import lock as lock_file
from .place import place, read_pid, unlink

Say = Callable[[str], None]
REQUEST_TIMEOUT = 3.0  # a client sends its request as soon as it connects
GO_TIMEOUT = 3.0  # and says go as soon as the job is taken


def run_serve(issue: Path, idle: float, err: Say, out: Say) -> int:
    """Serve renders of ISSUE until stopped; the exit code (2: no such issue, or already served)."""
    manifest = resolve_manifest(issue)
    if not manifest.is_file():
        err(f"error: {manifest}: no such issue manifest (expected an issue folder or its issue.yaml)")
        return EXIT_INVALID
    manifest = manifest.resolve()
    path = place(manifest)
    if path is None:
        err("error: no private folder for the socket ($XDG_RUNTIME_DIR/layout or /tmp/layout-UID, mode 0700)")
        return EXIT_INVALID
    lock_path = path.with_suffix(".lock")
    lock = lock_file(lock_path)
    if lock is None:
        pid = read_pid(lock_path)
        err(f"error: {manifest.parent} is already served{f' (process {pid})' if pid else ''} at {path}")
        return EXIT_INVALID
    try:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # a stale socket: its server is gone (it held the lock)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.bind(str(path))
            os.chmod(path, 0o600)
            sock.listen(8)
            try:
                return Server(manifest, sock, idle, err, out).loop(issue, path)
            finally:
                unlink(path)
    finally:
        unlink(lock_path)  # while still held: no other server can be between its open and its lock
        os.close(lock)


class Server:
    """The warm session and the loop that answers requests one at a time."""

    def __init__(self, manifest: Path, sock: socket.socket, idle: float, err: Say, out: Say):
        from ..pipeline import tune_gc
        from ..session import Session

        tune_gc()
        self.manifest = manifest
        self.sock = sock
        self.idle = idle
        self.err, self.out = err, out
        self.session = Session()
        self.session.defer_packs = True
        self.code = client.code_fingerprint()
        self.libraries = LoadedFiles(Path(client.__file__).resolve().parent.parent)
        self.env = {k: os.environ.get(k) for k in ENV}
        self.home = "/"  # between renders: a folder that cannot be removed from under the server
        os.chdir(self.home)
        self.stop = False
        self.held: int | None = None  # see _hold
        self.changes: Changes | None = None  # inputs changed: draw ahead
        self.ahead = Ahead(out)

    def loop(self, issue: Path, path: Path) -> int:
        self.out(f"serving {self.manifest.parent} at {path}")
        stopped = "stopped"
        self._on_signals()
        try:
            self._warm()
            limit = f"stops after {self.idle:.0f} s without a render" if self.idle else "no idle limit"
            self.out(f"ready: `issue render {issue}` is answered here (Ctrl-C to stop; {limit})")
            self.changes = changes(self.manifest.parent)
            if not self._wait():
                stopped = f"stopped: no render for {self.idle:.0f} s"
        except (KeyboardInterrupt, Terminated):
            pass
        finally:
            if self.changes is not None:
                self.changes.close()
        self._hold(None)
        self.session.photos.discard()  # (the next PDF's temporary, however it stops)
        self.out(stopped)
        return EXIT_OK

    def _wait(self) -> bool:
        """Answer requests one at a time and, between them, draw ahead after an input changed, until
        stopped (True) or `idle` seconds pass without a request (False)."""
        self.sock.settimeout(1.0)  # (a client gone between select and accept: not waited for)
        waits = [self.sock] if self.changes is None else [self.sock, self.changes.fd]
        last = time.monotonic()
        while not self.stop:
            left = None if not self.idle else max(last + self.idle - time.monotonic(), 0)
            ready = select.select(waits, [], [], left) if left != 0 else ([], [], [])
            if self.sock in ready[0]:
                try:
                    conn, _ = self.sock.accept()
                except (TimeoutError, BlockingIOError):
                    continue
                with self._busy(), conn:
                    self._serve_one(conn)
                last = time.monotonic()
            elif self.changes is not None and self.changes.fd in ready[0]:
                if self.changes.drain():
                    with self._busy():
                        if self.ahead.draw(self.session, self.home, self.err):
                            self.libraries.note()
                            _tidy()
            elif not ready[0]:
                return False
        return True

    @contextlib.contextmanager
    def _busy(self) -> Iterator[None]:
        """A render or a drawing ahead: no change is looked for meanwhile (what changes is told
        after; what was told before, this work reads as it is)."""
        if self.changes is None:
            yield
            return
        self.changes.pause()
        self.changes.drain()
        try:
            yield
        finally:
            self.changes.resume()

    def _on_signals(self) -> None:
        """Ctrl-C, SIGTERM and SIGHUP stop the server, mid-render too (its answer is then dropped and
        the client renders by itself); they raise so that a blocked accept or a render ends now."""

        def stop(signum: int, _frame: object) -> None:
            self.stop = True
            raise KeyboardInterrupt if signum == signal.SIGINT else Terminated(signum)

        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, stop)

    def _warm(self) -> None:
        """One build now, its pages drawn into the temporary of the issue's own PDF, so that the
        first render asked for is already warm (set lines, each page's findings, drawn and
        compressed pages in memory, the photos copied)."""
        from ..page.findings import errors, warnings
        from ..pdf.draw import draw
        from ..pipeline import build, default_output

        t = time.perf_counter()
        try:
            b = build(self.manifest, parallel=False, session=self.session)
            errors(b.composed, self.session.checked)
            warnings(b.composed, b.loaded, self.session.checked)
            # Drawn into what becomes the temporary of the issue's own PDF, photos and all: a first
            # render of that file finds them there (a render to another file removes it).
            self.session.photos.drawn(
                default_output(b.loaded), lambda tmp, placed: draw(b.composed, tmp, pages=b.pages, placed=placed)
            )
        except InvalidInput:
            pass  # the first render will say what is wrong
        except Exception as e:  # noqa: BLE001 - a render reports it; the server stays up
            self.err(f"warning: the first build failed ({type(e).__name__}: {e})")
        self.libraries.note()
        _tidy()
        self.out(f"warmed in {time.perf_counter() - t:.2f} s")

    def _serve_one(self, conn: socket.socket) -> None:
        """Answer one connection; never raises but for a stop signal."""
        try:
            job = self._take(conn)
            if job is not None:
                self._render(conn, job)
        except (KeyboardInterrupt, Terminated):
            raise
        except Exception as e:  # noqa: BLE001 - one bad request never ends the server
            with contextlib.suppress(Exception):
                self.err(f"{time.strftime('%H:%M:%S')} request dropped: {type(e).__name__}: {e}")

    def _take(self, conn: socket.socket) -> dict | None:
        """The request, if it is one this server answers (and its client still wants it)."""
        if client.peer_uid(conn) not in (None, os.getuid()):
            return None
        conn.settimeout(REQUEST_TIMEOUT)
        try:
            req = recv_frame(conn, MAX_REQUEST)
        except (Unanswered, OSError, ValueError):
            return None
        why = self._refusal(req)
        if why:
            with contextlib.suppress(OSError):
                send_frame(conn, {"t": "refused", "why": why})
            if why.startswith("the installed code changed"):
                self.err(f"{time.strftime('%H:%M:%S')} {why}; stopping")
                self.stop = True
            return None
        send_frame(conn, {"t": "accepted"})
        conn.settimeout(GO_TIMEOUT)
        try:
            if recv_frame(conn, 1024).get("t") != "go":
                return None
        except (Unanswered, OSError, ValueError):
            return None  # it gave up waiting and renders by itself
        return req

    def _refusal(self, req: dict) -> str | None:
        opts = req.get("options")
        if req.get("protocol") != PROTOCOL or not isinstance(opts, dict):
            return "another protocol"
        # (a client's fingerprint equal to this server's was just taken of the same files: not again)
        if req.get("code") != self.code and client.code_fingerprint() != self.code:
            return "the installed code changed since this server started"
        lib = self.libraries.changed()
        if lib:
            return f"the installed code changed since this server started (a library it loaded: {lib})"
        if req.get("code") != self.code:
            return "other code"
        if req.get("env") != self.env:
            return "another environment"
        cwd, mask = req.get("cwd"), req.get("umask")
        if not isinstance(cwd, str) or not os.path.isabs(cwd) or not isinstance(mask, int) or not 0 <= mask <= 0o777:
            return "a malformed request"
        if not isinstance(opts.get("issue"), str) or not isinstance(opts.get("output"), str | None):
            return "a malformed request"
        if not all(isinstance(opts.get(k), bool) for k in ("allow_overset", "no_cache")):
            return "a malformed request"
        if req.get("manifest") != str(self.manifest) or client.manifest_of(opts["issue"], cwd) != self.manifest:
            return "another issue"
        return None

    def _render(self, conn: socket.socket, req: dict) -> None:
        """Render as `issue render` would in the client's folder, with its umask, and answer.
        Messages are gathered (with anything else written to stdout or stderr)."""
        opts = req["options"]
        said: list[tuple[str, str]] = []
        job = Job(conn)
        t = time.perf_counter()
        # A PDF already at the target is held open too (the last render's may have been another
        # name): the rename over it then frees its blocks only when this closes, after the answer.
        old = _open_regular(os.path.join(req["cwd"], opts["output"])) if opts["output"] else None
        try:
            self._render_held(conn, req, opts, said, job, t)
        finally:
            if old is not None:
                os.close(old)

    def _render_held(self, conn: socket.socket, req: dict, opts: dict, said: list, job: Job, t: float) -> None:
        from ..render import run_render

        code = None
        mask = os.umask(req["umask"])
        if self.changes is not None and opts["output"] is not None:
            self.changes.wrote(os.path.join(req["cwd"], opts["output"]))  # (before it is: no change to draw ahead for)
        try:
            os.chdir(req["cwd"])
            with gathered(said):
                code = run_render(
                    Path(opts["issue"]),
                    Path(opts["output"]) if opts["output"] is not None else None,
                    opts["allow_overset"],
                    lambda m: said.append(("err", printable(m) + "\n")),
                    lambda m: said.append(("out", printable(m) + "\n")),
                    no_cache=opts["no_cache"],
                    jobs=1,  # no fork beside the heartbeat thread (the same bytes either way)
                    bar=job,
                    session=self.session,
                )
            self.ahead.asked(req)
        except Abandoned:
            code = None
        finally:
            os.umask(mask)
            os.chdir(self.home)
            job.finish()
            self.libraries.note()
        self._answer(conn, code, job, said, t, req)

    def _answer(self, conn: socket.socket, code: int | None, job: Job, said: list, t: float, req: dict) -> None:
        if self.stop:
            self.session.pending = None  # stopping: the next render (in any process) sets what they lack
            return  # stopped mid-render: no answer, so the client renders by itself
        try:
            if code is None or job.gone.is_set():
                self.err(f"{time.strftime('%H:%M:%S')} render abandoned: the client went away")
                return
            dt = time.perf_counter() - t
            try:
                send_frame(conn, {"t": "done", "code": code, "said": said})
                self.out(f"{time.strftime('%H:%M:%S')} rendered (exit {code}) in {dt:.2f} s")
            except OSError:
                self.err(f"{time.strftime('%H:%M:%S')} rendered (exit {code}) in {dt:.2f} s; the client had gone")
        finally:
            self._write_packs(req)
        self._hold(self.session.written)
        _tidy()
        self.session.photos.prepare()  # the next render's photos copied while it is awaited

    def _write_packs(self, req: dict) -> None:
        """The disk packs of the render just answered (its PDF is in place): a later fresh process
        starts warm from them. Written from the client's folder, with its umask, as the render
        was (the issue's folder may be named relative to it). A failure costs only that warmth."""
        mask = os.umask(req["umask"])
        try:
            os.chdir(req["cwd"])
            self.session.write_pending()
        except (KeyboardInterrupt, Terminated):
            raise
        except Exception as e:  # noqa: BLE001 - the server stays up; the next render sets what they lack
            self.session.pending = None  # (never from another folder)
            with contextlib.suppress(Exception):
                self.err(f"{time.strftime('%H:%M:%S')} cache packs not written: {type(e).__name__}: {e}")
        finally:
            os.umask(mask)
            os.chdir(self.home)

    def _hold(self, path: str | None) -> None:
        """Keep the PDF just written open until the next render has answered: renaming the next
        one over it then frees nothing, and the old file's blocks (30 MiB at 16 pages, 5-20 ms of
        the file system's time) are freed here, after that answer, when this descriptor closes."""
        old, self.held = self.held, None
        if path is not None:
            self.held = _open_regular(path)
        if old is not None:
            os.close(old)


def _open_regular(path: str) -> int | None:
    """A read-only descriptor of `path` if it is a regular file (never a FIFO's or a device's), or None."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None  # opening a device may do something (a tape rewinds)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except (OSError, ValueError):  # ValueError: a NUL in the name
        return None
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def _tidy() -> None:
    """Collect what the render left (a document's objects refer to each other) once it has been
    answered, and freeze what survives (the session) out of later collections' way: a build tunes
    the collector to run rarely, which a process that renders all night must make up for."""
    gc.collect()
    gc.freeze()
