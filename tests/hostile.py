"""Helpers shared by the hostile-input tests: running the `issue` command, breaking a copy of the
sample issue, and fingerprinting folders to prove nothing was written or damaged."""

from __future__ import annotations

import hashlib
import struct
import subprocess
import sys
import traceback
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from layout.cli import app

SAMPLE = Path(__file__).resolve().parents[1] / "issues" / "2026-12-03"
ENTRY = "from layout.cli import main; main()"
EARLIER = b"%PDF-1.4\n% an earlier, good edition\n" + bytes(range(256))


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def cli(*args: object) -> Run:
    r = CliRunner().invoke(app, [str(a) for a in args])
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        tb = "".join(traceback.format_exception(*r.exc_info)) if r.exc_info else repr(r.exception)
        pytest.fail(f"`issue {' '.join(map(str, args))}` raised instead of reporting:\n{tb}")
    return Run(r.exit_code, r.stdout, r.stderr)


def cli_subprocess(*args: object, timeout: float = 120, **kw) -> Run:  # type: ignore[no-untyped-def]
    p = subprocess.run(
        [sys.executable, "-c", ENTRY, *map(str, args)], capture_output=True, text=True, timeout=timeout, **kw
    )
    return Run(p.returncode, p.stdout, p.stderr)


def digest(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder`, by relative path."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


# --------------------------------------------------------------------------- editing helpers

Edit = Callable[[Path], None]


def edit_text(rel: str, old: str, new: str) -> Edit:
    def e(folder: Path) -> None:
        p = folder / rel
        t = p.read_text(encoding="utf-8")
        assert t.count(old) == 1, f"test bug: {old!r} occurs {t.count(old)} times in {rel}"
        p.write_text(t.replace(old, new), encoding="utf-8")

    return e


def append_text(rel: str, new: str) -> Edit:
    def e(folder: Path) -> None:
        p = folder / rel
        p.write_text(p.read_text(encoding="utf-8") + new, encoding="utf-8")

    return e


def write_bytes(rel: str, data: bytes | Callable[[], bytes]) -> Edit:
    def e(folder: Path) -> None:
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data() if callable(data) else data)

    return e


def edits(*es: Edit) -> Edit:
    def e(folder: Path) -> None:
        for x in es:
            x(folder)

    return e


def fill_bodies(data: bytes) -> Edit:
    """Every article file of the issue replaced by `data`."""

    def e(folder: Path) -> None:
        for p in (folder / "articles").glob("*.md"):
            p.write_bytes(data)

    return e


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares `width` x `height` pixels in a few dozen bytes (a decompression bomb's
    header): decoding it would take gigabytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


BOMB = "".join(
    f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}" if i else "lol"] * 9) + "]\n" for i in range(9)
)  # 9**9 values once expanded
