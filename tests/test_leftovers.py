"""What a killed render leaves is removed by the next one that writes the same file, and nothing else.

A temporary name says whose it is (`.NAME.PID-HOST.XXXXXXXX.tmp`, `.photos`, `.partial`); the sweep
before each write removes those of that NAME whose process ended on this machine. Each case below
plants or makes leftovers and checks what stays: a live process's, another machine's, another
name's, a symbolic link (and what it leads to), another user's, anything of another form."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile import SAMPLE, cli

from layout.manifest import leftovers
from layout.manifest.files import atomic_folder, atomic_write
from layout.manifest.leftovers import host_tag, sweep, temp_prefix
from layout.manifest.packs import write_pack

RENDER = "the-lodestar-science-weekly-2026-12-03.pdf"


def dead_pid() -> int:
    """The pid of a process that has ended and been reaped."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def plant(
    folder: Path, name: str, pid: int, suffix: str = "tmp", host: str | None = None, rand: str = "abcd_1x3"
) -> Path:
    p = folder / f".{name}.{pid}-{host or host_tag()}.{rand}.{suffix}"
    if suffix == "photos":
        p.mkdir()
        (p / "0.jpg").write_bytes(b"x" * 1000)
    else:
        p.write_bytes(b"half a file")
    return p


def test_a_dead_process_leftovers_go_and_nothing_else(tmp_path: Path) -> None:
    dead = dead_pid()
    gone = [plant(tmp_path, "out.pdf", dead, s, rand=f"aaaa{i:04d}") for i, s in enumerate(leftovers.SUFFIXES)]
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stay = [
            plant(tmp_path, "out.pdf", os.getpid()),  # this process: live work
            plant(tmp_path, "out.pdf", live.pid, "photos"),  # another live process
            plant(tmp_path, "out.pdf", dead, host="0badf00d"),  # another machine's: cannot be asked
            plant(tmp_path, "other.pdf", dead),  # another output's
            plant(tmp_path, "out.pdf", dead, "pdf"),  # not a temporary's suffix
            plant(tmp_path, "out.pdf", dead, rand="short"),  # not mkstemp's form
            plant(tmp_path, "out.pdf", 0),  # no process is 0 (os.kill(0) would signal our group)
        ]
        stay.append(tmp_path / "out.pdf")
        stay[-1].write_bytes(b"the earlier edition")
        target = tmp_path / "precious"
        target.mkdir()
        (target / "keep.txt").write_text("keep")
        link = tmp_path / f".out.pdf.{dead}-{host_tag()}.linklink.photos"
        link.symlink_to(target)
        stay.append(link)
        assert sweep(tmp_path, "out.pdf") == len(gone)
    finally:
        live.kill()
        live.wait()
    assert [p for p in gone if os.path.lexists(p)] == []
    assert [p for p in stay if not os.path.lexists(p)] == []
    assert (target / "keep.txt").read_text() == "keep"


