"""`issue serve`: a plain `issue render` answered by the resident server says, writes and exits exactly
as a fresh process does (a series of edits: none, one word, a character not drawn before, a style
change, overset copy, a broken manifest and its fix); the client renders by itself whenever the server
cannot answer (stale socket, other code, server gone mid-way); the server outlives hostile requests;
a second server for the issue is refused; SIGTERM removes the socket; no temporary file is left.
Driven as real processes on a temporary copy of the sample issue, with timeouts.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from layout.serve import client

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issues" / "2026-12-03"
CLIENT = [sys.executable, "-c", "from layout.serve.client import main; main()"]  # the `issue` script
IN_PROCESS = [sys.executable, "-c", "from layout.cli import run; run()"]  # the CLI, never asking a server
TIMEOUT = 60


@pytest.fixture(scope="module")
def env():
    """A private runtime folder for the sockets (short: sun_path is 108 bytes), used by both sides."""
    run = tempfile.mkdtemp(prefix="ls", dir="/tmp")
    e = dict(os.environ, XDG_RUNTIME_DIR=run, PYTHONUNBUFFERED="1", PYTHONPATH=str(ROOT))
    yield e
    shutil.rmtree(run, ignore_errors=True)


class Server:
    """`issue serve ISSUE` as a child process, its output gathered."""

    def __init__(self, folder: Path, env: dict, pythonpath: str | None = None, idle: str = "5"):
        e = dict(env, PYTHONPATH=pythonpath) if pythonpath else env
        cmd = [sys.executable, "-c", "from layout.cli import main; main()", "serve", str(folder), "--idle", idle]
        # From the issue's parent folder: `python -c` puts the working folder first on sys.path.
        self.p = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=e, cwd=folder.parent
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.socket = Path(self.wait_for("serving ").split(" at ", 1)[1])

    def _read(self) -> None:
        assert self.p.stdout is not None
        for line in self.p.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, prefix: str, after: int = 0) -> str:
        end = time.monotonic() + TIMEOUT
        while time.monotonic() < end:
            for line in self.lines[after:]:
                if prefix in line:
                    return line
            if self.p.poll() is not None and not any(prefix in ln for ln in self.lines[after:]):
                time.sleep(0.2)  # the reader may be behind the exit
                if not any(prefix in ln for ln in self.lines[after:]):
                    break
            time.sleep(0.02)
        raise AssertionError(f"no {prefix!r}; the server printed:\n" + "\n".join(self.lines))

    def served(self) -> int:
        return sum("rendered (exit" in ln for ln in self.lines)

    def stop(self) -> int:
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            return self.p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            raise


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    f = tmp_path / "issue"
    shutil.copytree(SAMPLE, f, ignore=shutil.ignore_patterns("build"))
    return f


def _run(cmd: list[str], args: list[str], env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*cmd, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=TIMEOUT)


def _said(r: subprocess.CompletedProcess, out: str) -> tuple[int, str, str]:
    """Exit code and messages, the render's own time and the output's name taken out."""
    t = re.compile(r", \d+\.\d\d s$", re.M)
    return r.returncode, *(t.sub(", T s", x).replace(out, "OUT") for x in (r.stdout, r.stderr))


def _edit(p: Path, old: str, new: str) -> None:
    text = p.read_text(encoding="utf-8")
    assert old in text
    p.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_served_renders_are_a_fresh_process_s(folder: Path, env: dict, tmp_path: Path) -> None:
    srv = Server(folder, env, idle="120")
    try:
        srv.wait_for("ready:")
        gem, style = folder / "articles" / "geminids.md", folder / "styles" / "lodestar.yaml"
        steps = [
            ("as it is", lambda: None, 0),
            ("one word", lambda: _edit(gem, "richest", "finest"), 0),
            ("a character not drawn before", lambda: _edit(gem, "Observers", "Observers (Ŵ)"), 0),
            ("a style change", lambda: _edit(style, 'color: "#b3261e"', 'color: "#1e26b3"'), 0),
            (
                "a size change",
                lambda: _edit(style, "caption:  {font: sans, size: 8.8", "caption:  {font: sans, size: 8.6"),
                0,
            ),
            ("back", lambda: _edit(style, 'color: "#1e26b3"', 'color: "#b3261e"'), 0),
            ("overset copy", lambda: gem.write_text(gem.read_text() + "\n\nMore words here. " * 400), 1),
            ("a broken manifest", lambda: _edit(folder / "issue.yaml", "columns: 4\n", "columns: four\n"), 2),
            ("mended", lambda: _edit(folder / "issue.yaml", "columns: four\n", "columns: 4\n"), 1),
        ]
        for name, change, want in steps:
            change()
            n = srv.served()
            served = _run(CLIENT, ["render", "issue", "-o", "out/served.pdf"], env, tmp_path)
            fresh = _run(IN_PROCESS, ["render", "issue", "-o", "out/fresh.pdf", "--no-cache"], env, tmp_path)
            assert srv.served() == n + 1, f"{name}: not answered by the server\n{srv.lines}"
            assert served.returncode == want, f"{name}: {served.stderr}"
            assert _said(served, "served.pdf") == _said(fresh, "fresh.pdf"), name
            assert "Traceback" not in served.stderr
            s, f = tmp_path / "out" / "served.pdf", tmp_path / "out" / "fresh.pdf"
            if want == 0:
                assert s.read_bytes() == f.read_bytes(), name
            if want == 2:
                assert re.search(r"issue\.yaml:\d+:\d+: ", served.stderr), served.stderr
            for p in (s, f):
                p.unlink(missing_ok=True)
            # While it runs, the one temporary is the next PDF's, photos copied in ahead.
            assert [t.name.startswith(".served.pdf.") for t in tmp_path.rglob("*.tmp")] in ([], [True]), name
    finally:
        assert srv.stop() == 0
    assert not srv.socket.exists()
    assert not list(tmp_path.rglob("*.tmp"))  # removed when it stops


def _socket_for(folder: Path, env: dict) -> Path:
    """Where a server for `folder` listens (the runtime folder made private, as the server makes it)."""
    d = Path(env["XDG_RUNTIME_DIR"]) / "layout"
    d.mkdir(mode=0o700, exist_ok=True)
    return d / client.socket_name((folder / "issue.yaml").resolve())


def _fell_back(r: subprocess.CompletedProcess, out: Path) -> None:
    """The client rendered by itself: done, the PDF whole, no traceback."""
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert out.read_bytes().startswith(b"%PDF") and b"%%EOF" in out.read_bytes()[-64:]


def test_a_stale_socket_is_rendered_past_and_replaced(folder: Path, env: dict, tmp_path: Path) -> None:
    path = _socket_for(folder, env)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(path))
    s.close()  # the file stays, nobody listens: a server that was SIGKILLed
    r = _run(CLIENT, ["render", str(folder), "-o", "a.pdf"], env, tmp_path)
    _fell_back(r, tmp_path / "a.pdf")
    srv = Server(folder, env)  # and a new server takes the place
    try:
        srv.wait_for("ready:")
        r = _run(CLIENT, ["render", str(folder), "-o", "b.pdf"], env, tmp_path)
        assert r.returncode == 0 and srv.served() == 1
        assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    finally:
        srv.stop()


def test_a_second_server_is_refused_and_sigterm_removes_the_socket(folder: Path, env: dict) -> None:
    srv = Server(folder, env)
    try:
        srv.wait_for("ready:")
        r = subprocess.run(
            [sys.executable, "-c", "from layout.cli import main; main()", "serve", str(folder)],
            capture_output=True, text=True, env=env, timeout=TIMEOUT,
        )  # fmt: skip
        assert r.returncode == 2
        assert "already served" in r.stderr and str(srv.p.pid) in r.stderr and "Traceback" not in r.stderr
        assert srv.socket.exists()
    finally:
        assert srv.stop() == 0
    assert not srv.socket.exists() and not srv.socket.with_suffix(".lock").exists()
    assert srv.lines[-1] == "stopped"


def test_the_idle_limit_stops_the_server(folder: Path, env: dict) -> None:
    srv = Server(folder, env, idle="0.02")  # minutes
    assert srv.p.wait(timeout=TIMEOUT) == 0
    assert "stopped: no render for" in srv.lines[-1]
    assert not srv.socket.exists()
    assert not list(folder.rglob("*.tmp"))  # the PDF its first build drew ahead, removed


def test_a_server_running_other_code_is_not_asked(folder: Path, env: dict, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(ROOT / "layout", other / "layout", ignore=shutil.ignore_patterns("__pycache__"))
    srv = Server(folder, env, pythonpath=str(other))
    try:
        srv.wait_for("ready:")
        r = _run(CLIENT, ["render", str(folder), "-o", "a.pdf"], env, tmp_path)
        _fell_back(r, tmp_path / "a.pdf")
        assert srv.served() == 0
        # Its own code changed under it (an upgrade): it refuses and stops.
        (other / "layout" / "render.py").touch()
        os.utime(other / "layout" / "render.py", ns=(1, 1))
        r = _run(CLIENT, ["render", str(folder), "-o", "b.pdf"], env, tmp_path)
        _fell_back(r, tmp_path / "b.pdf")
        assert srv.p.wait(timeout=TIMEOUT) == 0
        assert any("installed code changed" in ln for ln in srv.lines)
    finally:
        srv.stop()


def test_a_server_stops_when_a_library_it_loaded_changes(folder: Path, env: dict, tmp_path: Path) -> None:
    """A library upgraded under a running server (here: a module it loaded at start, changed in
    place) makes it refuse, so the client renders by itself, and stop."""
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "sitecustomize.py").write_text("HOUSE = 1\n", encoding="utf-8")  # loaded by every process
    srv = Server(folder, env, pythonpath=f"{lib}{os.pathsep}{ROOT}")
    try:
        srv.wait_for("ready:")
        r = _run(CLIENT, ["render", str(folder), "-o", "a.pdf"], env, tmp_path)
        assert r.returncode == 0 and srv.served() == 1, r.stderr
        (lib / "sitecustomize.py").write_text("HOUSE = 2\n", encoding="utf-8")
        os.utime(lib / "sitecustomize.py", ns=(1, 1))
        r = _run(CLIENT, ["render", str(folder), "-o", "b.pdf"], env, tmp_path)
        _fell_back(r, tmp_path / "b.pdf")
        assert srv.p.wait(timeout=TIMEOUT) == 0
        assert any("a library it loaded" in ln and "sitecustomize.py" in ln for ln in srv.lines), srv.lines
    finally:
        srv.stop()


def test_the_server_frees_the_replaced_pdf_after_answering(folder: Path, env: dict, tmp_path: Path) -> None:
    """It holds the PDF it last wrote open, so the next render's rename frees nothing before the
    answer; once answered, the replaced file is let go: no deleted file stays open."""
    if not Path(f"/proc/{os.getpid()}/fd").is_dir():
        pytest.skip("needs /proc")
    srv = Server(folder, env)
    try:
        srv.wait_for("ready:")
        out = tmp_path / "a.pdf"
        for k in range(3):
            _edit(
                folder / "articles" / "geminids.md", *(("richest", "finest") if k % 2 == 0 else ("finest", "richest"))
            )
            r = _run(CLIENT, ["render", str(folder), "-o", str(out)], env, tmp_path)
            assert r.returncode == 0 and srv.served() == k + 1, r.stderr
            end = time.monotonic() + TIMEOUT  # the server lets go once it has answered (and kept its packs)
            while True:
                links = []
                for fd in Path(f"/proc/{srv.p.pid}/fd").iterdir():
                    with contextlib.suppress(OSError):
                        links.append(os.readlink(fd))
                held = links.count(str(out)) == 1  # the PDF just written, held
                if held and not [ln for ln in links if ln.endswith("(deleted)") and ".pdf" in ln]:
                    break
                assert time.monotonic() < end, links
                time.sleep(0.02)
    finally:
        srv.stop()


def test_the_server_answers_then_keeps_its_packs(folder: Path, env: dict, tmp_path: Path) -> None:
    """The packs are written after the answer, not dropped: a fresh build then finds every paragraph
    of the edited issue; a pack that cannot be written costs the server nothing but that warmth."""
    from layout.pipeline import build

    srv = Server(folder, env, idle="120")
    gem = folder / "articles" / "geminids.md"
    try:
        srv.wait_for("ready:")
        _edit(gem, "richest", "finest")
        assert build(folder, parallel=False).cache.misses > 0  # the edited paragraph is nowhere yet
        r = _run(CLIENT, ["render", str(folder), "-o", str(tmp_path / "a.pdf")], env, tmp_path)
        assert r.returncode == 0 and srv.served() == 1, r.stderr
        end = time.monotonic() + TIMEOUT
        while build(folder, parallel=False).cache.misses:
            assert time.monotonic() < end, "the served render's paragraphs never reached the pack"
            time.sleep(0.05)
        cache = folder / "build" / ".cache"
        shutil.rmtree(cache)
        cache.write_text("not a folder")  # nothing can be kept now
        _edit(gem, "finest", "richest")
        for k in range(2):
            r = _run(CLIENT, ["render", str(folder), "-o", str(tmp_path / "b.pdf")], env, tmp_path)
            assert r.returncode == 0 and srv.served() == 2 + k and "Traceback" not in r.stderr, r.stderr
        assert srv.p.poll() is None and "Traceback" not in "\n".join(srv.lines)
        assert (tmp_path / "a.pdf").read_bytes() != (tmp_path / "b.pdf").read_bytes()
    finally:
        assert srv.stop() == 0


def test_the_server_draws_ahead_after_an_edit_and_answers_from_it(folder: Path, env: dict, tmp_path: Path) -> None:
    """An edit to an input makes the server build and draw the next PDF at once (the last render's
    output); the render asked for then is answered with a fresh process's bytes and messages. What
    the server writes itself (the PDF, here inside the issue folder, and its packs), hidden files and
    temporaries are no edit. (With no idle limit: SIGTERM stops it.)"""
    srv = Server(folder, env, idle="0")
    gem = folder / "articles" / "geminids.md"
    args = ["render", "issue", "-o", "issue/proof.pdf"]
    try:
        srv.wait_for("ready:")
        n = len(srv.lines)
        assert _run(CLIENT, args, env, tmp_path).returncode == 0 and srv.served() == 1
        end = time.monotonic() + 20
        while not (folder / "build" / ".cache" / "paragraphs.bin").exists():  # the packs, from the client's folder
            assert time.monotonic() < end, "no packs in the issue folder (named relative to the client)"
            time.sleep(0.02)
        (folder / ".notes.swp").write_text("an editor's swap file")
        (folder / "articles" / "draft.md.tmp").write_text("a temporary")
        for k in range(3):
            time.sleep(0.5)  # (a change is told within 10 ms): nothing since the last render was asked for
            assert not [ln for ln in srv.lines[n:] if "drawn ahead" in ln], srv.lines
            if k == 2:
                break
            n = len(srv.lines)
            _edit(gem, *(("richest", "finest") if k % 2 == 0 else ("finest", "richest")))
            srv.wait_for("drawn ahead after a change", after=n)
            n = len(srv.lines)
            served = _run(CLIENT, args, env, tmp_path)
            fresh = _run(IN_PROCESS, ["render", "issue", "-o", "fresh.pdf", "--no-cache"], env, tmp_path)
            assert srv.served() == 2 + k and served.returncode == 0, served.stderr
            assert _said(served, "issue/proof.pdf") == _said(fresh, "fresh.pdf")
            assert (folder / "proof.pdf").read_bytes() == (tmp_path / "fresh.pdf").read_bytes()
        assert "Traceback" not in "\n".join(srv.lines)
    finally:
        assert srv.stop() == 0
    assert not list(tmp_path.rglob("*.pdf.*.tmp"))


def test_only_an_issue_s_inputs_are_changes(tmp_path: Path) -> None:
    from layout.serve.changes import Changes

    c = Changes(tmp_path)
    try:
        c.wrote(str(tmp_path / "sub" / ".." / "proof.pdf"))
        for name, want in [
            ("issue.yaml", True),
            ("articles/geminids.md", True),
            ("photos/comet.jpg", True),
            ("styles/lodestar.yaml", True),
            ("proof.pdf", False),  # written by the server
            ("other.pdf", True),
            ("build/issue.pdf", False),
            ("build/.cache/pages.bin", False),
            ("build", False),
            (".issue.yaml.swp", False),
            ("articles/.geminids.md.x1", False),
            ("articles/geminids.md.tmp", False),
        ]:
            assert c.input(str(tmp_path / name)) is want, name
    finally:
        c.close()
    assert not c.thread.is_alive()
    from layout.serve.changes import changes

    assert changes(tmp_path / "gone") is None  # no notifier to be had: the server renders as before


def test_a_file_name_that_is_not_utf8_in_the_issue_folder_costs_only_the_head_start(
    folder: Path, env: dict, tmp_path: Path
) -> None:
    srv = Server(folder, env, idle="120")
    try:
        srv.wait_for("ready:")
        assert _run(CLIENT, ["render", "issue", "-o", "a.pdf"], env, tmp_path).returncode == 0
        with open(os.path.join(os.fsencode(folder / "articles"), b"draft-\xff.md"), "wb") as f:
            f.write(b"a name the notifier cannot decode")
        time.sleep(0.3)
        _edit(folder / "articles" / "geminids.md", "richest", "finest")
        served = _run(CLIENT, ["render", "issue", "-o", "a.pdf"], env, tmp_path)
        fresh = _run(IN_PROCESS, ["render", "issue", "-o", "b.pdf", "--no-cache"], env, tmp_path)
        assert served.returncode == 0 == fresh.returncode and srv.served() == 2, served.stderr
        assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
        assert srv.p.poll() is None and "Traceback" not in "\n".join(srv.lines)
    finally:
        assert srv.stop() == 0


def test_what_changes_while_the_server_works_is_told_after(tmp_path: Path) -> None:
    """No change is looked for during a render (the notifier's thread would take the interpreter's
    lock at every step of it); what changed meanwhile is told once the server waits again."""
    from layout.serve.changes import Changes

    c = Changes(tmp_path)
    try:
        (tmp_path / "before.md").write_text("told")
        end = time.monotonic() + 5
        while not c.drain():
            assert time.monotonic() < end, "a change was never told"
            time.sleep(0.01)
        c.pause()
        time.sleep(0.05)
        (tmp_path / "article.md").write_text("an edit while the server renders")
        time.sleep(0.3)
        assert not c.drain()
        c.resume()
        end = time.monotonic() + 5
        while not c.drain():
            assert time.monotonic() < end, "the change made while it worked was never told"
            time.sleep(0.01)
    finally:
        c.close()


def _request(folder: Path, here: Path, **over: object) -> dict:
    req = {
        "protocol": client.PROTOCOL,
        "code": client.code_fingerprint(),
        "manifest": str((folder / "issue.yaml").resolve()),
        "argv": ["render", str(folder)],
        "options": {"issue": str(folder), "output": str(here / "x.pdf"), "allow_overset": False, "no_cache": False},
        "cwd": str(here),
        "umask": 0o022,
        "env": {k: os.environ.get(k) for k in client.ENV},
    }
    req.update(over)
    return req


def _talk(path: Path, data: bytes, wait: float = 10.0) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(wait)
        s.connect(str(path))
        s.sendall(data)
        got = b""
        try:
            while chunk := s.recv(65536):
                got += chunk
        except (TimeoutError, ConnectionResetError):  # closed with our bytes unread: a reset
            pass
        return got


def _frame(obj: object) -> bytes:
    data = json.dumps(obj).encode()
    return struct.pack(">I", len(data)) + data


def test_the_server_outlives_hostile_requests(folder: Path, env: dict, tmp_path: Path) -> None:
    srv = Server(folder, env, idle="120")
    try:
        srv.wait_for("ready:")
        path = srv.socket
        other = tmp_path / "other-issue"
        shutil.copytree(SAMPLE, other, ignore=shutil.ignore_patterns("build"))
        refusals = {
            "another issue": _request(other, tmp_path, manifest=str((other / "issue.yaml").resolve())),
            "another issue ": _request(folder, tmp_path, options={**_request(other, tmp_path)["options"]}),
            "other code": _request(folder, tmp_path, code="0" * 32),
            "another environment": _request(folder, tmp_path, env={"HOME": "/elsewhere"}),
            "another protocol": _request(folder, tmp_path, protocol=99),
            "a malformed request": _request(folder, tmp_path, cwd="relative"),
            "a malformed request ": _request(folder, tmp_path, umask="022"),
        }
        for why, req in refusals.items():
            got = _talk(path, _frame(req))
            assert json.loads(got[4:]) == {"t": "refused", "why": why.strip()}, why
        for junk in (
            b"\x00\x00\x00\x05hello",  # not JSON
            b"\xff\xff\xff\xff" + b"x" * 100,  # a 4 GiB length
            _frame([1, 2, 3]),  # not an object
            b"GET / HTTP/1.0\r\n\r\n",
            b"\x00\x00",  # half a length, then silence
        ):
            assert _talk(path, junk, wait=5) == b""
        assert _talk(path, b"", wait=5) == b""  # connects and never sends: dropped after its timeout
        # Takes the job, then goes away before saying go; then goes away mid-render.
        assert json.loads(_talk(path, _frame(_request(folder, tmp_path)), wait=1)[4:]) == {"t": "accepted"}
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(str(path))
            s.sendall(_frame(_request(folder, tmp_path)))
            client.recv_frame(s, 1024)
            client.send_frame(s, {"t": "go"})
        srv.wait_for("the client ")  # "render abandoned: the client went away", or "... the client had gone"
        # Still serving, and nothing half-written anywhere.
        r = _run(CLIENT, ["render", str(folder), "-o", "ok.pdf"], env, tmp_path)
        assert r.returncode == 0 and srv.served() >= 1
        assert srv.p.poll() is None
        assert not (tmp_path / "x.pdf").exists() or (tmp_path / "x.pdf").read_bytes().endswith(b"%%EOF\n")
        assert [t.name.startswith(".ok.pdf.") for t in tmp_path.rglob("*.tmp")] in ([], [True])  # the next PDF's
    finally:
        assert srv.stop() == 0
    assert not list(tmp_path.rglob("*.tmp")) and not list(tmp_path.rglob(".*.tmp"))


class _Fake:
    """A server at the issue's socket that misbehaves in one way after the client connects."""

    def __init__(self, path: Path, how: str):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(str(path))
        self.sock.listen(1)
        self.how = how
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        with conn:
            client.recv_frame(conn, 1 << 20)
            if self.how == "garbage":
                conn.sendall(b"\x00\x00\x00\x03abc")
                return
            if self.how == "huge":
                conn.sendall(b"\x7f\xff\xff\xff")
                return
            client.send_frame(conn, {"t": "accepted"})
            client.recv_frame(conn, 1024)
            client.send_frame(conn, {"t": "beat"})
            if self.how == "dies":
                return  # the server goes away mid-render
            if self.how == "silent":
                time.sleep(3)

    def close(self) -> None:
        self.sock.close()


