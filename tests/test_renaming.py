"""A finished PDF put in place by a thread (manifest/renaming.Renaming): over an earlier file the two
names are exchanged in one step where the system can (Linux's renameat2), the earlier file then
removed and the new file's write-back started; elsewhere, or where the exchange fails, a rename as
before. Either way the output is whole at every moment, no temporary is left, and an interrupt
says truly whether the new file got in place."""

from __future__ import annotations

import errno
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from layout.manifest import renaming as files

linux_swap = pytest.mark.skipif(files._exchange is None, reason="no renameat2 exchange here (not built, not Linux)")


def _files(tmp_path: Path, old: bytes | None = b"old PDF") -> tuple[Path, Path]:
    out = tmp_path / "out.pdf"
    if old is not None:
        out.write_bytes(old)
    tmp = tmp_path / ".out.pdf.1234-x.tmp"
    tmp.write_bytes(b"new PDF")
    return tmp, out


def _spy(monkeypatch: pytest.MonkeyPatch) -> tuple[list, list]:
    swaps: list = []
    hints: list = []
    real = files._exchange
    if real is not None:
        monkeypatch.setattr(files, "_exchange", lambda a, b: swaps.append((a, b)) or real(a, b))
    real_hint = os.posix_fadvise
    monkeypatch.setattr(os, "posix_fadvise", lambda fd, o, n, how: hints.append(how) or real_hint(fd, o, n, how))
    return swaps, hints


@linux_swap
def test_over_an_earlier_file_the_names_are_exchanged_and_the_earlier_one_removed(tmp_path, monkeypatch) -> None:
    tmp, out = _files(tmp_path)
    swaps, hints = _spy(monkeypatch)
    other = tmp_path / "kept-elsewhere.pdf"
    os.link(out, other)  # the earlier file has another name: that one keeps it
    with open(out, "rb") as f:
        r = files.Renaming(tmp, out)
        r.wait()
        assert out.read_bytes() == b"new PDF"
        r.finish()
        assert os.fstat(f.fileno()).st_nlink == 1, "the earlier file's name under the temporary was removed"
    assert swaps == [(tmp, out)] and hints == [os.POSIX_FADV_DONTNEED], "write-back started as a rename would"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept-elsewhere.pdf", "out.pdf"]
    assert other.read_bytes() == b"old PDF"


@linux_swap
def test_files_named_relative_to_a_folder_left_meanwhile_are_tidied_there(tmp_path, monkeypatch) -> None:
    """`issue serve` renders from its client's folder and goes back to its own as soon as the file
    is in place, while the thread still removes the earlier file: the names were taken whole."""
    tmp, out = _files(tmp_path)
    go = threading.Event()
    real = os.posix_fadvise
    monkeypatch.setattr(os, "posix_fadvise", lambda *a: go.wait(10) and real(*a))
    monkeypatch.chdir(tmp_path)
    r = files.Renaming(Path(tmp.name), Path(out.name))
    r.wait()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / tmp.name).write_bytes(b"not ours")
    monkeypatch.chdir(elsewhere)
    go.set()
    r.finish()
    assert not tmp.exists() and out.read_bytes() == b"new PDF"
    assert (elsewhere / tmp.name).read_bytes() == b"not ours"


@linux_swap
def test_the_file_is_in_place_before_the_earlier_one_is_removed(tmp_path, monkeypatch) -> None:
    """`wait` returns once the names are exchanged; removing the earlier file (freeing a 31 MB PDF's
    blocks took 7-14 ms) goes on meanwhile, and `finish` waits for it."""
    tmp, out = _files(tmp_path)
    go = threading.Event()
    real = os.posix_fadvise
    monkeypatch.setattr(os, "posix_fadvise", lambda *a: go.wait(10) and real(*a))
    r = files.Renaming(tmp, out)
    r.wait()
    assert out.read_bytes() == b"new PDF" and tmp.read_bytes() == b"old PDF"
    go.set()
    r.finish()
    assert not tmp.exists()


@pytest.mark.parametrize("how", ["no exchange here", "exchange refused", "no earlier file", "a symlink"])
def test_otherwise_a_rename_as_before(tmp_path, monkeypatch, how: str) -> None:
    tmp, out = _files(tmp_path, None if how == "no earlier file" else b"old PDF")
    if how == "a symlink":
        out.unlink()
        target = tmp_path / "elsewhere.pdf"
        target.write_bytes(b"old PDF")
        out.symlink_to(target)
    swaps, _ = _spy(monkeypatch)
    if how == "no exchange here":
        monkeypatch.setattr(files, "_exchange", None)
    elif how == "exchange refused":

        def refuse(a: Path, b: Path) -> None:
            swaps.append((a, b))
            raise OSError(errno.EINVAL, "not on this file system")

        monkeypatch.setattr(files, "_exchange", refuse)
    r = files.Renaming(tmp, out)
    r.wait()
    r.finish()
    assert out.read_bytes() == b"new PDF" and not out.is_symlink()
    assert not tmp.exists()
    if how == "a symlink":
        assert (tmp_path / "elsewhere.pdf").read_bytes() == b"old PDF", "a symlink's target is left alone"
    if how == "no earlier file":
        assert swaps == [], "nothing to exchange with: renamed"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["out.pdf", *(["elsewhere.pdf"] if how == "a symlink" else [])]
    )


@linux_swap
def test_interrupted_after_the_exchange_says_the_file_was_written(tmp_path, monkeypatch) -> None:
    tmp, out = _files(tmp_path)
    monkeypatch.setattr(os, "posix_fadvise", lambda *a: time.sleep(0.3))  # the earlier file still there
    r = files.Renaming(tmp, out)
    r.placed.wait()
    assert r.abandon() is False, "the new file was in place"
    assert out.read_bytes() == b"new PDF" and not tmp.exists()
    r.finish()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf"]


@linux_swap
def test_interrupted_while_an_exchange_hangs_leaves_the_earlier_file(tmp_path, monkeypatch) -> None:
    """A stuck file system: `abandon` does not wait for the exchange for long; it removes the new
    file, so the exchange then fails and the earlier file stays."""
    tmp, out = _files(tmp_path)
    go = threading.Event()
    real = files._exchange

    def stuck(a: Path, b: Path) -> None:
        go.wait(10)
        real(a, b)  # type: ignore[misc]

    monkeypatch.setattr(files, "_exchange", stuck)
    r = files.Renaming(tmp, out)
    t = time.monotonic()
    assert r.abandon() is True and time.monotonic() - t < 5
    go.set()
    r.finish()
    assert out.read_bytes() == b"old PDF" and r.error is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.pdf"]


def test_the_exchange_is_built_where_it_can_be() -> None:
    """CI sets LAYOUT_REQUIRE_ACCEL=1: on Linux the exchange must have been compiled and imported."""
    if os.environ.get("LAYOUT_REQUIRE_ACCEL") != "1" or not sys.platform.startswith("linux"):
        pytest.skip("LAYOUT_REQUIRE_ACCEL is not set, or not Linux")
    assert files._exchange is not None, "layout.manifest._swap did not build or import (python setup.py build_ext)"
