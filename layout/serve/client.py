"""The `issue` command's first step: hand a plain `issue render ISSUE` to a running `issue serve ISSUE`.

Reads the command line, the working directory, the umask and the environment the render depends on;
produces, when a server for that issue is listening and runs this same code, its answer: the
messages printed as the render prints them and its exit code. Anything else (no server, a stale
socket, other code, a refusal, a failure or silence at any point before the answer) returns None and
the command renders in this process exactly as it would have anyway: the fast path never prints a
traceback and never waits long. Standard library only, so that asking costs Python's start-up and a
socket round trip, not the imports of a render.

Also the wire format both sides speak: frames of a 4-byte big-endian length and a JSON object.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

try:  # hashlib.blake2b itself, without hashlib's import of OpenSSL (about 2.5 ms of a served render)
    from _blake2 import blake2b
except ImportError:  # an interpreter built without it
    from hashlib import blake2b

TYPE_CHECKING = False  # as typing's (type checkers read it so) without importing typing: about 5 ms
if TYPE_CHECKING:
    import socket
    from collections.abc import Callable

PROTOCOL = 1
MAX_REQUEST = 1 << 20  # a request is argv, cwd and a few variables
MAX_REPLY = 64 << 20  # a reply is the render's messages
CONNECT_TIMEOUT = 2.0  # seconds to reach a listening server
ACCEPT_TIMEOUT = 10.0  # to have the job taken (the server renders one at a time)
SILENCE_TIMEOUT = 10.0  # between heartbeats while it renders (it sends one a second)
ENV = ("HOME", "XDG_CACHE_HOME", "LAYOUT_FONT_PATH", "WINDIR")  # what a render reads from the environment


class Unanswered(Exception):
    """The server did not answer (refused, went away, broke the protocol): render here."""


def send_frame(sock: socket.socket, obj: dict) -> None:
    import json
    import struct

    data = json.dumps(obj, separators=(",", ":")).encode()
    sock.sendall(struct.pack(">I", len(data)) + data)


def recv_frame(sock: socket.socket, limit: int) -> dict:
    """One frame; raises Unanswered on end of stream, a length over `limit` or a body that is not
    a JSON object (and socket.timeout / OSError as the socket does)."""
    import json
    import struct

    head = _recv_exact(sock, 4)
    (n,) = struct.unpack(">I", head)
    if n > limit:
        raise Unanswered(f"a frame of {n} bytes")
    try:
        obj = json.loads(_recv_exact(sock, n))
    except ValueError as e:  # not UTF-8 or not JSON
        raise Unanswered("not a frame") from e
    if not isinstance(obj, dict):
        raise Unanswered("not a frame")
    return obj


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(min(n - len(buf), 1 << 16))
        if not chunk:
            raise Unanswered("end of stream")
        buf += chunk
    return bytes(buf)


def code_fingerprint() -> str:
    """The installed package as this process sees it: the interpreter, the package's folder, and
    the size and modification time of every file in it (a stat each, no reading)."""
    root = Path(__file__).resolve().parent.parent
    h = blake2b(repr((PROTOCOL, sys.executable, sys.version, str(root))).encode(), digest_size=16)
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".tmp")) or name.startswith("."):
                continue
            st = os.stat(os.path.join(folder, name))
            h.update(f"{folder}/{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def socket_dirs() -> list[Path]:
    """Where servers listen, in order: $XDG_RUNTIME_DIR/layout, then /tmp/layout-UID."""
    out = []
    run = os.environ.get("XDG_RUNTIME_DIR")
    if run and os.path.isabs(run):
        out.append(Path(run) / "layout")
    out.append(Path("/tmp") / f"layout-{os.getuid()}")
    return out


def private_dir(d: Path) -> bool:
    """`d` is a real folder of this user's that no one else may enter (mode 0700 or stricter)."""
    try:
        st = os.lstat(d)
    except OSError:
        return False
    import stat

    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and st.st_mode & 0o077 == 0


