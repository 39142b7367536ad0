"""The start-up shelf (manifest/compiled.py): regular expressions and dataclass methods compiled by
one process are handed back to the next, equal to what compiling them afresh gives; a damaged,
foreign or refused entry only means compiling as usual; patterns that differ every run (built from a
set) do not rewrite the shelf; --no-cache neither reads nor writes it; renders are byte-identical."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "issues" / "2026-12-03"

# Prints, for the methods dataclasses made (the package's and one defined here), everything their
# code and annotations hold; then how many patterns and methods the shelf served, and how many of
# the served patterns differ from a fresh compile.
PROBE = r"""
import os, re, sys
from pathlib import Path
from re import _compiler
fresh = _compiler.compile
if sys.argv[1] != "-":
    from layout.manifest import compiled
    compiled.install(Path(sys.argv[1]))
import dataclasses
import yaml, markdown_it
import layout.pipeline, layout.render, layout.page.frames as frames, layout.page.containment as containment

@dataclasses.dataclass(order=True, frozen=True)
class Local:
    a: int
    b: "list[str]" = dataclasses.field(default_factory=list)
    c: float = 1.5

def code(f):
    c = f.__code__
    return (c.co_code, repr(c.co_consts), c.co_names, c.co_varnames, c.co_flags, repr(f.__annotations__))

for cls in (frames.Box, frames.TextItem, containment.Ink, Local):
    for name in ("__init__", "__repr__", "__eq__", "__lt__", "__hash__", "__setattr__"):
        f = cls.__dict__.get(name)
        if f is not None and hasattr(f, "__code__"):
            print(cls.__name__, name, code(f))
print(Local(1) < Local(2), Local(3, ["x"]))
if sys.argv[1] != "-":
    compiled.keep()
    k = compiled._kept[0]
    bad = [key for key in k.used_patterns if fresh(*key) != _compiler.compile(*key)]
    print("SERVED", len(k.used_patterns), len(k.used_sources), len(bad))
"""


def _probe(folder: Path | None, seed: str = "0") -> tuple[list[str], tuple[int, int, int] | None]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONHASHSEED=seed)
    r = subprocess.run(
        [sys.executable, "-c", PROBE, str(folder) if folder else "-"], env=env, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    served = [ln for ln in lines if ln.startswith("SERVED")]
    body = [ln for ln in lines if not ln.startswith("SERVED")]
    return body, (tuple(int(x) for x in served[0].split()[1:]) if served else None)  # type: ignore[return-value]


@pytest.fixture
def shelf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))  # the packs' key, for the probes and here
    return tmp_path / "xdg" / "layout" / "compiled"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.glob("*.bin")} if folder.is_dir() else {}


def test_served_equals_compiled_afresh(shelf: Path) -> None:
    reference, _ = _probe(None)
    assert len(reference) >= 8
    first, (p1, s1, bad1) = _probe(shelf)  # type: ignore[misc]
    assert first == reference and (p1, s1, bad1) == (0, 0, 0)  # an empty shelf: all compiled, then kept
    assert len(_files(shelf)) == 1
    again, (p2, s2, bad2) = _probe(shelf)  # type: ignore[misc]
    assert again == reference
    assert p2 >= 80 and s2 >= 80 and bad2 == 0  # served from the shelf, each equal to a fresh compile


def test_patterns_new_every_run_do_not_rewrite_it(shelf: Path) -> None:
    _probe(shelf, seed="1")
    kept = _files(shelf)
    for seed in ("2", "3"):  # another string hashing: patterns built from sets come out in another order
        _probe(shelf, seed=seed)
        assert _files(shelf) == kept


def test_damaged_or_foreign_shelf_is_compiled_past_and_rewritten(shelf: Path) -> None:
    reference, _ = _probe(None)
    _probe(shelf)
    ((name, data),) = _files(shelf).items()
    flipped = bytearray(data)
    flipped[len(flipped) // 2] ^= 0x40
    (shelf / name).write_bytes(bytes(flipped))
    out, (p, s, bad) = _probe(shelf)  # type: ignore[misc]
    assert out == reference and (p, s, bad) == (0, 0, 0)
    assert _files(shelf)[name] == data  # written whole again
    (shelf.parent / "pack.key").write_bytes(os.urandom(32))  # the shelf now reads as another machine's
    out, (p, s, bad) = _probe(shelf)  # type: ignore[misc]
    assert out == reference and (p, s) == (0, 0)


def test_an_entry_the_engine_refuses_is_compiled_as_usual(shelf: Path) -> None:
    from layout.manifest import compiled

    folder_shelf, key = compiled._shelf(shelf)
    junk = (32, [999_999, 1, 2], 0, {}, (None,))  # not code the regex engine accepts
    folder_shelf.put(key, ({("colou?r", 32): junk, ("colou?r", 0): junk}, {}))
    script = (
        "import sys, re; from pathlib import Path; from layout.manifest import compiled; "
        "compiled.install(Path(sys.argv[1])); "
        "print(bool(re.fullmatch('colou?r', 'color')), bool(re.compile('colou?r').match('colour')), "
        "compiled._kept[0].used_patterns)"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-c", script, str(shelf)], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["True", "True", "set()"]


def _render(issue: Path, out: Path, *extra: str) -> None:
    script = "import sys; from layout.serve.client import main; sys.argv = ['issue', *sys.argv[1:]]; main()"
    env = dict(os.environ, PYTHONPATH=str(ROOT), XDG_RUNTIME_DIR=str(issue.parent / "no-server"))
    r = subprocess.run(
        [sys.executable, "-c", script, "render", str(issue), "-o", str(out), *extra],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert r.returncode in (0, 1), r.stderr


def test_issue_render_keeps_and_uses_it_with_the_same_bytes(shelf: Path, tmp_path: Path) -> None:
    issue = tmp_path / "issue"
    shutil.copytree(SAMPLE, issue, ignore=shutil.ignore_patterns("build"))
    _render(issue, tmp_path / "plain.pdf", "--no-cache")
    assert not shelf.exists()  # --no-cache reads and writes no house shelf
    _render(issue, tmp_path / "first.pdf")
    kept = _files(shelf)
    assert len(kept) == 1
    shutil.rmtree(issue / "build", ignore_errors=True)
    _render(issue, tmp_path / "second.pdf")
    assert _files(shelf) == kept
    plain = (tmp_path / "plain.pdf").read_bytes()
    assert (tmp_path / "first.pdf").read_bytes() == plain == (tmp_path / "second.pdf").read_bytes()


@pytest.mark.parametrize("where", ["a file", "unwritable"])
def test_a_cache_folder_that_cannot_be_used_only_means_compiling(shelf: Path, tmp_path: Path, where: str) -> None:
    """Where the shelf cannot be read or written (the cache folder is a file; it is read-only), the
    process compiles as usual and says nothing about it."""
    if where == "a file":
        shelf.parent.parent.mkdir(parents=True)
        shelf.parent.write_text("not a folder")
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes into a read-only folder")
        shelf.mkdir(parents=True)
        shelf.chmod(0o500)
    reference, _ = _probe(None)
    out, (p, s, bad) = _probe(shelf)  # type: ignore[misc]
    assert out == reference and (p, s, bad) == (0, 0, 0)
