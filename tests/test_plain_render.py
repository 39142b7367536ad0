"""The `issue` script renders a plain `issue render` without typer (no server, no terminal): it says,
writes and exits exactly as the typer command does, for good and bad input alike."""

from __future__ import annotations

import gc
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

CLIENT = "from layout.serve.client import main; main()"  # the `issue` script
TYPER = "from layout.cli import run; run()"  # the typer command, as `--jobs 1` or a terminal gets it


def _run(entry: str, args: list[str], tmp_path: Path) -> tuple[int, str, str]:
    env = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path / "run")}  # no server of the user's answers
    p = subprocess.run(
        [sys.executable, "-c", entry, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    timing = re.compile(r", \d+\.\d\d s$", re.M)  # the render's own duration
    return p.returncode, timing.sub(", T s", p.stdout), timing.sub(", T s", p.stderr)


def _sha(p: Path) -> str | None:
    return hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else None


def _break(issue: Path, how: str) -> list[str]:
    """Damage the copy as `how` says; the command line to run on it."""
    out = str(issue.parent / "out.pdf")
    if how == "good":
        return ["render", str(issue), "-o", out]
    if how == "no-cache":
        return ["render", "--no-cache", f"--output={out}", str(issue)]
    if how == "bad-yaml":
        m = issue / "issue.yaml"
        m.write_text(m.read_text(encoding="utf-8").replace("pages:", "pages: [", 1), encoding="utf-8")
        return ["render", str(issue), "-o", out]
    if how == "missing":
        return ["render", str(issue / "nowhere"), "-o", out]
    if how == "onto-input":
        return ["render", str(issue), "-o", str(issue / "issue.yaml")]
    if how == "overset":
        art = sorted((issue / "articles").glob("*.md"))[0]
        art.write_text(art.read_text(encoding="utf-8") + ("\n\nMore words to set here. " * 400), encoding="utf-8")
        return ["render", str(issue), "-o", out]
    if how == "overset-allowed":
        args = _break(issue, "overset")
        return [*args, "--allow-overset"]
    if how == "into-new-folder":  # made, as the typer command makes it
        return ["render", str(issue), "-o", str(issue.parent / "new" / "out.pdf")]
    if how.startswith(("jobs", "-j")):  # parsed here too, but never forwarded to a server
        extra = {"jobs 1": ["--jobs", "1"], "jobs=2": ["--jobs=2"], "-j2": ["-j2"], "jobs 3": ["--jobs", "3"]}
        return ["render", str(issue), "-o", out, *extra.get(how, ["-j", "1", "--jobs", "2"])]
    raise AssertionError(how)


CASES = [
    "good", "no-cache", "bad-yaml", "missing", "onto-input", "overset", "overset-allowed", "into-new-folder",
    "jobs 1", "jobs=2", "-j2", "jobs 3", "jobs twice",
]  # fmt: skip


@pytest.mark.parametrize("how", CASES)
def test_plain_route_says_and_writes_what_typer_does(tmp_path: Path, how: str) -> None:
    import shutil

    from conftest import SAMPLE

    results = []
    for entry in (CLIENT, TYPER):
        work = tmp_path / ("client" if entry is CLIENT else "typer")
        issue = work / "issue"
        shutil.copytree(SAMPLE, issue, ignore=shutil.ignore_patterns("build"))
        args = _break(issue, how)
        inputs = {p: _sha(p) for p in issue.rglob("*") if p.is_file() and "build" not in p.parts}
        code, out, err = _run(entry, args, tmp_path)
        assert "Traceback" not in err, err
        assert {p: _sha(p) for p in inputs} == inputs, "an input changed"
        pdf = work / ("new" if how == "into-new-folder" else "") / "out.pdf"
        results.append((code, out.replace(str(work), "W"), err.replace(str(work), "W"), _sha(pdf)))
    assert results[0] == results[1]
    written = {
        "good": 0,
        "no-cache": 0,
        "into-new-folder": 0,
        "overset-allowed": 1,
        "jobs 1": 0,
        "jobs=2": 0,
        "-j2": 0,
        "jobs twice": 0,
    }
    assert results[0][0] == {**written, "overset": 1}.get(how, 2), results[0]
    assert (results[0][3] is not None) == (how in written)


def test_plain_route_is_taken_without_typer(tmp_path: Path, issue: Path) -> None:
    """The point of the route: a plain render imports neither typer nor click."""
    probe = (
        "import atexit, sys; import layout.serve.client as c; say = lambda: print('typer' in sys.modules);"
        "atexit.register(say); leave = c._leave; c._leave = lambda code: (say(), leave(code)); c.main()"
    )  # the plain route leaves by os._exit (no atexit), the typer command by sys.exit
    code, out, _ = _run(probe, ["render", str(issue), "-o", str(tmp_path / "o.pdf")], tmp_path)
    assert code == 0 and out.strip().endswith("False"), out
    code, out, _ = _run(probe, ["render", str(issue), "--jobs", "1", "-o", str(tmp_path / "o.pdf")], tmp_path)
    assert code == 0 and out.strip().endswith("False"), out  # --jobs too
    code, out, _ = _run(probe, ["render", str(issue), "--greedy", "-o", str(tmp_path / "o.pdf")], tmp_path)
    assert code in (0, 1) and out.strip().endswith("True"), out  # other options: the typer command


def test_plain_route_leaves_its_build_to_the_exit(tmp_path: Path, issue: Path) -> None:
    """The build is still held when the process leaves by os._exit: its objects go with the
    process, not one by one (which took 8-11 ms of a 16-page render)."""
    probe = (
        "import gc; import layout.serve.client as c; from layout.pipeline import Built; leave = c._leave;"
        "c._leave = lambda code: (print(sum(isinstance(o, Built) for o in gc.get_objects())), leave(code)); c.main()"
    )
    code, out, _ = _run(probe, ["render", str(issue), "-o", str(tmp_path / "o.pdf")], tmp_path)
    assert code == 0 and out.strip().endswith("1"), out


def test_a_one_shot_render_does_not_collect_and_a_session_does(tmp_path: Path, issue: Path, monkeypatch) -> None:
    """`issue render` renders with the cycle collector off (it renders once and exits), by either
    route; a caller in this process gets it back on; serve and watch (tune_gc) keep it on."""
    import layout.render
    from layout.cli import app
    from layout.pipeline import tune_gc

    probe = (
        "import gc; import layout.render as r; real = r.run_render;"
        "r.run_render = lambda *a, **k: (print('collecting', gc.isenabled()), real(*a, **k))[1];"
        "import layout.serve.client as c; c.main()"
    )
    code, out, _ = _run(probe, ["render", str(issue), "-o", str(tmp_path / "o.pdf")], tmp_path)
    assert code == 0 and "collecting False" in out, out
    was, threshold = gc.isenabled(), gc.get_threshold()
    seen: list[bool] = []
    real = layout.render.run_render
    monkeypatch.setattr(layout.render, "run_render", lambda *a, **k: (seen.append(gc.isenabled()), real(*a, **k))[1])
    try:
        gc.enable()
        r = CliRunner().invoke(app, ["render", str(issue), "-o", str(tmp_path / "t.pdf")])
        assert r.exit_code == 0, r.output
        assert seen == [False] and gc.isenabled()  # the typer command: off while rendering, then on again
        tune_gc()
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
        (gc.enable if was else gc.disable)()


def test_progress_shows_each_phase_and_leaves_the_line_blank() -> None:
    import io
    from types import SimpleNamespace

    from layout.render import Progress

    s = io.StringIO()
    bar = Progress(s)
    with bar:
        bar.loaded(SimpleNamespace(issue=SimpleNamespace(pages=[1, 2, 3])))
        for _ in range(3):
            bar.tick()
    with bar:
        bar.writing(3)
        bar.tick()
    text = s.getvalue()
    assert "laying out" in text and "3/3" in text and "writing" in text and "1/3" in text
    assert text.endswith("\r") and text.rsplit("\r", 2)[-2].strip() == "", "the line is left blank"
    assert "\n" not in text


def test_a_render_in_a_terminal_shows_progress_and_writes_the_pdf(tmp_path: Path, issue: Path) -> None:
    """In a terminal (a pseudo-terminal here) the plain route shows its progress line on stderr."""
    import pty
    import select

    out = tmp_path / "t.pdf"
    env = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path / "run")}
    leader, follower = pty.openpty()
    p = subprocess.Popen(
        [sys.executable, "-c", CLIENT, "render", str(issue), "-o", str(out)],
        stdin=follower, stdout=subprocess.PIPE, stderr=follower, env=env,
    )  # fmt: skip
    os.close(follower)
    seen = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    assert p.wait(timeout=60) == 0
    os.close(leader)
    assert b"laying out" in seen and b"writing" in seen and b"Traceback" not in seen, seen
    assert out.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("closed", ["stdout", "stderr", "both"])
def test_closed_output_streams_neither_crash_nor_stop_the_render(tmp_path: Path, issue: Path, closed: str) -> None:
    """Started with standard output or error closed (`>&-`, a cron job): the PDF is written and the
    exit code says so, by either route; nothing is printed, no traceback."""
    got = {}
    for entry in (CLIENT, TYPER):
        out = tmp_path / f"{'client' if entry is CLIENT else 'typer'}.pdf"
        redirect = {"stdout": ">&-", "stderr": "2>&-", "both": ">&- 2>&-"}[closed]
        code = tmp_path / "code"
        run = f'"{sys.executable}" -c "{entry}" render "{issue}" -o "{out}" {redirect}'
        cmd = f'exec 3>"{code}"; {run}; echo "exit $?" >&3'
        env = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path / "run")}
        p = subprocess.run(["bash", "-c", cmd], env=env, timeout=120)
        assert p.returncode == 0
        got[entry] = ((tmp_path / "code").read_text().strip(), _sha(out))
    assert got[CLIENT] == got[TYPER]
    assert got[CLIENT][0] == "exit 0" and got[CLIENT][1] is not None