def socket_name(manifest: Path) -> str:
    """The socket's file name for an issue: a hash of its manifest's resolved path."""
    return blake2b(str(manifest).encode(), digest_size=12).hexdigest() + ".sock"


def fits(path: Path) -> bool:
    return len(os.fsencode(path)) < 100  # sun_path holds 108 bytes on Linux, 104 on macOS


def manifest_of(issue: str, cwd: str) -> Path:
    """The issue's manifest, resolved, as `issue render` finds it (a folder means its issue.yaml)."""
    p = Path(cwd, issue)
    return (p / "issue.yaml" if p.is_dir() else p).resolve()


def forwardable(argv: list[str], jobs: bool = False) -> dict | None:
    """The options of `render ISSUE [-o OUT] [--allow-overset] [--no-cache]` (with `jobs`, also
    `--jobs 1|2`, which a server does not take), or None for any other command line (other options,
    --help, a second argument, an option value that looks like one)."""
    if not argv or argv[0] != "render":
        return None
    got: dict = {"issue": None, "output": None, "allow_overset": False, "no_cache": False}
    args = iter(argv[1:])
    for a in args:
        value = None
        if jobs and a in ("-j", "--jobs", "-j1", "-j2", "--jobs=1", "--jobs=2"):
            n = next(args, None) if a in ("-j", "--jobs") else a[-1]
            if n not in ("1", "2") or "jobs" in got:
                return None  # the typer command says what is wrong with it
            got["jobs"] = int(n)
            continue
        if a in ("-o", "--output"):
            value = next(args, None)
            if value is None or value.startswith("-") or not value:
                return None
        elif a.startswith("--output="):
            value = a[len("--output=") :]
        elif a.startswith("-o") and not a.startswith("--"):
            value = a[2:]
        elif a in ("--allow-overset", "--no-cache"):
            got[a[2:].replace("-", "_")] = True
            continue
        elif a.startswith("-") or got["issue"] is not None or not a:
            return None
        else:
            got["issue"] = a
            continue
        if got["output"] is not None or not value:
            return None
        got["output"] = value
    return got if got["issue"] is not None else None


def forward(argv: list[str]) -> int | None:
    """Have a running `issue serve` answer this command line: its exit code once its messages are
    printed, or None if it cannot (then render here). Imports the socket machinery only when a
    server's socket is there: without one, asking costs a few stat calls."""
    if not hasattr(os, "getuid"):
        return None
    opts = forwardable(argv)
    if opts is None:
        return None
    cwd = os.getcwd()
    manifest = manifest_of(opts["issue"], cwd)
    for d in socket_dirs():
        path = d / socket_name(manifest)
        if not fits(path) or not private_dir(d) or not os.path.exists(path):
            continue
        mask = os.umask(0o022)
        os.umask(mask)
        request = {
            "protocol": PROTOCOL,
            "code": code_fingerprint(),
            "manifest": str(manifest),
            "argv": argv,
            "options": opts,
            "cwd": cwd,
            "umask": mask,
            "env": {k: os.environ.get(k) for k in ENV},
        }
        try:
            code, said = _ask(path, request)
        except (Unanswered, OSError, ValueError):  # anything else: `answered` renders here too
            continue  # stale, refused, gone: the next place, then this process
        _show(said)  # answered: from here on, nothing may make this process render too
        return code
    return None


def _ask(path: Path, request: dict) -> tuple[int, list]:
    import socket

    if not hasattr(socket, "AF_UNIX"):
        raise Unanswered("no Unix sockets here")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(CONNECT_TIMEOUT)
        s.connect(str(path))
        if peer_uid(s) not in (None, os.getuid()):
            raise Unanswered("a server of another user")
        send_frame(s, request)
        s.settimeout(ACCEPT_TIMEOUT)
        reply = recv_frame(s, MAX_REPLY)
        if reply.get("t") != "accepted":
            raise Unanswered(str(reply.get("why", "refused")))
        send_frame(s, {"t": "go"})
        s.settimeout(SILENCE_TIMEOUT)
        while True:
            reply = recv_frame(s, MAX_REPLY)
            if reply.get("t") == "beat":
                continue
            if reply.get("t") != "done":
                raise Unanswered("no answer")
            code, said = reply.get("code"), reply.get("said")
            if not isinstance(code, int) or not isinstance(said, list) or not all(_said(x) for x in said):
                raise Unanswered("a malformed answer")
            return code, said


