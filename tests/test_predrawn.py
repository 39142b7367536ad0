"""`issue serve` draws the next PDF ahead once an input changed (serve/ahead.py `predraw`, pdf/predrawn.py):
a render that then finds the very same document puts that file in place without drawing it, with
the bytes, messages and cache packs of a render that draws; any other document (an edit after the
drawing, another output, the temporary written by someone else, other metadata, other page
objects) is drawn as ever; an invalid issue draws nothing ahead and the render says what is wrong.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
from pathlib import Path

import pytest

from layout.manifest import reads
from layout.pdf import draw as drawing
from layout.pdf.pagecache import PageCache
from layout.pdf.predrawn import Predrawn
from layout.pipeline import build
from layout.render import run_render
from layout.serve.ahead import predraw
from layout.session import Session


@pytest.fixture(autouse=True)
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written a moment ago are trusted by their versions (the copy of the sample is new: a
    session would recompose its pages until it is two seconds old; every edit here changes a size)."""
    monkeypatch.setattr(reads, "RECENT_NS", 0)


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Where each PDF was drawn (one put in place as drawn ahead is not drawn again)."""
    where: list[Path] = []
    real = drawing.draw

    def counting(composed, path, *a, **k):  # type: ignore[no-untyped-def]
        where.append(Path(path))
        return real(composed, path, *a, **k)

    monkeypatch.setattr(drawing, "draw", counting)
    return where


def _render(issue: Path, out: Path, session: Session | None = None) -> tuple[int, list[str]]:
    """As `issue serve` renders (then prepares the next PDF's photos, to the end); the exit code and
    the messages, the render's time and the output's name taken out."""
    said: list[str] = []
    code = run_render(issue, out, False, said.append, said.append, jobs=1, session=session, no_cache=session is None)
    if session is not None:
        session.photos.prepare()
        session.photos.settle()
    return code, [re.sub(r", \d+\.\d\d s$", ", T s", m).replace(str(out), "OUT") for m in said]


def _edit(p: Path, old: str, new: str) -> None:
    text = p.read_text(encoding="utf-8")
    assert old in text
    p.write_text(text.replace(old, new, 1), encoding="utf-8")


def _temporaries(where: Path) -> list[Path]:
    return sorted(where.rglob(".*.tmp"))


def test_a_pdf_drawn_ahead_is_put_in_place_as_a_drawn_one_would_be(issue: Path, tmp_path: Path, drawn: list) -> None:
    out, fresh = tmp_path / "out" / "issue.pdf", tmp_path / "fresh" / "issue.pdf"
    s = Session()
    assert _render(issue, out, s)[0] == 0
    _edit(issue / "articles" / "geminids.md", "richest", "finest")
    assert predraw(issue, out, s)
    assert len(drawn) == 2 and drawn[-1].name.startswith(".issue.pdf.")  # into the temporary
    assert out.exists() and _temporaries(tmp_path) == [drawn[-1]]  # nothing put in place yet
    code, said = _render(issue, out, s)
    assert code == 0 and len(drawn) == 2  # put in place, not drawn again
    assert _render(issue, fresh) == (code, said)
    assert out.read_bytes() == fresh.read_bytes()
    assert len(drawn) == 3
    # The packs written after it are those of a render that drew (here: of a twin issue's session).
    twin = tmp_path / "twin"
    shutil.copytree(issue, twin, ignore=shutil.ignore_patterns("build"))
    _edit(twin / "articles" / "geminids.md", "finest", "richest")
    t = Session()
    assert _render(twin, tmp_path / "twin-out" / "issue.pdf", t)[0] == 0
    _edit(twin / "articles" / "geminids.md", "richest", "finest")
    n = len(drawn)
    assert _render(twin, tmp_path / "twin-out" / "issue.pdf", t)[0] == 0 and len(drawn) == n + 1
    for pack in ("pages.bin", "paragraphs.bin"):
        assert (issue / "build" / ".cache" / pack).read_bytes() == (twin / "build" / ".cache" / pack).read_bytes()


def test_any_other_document_is_drawn_as_ever(issue: Path, tmp_path: Path, drawn: list) -> None:
    out, fresh = tmp_path / "out" / "issue.pdf", tmp_path / "fresh" / "issue.pdf"
    s = Session()
    assert _render(issue, out, s)[0] == 0
    gem = issue / "articles" / "geminids.md"

    def written_by_someone_else() -> None:
        (t,) = _temporaries(out.parent)
        with open(t, "r+b") as f:  # the same length, one byte changed
            f.seek(os.path.getsize(t) // 2)
            b = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(bytes([b[0] ^ 1]))

    cases = [
        ("an edit after the drawing", lambda: _edit(gem, "Observers", "Watchers"), out),
        ("the temporary written by someone else", written_by_someone_else, out),
        ("another output", lambda: None, tmp_path / "other" / "issue.pdf"),
    ]
    for k, (name, after, target) in enumerate(cases):
        _edit(gem, "richest" if k % 2 == 0 else "finest", "finest" if k % 2 == 0 else "richest")
        assert predraw(issue, out, s), name
        after()
        n = len(drawn)
        target.parent.mkdir(exist_ok=True)
        code, said = _render(issue, target, s)
        assert code == 0 and len(drawn) == n + 1, name  # drawn
        assert _render(issue, fresh) == (code, said), name
        assert target.read_bytes() == fresh.read_bytes(), name
    # The temporary drawn for `out` went with the render of another file; one is prepared beside that.
    assert _temporaries(tmp_path) == _temporaries(tmp_path / "other") and len(_temporaries(tmp_path)) == 1


def test_the_same_document_is_the_same_page_objects_and_metadata(issue: Path) -> None:
    s = Session()
    b = build(issue, parallel=False, session=s)
    pages = PageCache(None, "fp")
    meta = {"author": "The Lodestar", "keywords": "a, b"}
    ahead = Predrawn(b.composed, meta, pages, [])
    assert ahead.same(b.composed, dict(meta), pages)
    again = build(issue, parallel=False, session=s)  # nothing changed: the very page objects
    assert ahead.same(again.composed, meta, PageCache(None, "fp"))
    assert not ahead.same(again.composed, {**meta, "author": "Another"}, pages)
    assert not ahead.same(again.composed, meta, PageCache(None, "another fingerprint"))
    assert not ahead.same(again.composed, meta, None)
    twin = copy.copy(again.composed)
    twin.pages = [copy.copy(p) for p in again.composed.pages]  # equal in value, other objects
    assert not ahead.same(twin, meta, pages)
    twin.pages = list(again.composed.pages[:-1])
    assert not ahead.same(twin, meta, pages)
    twin = copy.copy(again.composed)
    twin.title = "Another title"
    assert not ahead.same(twin, meta, pages)


def test_an_invalid_issue_draws_nothing_ahead_and_its_render_says_where(
    issue: Path, tmp_path: Path, drawn: list
) -> None:
    out = tmp_path / "out" / "issue.pdf"
    s = Session()
    assert _render(issue, out, s)[0] == 0
    before = out.read_bytes()
    _edit(issue / "issue.yaml", "columns: 4\n", "columns: four\n")
    n = len(drawn)
    assert not predraw(issue, out, s)
    assert len(drawn) == n
    code, said = _render(issue, out, s)
    assert code == 2 and any(re.search(r"issue\.yaml:\d+:\d+: ", m) for m in said)
    assert out.read_bytes() == before


def test_a_drawing_that_fails_leaves_nothing_and_the_render_draws(
    issue: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, fresh = tmp_path / "out" / "issue.pdf", tmp_path / "fresh" / "issue.pdf"
    s = Session()
    assert _render(issue, out, s)[0] == 0
    _edit(issue / "articles" / "geminids.md", "richest", "finest")
    real = drawing.draw

    def full(composed, path, *a, **k):  # type: ignore[no-untyped-def]
        Path(path).write_bytes(b"half a PDF")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(drawing, "draw", full)
    assert not predraw(issue, out, s)
    assert _temporaries(tmp_path) == []
    monkeypatch.setattr(drawing, "draw", real)
    assert _render(issue, out, s)[0] == 0
    _render(issue, fresh)
    assert out.read_bytes() == fresh.read_bytes()


def test_the_server_s_drawing_ahead_never_fails_it(tmp_path: Path) -> None:
    """A failure is said, the server's folder and umask are its own again, and nothing is drawn."""
    from layout.serve.ahead import Ahead

    home = os.getcwd()
    said: list[str] = []
    ahead = Ahead(said.append)
    assert not ahead.draw(Session(), home, said.append)  # no render asked for yet: nothing to draw
    gone = tmp_path / "gone"
    ahead.asked({"cwd": str(gone), "umask": 0o077, "options": {"issue": "issue", "output": None, "no_cache": False}})
    mask = os.umask(0o022)
    try:
        assert ahead.draw(Session(), home, said.append)
        assert os.umask(0o022) == 0o022 and os.getcwd() == home
    finally:
        os.umask(mask)
    assert len(said) == 1 and "drawing ahead failed: FileNotFoundError" in said[0]
    ahead.asked({"cwd": home, "umask": 0, "options": {"issue": "x", "output": None, "no_cache": True}})
    assert ahead.last is not None and ahead.last[0] == str(gone)  # --no-cache keeps no session: not drawn for