def test_a_zombie_has_ended(tmp_path: Path) -> None:
    """Killed and not yet reaped (its parent is slow, or PID 1 in a container never reaps): it
    writes nothing more, so its leftovers go."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    try:
        time.sleep(0.05)
        p = plant(tmp_path, "out.pdf", pid)
        assert sweep(tmp_path, "out.pdf") == 1 and not p.exists()
    finally:
        os.waitpid(pid, 0)


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to make another user's file")
def test_another_users_leftover_stays(tmp_path: Path) -> None:
    p = plant(tmp_path, "out.pdf", dead_pid())
    os.chown(p, 65534, 65534)
    assert sweep(tmp_path, "out.pdf") == 0 and p.exists()


def killed_inside(write) -> None:  # type: ignore[no-untyped-def]
    """Run `write()` in a child that SIGKILLs itself inside it (after writing part of the file)."""
    pid = os.fork()
    if pid == 0:
        try:
            write()
        finally:
            os._exit(3)  # not reached unless `write` returned without killing
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def test_killed_writes_are_swept_by_the_next_write(tmp_path: Path) -> None:
    out, folder, pack = tmp_path / "out.pdf", tmp_path / "bag", tmp_path / "cache" / "paragraphs.bin"

    def file() -> None:
        with atomic_write(out) as tmp:
            tmp.write_bytes(b"%PDF-1.4 half")
            os.kill(os.getpid(), signal.SIGKILL)

    def whole_folder() -> None:
        with atomic_folder(folder, suffix=".partial") as tmp:
            (tmp / "data.txt").write_text("half")
            os.kill(os.getpid(), signal.SIGKILL)

    killed_inside(file)
    killed_inside(whole_folder)
    pack.parent.mkdir()
    left = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))
    assert len(left) == 2, left
    with atomic_write(out) as tmp:
        tmp.write_bytes(b"%PDF-1.4 whole")
    with atomic_folder(folder, suffix=".partial") as tmp:
        (tmp / "data.txt").write_text("whole")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bag", "cache", "out.pdf"]
    assert out.read_bytes() == b"%PDF-1.4 whole"
    # A cache pack's temporary likewise.
    plant(pack.parent, pack.name, dead_pid())
    write_pack(pack, b"magic\n", "v", {"k": (1, 2)})
    assert [p.name for p in pack.parent.iterdir()] == ["paragraphs.bin"]


def test_a_long_output_name_still_has_room(tmp_path: Path) -> None:
    """The temporary name is cut to fit the file system's 255 bytes; the sweep knows the cut name."""
    out = tmp_path / ("é" * 120 + ".pdf")  # 244 bytes
    assert len(temp_prefix(out.name).encode()) + len("XXXXXXXX.tmp.raw") <= 255
    left = tmp_path / f"{temp_prefix(out.name).rsplit('.', 2)[0]}.{dead_pid()}-{host_tag()}.abcdefgh.tmp"
    left.write_bytes(b"half")
    with atomic_write(out) as tmp:
        tmp.write_bytes(b"whole")
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_render_and_print_sweep_a_killed_renders_leftovers(issue: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`issue render` (screen and print) removes a killed render's half PDF and separated photos
    beside the output it writes; a live render's stay."""
    build = issue / "build"
    build.mkdir()
    dead = dead_pid()
    gone = [plant(build, RENDER, dead), plant(build, RENDER, dead, "photos", rand="bbbbbbbb")]
    live = plant(build, RENDER, os.getpid(), rand="cccccccc")
    assert cli("render", issue).code == 0
    assert [p for p in gone if p.exists()] == [] and live.exists()
    out = issue / "print.pdf"
    gone = [plant(issue, out.name, dead, "photos"), plant(issue, out.name, dead, "tmp.raw")]
    import layout.print.render as print_render

    folders = []  # where the separated photos wait: named as the sweep knows them, for the output

    def separate(*args):  # type: ignore[no-untyped-def]
        folders.append(args[3].name)
        return real(*args)

    real = print_render.separate
    monkeypatch.setattr(print_render, "separate", separate)
    assert cli("render", issue, "--print", "-o", out).code == 0
    assert len(folders) == 1 and folders[0].startswith(temp_prefix(out.name)) and folders[0].endswith(".photos")
    assert [p for p in gone if p.exists()] == []
    assert sorted(p.name for p in issue.iterdir() if p.name.startswith(".")) == []
    assert SAMPLE.is_dir()


def test_another_pid_namespace_is_another_owner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two containers sharing a folder and a host name number their processes apart: a pid that
    is gone here may be live there, so the other's temporaries (another tag) are never swept."""
    ours = host_tag()
    real = os.readlink
    monkeypatch.setattr(leftovers, "_host", [])
    monkeypatch.setattr(os, "readlink", lambda p, *a, **k: "pid:[1]" if p == "/proc/self/ns/pid" else real(p, *a, **k))
    theirs = host_tag()
    assert theirs != ours
    monkeypatch.setattr(leftovers, "_host", [ours])
    left = plant(tmp_path, "out.pdf", dead_pid(), host=theirs)
    assert sweep(tmp_path, "out.pdf") == 0 and left.exists()
