"""The sample issue archived once: a BagIt 1.0 bag whose PDF/A, ALTO, METS, NewsML-G2 and NITF
files validate offline, whose ALTO words are the frames' words where the PDF draws them, and
which `issue verify` checks byte for byte."""

from __future__ import annotations

import json
import os
import shutil
import stat
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import bagit
import pikepdf
import pytest
from archivecheck import cli, schema
from pikepdf import pdfa

from layout.page.frames import TextItem
from layout.pdf.measure import read_lines

SAMPLE = Path(__file__).resolve().parents[1] / "issues" / "2026-12-03"
ALTO = "{http://www.loc.gov/standards/alto/ns-v4#}"
METS = "{http://www.loc.gov/METS/}"
NITF = "{http://iptc.org/std/NITF/2006-10-18/}"
XLINK = "{http://www.w3.org/1999/xlink}"
PT = 72 / 1200  # one inch1200 unit in points


@pytest.fixture(scope="session")
def archived(tmp_path_factory) -> tuple[Path, Path]:
    """(archive folder, bag) for the sample issue, archived once through the command."""
    root = tmp_path_factory.mktemp("archive")
    r = cli("archive", SAMPLE, "--to", root)
    assert r.code == 0, r.stderr
    bag = root / "the-lodestar-science-weekly" / "2026" / "2026-12-03-international"
    assert str(bag) in r.stdout
    return root, bag


@pytest.fixture(scope="session")
def bag(archived) -> Path:
    return archived[1]


def test_the_bag_is_bagit_1_0_with_sha256_and_sha512(bag):
    b = bagit.Bag(str(bag))
    b.validate()
    assert b.version_info == (1, 0)
    assert (bag / "bagit.txt").read_text() == "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    for name in ("manifest-sha256.txt", "manifest-sha512.txt", "tagmanifest-sha256.txt", "tagmanifest-sha512.txt"):
        assert (bag / name).is_file(), name
    assert "bagit.txt" in (bag / "tagmanifest-sha256.txt").read_text()
    assert b.info["Source-Organization"] == "The Lodestar Science Weekly"
    assert b.info["External-Identifier"] == "the-lodestar-science-weekly/2026-12-03-international"
    assert b.info["Bagging-Date"]
    names = {p.relative_to(bag / "data").as_posix() for p in (bag / "data").rglob("*") if p.is_file()}
    for want in ("mets.xml", "issue.pdf", "metadata.json", "pages/0001.pdf", "pages/0003.xml", "source/issue.yaml"):
        assert want in names
    assert "source/styles/lodestar.yaml" in names and "source/articles/geminids.md" in names
    assert {"articles/letters.xml", "articles/letters.txt"} <= names
    assert not [p for p in bag.parent.iterdir() if p.name.startswith(".")]  # no staging folder left


def test_photos_are_the_originals_byte_for_byte(bag):
    for name in ("qinglan-turbine-hall.jpg", "harbour-breakwater-dusk.jpg"):
        assert (bag / "data" / "photos" / name).read_bytes() == (SAMPLE / "photos" / name).read_bytes()
    assert (bag / "data" / "source" / "issue.yaml").read_bytes() == (SAMPLE / "issue.yaml").read_bytes()


def test_page_pdfs_pass_pdfa_2b_and_the_issue_pdf_3b(bag):
    pages = sorted((bag / "data" / "pages").glob("*.pdf"))
    assert len(pages) == 3
    for p in pages:
        report = pdfa.validate_written(p, "2b")
        assert report.passed, report.findings
    report = pdfa.validate_written(bag / "data" / "issue.pdf", "3b")
    assert report.passed, report.findings
    # and a page is not 3b-declared, nor the issue 2b: the flavours are what they say
    assert not pdfa.validate_written(pages[0], "3b").passed


def test_xmp_carries_title_date_publisher_language_and_number(bag):
    for path in (bag / "data" / "issue.pdf", bag / "data" / "pages" / "0002.pdf"):
        with pikepdf.open(path) as pdf:
            assert pdf.pdf_version >= "1.6"
            m = pdf.open_metadata()
            assert "The Lodestar Science Weekly" in m["dc:title"] and "2026-12-03" in m["dc:title"]
            assert m["dc:date"] == ["2026-12-03"]
            assert set(m["dc:publisher"]) == {"The Lodestar Science Weekly"}
            assert set(m["dc:language"]) == {"en-US"}
            assert "412" in m["dc:description"] and "412" in m["dc:identifier"]
            assert m["xmp:CreateDate"].startswith("2026-12-03")
            assert m["pdfaid:part"] in ("2", "3")
            intents = pdf.Root.OutputIntents
            assert len(intents) == 1 and intents[0].S == "/GTS_PDFA1" and intents[0].DestOutputProfile.N == 3


