"""Editors' proofs: `issue proof`, `fit`, `preview` and `diff` on the sample issue with an
overset story, read back from the PDFs they write."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import traceback
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import SAMPLE
from pdfcheck import extracted_words, missing_in_order, words_of
from PIL import Image, ImageChops
from pypdf import PdfReader
from typer.testing import CliRunner

from layout import __version__
from layout.cli import app
from layout.pdf.draw import write_pdf
from layout.pipeline import build
from layout.proof.make import make_proof
from layout.proof.proofmap import read_map, unmarked
from layout.text.punctuation import Punctuation


def cli(*args: object):
    r = CliRunner().invoke(app, [str(a) for a in args])
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        pytest.fail("".join(traceback.format_exception(*r.exc_info)))
    return r


def overset_copy(dst: Path) -> Path:
    """The sample issue with the news briefs on the front page twice too long for their columns."""
    shutil.copytree(SAMPLE, dst)
    md = dst / "articles" / "news-briefs.md"
    text = md.read_text()
    md.write_text(text + "\n\n" + text.replace("**", "").replace("research", "survey").strip() + "\n")
    return dst


@pytest.fixture(scope="module")
def issue(tmp_path_factory) -> Path:
    return overset_copy(tmp_path_factory.mktemp("proof") / "issue")


@pytest.fixture(scope="module")
def built(issue):
    return build(issue)


@pytest.fixture(scope="module")
def proof(issue, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "proof.pdf"
    r = cli("proof", issue, "-o", out)
    assert r.exit_code == 0, r.output
    assert "overset: story 'news-briefs' on page 1" in r.stderr
    return out


def test_proof_of_an_overset_issue_is_written_and_every_overset_word_extracts(built, proof):
    over = [f for f in built.composed.fits if f.overset_lines]
    assert [f.story for f in over] == ["news-briefs"]
    want = words_of(over[0].overset_text)
    assert len(want) == over[0].overset_words > 100
    got = extracted_words(proof)
    assert missing_in_order(want, got) == []
    # The overset copy is on the proof sheet after the edition's pages, under the story's id.
    doc = pdfium.PdfDocument(str(proof))
    assert len(doc) > len(built.composed.pages)
    sheet = " ".join(doc[i].get_textpage().get_text_range() for i in range(3, len(doc)))
    assert "OVERSET \u00b7 news-briefs" in sheet
    assert missing_in_order(want, words_of(sheet.replace("\ufffe", "").replace("-\r\n", ""))) == []


def test_marks_are_on_their_own_layer_and_the_page_under_them_prints_as_rendered(built, proof, tmp_path):
    reader = PdfReader(str(proof))
    ocp = reader.trailer["/Root"]["/OCProperties"]
    assert [o.get_object()["/Name"] for o in ocp["/OCGs"]] == ["Proof marks"]
    n = len(built.composed.pages)
    for page in reader.pages[:n]:
        assert b"/OC /ProofMarks BDC" in page.get_contents().get_data()
    plain = tmp_path / "plain.pdf"
    write_pdf(built.composed, plain)
    clean = unmarked(proof, tmp_path / "clean.pdf", n)
    a, b = pdfium.PdfDocument(str(plain)), pdfium.PdfDocument(str(clean))
    assert len(a) == len(b) == n
    for i in range(n):
        ia, ib = a[i].render(scale=0.5).to_pil(), b[i].render(scale=0.5).to_pil()
        assert ImageChops.difference(ia.convert("RGB"), ib.convert("RGB")).getbbox() is None, f"page {i + 1}"
    # And the marks themselves are there: watermark, slug, labels with fit, notes.
    marked = pdfium.PdfDocument(str(proof))[0].get_textpage().get_text_range()
    for needle in ("PROOF", "proofed", "inputs", "news-briefs", "OVERSET"):
        assert needle in marked


def test_story_labels_say_id_words_and_fit(built, proof):
    text = " ".join(pdfium.PdfDocument(str(proof))[0].get_textpage().get_text_range().split())
    briefs = next(f for f in built.composed.fits if f.story == "news-briefs")
    words = sum(len(i.text.split()) for i in built.composed.pages[0].text(story="news-briefs"))
    assert f"news-briefs \u00b7 {words} words \u00b7 over {briefs.overset_lines} lines" in text
    assert "qinglan-turbine" in text and "quantum-fibre-link" in text


def test_the_map_holds_boxes_text_hash_and_version(built, proof, issue):
    m = read_map(proof)
    assert m is not None and m["tool"] == f"layout {__version__}"
    assert len(m["inputs"]["hash"]) == 64 and "issue.yaml" in m["inputs"]["files"]
    assert m["edition_pages"] == len(built.composed.pages)
    boxes = {b["story"] for p in m["pages"][:3] for b in p["boxes"]}
    assert boxes == {f.story for f in built.composed.fits}
    # Each story's text holds its body words in order (the overset ones included).
    for aid in ("geminids", "news-briefs"):
        body = (issue / "articles" / f"{aid}.md").read_text().replace("**", "").replace("###", "")
        body = Punctuation(built.style.text.punctuation, "en-US").text(body)  # curly quotes, as set
        assert missing_in_order(words_of(body), words_of(m["stories"][aid]["text"])) == []
    assert (
        m["stories"]["news-briefs"]["overset"].split()
        == next(f for f in built.composed.fits if f.story == "news-briefs").overset_text.split()
    )


def test_fit_table_json(issue, built):
    r = cli("fit", issue, "--json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    g = next(x for x in rows if x["story"] == "news-briefs")
    f = next(f for f in built.composed.fits if f.story == "news-briefs")
    assert g["over"] == f.overset_lines and g["words"] == f.overset_words and g["fit"].startswith("over")
    assert all(x["available"] >= x["used"] for x in rows)
    table = cli("fit", issue).stdout
    assert "news-briefs" in table and "cut" in table


def test_preview_writes_one_png_per_page_and_a_contact_sheet(proof, tmp_path):
    out = tmp_path / "pv"
    r = cli("preview", proof, "-o", out, "--dpi", 40)
    assert r.exit_code == 0, r.output
    doc = pdfium.PdfDocument(str(proof))
    pngs = sorted(out.glob("page-*.png"))
    assert len(pngs) == len(doc)
    w, h = doc[0].get_size()
    for p in pngs:
        with Image.open(p) as im:
            assert abs(im.width - w * 40 / 72) <= 1 and abs(im.height - h * 40 / 72) <= 1
    with Image.open(out / "contact.png") as im:
        assert im.width > 4 * 200 and im.height > 300


def test_preview_of_an_issue_folder(issue, tmp_path):
    r = cli("preview", issue, "-o", tmp_path / "pv", "--dpi", 20)
    assert r.exit_code == 0, r.output
    assert len(list((tmp_path / "pv").glob("page-*.png"))) == 3


def test_two_proofs_of_the_same_inputs_made_at_different_times_compare_unchanged(built, proof, tmp_path):
    later = make_proof(built, tmp_path / "later.pdf", now=dt.datetime(2030, 1, 1, 3, 4, tzinfo=dt.UTC)).path
    assert "2030-01-01 03:04" in pdfium.PdfDocument(str(later))[0].get_textpage().get_text_range()
    r = cli("diff", proof, later, "-o", tmp_path / "rep")
    assert r.exit_code == 0, r.output
    assert "unchanged" in r.stdout
    assert not list((tmp_path / "rep").glob("page-*.png"))


def test_a_one_word_correction_is_named_with_its_story_and_both_words(issue, proof, tmp_path):
    d = tmp_path / "issue2"
    shutil.copytree(issue, d)
    md = d / "articles" / "letters.md"
    md.write_text(md.read_text().replace("pollinators", "pollinator", 1))
    new = tmp_path / "new.pdf"
    assert cli("proof", d, "-o", new).exit_code == 0
    rep = tmp_path / "rep"
    r = cli("diff", proof, new, "-o", rep)
    assert r.exit_code == 1, r.output
    assert "story 'letters'" in r.stdout and "pollinators" in r.stdout and "pollinator\u201d" in r.stdout
    data = json.loads((rep / "changes.json").read_text())
    assert data["stories"] == [{"story": "letters", "page": 3, "removed": ["pollinators"], "added": ["pollinator"]}]
    changed = [p["page"] for p in data["pages"] if p["changed"]]
    assert changed == [3]
    assert (rep / "index.html").is_file() and (rep / "page-003.png").is_file()
    assert "letters" in (rep / "index.html").read_text()


def test_diff_of_plain_renders_reads_the_page_text(built, tmp_path):
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    write_pdf(built.composed, a)
    write_pdf(built.composed, b)
    r = cli("diff", a, b, "-o", tmp_path / "rep")
    assert r.exit_code == 0, r.output


def test_diff_an_issue_folder_against_its_proof(issue, proof, tmp_path):
    r = cli("diff", proof, issue, "-o", tmp_path / "rep")
    assert r.exit_code == 0, r.output
