"""Photos pass through: a JPEG's bytes go into the PDF untouched (named by a hash of the file), other
formats are decoded once; the manifest check reads headers and end markers instead of decoding, yet
still refuses a truncated JPEG by its manifest line and accepts one with data after its end marker.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from typer.testing import CliRunner

from layout.cli import app

SAMPLE = Path(__file__).resolve().parents[1] / "issues" / "2026-12-03"
PHOTO = "photos/qinglan-turbine-hall.jpg"


@pytest.fixture()
def issue(tmp_path: Path) -> Path:
    dst = tmp_path / "issue"
    shutil.copytree(SAMPLE, dst, ignore=shutil.ignore_patterns("build"))
    return dst


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def _images(pdf: Path) -> list[tuple]:
    with pikepdf.open(pdf) as doc:
        out = []
        for page in doc.pages:
            for _, xo in page.Resources.get("/XObject", {}).items():
                if xo.get("/Subtype") != "/Image":
                    continue
                flt = xo.get("/Filter")
                flt = str(flt[0]) if isinstance(flt, pikepdf.Array) else str(flt)
                out.append((flt, xo.read_raw_bytes(), int(xo.Width), int(xo.Height)))
        return out


def test_jpeg_bytes_go_into_the_pdf_untouched(issue: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.pdf"
    r = run("render", issue, "-o", out)
    assert r.exit_code == 0, r.output
    files = {p.read_bytes() for p in (issue / "photos").glob("*.jpg")}
    imgs = _images(out)
    assert len(imgs) == 2
    for flt, raw, _, _ in imgs:
        assert flt == "/DCTDecode" and raw in files


def test_a_jpeg_truncated_near_its_end_is_refused_by_line(issue: Path) -> None:
    p = issue / PHOTO
    p.write_bytes(p.read_bytes()[:-3000])
    r = run("check", issue)
    assert r.exit_code == 2, r.output
    text = (issue / "issue.yaml").read_text(encoding="utf-8").splitlines()
    line = next(i for i, s in enumerate(text, 1) if PHOTO in s)
    assert re.search(rf"issue\.yaml:{line}:\d+: .*not a readable image: {PHOTO}", r.stderr), r.stderr


def test_data_after_the_end_marker_is_accepted(issue: Path, tmp_path: Path) -> None:
    p = issue / PHOTO
    p.write_bytes(p.read_bytes() + b"trailing bytes a camera appended" * 10)
    r = run("render", issue, "-o", tmp_path / "a.pdf")
    assert r.exit_code == 0, r.output


def test_a_png_photo_with_alpha_is_decoded_once_and_drawn(issue: Path, tmp_path: Path) -> None:
    src = issue / PHOTO
    png = src.with_suffix(".png")
    with Image.open(src) as im:
        im.convert("RGBA").save(png)
    y = issue / "issue.yaml"
    y.write_text(y.read_text(encoding="utf-8").replace(PHOTO, PHOTO[:-4] + ".png"), encoding="utf-8")
    out = tmp_path / "a.pdf"
    r = run("render", issue, "-o", out)
    assert r.exit_code == 0, r.output
    filters = sorted(str(f) for f, _, _, _ in _images(out))
    assert filters == ["/DCTDecode", "/FlateDecode"]


def test_a_truncated_png_is_refused(issue: Path) -> None:
    src = issue / PHOTO
    png = src.with_suffix(".png")
    with Image.open(src) as im:
        im.save(png)
    png.write_bytes(png.read_bytes()[:-5000])
    y = issue / "issue.yaml"
    y.write_text(y.read_text(encoding="utf-8").replace(PHOTO, PHOTO[:-4] + ".png"), encoding="utf-8")
    r = run("check", issue)
    assert r.exit_code == 2 and "not a readable image" in r.stderr, r.output


def test_two_png_photos_with_the_same_alpha_share_one_soft_mask(issue: Path, tmp_path: Path) -> None:
    """Two photos with alpha channels of the same size and values (here: both fully opaque) have the
    same soft mask, named by its bytes: it is stored once and both photos point at it (this crashed
    with a traceback before)."""
    other = "photos/harbour-breakwater-dusk.jpg"
    y = issue / "issue.yaml"
    text = y.read_text(encoding="utf-8")
    with Image.open(issue / PHOTO) as im:
        im.convert("RGBA").save(issue / "photos" / "a.png")
        im.convert("RGBA").rotate(180).save(issue / "photos" / "b.png")  # other pixels, the same alpha
    y.write_text(text.replace(PHOTO, "photos/a.png").replace(other, "photos/b.png"), encoding="utf-8")
    out = tmp_path / "a.pdf"
    r = run("render", issue, "-o", out)
    assert r.exit_code == 0 and "Traceback" not in r.output, r.output
    with pikepdf.open(out) as doc:
        masks = [xo.SMask.objgen for p in doc.pages for _, xo in p.Resources.get("/XObject", {}).items()]
    assert len(masks) == 2 and masks[0] == masks[1]


def test_the_pdf_temporary_is_written_without_truncating_it(tmp_path: Path, monkeypatch) -> None:
    """The PDF is streamed into the new, empty temporary without truncating it (on ext4 a truncated
    file has all its blocks written back when closed: 9-12 ms for a 31 MB PDF); a file that holds
    anything is still cut to nothing first, so no old byte is left after the new ones."""
    import os

    from layout.pdf import stream

    cut: list[int] = []
    real = os.ftruncate
    monkeypatch.setattr(os, "ftruncate", lambda fd, n: cut.append(n) or real(fd, n))
    empty = tmp_path / "empty.tmp"
    empty.write_bytes(b"")
    with stream._open_empty(str(empty)) as f:
        f.write(b"%PDF new")
    assert empty.read_bytes() == b"%PDF new" and cut == []
    old = tmp_path / "old.pdf"
    old.write_bytes(b"%PDF an older and longer file")
    with stream._open_empty(str(old)) as f:
        f.write(b"%PDF new")
    assert old.read_bytes() == b"%PDF new" and cut == [0]
    new = tmp_path / "new.pdf"
    with stream._open_empty(str(new)) as f:
        f.write(b"%PDF")
    assert new.read_bytes() == b"%PDF"