def test_the_issue_pdf_carries_its_sources_as_associated_files(bag):
    with pikepdf.open(bag / "data" / "issue.pdf") as pdf:
        names = set(pdf.attachments)
        assert {"source/issue.yaml", "source/styles/lodestar.yaml", "source/articles/letters.md"} <= names
        assert len(pdf.Root.AF) == len(names)
        for spec in pdf.Root.AF:
            assert spec.AFRelationship == "/Source"
        raw = pdf.attachments["source/issue.yaml"].get_file().read_bytes()
        assert raw == (SAMPLE / "issue.yaml").read_bytes()


def test_alto_mets_newsml_and_nitf_validate_offline(bag):
    data = bag / "data"
    alto = schema("alto-4-4.xsd")
    for p in sorted((data / "pages").glob("*.xml")):
        alto.validate(str(p))
    schema("mets.xsd").validate(str(data / "mets.xml"))
    g2 = schema("newsml/NewsML-G2_2.35-spec-All-Power.xsd")
    nitf = schema("newsml/nitf-3-6.xsd")
    items = sorted((data / "articles").glob("*.xml"))
    assert len(items) == 8
    for p in items:
        g2.validate(str(p))
        body = ET.parse(p).getroot().find(f".//{NITF}nitf")
        assert body is not None, p
        nitf.validate(body)


