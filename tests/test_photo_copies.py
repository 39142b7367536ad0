"""A build session copies the last PDF's photos into the next PDF's temporary while it waits
(pdf/photocopies.py): the next render writes that file, copies only the photos not found whole at
their new offsets, and gives the bytes a new file gets, whatever changed in between: nothing, a
word, a photo replaced in place or by one of another length (every later photo moves), the file
longer than the new PDF, the temporary replaced or written by someone else, another output.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from layout.manifest.files import file_version
from layout.pdf import photocopies, stream
from layout.pdf.draw import draw, write_pdf
from layout.pdf.photocopies import Ready
from layout.pipeline import build
from layout.session import Session


@pytest.fixture
def folder(issue: Path) -> Path:
    return issue  # (conftest's copy of the sample, without its build folder)


@pytest.fixture
def copies(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The photos a render copied into its PDF (those found in a prepared file are not)."""
    done: list[str] = []
    real = stream._Copier.copy

    def copy(self, src, out, size):  # type: ignore[no-untyped-def]
        done.append(os.path.basename(src.name))
        return real(self, src, out, size)

    monkeypatch.setattr(stream._Copier, "copy", copy)
    return done


def _render(folder: Path, out: Path, session: Session, copies: list[str] | None = None) -> tuple[bytes, bytes]:
    """The session's PDF (written over its prepared temporary, if any) and the same composed pages
    written to a new file the ordinary way; then the session prepares the next, to the end.
    `copies` is left holding the photos the session's render copied."""
    b = build(folder, parallel=False, session=session)
    if copies is not None:
        copies.clear()
    write_pdf(b.composed, out, pages=b.pages, photos=session.photos)
    mine = list(copies) if copies is not None else []
    plain = out.with_name("plain.pdf")
    write_pdf(b.composed, plain)
    b.keep_cache()
    if copies is not None:
        copies[:] = mine
    session.photos.prepare()
    session.photos.settle()
    return out.read_bytes(), plain.read_bytes()


def _temporaries(where: Path) -> list[Path]:
    return sorted(p for p in where.rglob(".*.tmp"))


def test_the_prepared_file_gives_a_new_file_s_bytes_after_every_kind_of_change(
    folder: Path, tmp_path: Path, copies: list[str]
) -> None:
    out = tmp_path / "out" / "issue.pdf"
    session = Session()
    got, want = _render(folder, out, session, copies)
    photos = [Path(p.path) for p in session.photos.placed]  # in the PDF's order
    names = sorted(p.name for p in photos)
    assert got == want and sorted(copies) == names and len(names) == 2
    assert len(_temporaries(tmp_path)) == 1  # prepared beside the PDF
    cases = [
        ("as it is", lambda: None, []),
        ("one word", lambda: _edit(folder / "articles" / "geminids.md", "richest", "finest"), []),
        ("a photo replaced in place", lambda: photos[0].write_bytes(photos[0].read_bytes()), [photos[0].name]),
        (
            "the first photo longer (the next moves)",
            lambda: photos[0].write_bytes(photos[0].read_bytes() + b"\0" * 4096),
            names,
        ),
        ("as it is again", lambda: None, []),
    ]
    for name, change, copied in cases:
        change()
        got, want = _render(folder, out, session, copies)
        assert got == want, name
        assert sorted(copies) == copied, name
    session.photos.discard()
    assert _temporaries(tmp_path) == []


def _edit(p: Path, old: str, new: str) -> None:
    text = p.read_text(encoding="utf-8")
    assert old in text, old
    p.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_prepared_file_longer_than_the_pdf_is_cut_to_it(folder: Path, tmp_path: Path, copies: list[str]) -> None:
    out = tmp_path / "issue.pdf"
    session = Session()
    before, _ = _render(folder, out, session)
    gem = folder / "articles" / "geminids.md"
    paragraphs = gem.read_text(encoding="utf-8").split("\n\n")
    gem.write_text("\n\n".join(paragraphs[:-2]) + "\n", encoding="utf-8")  # two paragraphs fewer
    got, want = _render(folder, out, session, copies)
    assert got == want and len(got) < len(before)
    assert copies == []  # the photos had not moved: found whole, the rest written over and cut