@pytest.mark.parametrize("how", ["dies", "garbage", "huge", "silent"])
def test_the_client_renders_by_itself_when_the_server_fails_it(
    folder: Path, env: dict, tmp_path: Path, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _socket_for(folder, env)
    fake = _Fake(path, how)
    try:
        monkeypatch.setenv("XDG_RUNTIME_DIR", env["XDG_RUNTIME_DIR"])
        monkeypatch.chdir(tmp_path)
        monkeypatch.setattr(client, "SILENCE_TIMEOUT", 1.0)
        assert client.forward(["render", str(folder), "-o", "a.pdf"]) is None  # not answered: render here
    finally:
        fake.close()
        path.unlink()


def test_the_whole_command_falls_back_when_the_server_dies_mid_way(folder: Path, env: dict, tmp_path: Path) -> None:
    path = _socket_for(folder, env)
    fake = _Fake(path, "dies")
    try:
        r = _run(CLIENT, ["render", str(folder), "-o", "a.pdf"], env, tmp_path)
        _fell_back(r, tmp_path / "a.pdf")
        assert "pages," in r.stdout
    finally:
        fake.close()
        path.unlink()


@pytest.mark.parametrize(
    "argv",
    [
        ["render", "X", "--print"],
        ["render", "X", "--jobs", "2"],
        ["render", "X", "--greedy"],
        ["render", "X", "--split"],
        ["render", "X", "--help"],
        ["render", "X", "Y"],
        ["render"],
        ["render", "X", "-o"],
        ["render", "X", "-o", "--no-cache"],
        ["render", "X", "-o", "a", "-o", "b"],
        ["check", "X"],
        [],
    ],
)
def test_only_plain_screen_renders_are_forwarded(argv: list[str]) -> None:
    assert client.forwardable(argv) is None


def test_plain_renders_are_forwarded() -> None:
    got = client.forwardable(["render", "X", "-oout.pdf", "--allow-overset", "--no-cache"])
    assert got == {"issue": "X", "output": "out.pdf", "allow_overset": True, "no_cache": True}
    assert client.forwardable(["render", "--output=o.pdf", "X"])["output"] == "o.pdf"  # type: ignore[index]


def test_a_shared_or_foreign_socket_folder_is_not_used(tmp_path: Path) -> None:
    d = tmp_path / "run"
    d.mkdir(mode=0o755)
    assert not client.private_dir(d)
    d.chmod(0o700)
    assert client.private_dir(d)
    link = tmp_path / "link"
    link.symlink_to(d)
    assert not client.private_dir(link)


def test_served_refusals_and_file_modes_are_a_fresh_process_s(folder: Path, env: dict, tmp_path: Path) -> None:
    """Never over an input, never onto a folder; the client's umask gives the PDF its mode."""
    srv = Server(folder, env, idle="120")
    try:
        srv.wait_for("ready:")
        manifest = (folder / "issue.yaml").read_bytes()
        for out in ("issue/issue.yaml", "issue/articles/geminids.md", "issue"):
            n = srv.served()
            served = _run(CLIENT, ["render", "issue", "-o", out], env, tmp_path)
            fresh = _run(IN_PROCESS, ["render", "issue", "-o", out], env, tmp_path)
            assert srv.served() == n + 1
            assert served.returncode == 2 and _said(served, out) == _said(fresh, out), out
            assert "Traceback" not in served.stderr
        assert (folder / "issue.yaml").read_bytes() == manifest
        umask = [sys.executable, "-c", "import os; os.umask(0o077); " + CLIENT[2]]
        r = _run(umask, ["render", "issue", "-o", "private.pdf"], env, tmp_path)
        assert r.returncode == 0, r.stderr
        assert (tmp_path / "private.pdf").stat().st_mode & 0o777 == 0o600
        r = _run(CLIENT, ["render", "issue", "-o", "shared.pdf"], env, tmp_path)
        assert (tmp_path / "shared.pdf").stat().st_mode & 0o777 == 0o666 & ~_umask()
    finally:
        assert srv.stop() == 0


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_serving_no_issue_or_from_a_shared_folder(tmp_path: Path, env: dict, folder: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-c", "from layout.cli import main; main()", "serve", str(tmp_path / "nothing")],
        capture_output=True, text=True, env=env, timeout=TIMEOUT,
    )  # fmt: skip
    assert r.returncode == 2 and "no such issue manifest" in r.stderr and "Traceback" not in r.stderr
    # A runtime folder others may enter is never used: the server listens in its own private one.
    run = Path(tempfile.mkdtemp(prefix="lsh", dir="/tmp"))
    try:
        (run / "layout").mkdir(mode=0o755)
        os.chmod(run / "layout", 0o755)
        srv = Server(folder, dict(env, XDG_RUNTIME_DIR=str(run)))
        try:
            assert srv.socket.parent != run / "layout"
            assert client.private_dir(srv.socket.parent)
        finally:
            srv.stop()
    finally:
        shutil.rmtree(run, ignore_errors=True)


def test_the_server_s_temporaries_serve_its_renders_and_a_kill_leaves_one_for_the_next_to_sweep(
    folder: Path, env: dict, tmp_path: Path
) -> None:
    """Between renders the server keeps the next PDF's temporary, photos copied in (from its start,
    the issue's own PDF's, drawn whole); killed (SIGKILL: nothing of its own runs), that temporary is
    removed by the next render of the same file, as any temporary of a process that has gone."""
    srv = Server(folder, env, idle="120")
    try:
        srv.wait_for("ready:")
        # Its first build drew the issue's own PDF into that PDF's temporary: used by the first render.
        build = folder / "build"
        assert len(list(build.glob(".*.pdf.*.tmp"))) == 1
        r = _run(CLIENT, ["render", str(folder)], env, tmp_path)
        fresh = _run(IN_PROCESS, ["render", str(folder), "-o", "fresh.pdf", "--no-cache"], env, tmp_path)
        assert r.returncode == fresh.returncode == 0 and srv.served() == 1, r.stderr
        (pdf,) = build.glob("*.pdf")
        assert pdf.read_bytes() == (tmp_path / "fresh.pdf").read_bytes()
        r = _run(CLIENT, ["render", str(folder), "-o", "a.pdf"], env, tmp_path)
        assert r.returncode == 0 and srv.served() == 2, r.stderr
        assert not list(build.glob(".*.tmp"))  # another file: the issue's own PDF's temporary removed
        end = time.monotonic() + TIMEOUT
        while not list(tmp_path.glob(".a.pdf.*.tmp")):  # prepared once it has answered
            assert time.monotonic() < end, "no temporary prepared"
            time.sleep(0.02)
    finally:
        srv.p.kill()
        srv.p.wait(timeout=30)
    assert len(list(tmp_path.glob(".a.pdf.*.tmp"))) == 1  # left by the kill
    r = _run(IN_PROCESS, ["render", str(folder), "-o", "a.pdf"], env, tmp_path)
    assert r.returncode == 0, r.stderr
    assert not list(tmp_path.glob(".a.pdf.*"))