def test_an_invalid_alto_file_is_caught_by_the_schema(bag, tmp_path):
    """The validation can fail: a String without CONTENT is rejected."""
    text = (bag / "data" / "pages" / "0001.xml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.xml"
    bad.write_text(text.replace(' CONTENT="', ' CONTENTS="', 1), encoding="utf-8")
    assert not schema("alto-4-4.xsd").is_valid(str(bad))


def _alto_lines(path: Path) -> list[ET.Element]:
    return list(ET.parse(path).getroot().iter(f"{ALTO}TextLine"))


def _baseline(line: ET.Element) -> int:
    return int(line.get("BASELINE").split()[0].split(",")[1])


def _printed_lines(path: Path) -> list[list[ET.Element]]:
    """ALTO TextLines grouped as the PDF draws them: a caption line that a credit shares is two
    TextLines (one in each block) on one baseline, the credit's to the right."""
    out: list[list[ET.Element]] = []
    for block in ET.parse(path).getroot().iter(f"{ALTO}TextBlock"):
        for i, ln in enumerate(block.findall(f"{ALTO}TextLine")):
            prev = out[-1][-1] if out else None
            credit = i == 0 and block.get("ID").endswith("_CR")
            if credit and prev is not None and _baseline(prev) == _baseline(ln):
                out[-1].append(ln)
            else:
                out.append([ln])
    return out


def _printed(line: ET.Element) -> list[str]:
    """A TextLine's words as printed: a HYP's hyphen back on the word before it."""
    words = [s.get("CONTENT") for s in line.findall(f"{ALTO}String")]
    hyp = line.find(f"{ALTO}HYP")
    if hyp is not None:
        words[-1] += hyp.get("CONTENT")
    return words


def test_alto_words_are_the_frames_words_in_order(bag, sample_built):
    for page in sample_built.composed.pages:
        frames = [w for it in page.items if isinstance(it, TextItem) and it.line.spans for w in it.text.split(" ")]
        alto = [w for ln in _alto_lines(bag / "data" / "pages" / f"{page.number:04d}.xml") for w in _printed(ln)]
        assert len(alto) > 500
        assert alto == frames, page.number


def test_every_alto_word_box_lies_where_the_pdf_draws_it(bag):
    worst = 0.0
    for n in (1, 2, 3):
        pdf_lines = read_lines(bag / "data" / "pages" / f"{n:04d}.pdf")
        alto_lines = _printed_lines(bag / "data" / "pages" / f"{n:04d}.xml")
        assert len(pdf_lines) == len(alto_lines)  # the exporter writes one text object per line
        for pl, group in zip(pdf_lines, alto_lines, strict=True):
            base = _baseline(group[0]) * PT
            assert abs(base - pl.y) <= 1.0, (n, pl.text)
            # the PDF's words: runs of glyphs between space glyphs
            words: list[list[float]] = [[]]
            for g in pl.glyphs:
                if g.ch == " ":
                    words.append([])
                elif words[-1]:
                    words[-1][1] = g.x1
                else:
                    words[-1] = [g.x0, g.x1]
            boxes = [w for w in words if w]
            strings = [s for al in group for s in al.findall(f"{ALTO}String")]
            assert len(strings) == len(boxes), (n, pl.text)
            hyp = group[-1].find(f"{ALTO}HYP")
            for i, (s, (x0, x1)) in enumerate(zip(strings, boxes, strict=True)):
                a0 = float(s.get("HPOS")) * PT
                end = hyp if (hyp is not None and i == len(strings) - 1) else s
                a1 = (float(end.get("HPOS")) + float(end.get("WIDTH"))) * PT
                worst = max(worst, abs(a0 - x0), abs(a1 - x1))
                assert abs(a0 - x0) <= 1.0 and abs(a1 - x1) <= 1.0, (n, s.get("CONTENT"), a0, x0, a1, x1)
    assert worst < 0.2  # in practice the rounding to 1/1200 inch


def test_hyphenated_words_carry_the_whole_word(bag):
    parts = []
    for n in (1, 2, 3):
        for ln in _alto_lines(bag / "data" / "pages" / f"{n:04d}.xml"):
            parts += [s for s in ln.findall(f"{ALTO}String") if s.get("SUBS_TYPE")]
    assert len(parts) >= 20
    for a, b in zip(parts[::2], parts[1::2], strict=True):
        assert (a.get("SUBS_TYPE"), b.get("SUBS_TYPE")) == ("HypPart1", "HypPart2")
        assert a.get("SUBS_CONTENT") == b.get("SUBS_CONTENT") == a.get("CONTENT") + b.get("CONTENT")
    assert any(a.get("SUBS_CONTENT") == "candidates" for a in parts)


def test_alto_reads_each_story_column_by_column(bag):
    for n in (1, 2, 3):
        root = ET.parse(bag / "data" / "pages" / f"{n:04d}.xml").getroot()
        tags = {t.get("ID"): t.get("LABEL") for t in root.iter(f"{ALTO}LayoutTag")}
        body = [b for b in root.iter(f"{ALTO}TextBlock") if tags[b.get("TAGREFS")] == "body"]
        assert root.find(f".//{ALTO}MeasurementUnit").text == "inch1200"
        assert body
        # blocks of one story follow each other left to right (a photo may split a column)
        meta = json.loads((bag / "data" / "metadata.json").read_text())
        for a in meta["articles"]:
            ids = a["blocks"].get(str(n), [])
            xs = [int(b.get("HPOS")) for b in body if b.get("ID") in ids]
            # (a block's left edge moves a little with indents and hanging punctuation)
            assert all(b > a - 200 for a, b in zip(xs, xs[1:], strict=False)), (n, a["id"], xs)
    illus = list(ET.parse(bag / "data" / "pages" / "0001.xml").getroot().iter(f"{ALTO}Illustration"))
    assert len(illus) == 1


def test_mets_lists_every_file_with_its_size_and_sha256(bag):
    import hashlib

    data = bag / "data"
    root = ET.parse(data / "mets.xml").getroot()
    listed = {}
    for f in root.iter(f"{METS}file"):
        href = unquote(f.find(f"{METS}FLocat").get(f"{XLINK}href"))
        raw = (data / href).read_bytes()
        assert int(f.get("SIZE")) == len(raw), href
        assert f.get("CHECKSUMTYPE") == "SHA-256" and f.get("CHECKSUM") == hashlib.sha256(raw).hexdigest(), href
        listed[f.get("ID")] = href
    on_disk = {p.relative_to(data).as_posix() for p in data.rglob("*") if p.is_file()}
    assert set(listed.values()) == on_disk - {"mets.xml"}
    # physical: issue -> 3 pages -> their PDF and ALTO; logical: articles -> ALTO blocks that exist
    phys, logical = root.findall(f"{METS}structMap")
    pages = phys.findall(f"{METS}div/{METS}div")
    assert [p.get("TYPE") for p in pages] == ["np:page"] * 3
    assert {listed[fp.get("FILEID")] for fp in pages[1].findall(f"{METS}fptr")} == {"pages/0002.pdf", "pages/0002.xml"}
    arts = logical.findall(f"{METS}div/{METS}div")
    assert len(arts) == 8
    ids = {}
    for n in (1, 2, 3):
        ids[f"altoFile{n}"] = {e.get("ID") for e in ET.parse(data / "pages" / f"{n:04d}.xml").getroot().iter()}
    areas = list(logical.iter(f"{METS}area"))
    assert len(areas) > 30
    for area in areas:
        assert area.get("BEGIN") in ids[area.get("FILEID")]


def test_article_text_files_hold_the_body(bag, sample_built):
    text = (bag / "data" / "articles" / "geminids.txt").read_text(encoding="utf-8")
    body = sample_built.loaded.bodies["geminids"]
    assert text.startswith("Geminids promise a dark-sky show\n")
    assert "page 3" in text
    first_para = body.strip().split("\n\n")[0].split()[:8]
    assert " ".join(first_para) in " ".join(text.split())


def test_verify_passes_an_untouched_bag_and_names_a_changed_byte(bag, tmp_path):
    r = cli("verify", bag)
    assert r.code == 0, r.stdout + r.stderr
    assert "1.0" in r.stdout
    copy = tmp_path / "bag"
    shutil.copytree(bag, copy)
    target = copy / "data" / "pages" / "0002.xml"
    raw = bytearray(target.read_bytes())
    raw[500] ^= 0x01
    target.write_bytes(bytes(raw))
    r = cli("verify", copy)
    assert r.code == 1
    assert "changed: data/pages/0002.xml" in r.stdout
    assert r.stdout.count("changed:") == 1


def test_verify_names_vanished_and_appeared_files(bag, tmp_path):
    copy = tmp_path / "bag"
    shutil.copytree(bag, copy)
    (copy / "data" / "articles" / "letters.txt").unlink()
    (copy / "data" / "photos" / "extra.jpg").write_bytes(b"not ours")
    (copy / "notes.txt").write_text("left here\n")
    (copy / "bag-info.txt").write_text((copy / "bag-info.txt").read_text() + "Note: edited\n")
    r = cli("verify", copy)
    assert r.code == 1
    out = r.stdout
    assert "vanished: data/articles/letters.txt" in out
    assert "appeared: data/photos/extra.jpg" in out
    assert "appeared: notes.txt" in out
    assert "changed: bag-info.txt" in out


def test_verify_checks_several_bags_and_reports_the_worst(bag, tmp_path):
    copy = tmp_path / "bag"
    shutil.copytree(bag, copy)
    (copy / "data" / "mets.xml").write_text("tampered")
    r = cli("verify", bag, copy)
    assert r.code == 1
    assert f"{bag}: valid" in r.stdout and f"{copy}: changed: data/mets.xml" in r.stdout


def test_verify_refuses_what_is_not_a_bag(tmp_path):
    r = cli("verify", tmp_path)
    assert r.code == 2 and "not a bag" in r.stderr
    r = cli("verify", tmp_path / "missing")
    assert r.code == 2


def test_archiving_again_is_refused_and_changes_nothing(archived):
    root, bag = archived
    before = sorted(p.as_posix() for p in root.rglob("*"))
    stamp = (bag / "bag-info.txt").read_bytes()
    r = cli("archive", SAMPLE, "--to", root)
    assert r.code == 2
    assert "already holds an archive" in r.stderr and "--new-version" in r.stderr
    assert "Traceback" not in r.stderr
    assert sorted(p.as_posix() for p in root.rglob("*")) == before
    assert (bag / "bag-info.txt").read_bytes() == stamp


def test_find_finds_a_body_word_on_its_page(archived):
    root, _ = archived
    r = cli("find", "bacterial", "--archive", root, "--json")  # from the body of a page-2 story
    assert r.code == 0, r.stderr
    hits = json.loads(r.stdout)
    story = [h for h in hits if h["article"] == "self-healing-concrete"]
    assert story and story[0]["page"] == 2 and story[0]["date"] == "2026-12-03"
    assert "[" in story[0]["snippet"]
    # a word broken across two lines is found whole
    r = cli("find", "candidates", "--archive", root, "--json")
    assert json.loads(r.stdout), "a hyphenated word is found"
    r = cli("find", "Qinglan", "--archive", root)
    assert r.code == 0 and "p.1" in r.stdout and "qinglan-turbine" in r.stdout


def test_find_reports_a_bad_query_and_a_missing_catalogue(archived, tmp_path):
    root, _ = archived
    r = cli("find", '"unclosed', "--archive", root)
    assert r.code == 2 and "cannot search" in r.stderr and "Traceback" not in r.stderr
    r = cli("find", "AND", "--archive", root)
    assert r.code == 2
    r = cli("find", "word", "--archive", tmp_path)
    assert r.code == 2 and "no catalogue" in r.stderr


def test_catalog_rebuild_from_the_bags_alone(archived, tmp_path):
    root, bag = archived
    copy = tmp_path / "archive"
    shutil.copytree(root, copy)
    (copy / "catalog.sqlite").unlink()
    (copy / "the-lodestar-science-weekly" / "2026" / ".2026-12-10.abc.partial" / "data").mkdir(parents=True)
    r = cli("catalog", "rebuild", copy)
    assert r.code == 0, r.stderr
    assert "1 bag catalogued" in r.stdout
    a = json.loads(cli("find", "bacterial", "--archive", root, "--json").stdout)
    b = json.loads(cli("find", "bacterial", "--archive", copy, "--json").stdout)
    assert a == b and a
    assert cli("catalog", "rebuild", tmp_path / "nowhere").code == 2
    # A folder or a pipe where the catalogue goes is left alone: exit 2, no traceback, no temp file.
    (copy / "catalog.sqlite").unlink()
    for make, remove in ((os.mkdir, os.rmdir), (os.mkfifo, os.unlink)):
        make(copy / "catalog.sqlite")
        r = cli("catalog", "rebuild", copy)
        assert r.code == 2 and "cannot write" in r.stderr and "catalog.sqlite" in r.stderr, r.stderr
        assert not [p for p in copy.iterdir() if p.name.endswith(".tmp")]
        assert not (copy / "catalog.sqlite").is_file()
        remove(copy / "catalog.sqlite")


def test_a_damaged_catalogue_is_reported_and_rebuilt(archived, tmp_path):
    root, bag = archived
    copy = tmp_path / "archive"
    shutil.copytree(root, copy)
    (copy / "catalog.sqlite").write_bytes(b"this is not a database\n")
    r = cli("find", "turbine", "--archive", copy)
    assert r.code == 2 and "not a readable catalogue" in r.stderr
    r = cli("archive", SAMPLE, "--to", copy, "--new-version")
    assert r.code == 1 and "not catalogued" in r.stderr and "catalog rebuild" in r.stderr
    assert "not archived" not in r.stderr
    v2 = copy / bag.relative_to(root).parent / (bag.name + "-v2")
    assert cli("verify", v2).code == 0  # the bag itself stands
    (copy / bag.relative_to(root) / "data" / "metadata.json").unlink()  # and one bag is damaged
    r = cli("catalog", "rebuild", copy)
    assert r.code == 1 and "cannot catalogue this bag" in r.stderr and "1 bag catalogued" in r.stdout
    hits = json.loads(cli("find", "turbine", "--archive", copy, "--json").stdout)
    assert hits and {h["version"] for h in hits} == {2}


def test_illustrations_name_their_photo_in_the_bag(bag):
    page = bag / "data" / "pages" / "0001.xml"
    (il,) = ET.parse(page).getroot().iter(f"{ALTO}Illustration")
    assert il.get("FILEID") == "../photos/qinglan-turbine-hall.jpg"
    assert (page.parent / il.get("FILEID")).is_file()


def test_verify_notices_a_deleted_tag_manifest(bag, tmp_path):
    copy = tmp_path / "bag"
    shutil.copytree(bag, copy)
    (copy / "tagmanifest-sha256.txt").unlink()
    r = cli("verify", copy)
    assert r.code == 1 and "vanished: tagmanifest-sha256.txt" in r.stdout


def test_a_photo_credit_is_a_block_of_its_own(bag):
    root = ET.parse(bag / "data" / "pages" / "0002.xml").getroot()
    tags = {t.get("ID"): t.get("LABEL") for t in root.iter(f"{ALTO}LayoutTag")}
    blocks = list(root.iter(f"{ALTO}TextBlock"))
    roles = [tags[b.get("TAGREFS")] for b in blocks]
    k = roles.index("credit")
    assert roles[k - 1] == "caption"
    words = " ".join(s.get("CONTENT") for s in blocks[k].iter(f"{ALTO}String"))
    assert words == "(PHOTO: KESTREL NEWS AGENCY)"
    caption = " ".join(s.get("CONTENT") for s in blocks[k - 1].iter(f"{ALTO}String"))
    assert caption.endswith("harbour at dusk.") and "PHOTO" not in caption


def test_the_bag_and_catalogue_get_the_modes_new_files_get(archived):
    """Made in private temporary places (mkdtemp, mkstemp), renamed in with the umask's modes:
    the archive's other readers can open the bag and the catalogue."""
    root, bag = archived
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(bag.stat().st_mode) == 0o777 & ~mask
    for p in bag.rglob("*"):
        assert stat.S_IMODE(p.stat().st_mode) == (0o777 if p.is_dir() else 0o666) & ~mask, p
    r = cli("catalog", "rebuild", root)
    assert r.code == 0, r.stderr
    assert stat.S_IMODE((root / "catalog.sqlite").stat().st_mode) == 0o666 & ~mask
