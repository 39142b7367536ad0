"""Separated photos kept between print renders (ISSUE/build/.cache/print/): a re-render separates
only what changed, gives the bytes it gives without them, and trusts nothing that does not verify."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from layout.cli import app

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issues" / "2026-12-03"


def cli(*args: object):
    r = CliRunner().invoke(app, [str(a) for a in args])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.output
    return r


@pytest.fixture
def issue(tmp_path: Path) -> Path:
    folder = tmp_path / "issue"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("build"))
    return folder


@pytest.fixture
def separations(monkeypatch) -> list[str]:
    """The names of the photos separated in this process (renders here use --jobs 1)."""
    from layout.print import separate

    seen: list[str] = []
    real = separate.prepare

    def spy(path, *a, **k):  # type: ignore[no-untyped-def]
        seen.append(Path(path).name)
        return real(path, *a, **k)

    monkeypatch.setattr(separate, "prepare", spy)
    return seen


def kept(issue: Path) -> Path:
    return issue / "build" / ".cache" / "print"


def render(issue: Path, out: Path, *more: str):
    r = cli("render", issue, "--print", "--jobs", "1", *more, "-o", out)
    assert r.exit_code == 0, r.output
    return r


def photo_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("photo ")]


def test_a_re_render_takes_every_kept_separation_and_gives_the_same_bytes(issue: Path, tmp_path: Path) -> None:
    """Kept by a render in two processes (the second one's photos too); the next render separates
    nothing and writes what a render without any kept gives, with the same report."""
    from layout.print import separate

    ref = tmp_path / "ref.pdf"
    r0 = render(issue, ref, "--no-cache")
    assert not kept(issue).exists()  # --no-cache keeps nothing
    first = tmp_path / "first.pdf"
    r1 = cli("render", issue, "--print", "--jobs", "2", "-o", first)
    assert r1.exit_code == 0, r1.output
    assert first.read_bytes() == ref.read_bytes()
    names = sorted(p.name for p in kept(issue).iterdir())
    photos = sorted((issue / "photos").iterdir())
    assert len(names) == len(photos) + 1 and "photos.bin" in names  # one JPEG a photo, and the pack

    seen: list[str] = []
    real = separate.prepare

    def spy(path, *a, **k):  # type: ignore[no-untyped-def]
        seen.append(Path(path).name)
        return real(path, *a, **k)

    separate.prepare, saved = spy, separate.prepare
    try:
        again = tmp_path / "again.pdf"
        r2 = render(issue, again)
    finally:
        separate.prepare = saved
    assert seen == []
    assert again.read_bytes() == ref.read_bytes()
    assert photo_lines(r2.output) == photo_lines(r0.output) and photo_lines(r0.output)
    assert sorted(p.name for p in kept(issue).iterdir()) == names
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.pdf", "first.pdf", "issue", "ref.pdf"]


def test_a_changed_photo_alone_is_separated_again(issue: Path, tmp_path: Path, separations: list[str]) -> None:
    from PIL import Image

    render(issue, tmp_path / "a.pdf")
    before = {p.name for p in kept(issue).glob("*.jpg")}
    photo = sorted((issue / "photos").iterdir())[0]
    with Image.open(photo) as im:
        im.convert("RGB").rotate(180).save(photo, quality=90)
    separations.clear()
    render(issue, tmp_path / "b.pdf")
    assert separations == [photo.name]
    after = {p.name for p in kept(issue).glob("*.jpg")}
    assert len(after) == len(before) and len(after - before) == 1  # the old separation is gone
    ref = tmp_path / "ref.pdf"
    render(issue, ref, "--no-cache")
    assert (tmp_path / "b.pdf").read_bytes() == ref.read_bytes()


def test_another_ink_limit_separates_again(issue: Path, tmp_path: Path, separations: list[str]) -> None:
    render(issue, tmp_path / "a.pdf")
    m = issue / "issue.yaml"
    text = m.read_text(encoding="utf-8")
    assert text.count("  ink_limit: 240") == 1
    m.write_text(text.replace("  ink_limit: 240", "  ink_limit: 260"), encoding="utf-8")
    separations.clear()
    render(issue, tmp_path / "b.pdf")
    assert len(separations) == len(list((issue / "photos").iterdir()))


def test_the_latest_other_condition_is_kept_too(issue: Path, tmp_path: Path, separations: list[str]) -> None:
    """A paper printed at two plants (two profiles or ink limits) alternates them: each render
    takes the separations the last render under its condition made; a third condition displaces
    the older of the two, and the folder holds the two conditions' files alone."""
    m = issue / "issue.yaml"
    text = m.read_text(encoding="utf-8")
    n = len(list((issue / "photos").iterdir()))
    pdfs: dict[int, bytes] = {}

    def under(limit: int) -> int:
        m.write_text(text.replace("  ink_limit: 240", f"  ink_limit: {limit}"), encoding="utf-8")
        separations.clear()
        out = tmp_path / f"{limit}.pdf"
        render(issue, out)
        assert pdfs.setdefault(limit, out.read_bytes()) == out.read_bytes()
        return len(separations)

    assert [under(240), under(260), under(240), under(260)] == [n, n, 0, 0]
    assert len(list(kept(issue).glob("*.jpg"))) == 2 * n
    assert under(280) == n  # 280 and 260 are kept now
    assert len(list(kept(issue).glob("*.jpg"))) == 2 * n
    assert [under(260), under(240), under(280)] == [0, n, n]
    for limit in (240, 260, 280):
        ref = tmp_path / f"ref-{limit}.pdf"
        m.write_text(text.replace("  ink_limit: 240", f"  ink_limit: {limit}"), encoding="utf-8")
        render(issue, ref, "--no-cache")
        assert ref.read_bytes() == pdfs[limit]


def _damage(folder: Path, how: str) -> None:
    jpgs = sorted(folder.glob("*.jpg"))
    if how == "a flipped byte":
        data = bytearray(jpgs[0].read_bytes())
        data[len(data) // 2] ^= 0x40
        jpgs[0].write_bytes(bytes(data))
    elif how == "files swapped":
        a, b = jpgs[0].read_bytes(), jpgs[1].read_bytes()
        jpgs[0].write_bytes(b)
        jpgs[1].write_bytes(a)
    elif how == "a symbolic link":
        jpgs[0].unlink()
        os.symlink(jpgs[1], jpgs[0])
    elif how == "a file cut short":
        jpgs[0].write_bytes(jpgs[0].read_bytes()[:1000])
    elif how == "a pack from elsewhere":
        (folder / "photos.bin").write_bytes(b"layout-print-photos 1\n" + os.urandom(200))
    elif how == "entries of another shape":
        from layout.manifest.packs import write_pack
        from layout.print import photocache

        entries = {p.stem: ("sRGB", 1.0, 2.0, "0" * 32, -1) for p in jpgs}
        write_pack(folder / "photos.bin", photocache.MAGIC, photocache.fingerprint(), entries)
    elif how == "a folder for a file":
        jpgs[0].unlink()
        jpgs[0].mkdir()
    else:
        raise AssertionError(how)


DAMAGE = [
    "a flipped byte",
    "files swapped",
    "a symbolic link",
    "a file cut short",
    "a pack from elsewhere",
    "entries of another shape",
    "a folder for a file",
]


@pytest.mark.parametrize("how", DAMAGE)
def test_kept_separations_that_do_not_verify_are_made_again(
    issue: Path, tmp_path: Path, separations: list[str], how: str
) -> None:
    """A kept JPEG whose bytes are not the pack's, or a pack that does not verify, is never put in
    the PDF: those photos are separated again, and the next render finds them kept once more."""
    ref = tmp_path / "ref.pdf"
    render(issue, ref)
    _damage(kept(issue), how)
    separations.clear()
    out = tmp_path / "out.pdf"
    render(issue, out)
    assert separations, "a damaged separation was used"
    assert out.read_bytes() == ref.read_bytes()
    separations.clear()
    render(issue, out)
    assert separations == [] or how == "a folder for a file"  # a folder where a file was is left alone
    assert out.read_bytes() == ref.read_bytes()


def test_a_failed_print_render_keeps_nothing(issue: Path, tmp_path: Path, monkeypatch) -> None:
    from layout.print import render as print_render

    def fail(*a, **k):  # type: ignore[no-untyped-def]
        raise OSError("disk gone")

    monkeypatch.setattr(print_render.pdfx, "stamp", fail)
    r = cli("render", issue, "--print", "--jobs", "1", "-o", tmp_path / "out" / "p.pdf")
    assert r.exit_code == 2 and "disk gone" in r.output, r.output
    assert not kept(issue).exists() or not list(kept(issue).iterdir())


def test_no_cache_separates_everything_even_with_separations_kept(
    issue: Path, tmp_path: Path, separations: list[str]
) -> None:
    render(issue, tmp_path / "a.pdf")
    pack = (kept(issue) / "photos.bin").read_bytes()
    separations.clear()
    render(issue, tmp_path / "b.pdf", "--no-cache")
    assert len(separations) == len(list((issue / "photos").iterdir()))
    assert (kept(issue) / "photos.bin").read_bytes() == pack  # nor written


def test_a_cache_folder_that_cannot_be_written_still_renders(issue: Path, tmp_path: Path) -> None:
    ref = tmp_path / "ref.pdf"
    render(issue, ref, "--no-cache")
    kept(issue).parent.mkdir(parents=True)
    kept(issue).write_text("not a folder")
    out = tmp_path / "out.pdf"
    render(issue, out)
    assert out.read_bytes() == ref.read_bytes()
    assert kept(issue).read_text() == "not a folder"


def test_a_cache_folder_leading_out_of_the_issue_is_left_alone(issue: Path, tmp_path: Path) -> None:
    """build/.cache/print symlinked elsewhere (an issue from a zip): nothing is read, written or
    removed there, not even a file named as a kept separation would be."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    theirs = {"holiday.jpg": b"a photo of someone's", "0123456789abcdef0123456789abcdef.jpg": b"named like ours"}
    for name, data in theirs.items():
        (elsewhere / name).write_bytes(data)
    kept(issue).parent.mkdir(parents=True)
    kept(issue).symlink_to(elsewhere, target_is_directory=True)
    ref = tmp_path / "ref.pdf"
    render(issue, ref, "--no-cache")
    out = tmp_path / "out.pdf"
    for _ in range(2):
        render(issue, out)
        assert out.read_bytes() == ref.read_bytes()
        assert {p.name: p.read_bytes() for p in elsewhere.iterdir()} == theirs


def test_a_photo_of_the_issue_in_the_cache_folder_is_never_removed(issue: Path, tmp_path: Path) -> None:
    """The manifest may name any file in the issue folder, one in build/.cache/print/ named as a
    kept separation included: tidying the folder never removes it."""
    kept(issue).mkdir(parents=True)
    photo = kept(issue) / "fedcba9876543210fedcba9876543210.jpg"
    shutil.copyfile(issue / "photos" / "harbour-breakwater-dusk.jpg", photo)
    m = issue / "issue.yaml"
    text = m.read_text(encoding="utf-8")
    m.write_text(
        text.replace("photos/harbour-breakwater-dusk.jpg", f"build/.cache/print/{photo.name}"), encoding="utf-8"
    )
    data = photo.read_bytes()
    for k in range(2):
        render(issue, tmp_path / f"out{k}.pdf")
        assert photo.read_bytes() == data
    assert len(list(kept(issue).glob("*.jpg"))) == 3  # the photo itself and the two separations
