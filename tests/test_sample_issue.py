"""The sample issue end to end: nothing lost, nothing overlapping, every font embedded."""

from __future__ import annotations

import itertools

from pdfcheck import BASE14, extracted_words, fonts, is_embedded, missing_in_order, words_of

from layout.page.frames import ImageItem, TextItem
from layout.text import markdown
from layout.text.punctuation import Punctuation


def test_every_word_comes_out_in_order(sample_built, sample_pdf):
    hay = extracted_words(sample_pdf)
    li = sample_built.loaded
    for aid, art in li.issue.articles.items():
        # The source with the punctuation the style sets (curly quotes, dashes), word for word.
        punct = Punctuation(sample_built.style.text.punctuation, art.language or li.issue.language)
        t = punct.text
        body = " ".join(b.text for b in markdown.parse(li.bodies[aid], punct))
        assert missing_in_order(words_of(body), hay) == [], aid
        fields = [t(x) for x in (art.headline, art.deck, art.byline, art.source, art.bio) if x]
        fields += [t(p.caption) for p in art.photos]
        # Pull quotes are printed between the language's quotation marks.
        fields += [f"{punct.quotes[0]}{t(q.text)}{punct.quotes[1]}" for q in art.pull_quotes]
        fields += [t(q.attribution) for q in art.pull_quotes if q.attribution]
        for f in filter(None, fields):
            assert missing_in_order(words_of(f), hay) == [], (aid, f)
        upper = [w.upper() for w in hay]
        if art.kicker:  # the kicker style sets capitals
            assert missing_in_order(words_of(t(art.kicker).upper()), upper) == [], art.kicker
        for p in art.photos:
            if p.credit:
                assert missing_in_order(words_of(f"(PHOTO: {t(p.credit).upper()})"), upper) == [], p.credit


def test_sample_is_set_with_newspaper_punctuation(sample_built, sample_pdf):
    """Straight quotes and double hyphens typed in the copy come out curly and as dashes, in the
    body, the headlines and the captions, and text extraction finds them."""
    c = sample_built.composed
    by_role: dict[str, str] = {}
    for p in c.pages:
        for it in p.items:
            if isinstance(it, TextItem):
                by_role[it.role] = by_role.get(it.role, "") + " " + it.text
    body = by_role["body"]
    assert "\u201cWe have been waiting" in body and "this sound,\u201d" in body
    assert "station\u2019s chief engineer" in body and "plentiful \u2013 typically" in body
    assert "World\u2019s largest" in by_role["headline"]
    assert "breakwater \u2013 the makers\u2019 own" in by_role["caption"]
    assert "Year\u2019s Laureates".upper() in by_role["banner"].upper()
    for role in ("body", "headline", "caption", "deck", "pull_quote", "byline"):
        assert '"' not in by_role.get(role, "") and "'" not in by_role.get(role, ""), role
        assert "--" not in by_role.get(role, ""), role
    text = " ".join(extracted_words(sample_pdf))
    for s in ("\u201cWe", "sound,\u201d", "World\u2019s", "makers\u2019", "\u2013"):
        assert s in text, s


def test_special_characters_survive(sample_pdf):
    text = " ".join(extracted_words(sample_pdf))
    for s in ("S&T", "7,439", "RMB", "2025–2030", "José", "Müller", "—", "\u201c", "\u201d", "\u2019"):
        assert s in text, s


def test_every_font_is_embedded(sample_pdf):
    fs = fonts(sample_pdf)
    assert fs
    for f in fs:
        assert is_embedded(f), f.get("/BaseFont")
        assert not BASE14.search(str(f.get("/BaseFont"))), f.get("/BaseFont")


def _boxes(page):
    out = []
    for it in page.items:
        if isinstance(it, TextItem):
            out.append(("text", it.x0, it.top, it.x1, it.bottom, it))
        elif isinstance(it, ImageItem):
            out.append(("image", it.x, it.top, it.x + it.width, it.bottom, it))
    return out


def test_nothing_overlaps_and_everything_is_inside_the_text_area(sample_built):
    eps = 0.01
    for page in sample_built.composed.pages:
        a = page.area
        boxes = _boxes(page)
        assert boxes
        for _, x0, y0, x1, y1, it in boxes:
            hang = 3.0 if isinstance(it, TextItem) else 0.0
            assert a.x - hang - eps <= x0 and x1 <= a.right + hang + eps, (page.number, it)
            assert a.top - eps <= y0 and y1 <= a.bottom + eps, (page.number, it)
        boxes.sort(key=lambda b: b[2])
        for i, b in enumerate(boxes):
            for c in itertools.islice(boxes, i + 1, None):
                if c[2] >= b[4] - eps:
                    break
                overlap_x = min(b[3], c[3]) - max(b[1], c[1])
                overlap_y = min(b[4], c[4]) - max(b[2], c[2])
                assert overlap_x <= eps or overlap_y <= eps, (page.number, b[5], c[5])


def test_every_body_line_lies_within_its_column(sample_built):
    for page in sample_built.composed.pages:
        for it in page.text(role="body"):
            cx, cw = page.columns[it.column]
            assert cx - 3.0 <= it.x0 and it.x1 <= cx + cw + 3.0, (page.number, it.text)
            if it.line.justified:
                # Flush right, within the punctuation that hangs into the gutter.
                assert cx + cw - 0.01 <= it.x1 <= cx + cw + 3.0, (page.number, it.text, it.x1 - cx - cw)


def test_sample_reproduces_the_reference_structure(sample_built):
    c = sample_built.composed
    assert len(c.pages) == 3
    roles = [{i.role for i in p.items if isinstance(i, TextItem)} for p in c.pages]
    assert {"nameplate", "headline", "byline", "caption", "body", "folio"} <= roles[0]
    assert {"banner", "headline", "subhead", "caption", "source"} <= roles[1]
    assert {"kicker", "headline", "bio", "body"} <= roles[2]
    assert any(isinstance(i, ImageItem) for i in c.pages[0].items)
    assert not c.overset


def test_output_is_deterministic_and_dated_by_the_issue(sample_built, sample_pdf, tmp_path):
    from pypdf import PdfReader

    from layout.pdf.draw import write_pdf

    again = tmp_path / "again.pdf"
    write_pdf(sample_built.composed, again)
    assert again.read_bytes() == sample_pdf.read_bytes()
    meta = PdfReader(str(sample_pdf)).metadata
    assert meta["/Title"].startswith("The Lodestar Science Weekly, 2026-12-03")
    assert meta["/CreationDate"].startswith("D:20261203")
