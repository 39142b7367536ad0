"""`issue notes`: corrections read from annotations a test adds to a proof with pypdf (as a
viewer would), placed by page, story and marked words; `--patch` checked with `git apply`.
And bad input to the proofing commands: a clear message, exit 2, no traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from annotate import Annotator, word_box
from conftest import SAMPLE
from test_proof import cli

from layout.pdf.draw import write_pdf
from layout.pipeline import build


@pytest.fixture(scope="module")
def issue(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("notes") / "issue"
    shutil.copytree(SAMPLE, d)
    return d


@pytest.fixture(scope="module")
def proof(issue) -> Path:
    out = issue / "build" / "proof.pdf"
    assert cli("proof", issue, "-o", out).exit_code == 0
    return out


@pytest.fixture(scope="module")
def annotated(proof, tmp_path_factory) -> Path:
    a = Annotator(proof)
    m = a.map
    # A strike-out (delete), a highlight with a note, a sticky note, a caret insertion, and a
    # replacement (strike-out with a caret carrying the new text at its end).
    p, box, _ = word_box(m, "quantum-fibre-link", "entangled")
    a.add(p, "/StrikeOut", box, quads=[box])
    p, box, _ = word_box(m, "geminids", "meteors")
    a.add(p, "/Highlight", box, "is this the right figure?", quads=[box])
    p, box, _ = word_box(m, "letters", "bees")
    a.add(p, "/Caret", (box[0] - 2, box[1], box[0] + 2, box[3]), "honey")
    p, box, _ = word_box(m, "self-healing-concrete", "reinforcement")
    a.add(p, "/StrikeOut", box, quads=[box])
    a.add(p, "/Caret", (box[2] - 2, box[1], box[2] + 2, box[3]), "steel")
    p, box, _ = word_box(m, "replication-column", "study")
    a.add(p, "/Text", (box[0], box[1], box[0] + 18, box[1] + 18), "Check the tense here")
    return a.save(tmp_path_factory.mktemp("annotated") / "annotated.pdf")


def _notes(pdf: Path) -> list[dict]:
    r = cli("notes", pdf, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_notes_list_page_story_and_marked_text(annotated, issue):
    notes = _notes(annotated)
    by = {(n["kind"], n["story"]): n for n in notes}
    assert len(notes) == 5
    d = by[("delete", "quantum-fibre-link")]
    assert d["page"] == 1 and d["marked"] == "entangled" and d["author"] == "Desk"
    assert d["time"] == "2026-12-02 22:15"
    h = by[("highlight", "geminids")]
    assert h["page"] == 3 and h["marked"] == "meteors" and h["note"] == "is this the right figure?"
    i = by[("insert", "letters")]
    assert i["page"] == 3 and i["note"] == "honey" and "\u201cbees\u201d" in i["marked"]
    r = by[("replace", "self-healing-concrete")]
    assert r["page"] == 2 and r["marked"] == "reinforcement" and r["note"] == "steel"
    t = by[("note", "replication-column")]
    assert t["page"] == 3 and t["note"] == "Check the tense here" and "study" in t["marked"]
    text = cli("notes", annotated).stdout
    assert "p2 self-healing-concrete: replace \u201creinforcement\u201d with \u201csteel\u201d" in text


def test_patch_applies_to_the_article_sources_and_changes_only_the_marked_words(
    annotated, issue, tmp_path, monkeypatch
):
    # Paths in the patch are relative to the folder the command runs in: the issue's parent here.
    monkeypatch.chdir(issue.parent)
    r = cli("notes", annotated, "--patch")
    assert r.exit_code == 0, r.output
    patch = r.stdout
    assert "--- a/issue/articles/quantum-fibre-link.md" in patch
    assert "-Physicists have distributed entangled photons" in patch
    assert "+Physicists have distributed photons" in patch
    assert "that honey bees still outperformed" in patch
    fixes = tmp_path / "fixes.patch"
    fixes.write_text(patch)
    check = subprocess.run(["git", "apply", "--check", str(fixes)], cwd=issue.parent, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    # Nothing was applied: the sources are as they were.
    for md in (issue / "articles").glob("*.md"):
        assert md.read_text() == (SAMPLE / "articles" / md.name).read_text()
    # Applied to a copy, the patch changes exactly the marked words.
    root = tmp_path / "root"
    shutil.copytree(issue, root / "issue", ignore=shutil.ignore_patterns("build"))
    done = subprocess.run(["git", "apply", str(fixes)], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    r = cli("diff", issue, root / "issue", "-o", tmp_path / "rep")
    assert r.exit_code == 1
    data = json.loads((tmp_path / "rep" / "changes.json").read_text())
    got = {(c["story"], " ".join(c["removed"]), " ".join(c["added"])) for c in data["stories"]}
    assert got == {
        ("quantum-fibre-link", "entangled", ""),
        ("letters", "", "honey"),
        ("self-healing-concrete", "reinforcement", "steel"),
    }


def test_a_malformed_annotation_is_skipped_with_a_warning(proof, tmp_path):
    from annotate import Annotator
    from pypdf.generic import NameObject, TextStringObject

    a = Annotator(proof)
    p, box, _ = word_box(a.map, "geminids", "meteors")
    a.add(p, "/Highlight", box, "fine", quads=[box])
    bad = a.writer.pages[p - 1]["/Annots"][-1].get_object().copy()
    bad[NameObject("/Rect")] = TextStringObject("not a rectangle")
    del bad["/QuadPoints"]
    a.writer.add_annotation(p - 1, bad)
    r = cli("notes", a.save(tmp_path / "bad.pdf"))
    assert r.exit_code == 0, r.output
    assert "meteors" in r.stdout and "malformed" in r.stderr


def test_a_proof_without_annotations_says_so(proof):
    r = cli("notes", proof)
    assert r.exit_code == 0 and "no annotations" in r.stderr


def test_bad_input_to_the_proofing_commands(issue, proof, tmp_path):
    missing = tmp_path / "nowhere"
    r = cli("proof", missing)
    assert r.exit_code == 2 and "Traceback" not in r.output and r.stderr
    text = tmp_path / "notes.pdf"
    text.write_text("not a pdf at all")
    for args in (("notes", text), ("diff", text, proof), ("preview", text), ("notes", missing)):
        r = cli(*args)
        assert r.exit_code == 2, (args, r.output)
        assert "error:" in r.stderr and "Traceback" not in r.output
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n% truncated\n")
    for args in (("notes", broken), ("diff", broken, proof), ("preview", broken)):
        r = cli(*args)
        assert r.exit_code == 2, (args, r.output)
        assert "error:" in r.stderr
    plain = tmp_path / "plain.pdf"
    write_pdf(build(issue).composed, plain)
    r = cli("notes", plain)
    assert r.exit_code == 2 and "no proof map" in r.stderr
    manifest = issue / "issue.yaml"
    before = manifest.read_bytes()
    r = cli("proof", issue, "-o", manifest)
    assert r.exit_code == 2 and manifest.read_bytes() == before
