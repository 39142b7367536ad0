"""The photos' digests made by a child forked right after the manifest is read (pdf.photodigests
`start_hashing`): the PDF is the same bytes as when drawing hashes them; a child that fails or
sends junk only leaves them to drawing; a build that fails on the way leaves no child behind; and
a render whose photos are already named (the kept pack) forks none."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from layout.cli import app
from layout.pdf import photodigests, photonames


def render(issue: Path, out: Path, *extra: str) -> bytes:
    r = CliRunner().invoke(app, ["render", str(issue), "-o", str(out), *extra])
    assert r.exit_code == 0, r.output
    return out.read_bytes()


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The hashing children forked (their pids), at any size of photos."""
    monkeypatch.setattr(photodigests, "EARLY_BYTES", 0)
    pids: list[int] = []
    real = photodigests.Hashing.__init__

    def init(self, photos):  # type: ignore[no-untyped-def]
        real(self, photos)
        pids.append(self.pid)

    monkeypatch.setattr(photodigests.Hashing, "__init__", init)
    return pids


def no_children() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_the_childs_digests_name_the_photos_as_drawing_would(issue: Path, tmp_path: Path, forks: list[int]) -> None:
    photonames._digests.clear()
    serial = render(issue, tmp_path / "serial.pdf", "--no-cache", "--jobs", "1")
    assert forks == []
    photonames._digests.clear()
    assert render(issue, tmp_path / "early.pdf", "--no-cache", "--jobs", "2") == serial
    assert len(forks) == 1 and no_children()
    assert photonames._digests, "the child's digests were taken"


@pytest.mark.parametrize("how", ["fails", "junk", "wrong shape"])
def test_a_child_that_fails_leaves_the_photos_to_drawing(
    issue: Path, tmp_path: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    photonames._digests.clear()
    serial = render(issue, tmp_path / "serial.pdf", "--no-cache", "--jobs", "1")
    photonames._digests.clear()

    def made(photos, hash_them=False):  # type: ignore[no-untyped-def]
        if how == "fails":
            raise OSError("the disk went away")
        if how == "junk":
            return {(1, 2, 3, 4, 5): "not a digest"}
        return ["not", "a", "dict"]

    monkeypatch.setattr(photodigests, "made", made)  # only the child calls it (the helper gets no `after`)
    assert render(issue, tmp_path / "early.pdf", "--no-cache", "--jobs", "2") == serial
    assert len(forks) == 1 and no_children()


def test_a_build_that_fails_leaves_no_child(issue: Path, tmp_path: Path, forks: list[int]) -> None:
    (issue / "styles" / "lodestar.yaml").write_text("fonts: [\n")  # the style is read after the fork
    r = CliRunner().invoke(app, ["render", str(issue), "-o", str(tmp_path / "x.pdf"), "--jobs", "2"])
    assert r.exit_code == 2, r.output
    assert len(forks) == 1 and no_children()


def test_photos_already_named_fork_nothing(issue: Path, tmp_path: Path, forks: list[int]) -> None:
    photonames._digests.clear()
    first = render(issue, tmp_path / "a.pdf", "--jobs", "2")
    assert len(forks) == 1
    photonames._digests.clear()  # a fresh process: the names come from the kept pack
    assert render(issue, tmp_path / "b.pdf", "--jobs", "2") == first
    assert len(forks) == 1
    assert render(issue, tmp_path / "c.pdf", "--jobs", "1", "--no-cache") == first
    assert len(forks) == 1, "one process: no child"


def test_a_free_core_is_asked_for_once_before_any_child(issue: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether a core is free is asked once, before the hashing child exists: asked again when the
    body helper's turn comes, the child (runnable then) made the machine look busy, and the bodies
    were set in one process (the 16-page render 25 ms slower in the median under load)."""
    from layout import pipeline
    from layout.page import parallel

    monkeypatch.setattr(photodigests, "EARLY_BYTES", 0)
    monkeypatch.setattr(parallel, "MIN_WORDS", 0)
    asked: list[int] = []

    def spare_core() -> bool:  # a machine that looks busy once this render has a child of its own
        asked.append(1)
        return len(asked) == 1

    helpers: list[object] = []
    real_start = pipeline.start_helper

    def start_helper(*args):  # type: ignore[no-untyped-def]
        helpers.append(real_start(*args))
        return helpers[-1]

    monkeypatch.setattr(pipeline, "spare_core", spare_core)
    monkeypatch.setattr(parallel, "spare_core", spare_core)
    monkeypatch.setattr(photodigests, "spare_core", spare_core)
    monkeypatch.setattr(pipeline, "start_helper", start_helper)
    photonames._digests.clear()
    b = pipeline.build(issue, cache=False)
    assert asked == [1] and len(helpers) == 1 and helpers[0] is not None
    assert b.composed.pages and no_children()


def test_drawing_takes_the_builds_answer(issue: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole render asks once whether a core is free, and the drawing helper goes by that answer:
    asked again at drawing, the body helper just ended could still count as runnable, and the PDF
    was drawn, checked and its packs made in one process (70 ms of a 16-page render)."""
    from layout import pipeline
    from layout.page import parallel
    from layout.pdf import pardraw

    monkeypatch.setattr(photodigests, "EARLY_BYTES", 0)
    monkeypatch.setattr(parallel, "MIN_WORDS", 0)
    monkeypatch.setattr(pardraw, "MIN_SPANS", 0)
    asked: list[int] = []

    def spare_core() -> bool:
        asked.append(1)
        return len(asked) == 1

    for module in (pipeline, parallel, photodigests, pardraw):
        monkeypatch.setattr(module, "spare_core", spare_core)
    started: list[object] = []
    real = pardraw.TextHelper

    def helper(*args, **kwargs):  # type: ignore[no-untyped-def]
        started.append(real(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(pardraw, "TextHelper", helper)
    photonames._digests.clear()
    serial = render(issue, tmp_path / "serial.pdf", "--no-cache", "--jobs", "1")
    asked.clear()
    assert render(issue, tmp_path / "decided.pdf", "--no-cache") == serial
    assert asked == [1] and len(started) == 1 and no_children()


def test_without_fork_everything_runs_here(
    issue: Path, tmp_path: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A system without os.fork (Windows): `--jobs 2` asks for the helpers and the hashing child,
    and gets none of them; the render is the serial one."""
    photonames._digests.clear()
    serial = render(issue, tmp_path / "serial.pdf", "--no-cache", "--jobs", "1")
    photonames._digests.clear()
    monkeypatch.delattr(os, "fork")
    assert render(issue, tmp_path / "nofork.pdf", "--no-cache", "--jobs", "2") == serial
    assert forks == []