def test_a_temporary_someone_else_wrote_or_replaced_is_not_trusted(
    folder: Path, tmp_path: Path, copies: list[str]
) -> None:
    out = tmp_path / "issue.pdf"
    session = Session()
    _render(folder, out, session)
    # Written over by someone else (the same file): its photos are not trusted.
    (tmp,) = _temporaries(tmp_path)
    size = tmp.stat().st_size
    time.sleep(0.05)  # (file times tick in milliseconds: this write must show as one)
    with open(tmp, "r+b") as f:
        f.write(b"\xff" * (5 << 20))  # longer than the PDF: cut to it
    got, want = _render(folder, out, session, copies)
    assert got == want and len(copies) == 2
    # Written to after the render took it, before it was opened: the same.
    b = build(folder, parallel=False, session=session)
    ready = session.photos.take(out)
    assert ready is not None and len(ready.copied) == 2
    time.sleep(0.05)
    with open(ready.path, "r+b") as f:
        f.write(b"\xff" * ready.version[2])
    copies.clear()
    draw(b.composed, ready.path, prepared=ready)
    assert ready.path.read_bytes() == want and len(copies) == 2
    ready.path.unlink()
    _render(folder, out, session)
    # Replaced under its name by another file: used as a new temporary, nothing in it trusted,
    # and it is not this session's to remove.
    (tmp,) = _temporaries(tmp_path)
    tmp.unlink()
    tmp.write_bytes(b"\xff" * size)
    got, want = _render(folder, out, session, copies)
    assert got == want and len(copies) == 2
    assert tmp.exists() and tmp.read_bytes() == b"\xff" * size
    # Removed: a new temporary, as always.
    for t in _temporaries(tmp_path):
        t.unlink()
    got, want = _render(folder, out, session, copies)
    assert got == want and len(copies) == 2


def test_another_output_removes_the_prepared_file(folder: Path, tmp_path: Path, copies: list[str]) -> None:
    session = Session()
    _render(folder, tmp_path / "a" / "issue.pdf", session)
    assert len(_temporaries(tmp_path / "a")) == 1
    _render(folder, tmp_path / "b" / "issue.pdf", session, copies)
    assert _temporaries(tmp_path / "a") == [] and len(_temporaries(tmp_path / "b")) == 1
    assert len(copies) == 2  # not written over the other's temporary
    session.photos.discard()
    assert _temporaries(tmp_path) == []


