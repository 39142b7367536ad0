"""`issue preflight`: each thing a plant would reject is flagged by name (and the sample's print
rendition passes clean); the font fallback draws a Chinese byline where a CJK font is installed and
is a named error where none is configured."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from reportlab.pdfgen import canvas
from typer.testing import CliRunner

from layout.cli import app

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issues" / "2026-12-03"
CHINESE_BYLINE = "By WANG Xiaoming (王小明)"


def cli(*args: object):
    r = CliRunner().invoke(app, [str(a) for a in args])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.output
    return r


def findings(*args: object) -> tuple[int, list[dict]]:
    r = cli("preflight", *args, "--json")
    return r.exit_code, json.loads(r.stdout)["findings"]


@pytest.fixture
def issue(tmp_path: Path) -> Path:
    folder = tmp_path / "issue"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("build"))
    return folder


def edit(folder: Path, old: str, new: str, count: int = 1) -> None:
    m = folder / "issue.yaml"
    text = m.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    m.write_text(text.replace(old, new, count), encoding="utf-8")


def style(folder: Path, extra: str) -> None:
    s = folder / "styles" / "lodestar.yaml"
    s.write_text(s.read_text(encoding="utf-8") + "\n" + extra + "\n", encoding="utf-8")


def test_sample_issue_and_its_print_rendition_pass_clean(tmp_path: Path) -> None:
    code, found = findings(SAMPLE, "--print")
    assert code == 0, found
    assert [f for f in found if f["severity"] == "error"] == []
    out = tmp_path / "p.pdf"
    assert cli("render", SAMPLE, "--print", "-o", out).exit_code == 0
    code, found = findings(out, "--print")
    assert code == 0 and found == [], found


def test_72_ppi_photo(issue: Path) -> None:
    photo = issue / "photos" / "qinglan-turbine-hall.jpg"
    with Image.open(photo) as im:
        im.resize((360, 240)).save(photo, quality=90)  # about 72 ppi over two columns
    code, found = findings(issue)
    hits = [f for f in found if f["check"] == "low-ppi"]
    assert code == 1
    assert len(hits) == 1 and hits[0]["severity"] == "error", found
    assert hits[0]["story"] == "qinglan-turbine" and hits[0]["page"] == 1
    assert hits[0]["element"] == "photo photos/qinglan-turbine-hall.jpg"
    assert re.match(r"7\d ppi effective", hits[0]["message"]), hits[0]["message"]


def test_rgb_image_and_operators_in_a_print_job(sample_pdf: Path) -> None:
    code, found = findings(sample_pdf, "--print")
    checks = {f["check"] for f in found}
    assert code == 1
    assert {"rgb-image", "rgb-colour", "pdfx"} <= checks, checks
    assert {f["page"] for f in found if f["check"] == "rgb-image"} == {1, 2}
    # the same screen PDF is fine as a screen PDF
    code, found = findings(sample_pdf)
    assert code == 0, found


def test_rich_black_text_in_an_issue(issue: Path) -> None:
    s = issue / "styles" / "lodestar.yaml"
    text = s.read_text(encoding="utf-8")
    old = "byline:   {font: sans, variant: semibold, size: 9.5, leading: 12.5}"
    assert old in text
    s.write_text(text.replace(old, old[:-1] + ', color: "#101826"}'), encoding="utf-8")  # a near-black navy
    code, found = findings(issue, "--print")
    hits = [f for f in found if f["check"] == "rich-black"]
    assert code == 1 and hits, found
    assert {f["element"] for f in hits} == {"byline"}
    assert "qinglan-turbine" in {f["story"] for f in hits}
    assert "#101826" in hits[0]["message"]


def test_rich_black_text_and_unembedded_font_in_a_pdf(tmp_path: Path) -> None:
    pdf = tmp_path / "rich.pdf"
    c = canvas.Canvas(str(pdf), pagesize=(300, 300))
    c.setFillColorCMYK(0.6, 0.5, 0.4, 1.0)
    c.setFont("Helvetica", 12)
    c.drawString(40, 150, "Four-colour black")
    c.setStrokeColorCMYK(0.5, 0.5, 0.5, 1.0)
    c.setLineWidth(0.1)
    c.line(40, 100, 200, 100)
    c.save()
    code, found = findings(pdf, "--print")
    checks = {(f["check"], f["element"]) for f in found}
    assert code == 1
    assert ("rich-black", "text") in checks and ("rich-black", "rule") in checks, checks
    assert ("font-not-embedded", "font") in checks
    assert ("thin-rule", "rule") in checks
    assert any("Helvetica" in f["message"] for f in found if f["check"] == "font-not-embedded")


def test_character_no_font_can_draw(issue: Path) -> None:
    style(issue, "fallback_fonts: []")
    edit(issue, "    byline: By Staff Reporters", f"    byline: {CHINESE_BYLINE}")
    code, found = findings(issue)
    hits = [f for f in found if f["check"] == "missing-glyph"]
    assert code == 1 and hits, found
    assert hits[0]["story"] == "qinglan-turbine"
    assert "'王' (U+738B)" in hits[0]["message"] and "byline" in hits[0]["message"]
    assert re.search(r"issue\.yaml:\d+:\d+$", hits[0]["location"])
    # render refuses it too, naming the character, and writes nothing
    r = cli("render", issue, "--print", "-o", issue / "out.pdf")
    assert r.exit_code == 2 and "U+738B" in r.stderr and not (issue / "out.pdf").exists()


def test_chinese_byline_drawn_by_a_fallback_font(issue: Path, tmp_path: Path) -> None:
    from layout.text.style import load_style

    st = load_style(issue / "styles" / "lodestar.yaml")
    if not any(f.has("王") for f in st.fallbacks):
        pytest.skip(f"no CJK TrueType fallback installed (tried: {'; '.join(st.fallbacks_skipped)})")
    edit(issue, "    byline: By Staff Reporters", f"    byline: {CHINESE_BYLINE}")
    assert findings(issue, "--print")[0] == 0
    out = tmp_path / "cn.pdf"
    assert cli("render", issue, "--print", "-o", out).exit_code == 0
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(out))
    assert CHINESE_BYLINE in doc[0].get_textpage().get_text_range()
    doc.close()
    with pikepdf.open(out) as pdf:
        fonts = {str(f.BaseFont) for f in pdf.pages[0].Resources.Font.values()}
    face = next(f for f in st.fallbacks if f.has("王"))
    fallback = [n for n in fonts if face.rl.face.name.decode() in n]
    assert fallback, fonts
    assert all(re.match(r"/[A-Z]{6}\+", n) for n in fallback)  # embedded as a subset
    assert findings(out, "--print") == (0, [])


def test_overset_story(issue: Path) -> None:
    edit(
        issue,
        "      - article: geminids\n        columns: 4",
        "      - article: geminids\n        columns: 4\n        height: 60mm",
    )
    code, found = findings(issue)
    hits = [f for f in found if f["check"] == "overset"]
    assert code == 1 and hits, found
    assert hits[0]["story"] == "geminids" and hits[0]["page"] == 3
    assert "did not fit" in hits[0]["message"]


def test_missing_photo_is_a_named_finding(issue: Path) -> None:
    (issue / "photos" / "harbour-breakwater-dusk.jpg").unlink()
    code, found = findings(issue)
    assert code == 1
    assert [f["check"] for f in found] == ["missing-file"]
    assert "harbour-breakwater-dusk.jpg" in found[0]["message"]


def test_warnings_fail_only_when_strict(issue: Path) -> None:
    style(issue, "rules:\n  column: 0.1")
    code, found = findings(issue)
    assert code == 0 and {f["check"] for f in found} == {"thin-rule"}, found
    assert cli("preflight", issue, "--strict").exit_code == 1


def test_human_report_and_bad_targets(tmp_path: Path) -> None:
    r = cli("preflight", SAMPLE)
    assert r.exit_code == 0 and r.stdout.strip().endswith("clean")
    r = cli("preflight", tmp_path / "nowhere")
    assert r.exit_code == 2 and "no such issue folder or PDF" in r.stderr
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf")
    r = cli("preflight", junk)
    assert r.exit_code == 1 and "missing-file" in r.stdout and "Traceback" not in r.output


def test_white_overprint_and_transparency_in_a_pdf(tmp_path: Path) -> None:
    pdf = tmp_path / "wo.pdf"
    c = canvas.Canvas(str(pdf), pagesize=(300, 300))
    c.setFillOverprint(True)
    c.setFillColorCMYK(0, 0, 0, 0)
    c.setFont("Helvetica", 12)
    c.drawString(40, 150, "Paper-white knockout that overprints")
    c.setFillOverprint(False)
    c.setFillColorCMYK(0, 0, 0, 0)
    c.drawString(40, 120, "Paper white that knocks out: fine")
    c.setFillAlpha(0.5)
    c.setFillColorCMYK(0, 0, 0, 1)
    c.rect(10, 10, 50, 50, fill=1)
    c.save()
    code, found = findings(pdf, "--print")
    white = [f for f in found if f["check"] == "white-overprint"]
    assert code == 1 and len(white) == 1 and "(at 40,150 pt)" in white[0]["message"], found
    assert any(f["check"] == "transparency" and "alpha" in f["message"] for f in found)
