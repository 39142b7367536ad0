"""Findings marked on a proof: a photo under 200 ppi, empty lines in a fixed-height story,
an empty band, and a check plugged in from outside (as `issue check` grows)."""

from __future__ import annotations

import shutil

import pypdfium2 as pdfium
from conftest import SAMPLE
from PIL import Image

from layout.page.frames import Composed
from layout.pipeline import build
from layout.proof.findings import BAND_ROWS, Finding, findings
from layout.proof.make import make_proof


def test_low_resolution_photo_and_fixed_height_holes_are_found_and_marked(tmp_path):
    d = tmp_path / "issue"
    shutil.copytree(SAMPLE, d)
    photo = d / "photos" / "harbour-breakwater-dusk.jpg"
    with Image.open(photo) as im:
        im.resize((160, round(160 * im.height / im.width))).save(photo)
    y = d / "issue.yaml"
    y.write_text(y.read_text().replace("      - article: concrete-fact-file\n", "", 1))
    text = y.read_text().replace(
        "      - article: self-healing-concrete\n",
        "      - article: self-healing-concrete\n      - article: concrete-fact-file\n        height: 80mm\n",
        1,
    )
    y.write_text(text)
    b = build(d)
    found = findings(b.composed)
    low = [f for f in found if f.kind == "resolution"]
    assert len(low) == 1 and low[0].page == 2 and low[0].story == "self-healing-concrete"
    assert "ppi" in low[0].note and low[0].severity == "warning"
    holes = [f for f in found if f.kind == "underset" and f.story == "concrete-fact-file"]
    fit = next(f for f in b.composed.fits if f.story == "concrete-fact-file")
    assert fit.fixed_height and fit.free_lines > 0
    assert sum(round((h.box[3] - h.box[1]) / b.composed.pages[1].grid) for h in holes) == fit.free_lines
    proof = make_proof(b, tmp_path / "proof.pdf")
    page2 = pdfium.PdfDocument(str(proof.path))[1].get_textpage().get_text_range()
    assert "ppi at this size" in " ".join(page2.split())
    assert "empty line" in page2


def test_an_empty_band_across_the_page_is_found(sample_built):
    c = sample_built.composed
    page = c.pages[2]
    cut = page.area.top + (page.area.height * 0.5)
    emptied = [it for it in page.items if getattr(it, "top", getattr(it, "y0", 0)) < cut]
    bare = Composed([*c.pages[:2], type(page)(**{**page.__dict__, "items": emptied})], c.fits, "", "", 0, 0)
    bands = [f for f in findings(bare) if f.kind == "band"]
    assert bands and bands[0].page == 3
    assert bands[0].box[3] - bands[0].box[1] >= BAND_ROWS * page.grid
    assert not [f for f in findings(c) if f.kind == "band"]


def test_a_check_plugs_in_and_its_findings_are_marked(sample_built, tmp_path):
    def unplaced(composed: Composed):
        p = composed.pages[0]
        yield Finding(1, (p.area.x, p.area.top, p.area.x + 50, p.area.top + 20), "warning", "PLUGGED-IN CHECK", "x")

    assert any(f.note == "PLUGGED-IN CHECK" for f in findings(sample_built.composed, [unplaced]))
    proof = make_proof(sample_built, tmp_path / "p.pdf", extra=(unplaced,))
    assert "PLUGGED-IN CHECK" in pdfium.PdfDocument(str(proof.path))[0].get_textpage().get_text_range()
    sheet = pdfium.PdfDocument(str(proof.path))[3].get_textpage().get_text_range()
    assert "PLUGGED-IN CHECK" in sheet


def test_column_foot_holes_are_really_empty(sample_built, tmp_path):
    """No item of the page stands in a box marked as empty lines (a photo spanning columns
    counts as filling them); checked on the sample and on a fresh `issue new` folder."""
    from layout.scaffold import scaffold

    scaffold(tmp_path / "new")
    for composed in (sample_built.composed, build(tmp_path / "new").composed):
        holes = [f for f in findings(composed) if f.kind in ("underset", "band")]
        assert holes
        for h in holes:
            page = composed.pages[h.page - 1]
            x0, top, x1, bottom = h.box
            for it in page.items:
                if not hasattr(it, "top"):
                    continue
                left = getattr(it, "x0", it.x)
                right = getattr(it, "x1", it.x + getattr(it, "width", 0))
                inside = left < x1 - 1 and right > x0 + 1 and it.top < bottom - 1 and it.bottom > top + 1
                assert not inside, (h, getattr(it, "text", it))