def test_a_render_that_fails_leaves_no_temporary(folder: Path, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "issue.pdf"
    session = Session()
    first, _ = _render(folder, out, session)
    b = build(folder, parallel=False, session=session)

    def broken(*a, **k):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(stream.pdfdoc.PDFDocument, "GetPDFData", broken)
    with pytest.raises(OSError):
        write_pdf(b.composed, out, pages=b.pages, photos=session.photos)
    assert _temporaries(tmp_path) == [] and out.read_bytes() == first


def test_a_render_arriving_while_photos_are_copied_uses_what_is_whole(
    folder: Path, tmp_path: Path, copies: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copying stops between photos when the render takes the file: those copied whole are
    used, the rest copied by the render."""
    out = tmp_path / "issue.pdf"
    session = Session()
    _render(folder, out, session)
    session.photos.discard()
    real, seen = photocopies._copy_whole, []

    job: list = []

    def slow(p, fd):  # type: ignore[no-untyped-def]
        seen.append(p)
        if len(seen) == 1:
            return real(p, fd)
        while not job:
            time.sleep(0.001)
        job[0].stop.wait(10)  # the second photo is still being copied when the render comes
        return False

    monkeypatch.setattr(photocopies, "_copy_whole", slow)
    session.photos.prepare()  # not waited for
    job.append(session.photos._job)
    while len(seen) < 2:
        time.sleep(0.001)
    second = os.path.basename(session.photos.placed[1].path)
    b = build(folder, parallel=False, session=session)
    copies.clear()
    write_pdf(b.composed, out, pages=b.pages, photos=session.photos)
    assert copies == [second] and len(seen) == 2
    write_pdf(b.composed, tmp_path / "plain.pdf")
    assert out.read_bytes() == (tmp_path / "plain.pdf").read_bytes()


def test_another_file_under_the_temporary_s_name_is_left_alone(tmp_path: Path) -> None:
    """Put there between the session's look and the render's open: refused, not written."""
    tmp, other = tmp_path / ".issue.pdf.tmp", tmp_path / "other"
    fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    ready = Ready(tmp, fd, file_version(os.fstat(fd)), {})
    tmp.unlink()
    other.write_bytes(b"precious")
    os.link(other, tmp)
    with pytest.raises(OSError, match="another file"):
        stream._open_for(str(tmp), ready)
    assert other.read_bytes() == b"precious" and ready.fd == -1
    out, copied = stream._open_for(str(tmp_path / "new"), None)  # (not the prepared name: a new file)
    out.close()
    assert copied == {}


def test_a_copy_that_hangs_is_not_waited_for_nor_its_file_used(
    folder: Path, tmp_path: Path, copies: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A photo replaced by a pipe is not waited on; a copy stuck on its file system is waited for
    `WAIT` seconds, then the render writes a new temporary (the stuck one writes into its own)."""
    out = tmp_path / "issue.pdf"
    session = Session()
    _render(folder, out, session)
    session.photos.discard()
    first = Path(session.photos.placed[0].path)
    keep = first.read_bytes()
    first.unlink()
    os.mkfifo(first)
    session.photos.prepare()
    session.photos._job.thread.join(5)
    assert not session.photos._job.thread.is_alive()
    ready = session.photos.take(out)
    assert ready is not None and len(ready.copied) == 1  # the other photo
    ready.close()
    ready.path.unlink()
    first.unlink()
    first.write_bytes(keep)
    _render(folder, out, session)  # (the photo's new version placed)

    stuck = threading.Event()
    real = photocopies._copy_whole

    def hangs(p, fd):  # type: ignore[no-untyped-def]
        stuck.wait(20)
        os.pwrite(fd, b"\xff" * 64, 0)  # what a late copy writes lands in its own file, not the PDF
        return real(p, fd)

    monkeypatch.setattr(photocopies, "_copy_whole", hangs)
    monkeypatch.setattr(photocopies.PhotoCopies, "WAIT", 0.2)
    session.photos.discard()
    session.photos.prepare()
    late = session.photos._job
    (left,) = _temporaries(tmp_path)
    b = build(folder, parallel=False, session=session)
    t = time.monotonic()
    copies.clear()
    write_pdf(b.composed, out, pages=b.pages, photos=session.photos)
    assert time.monotonic() - t < 10 and len(copies) == 2 and not left.exists()
    stuck.set()
    late.thread.join(5)
    write_pdf(b.composed, tmp_path / "plain.pdf")
    assert out.read_bytes() == (tmp_path / "plain.pdf").read_bytes()


def test_taking_the_file_stops_the_copying_between_photos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = []
    for k in range(4):
        f = tmp_path / f"p{k}.jpg"
        f.write_bytes(bytes([k]) * 1000)
        files.append(f)
    placed = [photocopies.Placed(str(f), file_version(os.stat(f)), 100 + 1000 * k, 1000) for k, f in enumerate(files)]
    copies = photocopies.PhotoCopies()
    copies.record(tmp_path / "out.pdf", placed)
    real, seen, job = photocopies._copy_whole, [], []

    def slow(p, fd):  # type: ignore[no-untyped-def]
        seen.append(p)
        if len(seen) == 2:
            while not job:
                time.sleep(0.001)
            job[0].stop.wait(10)
        return real(p, fd)

    monkeypatch.setattr(photocopies, "_copy_whole", slow)
    copies.prepare()
    job.append(copies._job)
    while len(seen) < 2:  # the second photo being copied when the render comes
        time.sleep(0.001)
    ready = copies.take(tmp_path / "out.pdf")
    assert ready is not None and sorted(ready.copied) == [100, 1100] and len(seen) == 2
    with open(ready.path, "rb") as f:
        data = f.read()
    assert data[100:1100] == b"\0" * 1000 and data[1100:2100] == b"\1" * 1000
    ready.close()
    ready.path.unlink()


def test_a_pdf_drawn_whole_into_the_temporary_serves_the_first_render(
    folder: Path, tmp_path: Path, copies: list[str]
) -> None:
    """A server's first build draws the issue's PDF into the temporary (`drawn`): the first render of
    that file finds every photo there; one that fails to draw leaves nothing behind."""
    out = tmp_path / "build" / "issue.pdf"
    session = Session()
    b = build(folder, parallel=False, session=session)
    session.photos.drawn(out, lambda tmp, placed: draw(b.composed, tmp, pages=b.pages, placed=placed))
    assert len(_temporaries(tmp_path)) == 1 and not out.exists()
    got, want = _render(folder, out, session, copies)
    assert got == want and copies == []

    def fails(tmp, placed):  # type: ignore[no-untyped-def]
        tmp.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    session.photos.drawn(out, fails)
    assert _temporaries(tmp_path) == []
    got, want = _render(folder, out, session, copies)
    assert got == want and len(copies) == 2
