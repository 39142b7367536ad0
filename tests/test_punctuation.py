"""Newspaper punctuation: curly quotes by language, dashes, ellipses, number ranges; switchable in
the style sheet; code kept as typed; every field of a story set alike."""

from __future__ import annotations

import shutil

from conftest import SAMPLE
from pdfcheck import extracted_words

from layout.manifest.stylesheet import PunctuationSpec
from layout.page.frames import TextItem
from layout.pdf.draw import write_pdf
from layout.pipeline import build
from layout.text import markdown
from layout.text.punctuation import NNBSP, Punctuation


def body(md: str, lang: str = "en-US", **spec) -> str:
    return " ".join(b.text for b in markdown.parse(md, Punctuation(PunctuationSpec(**spec), lang)))


def test_quotes_by_language():
    src = "She said \"it's 'fine'\" and left."
    assert body(src) == "She said \u201cit\u2019s \u2018fine\u2019\u201d and left."
    assert body(src, "de-DE") == "She said \u201eit\u2019s \u201afine\u2018\u201c and left."
    fr = body('Il a dit "bonjour".', "fr")
    assert fr == f"Il a dit \u00ab{NNBSP}bonjour{NNBSP}\u00bb."


def test_dashes_ellipsis_and_ranges():
    assert body("Wait -- no --- stop... now") == "Wait \u2013 no \u2014 stop\u2026 now"
    assert body("Rome - Paris") == "Rome \u2013 Paris"
    assert body("pages 12-14 on 2026-12-03") == "pages 12-14 on 2026-12-03"
    assert body("pages 12-14 on 2026-12-03", number_ranges=True) == "pages 12\u201314 on 2026-12-03"
    assert body("a well-known (c) clause") == "a well-known (c) clause"  # no copyright sign
    assert body("back in the '90s, it's said") == "back in the \u201990s, it\u2019s said"


def test_code_and_escapes_stay_as_typed():
    assert body('Type `"--help"` or \\"this\\"') == 'Type "--help" or "this"'


def test_switched_off_keeps_what_was_typed():
    src = 'He said "yes" -- twice...'
    assert body(src, quotes=False, dashes=False, ellipsis=False) == src


def test_plain_fields_are_punctuated_without_reading_markdown():
    p = Punctuation(PunctuationSpec(), "en")
    assert p.text('The *star*\'s "last" [word] -- 2_000 & <b>') == (
        "The *star*\u2019s \u201clast\u201d [word] \u2013 2_000 & <b>"
    )


def _issue(tmp_path, style: str | None = None):
    d = tmp_path / "issue"
    shutil.copytree(SAMPLE, d, ignore=shutil.ignore_patterns("build"))
    y = d / "issue.yaml"
    text = y.read_text()
    text = text.replace(
        "    headline: Geminids promise a dark-sky show\n",
        '    headline: Les Géminides, "le" spectacle de l\'hiver\n    language: fr\n',
    )
    y.write_text(text)
    if style:
        st = d / "styles" / "lodestar.yaml"
        st.write_text(st.read_text() + style)
    return d


def test_each_language_sets_its_own_quotes_and_the_pdf_text_finds_them(tmp_path):
    b = build(_issue(tmp_path))
    heads = [i.text for p in b.composed.pages for i in p.items if isinstance(i, TextItem) and i.role == "headline"]
    assert f"\u00ab{NNBSP}le{NNBSP}\u00bb" in " ".join(heads)
    assert any("World\u2019s" in h for h in heads)
    out = tmp_path / "x.pdf"
    write_pdf(b.composed, out)
    words = extracted_words(out)
    assert "\u00ab" in words and "l\u2019hiver" in words and "World\u2019s" in words


def test_the_style_sheet_switches_punctuation_off(tmp_path):
    b = build(_issue(tmp_path, "  punctuation: {quotes: false, dashes: false}\n"))
    text = " ".join(i.text for p in b.composed.pages for i in p.items if isinstance(i, TextItem))
    assert "World's" in text and '"We have been waiting' in text and "plentiful -- typically" in text
    assert "\u201cWe" not in text


def test_the_glyph_check_sees_the_quotes_the_style_will_set(tmp_path, monkeypatch):
    """A font without curly quotes is refused for copy typed with straight ones, because the
    style would set curly quotes the font cannot draw."""
    from layout.manifest.errors import InvalidInput
    from layout.text.fonts import Face

    d = _issue(tmp_path)
    (d / "articles" / "news-briefs.md").write_text('The "Geminids" peak on Sunday.\n')
    real = Face.missing

    def no_curly(self, text):
        return real(self, text) | ({"\u201c"} & set(text))

    real_has = Face.has
    monkeypatch.setattr(Face, "missing", no_curly)
    monkeypatch.setattr(Face, "has", lambda self, ch: ch != "\u201c" and real_has(self, ch))  # nor the fallbacks
    try:
        build(d)
    except InvalidInput as e:
        msgs = [str(p) for p in e.problems]
    else:
        raise AssertionError("a curly quote the fonts lack was let through")
    assert any("articles.news-briefs.body" in m and "U+201C" in m for m in msgs), msgs


def test_plain_fields_skip_the_parse_and_set_the_same():
    """A field with no line break, quote or mark markdown-it reads is set by the dash rule alone;
    on random fields (spaces at either end, tabs, runs of dashes and dots, ranges, other ASCII
    punctuation, letters beyond ASCII, and now and then a character that needs the parse) it gives
    what the parse gives, under every switch and for languages with other quotes."""
    import random

    from layout.text import punctuation

    rng = random.Random(20261201)
    common = list("aZé ß-.-.,;:?()/$%#+=@^{}01239\u2013\u2014\u2026\u00a0\t ") + ["--", "---", "...", " - ", "12-14"]
    rare = list("\n\r\x00\\`*_[]<>&!~|'\"")
    plain = parsed = 0
    for spec in (
        PunctuationSpec(),
        PunctuationSpec(quotes=False),
        PunctuationSpec(number_ranges=True),
        PunctuationSpec(dashes=False, ellipsis=False, number_ranges=True),
    ):
        for lang in ("en-GB", "fr", "de"):
            p = Punctuation(spec, lang)
            for _ in range(700):
                parts = [rng.choice(common) for _ in range(rng.randint(1, 14))]
                if rng.random() < 0.3:
                    parts.insert(rng.randint(0, len(parts)), rng.choice(rare))
                text = "".join(parts)
                if punctuation._NOT_PLAIN.search(text) is None:
                    plain += 1
                else:
                    parsed += 1
                assert p.punctuate(text) == p.parsed(text), (spec, lang, text)
    assert plain > 4000 and parsed > 1500
