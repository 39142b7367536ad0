"""What a build session keeps of the files it reads, and the fast way paths are resolved.

`files.real` (an open without reading and a readlink) names every path as pathlib's resolve()
does: plain files and folders, symlinks inside and out of the folder, dangling links, loops,
missing paths, `..` after a symlinked folder, relative paths, a FIFO. `KeptReads` gives what it
made of a file again only while the file's version is unchanged, never for a file changed in the
last moments (a write in the same clock tick would keep its version), and after a load lets go of
files no longer read. A load with a session's reads still refuses a symlink turned to point out of
the folder, and reads a body again when it changes.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from layout.manifest import reads
from layout.manifest.errors import InvalidInput
from layout.manifest.files import inside, real
from layout.manifest.load import load_issue
from layout.manifest.reads import KeptReads

SAMPLE = Path(__file__).resolve().parents[1] / "issues" / "2026-12-03"


def test_real_names_every_path_as_pathlib_resolves_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "out").mkdir()
    (tmp_path / "in" / "a.txt").write_text("a")
    (tmp_path / "out" / "b.txt").write_text("b")
    (tmp_path / "in" / "link-in").symlink_to("sub")
    (tmp_path / "in" / "link-out").symlink_to(tmp_path / "out" / "b.txt")
    (tmp_path / "in" / "dir-out").symlink_to(tmp_path / "out")
    (tmp_path / "in" / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "in" / "loop1").symlink_to("loop2")
    (tmp_path / "in" / "loop2").symlink_to("loop1")
    os.mkfifo(tmp_path / "in" / "fifo")
    monkeypatch.chdir(tmp_path / "in")
    rels = [
        "a.txt", "sub", "sub/", "link-in", "link-in/../a.txt", "link-out", "dir-out/b.txt", "dir-out/../in/a.txt",
        "dangling", "missing/x.txt", "a.txt/", "./a.txt", "sub//..//a.txt", "fifo", ".", "..", "/", "",
    ]  # fmt: skip
    for rel in rels:
        for p in (tmp_path / "in" / rel, Path(rel) if rel else Path(".")):
            assert real(p) == str(p.resolve()), p
    with pytest.raises(RuntimeError):
        Path("loop1").resolve()
    with pytest.raises(RuntimeError):
        real(Path("loop1"))
    base = tmp_path / "in"
    assert inside(base, "a.txt") == base / "a.txt"
    assert inside(base, "link-in") == base / "sub"
    assert inside(base, "") == base
    for out in ("link-out", "dir-out/b.txt", "../out/b.txt", str(tmp_path / "out" / "b.txt"), "dangling", "a\x00"):
        assert inside(base, out) is None, out


def test_kept_reads_give_what_was_made_while_the_file_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "f.txt"
    f.write_text("one")
    made: list[str] = []

    def make() -> str:
        made.append(f.read_text())
        return made[-1]

    kept = KeptReads()
    assert kept.get("t", f, make) == "one" and kept.get("t", f, make) == "one"
    assert len(made) == 2  # just written: too recent to tell a write in the same tick apart
    monkeypatch.setattr(reads, "RECENT_NS", 0)
    assert kept.get("t", f, make) == "one" and kept.get("t", f, make) == "one"
    assert len(made) == 3  # kept
    f.write_text("two")  # the same file, another version
    assert kept.get("t", f, make) == "two" and len(made) == 4
    g = tmp_path / "g.txt"
    g.write_text("three")
    os.replace(g, f)  # replaced by another file
    assert kept.get("t", f, make) == "three" and len(made) == 5

    def broken() -> str:
        raise InvalidInput([])

    with pytest.raises(InvalidInput):
        kept.get("u", f, broken)
    kept.done()  # the load read f (twice) and failed on u: only f's is kept
    assert list(kept._kept) == [("t", str(f))]
    kept.done()  # a load that read nothing
    assert not kept._kept


def test_a_load_with_kept_reads_checks_the_files_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reads, "RECENT_NS", 0)
    folder = tmp_path / "issue"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("build"))
    kept = KeptReads()
    first = load_issue(folder, kept)
    again = load_issue(folder, kept)
    assert kept.hits >= 1 + len(first.bodies)  # the manifest and every body file
    assert again.issue is first.issue and again.bodies == first.bodies
    gem = folder / "articles" / "geminids.md"
    gem.write_text(gem.read_text(encoding="utf-8").replace("Geminids", "Gemini", 1), encoding="utf-8")
    assert "Gemini " in load_issue(folder, kept).bodies["geminids"]
    # A body turned into a symlink out of the folder, and a photo into one: refused as in a fresh load.
    outside = tmp_path / "elsewhere.md"
    outside.write_text("Text from outside the issue folder.\n", encoding="utf-8")
    gem.unlink()
    gem.symlink_to(outside)
    with pytest.raises(InvalidInput) as e:
        load_issue(folder, kept)
    assert "leaves the issue folder" in str(e.value.problems[0])
    gem.unlink()
    gem.write_text("Back inside.\n", encoding="utf-8")
    photo = folder / "photos" / "qinglan-turbine-hall.jpg"
    shutil.move(photo, tmp_path / "photo.jpg")
    photo.symlink_to(tmp_path / "photo.jpg")
    with pytest.raises(InvalidInput) as e:
        load_issue(folder, kept)
    assert "photos[0].file: path 'photos/qinglan-turbine-hall.jpg' leaves the issue folder" in str(e.value.problems[0])
