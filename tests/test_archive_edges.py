"""The archive of an issue with a jump across pages, a drop cap, an article id and a photo name
that are not file-name or XML-ID safe: still valid, and the catalogue names both pages."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import bagit
import pytest
from archivecheck import cli, schema

from layout.page.frames import TextItem
from layout.pipeline import build

SAMPLE = Path(__file__).resolve().parents[1] / "issues" / "2026-12-03"
ALTO = "{http://www.loc.gov/standards/alto/ns-v4#}"
METS = "{http://www.loc.gov/METS/}"
ODD_ID = "Geminids \u2013 night sky"


def _edit(d: Path) -> None:
    md = d / "articles" / "quantum-fibre-link.md"
    md.write_text(md.read_text() * 4)
    (d / "photos" / "harbour-breakwater-dusk.jpg").rename(d / "photos" / "harbour breakwater dusk.jpg")
    y = d / "issue.yaml"
    t = y.read_text()
    q = "    body: articles/quantum-fibre-link.md"
    t = t.replace(q, q + "\n    continued_on: 4")
    t = t.replace("articles:\n", "  - section: Science\n    stories: []\narticles:\n", 1)
    c = "    body: articles/replication-column.md"
    t = t.replace(c, c + "\n    drop_cap: true")
    t = t.replace("photos/harbour-breakwater-dusk.jpg", '"photos/harbour breakwater dusk.jpg"')
    t = t.replace("    body: articles/geminids.md", "    body: articles/geminids.md\n    drop_cap: true")
    t = t.replace("article: geminids", f'article: "{ODD_ID}"').replace("  geminids:", f'  "{ODD_ID}":')
    y.write_text(t)


@pytest.fixture(scope="module")
def edge(tmp_path_factory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("edge")
    issue = root / "issue"
    shutil.copytree(SAMPLE, issue, ignore=shutil.ignore_patterns("build"))
    _edit(issue)
    r = cli("archive", issue, "--to", root / "archive")
    assert r.code == 0, r.stderr
    archive = root / "archive"
    return issue, archive, archive / "the-lodestar-science-weekly" / "2026" / "2026-12-03-international"


def test_the_odd_issue_archives_into_a_valid_bag(edge):
    _, _, bag = edge
    bagit.Bag(str(bag)).validate()
    data = bag / "data"
    assert len(list((data / "pages").glob("*.pdf"))) == 4
    for p in (data / "pages").glob("*.xml"):
        schema("alto-4-4.xsd").validate(str(p))
    schema("mets.xsd").validate(str(data / "mets.xml"))  # IDs from "Geminids – night sky" are NCNames
    assert (data / "articles" / "Geminids-night-sky.xml").is_file()
    schema("newsml/NewsML-G2_2.35-spec-All-Power.xsd").validate(str(data / "articles" / "Geminids-night-sky.xml"))
    meta = json.loads((data / "metadata.json").read_text())
    assert ODD_ID in [a["id"] for a in meta["articles"]]
    photo = data / "photos" / "harbour breakwater dusk.jpg"
    assert photo.read_bytes() == (SAMPLE / "photos" / "harbour-breakwater-dusk.jpg").read_bytes()
    assert "photos/harbour%20breakwater%20dusk.jpg" in (data / "mets.xml").read_text()


def test_a_jumped_article_is_mapped_on_both_pages(edge):
    _, archive, bag = edge
    root = ET.parse(bag / "data" / "mets.xml").getroot()
    logical = root.findall(f"{METS}structMap")[1]
    art = next(d for d in logical.iter(f"{METS}div") if d.get("ID") == "article_quantum-fibre-link")
    pages = [d.get("ORDER") for d in art.findall(f"{METS}div")]
    assert pages == ["1", "4"]
    files = {a.get("FILEID") for a in art.iter(f"{METS}area")}
    assert files == {"altoFile1", "altoFile4"}
    hits = json.loads(cli("find", "entangled", "--archive", archive, "--json").stdout)
    assert {h["page"] for h in hits if h["article"] == "quantum-fibre-link"} == {1, 4}


def test_alto_words_still_equal_the_frames_with_a_drop_cap_and_a_jump(edge):
    issue, _, bag = edge
    b = build(issue)
    for page in b.composed.pages:
        frames = [w for it in page.items if isinstance(it, TextItem) and it.line.spans for w in it.text.split(" ")]
        alto = []
        for ln in ET.parse(bag / "data" / "pages" / f"{page.number:04d}.xml").getroot().iter(f"{ALTO}TextLine"):
            words = [s.get("CONTENT") for s in ln.findall(f"{ALTO}String")]
            hyp = ln.find(f"{ALTO}HYP")
            if hyp is not None:
                words[-1] += hyp.get("CONTENT")
            alto += words
        assert alto == frames, page.number
    parts = [s for p in (bag / "data" / "pages").glob("*.xml") for s in ET.parse(p).getroot().iter(f"{ALTO}String")]
    assert all(s.get("SUBS_CONTENT") for s in parts if s.get("SUBS_TYPE"))


def test_a_drop_cap_letter_and_the_rest_of_its_word_are_one_word(edge):
    _, archive, bag = edge
    strings = list(ET.parse(bag / "data" / "pages" / "0003.xml").getroot().iter(f"{ALTO}String"))
    # "The Geminid...": T + he, one word for search
    i = next(i for i, s in enumerate(strings) if s.get("CONTENT") == "T" and s.get("SUBS_TYPE") == "HypPart1")
    first, rest = strings[i], strings[i + 1]
    assert rest.get("CONTENT") == "he" and rest.get("SUBS_TYPE") == "HypPart2"
    assert first.get("SUBS_CONTENT") == rest.get("SUBS_CONTENT") == "The"
    # "I have spent...": the letter is a word of its own
    i = next(i for i, s in enumerate(strings) if s.get("CONTENT") == "I" and strings[i + 1].get("CONTENT") == "have")
    assert strings[i].get("SUBS_TYPE") is None and strings[i + 1].get("SUBS_TYPE") is None
    hits = json.loads(cli("find", "Geminid", "--archive", archive, "--json").stdout)
    assert any(h["article"] == ODD_ID and h["page"] == 3 for h in hits)