def _said(x: object) -> bool:
    return isinstance(x, list) and len(x) == 2 and x[0] in ("out", "err") and isinstance(x[1], str)


def _show(said: list) -> None:
    """The server's messages, in order, on this process's stdout and stderr; never raises (a
    terminal that cannot show a character gets an escape; a closed pipe gets nothing)."""
    for stream, text in said:
        f = sys.stderr if stream == "err" else sys.stdout
        try:
            try:
                f.write(text)
            except UnicodeEncodeError:
                enc = f.encoding or "utf-8"
                f.write(text.encode(enc, "backslashreplace").decode(enc, "replace"))
        except (OSError, ValueError):
            pass
    for f in (sys.stdout, sys.stderr):
        try:
            f.flush()
        except (OSError, ValueError):
            pass


def peer_uid(s: socket.socket) -> int | None:
    """The user id of the process at the other end (Linux SO_PEERCRED); None where it cannot be asked."""
    import socket
    import struct

    opt = getattr(socket, "SO_PEERCRED", None)
    if opt is None:
        return None
    _pid, uid, _gid = struct.unpack("3i", s.getsockopt(socket.SOL_SOCKET, opt, struct.calcsize("3i")))
    return uid


def answered() -> None:
    """Exit with a running server's answer to this command line, if it gives one; else return."""
    try:
        code = forward(sys.argv[1:])
    except KeyboardInterrupt:
        sys.stderr.write("interrupted; nothing was written\n")
        sys.exit(130)
    except Exception:  # the fast path must never be why a render fails
        code = None
    if code is not None:
        sys.exit(code)


def main() -> None:
    """The `issue` command: a plain render answered by `issue serve` if one runs, else rendered here
    without the command-line library; anything else by the full CLI (imported only then)."""
    answered()
    resident_arenas()
    opts = forwardable(sys.argv[1:], jobs=True)
    compiled = _compiled(sys.argv[1:])
    if opts is not None:
        gc.disable()  # one render, then os._exit (see pipeline.no_collection): from the imports on
        from ..render import run_plain

        kept: list[object] = []  # the build, dropped with the process rather than object by object
        code = run_plain(opts, kept)
        compiled()
        _leave(code)
    from ..cli import run

    try:
        run()
    finally:
        compiled()


def resident_arenas() -> bool:
    """From now on, each new arena of Python objects made resident in one step (serve/_arenas.c:
    about half the cost of faulting its pages in one by one; 9 ms of a 16-page render). Whether the
    hook is in place: not without the C extension, with LAYOUT_PURE_PYTHON=1, or where the system
    cannot (only speed differs)."""
    if os.environ.get("LAYOUT_PURE_PYTHON", "") not in ("", "0"):
        return False
    try:
        from . import _arenas
    except ImportError:
        return False
    return _arenas.populate_arenas()


def _compiled(argv: list[str]) -> Callable[[], None]:
    """Compiled regular expressions and dataclass methods served from the house shelf from now on
    (manifest/compiled.py), not with --no-cache (which reads and writes no house shelf); what shelves
    the new ones at the end."""
    if "--no-cache" in argv:
        return lambda: None
    from ..manifest import compiled
    from ..manifest.files import user_cache_dir

    try:
        compiled.install(user_cache_dir() / "compiled")
    except (OSError, RuntimeError):  # no home folder to find the cache in: compile as usual
        return lambda: None
    return compiled.keep


def _leave(code: int) -> None:
    """Exit now, once what was said is out: a render's hundreds of thousands of objects need no
    tearing down (the interpreter's clean-up took 0.05 s of a 16-page render). Every file the
    render writes is complete and renamed into place before it returns."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # a closed pipe or stream: nothing more can be said
            pass
    os._exit(code)
