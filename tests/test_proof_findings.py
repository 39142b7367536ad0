"""The proof marks exactly what `issue check` reports (one source: layout.page.findings): a hole,
a short strip under a photo, a pull quote beside its sentence and a photo under 200 ppi are
boxed on their page in the marks layer, where they happen; an article never placed and a
bare-word body are listed on the problem sheet; `check` and `proof` print the same lines."""

from __future__ import annotations

import re
import shutil

import awkward
import pypdfium2 as pdfium
import pytest
from conftest import SAMPLE
from hostile import cli
from PIL import Image
from pypdf import PdfReader

from layout.page import findings as check
from layout.pipeline import build
from layout.proof.findings import findings
from layout.proof.make import make_proof
from layout.proof.proofmap import read_map

RE_OP = re.compile(rb"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re\b")


@pytest.fixture(scope="module")
def editor(tmp_path_factory):
    """The awkward `editor` issue (a hole, a short strip, a pull quote beside its sentence, an
    article never placed, a bare-word body), built and proofed once."""
    d = awkward.make(tmp_path_factory.mktemp("editor") / "issue", "editor")
    b = build(d)
    out = d.parent / "proof.pdf"
    return d, b, make_proof(b, out)


def _marks_rects(pdf, index: int) -> list[tuple[float, float, float, float]]:
    """Rectangles drawn inside the page's proof-marks layer (its /OC BDC ... EMC block)."""
    data = PdfReader(str(pdf)).pages[index].get_contents().get_data()
    start = data.index(b"/OC /ProofMarks BDC")
    block = data[start : data.index(b"EMC", start)]
    return [tuple(float(v) for v in m.groups()) for m in RE_OP.finditer(block)]


def test_the_proof_holds_every_finding_check_reports(editor):
    d, b, proof = editor
    want = [str(f) for f in check.findings(b.composed, b.loaded)]
    kinds = {f.kind for f in proof.findings}
    assert {"hole", "strip", "quote", "unplaced", "body"} <= kinds, kinds
    assert [f.line() for f in proof.findings] == want
    # The embedded map carries them too, page-less ones with no box.
    m = read_map(proof.path)
    assert [f["message"] for f in m["findings"]] == want
    unplaced = next(f for f in m["findings"] if f["kind"] == "unplaced")
    assert unplaced["page"] is None and unplaced["box"] is None and unplaced["story"] == "spare"


def test_findings_with_a_place_are_boxed_there_in_the_marks_layer(editor):
    d, b, proof = editor
    page = b.composed.pages[0]
    rects = _marks_rects(proof.path, 0)
    text = " ".join(pdfium.PdfDocument(str(proof.path))[0].get_textpage().get_text_range().split())
    placed = [f for f in proof.findings if f.page == 1 and f.box]
    assert {"hole", "strip", "quote"} <= {f.kind for f in placed}
    for f in placed:
        src = next(s for s in check.findings(b.composed, b.loaded) if str(s) == f.message)
        x, top, w, h = src.box
        # PDF space: y upwards from the page's foot.
        want = (x, page.height - (top + h), w, h)
        assert any(all(abs(a - e) < 0.05 for a, e in zip(r, want, strict=True)) for r in rects), (f.kind, want)
        assert f.note.split("\u2026")[0][:20] in text, f.note
    assert "empty band" in text and "a strip of" in text and "under photo wide.jpg" in text


def test_findings_without_a_page_are_on_the_problem_sheet(editor):
    d, b, proof = editor
    doc = pdfium.PdfDocument(str(proof.path))
    edition = " ".join(doc[i].get_textpage().get_text_range() for i in range(proof.pages))
    sheet = " ".join(
        " ".join(doc[i].get_textpage().get_text_range().split()) for i in range(proof.pages, len(doc))
    ).replace("\ufffe", "")
    assert "article 'spare' is defined but never placed" in sheet.replace("- ", "")
    assert "the single word 'editorial'" in sheet
    assert "never placed" not in edition
    assert "Problems found on this proof" in sheet


def test_check_and_proof_print_the_same_findings(editor):
    d, _, _ = editor
    c = cli("check", d)
    assert c.code == 0, c.stdout + c.stderr
    listed = c.stdout.splitlines()[:-1]  # the last line is the status
    assert len(listed) >= 5
    p = cli("proof", d, "-o", d.parent / "cli-proof.pdf")
    assert p.code == 0, p.stdout + p.stderr
    assert p.stderr.splitlines() == listed


def test_a_low_resolution_photo_is_a_check_warning_and_marked_on_the_proof(tmp_path):
    d = tmp_path / "issue"
    shutil.copytree(SAMPLE, d)
    photo = d / "photos" / "harbour-breakwater-dusk.jpg"
    with Image.open(photo) as im:
        im.resize((160, round(160 * im.height / im.width))).save(photo)
    r = cli("check", d)
    assert r.code == 0 and "1 warning" in r.stdout, r.stdout + r.stderr
    assert re.search(r"resolution: story 'self-healing-concrete' on page 2: photo harbour-breakwater-dusk\.jpg: "
                     r"\d+ ppi at this size", r.stdout), r.stdout  # fmt: skip
    assert cli("check", d, "--strict").code == 1
    b = build(d)
    low = [f for f in findings(b.composed, b.loaded) if f.kind == "resolution"]
    assert len(low) == 1 and low[0].page == 2 and low[0].severity == "warning"
    proof = make_proof(b, tmp_path / "proof.pdf")
    page2 = " ".join(pdfium.PdfDocument(str(proof.path))[1].get_textpage().get_text_range().split())
    assert "ppi at this size" in page2


def test_marked_holes_are_really_empty(editor):
    """No item of the page stands in a box marked as an empty band or empty column foot."""
    _, b, proof = editor
    holes = [f for f in proof.findings if f.kind in ("foot", "hole")]
    assert holes
    for h in holes:
        page = b.composed.pages[h.page - 1]
        x0, top, x1, bottom = h.box
        for it in page.items:
            if not hasattr(it, "top"):
                continue
            left = getattr(it, "x0", it.x)
            right = getattr(it, "x1", it.x + getattr(it, "width", 0))
            inside = left < x1 - 1 and right > x0 + 1 and it.top < bottom - 1 and it.bottom > top + 1
            assert not inside, (h, getattr(it, "text", it))


def test_a_problem_of_a_whole_story_is_marked_on_the_story(sample_built, monkeypatch):
    """A finding with a page but no box (a table too wide for its column, left out) is boxed
    where the story stands, not only listed on the sheet."""
    from layout.page.frames import Finding

    boxless = Finding(2, "self-healing-concrete", None, "error", "lead.md:3: a table too wide; left out", "fit")
    monkeypatch.setattr(check, "findings", lambda composed, loaded: [boxless])
    (f,) = findings(sample_built.composed, sample_built.loaded)
    fit = next(s for s in sample_built.composed.fits if s.story == "self-healing-concrete")
    assert f.page == 2 and f.box == (fit.x, fit.top, fit.x + fit.width, fit.bottom)
