"""A plain `issue render` of JPEG photos never loads Pillow (ReportLab's import of it is deferred, the
photos' headers are read by manifest.jpeghead), nor the other modules listed here; a PNG photo still
loads it, decodes and draws, and a broken one is still refused by its manifest line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from generator import synthetic
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issues" / "2026-12-03"
PHOTO = "photos/qinglan-turbine-hall.jpg"

# What a plain render of JPEG photos does not import: Pillow's core and its JPEG reader (and what they
# pull in), the command-line library, markdown-it (ordinary copy is parsed by text.mdinline) and the
# calendar module (the PDF's date is reckoned without it).
NOT_IMPORTED = (
    "PIL._imaging",
    "PIL.ImageFile",
    "PIL.JpegImagePlugin",
    "PIL.TiffImagePlugin",
    "typer",
    "click",
    "markdown_it",
    "calendar",
)

PROBE = """
import json, sys
from layout.manifest import lazypil
from layout.render import run_plain
opts = {"issue": sys.argv[1], "output": sys.argv[2], "allow_overset": True, "no_cache": False, "jobs": None}
code = run_plain(opts)
shown = [m for m in sys.argv[3].split(",") if m in sys.modules]
print(json.dumps({"code": code, "pillow": lazypil.loaded(), "modules": shown}))
"""


def _filters(path: Path) -> list[str]:
    """The filter of every image drawn, page by page."""
    out = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for _, xo in page.Resources.get("/XObject", {}).items():
                f = xo.get("/Filter")
                out.append(str(f[0]) if isinstance(f, pikepdf.Array) else str(f))
    return out


def _render(issue: Path, out: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    argv = [sys.executable, "-c", PROBE, str(issue), str(out), ",".join(NOT_IMPORTED)]
    r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    return {**json.loads(r.stdout.splitlines()[-1]), "stderr": r.stderr}


@pytest.fixture(scope="module")
def sixteen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sixteen") / "issue"
    synthetic().make_issue(folder, pages=16, seed=5, own_photos=(320, 200))
    return folder


def test_a_plain_render_of_jpeg_photos_never_loads_pillow(sixteen: Path, tmp_path: Path) -> None:
    assert {p.suffix for p in (sixteen / "photos").iterdir()} == {".jpg"}
    out = tmp_path / "o.pdf"
    got = _render(sixteen, out)
    assert got["code"] == 0, got["stderr"]
    assert (got["pillow"], got["modules"]) == (False, [])
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 16
    assert set(_filters(out)) == {"/DCTDecode"}


def _as_png(folder: Path, cut: int = 0) -> None:
    src = folder / PHOTO
    png = src.with_suffix(".png")
    with Image.open(src) as im:
        im.convert("RGBA").save(png)
    if cut:
        png.write_bytes(png.read_bytes()[:-cut])
    y = folder / "issue.yaml"
    y.write_text(y.read_text(encoding="utf-8").replace(PHOTO, PHOTO[:-4] + ".png"), encoding="utf-8")


def test_a_png_photo_loads_pillow_and_is_drawn(tmp_path: Path) -> None:
    issue = tmp_path / "issue"
    shutil.copytree(SAMPLE, issue, ignore=shutil.ignore_patterns("build"))
    _as_png(issue)
    out = tmp_path / "o.pdf"
    got = _render(issue, out)
    assert got["code"] == 0 and got["pillow"] is True, got["stderr"]
    assert sorted(_filters(out)) == ["/DCTDecode", "/FlateDecode"]


def test_a_truncated_png_is_still_refused_by_its_line(tmp_path: Path) -> None:
    issue = tmp_path / "issue"
    shutil.copytree(SAMPLE, issue, ignore=shutil.ignore_patterns("build"))
    _as_png(issue, cut=5000)
    out = tmp_path / "o.pdf"
    got = _render(issue, out)
    assert got["code"] == 2 and not out.exists()
    assert "issue.yaml:" in got["stderr"] and "not a readable image" in got["stderr"], got["stderr"]
