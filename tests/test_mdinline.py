"""Ordinary copy without markdown-it (layout.text.mdinline, mdfast.fast): the tokens are markdown-it's
own, field by field, under each parser a render makes (plain, and with the house's punctuation in
several languages and switch settings), for random bodies of words, quotes, apostrophes, emphasis,
dashes and line breaks, and for random strings of the characters its rules turn on; fields holding
quotes are set as markdown-it sets them; anything else is declined; and a render of ordinary copy
never imports markdown-it."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it.common.utils import isPunctChar, isWhiteSpace, mdTrim

from layout.manifest.stylesheet import PunctuationSpec
from layout.text import markdown, mdfast, mdinline
from layout.text.punctuation import Punctuation
from layout.text.style import load_style

ROOT = Path(__file__).resolve().parents[1]

PIECES = ["word", "Word", "it's", "'quoted'", '"said"', "'", '"', "''", '""', "*", "**", "***", "_", "__", "___",
          "*em*", "**strong**", "_u_", "__uu__", "a*b", "a_b", "*a", "a*", "_a", "a_", "(", ")", ".", ",", "-", "--",
          "---", "...", "'90s", "rock 'n' roll", '1"', "5'", "é", "\u00a0", "\u2003", "!", "?", ":", "“", "’", "—",
          "$", "€", "1", "12", "*'", "'*", '"*', '*"', "_'", "'_", "x'", "'x", '"x', 'x"', "2-3", " - ", "S&T", "&",
          "& ", "&amp;", "&#39;", "&x", "&;", "&copy", "AT&T;"]  # fmt: skip
CHARS = list("aab  **__'\".(\n1é’!-&;") + ["\u00a0", "**", "__", "***", "&amp;"]


def _fields(toks: list) -> list:
    def one(t, kids: bool) -> tuple:
        return (t.type, t.tag, t.nesting, t.map, t.level, t.content, t.markup, t.block, t.info, t.attrs,
                [one(c, False) for c in t.children or []] if kids else None)  # fmt: skip

    return [one(t, True) for t in toks]


def _body(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 6)):
        if rng.random() < 0.2:
            lines.append("")
            continue
        sep = rng.choice([" ", " ", ""])
        words = sep.join(rng.choice(PIECES) for _ in range(rng.randint(1, 8)))
        lines.append(rng.choice(["", "", "# ", "  "]) + words + rng.choice(["", "", " ", "  "]))
    return "\n".join(lines)


@pytest.fixture(scope="module")
def puncts() -> list[Punctuation | None]:
    spec = load_style(None).text.punctuation
    off = PunctuationSpec(quotes=False, dashes=True, ellipsis=False, number_ranges=True)
    return [None, *(Punctuation(spec, lang, None) for lang in ("en", "fr", "de", "sv")), Punctuation(off, "en", None)]


_REFERENCES: dict[int, object] = {}


def _reference(p: Punctuation | None):  # type: ignore[no-untyped-def]
    """markdown-it's parse as the render's parser makes it, with markdown-it's own smart quotes."""
    if p is None:
        return markdown._plain()
    if id(p) not in _REFERENCES:
        _REFERENCES[id(p)] = (p, p._parser(markdown_its=True))
    return _REFERENCES[id(p)][1]  # type: ignore[index]


def _compare(texts: list[str], puncts: list[Punctuation | None]) -> tuple[int, int]:
    taken = declined = 0
    for text in texts:
        for p in puncts:
            got = mdfast.fast(text, p)
            if got is None:
                declined += 1
                continue
            taken += 1
            md = _reference(p)
            assert _fields(got) == _fields(md.parse(text)), (repr(text), p and p.quotes)
    return taken, declined


def test_bodies_are_markdown_its(puncts: list) -> None:
    rng = random.Random(11)
    taken, _ = _compare([_body(rng) for _ in range(2500)], puncts)
    assert taken > 7_000


def test_strings_of_marks_are_markdown_its(puncts: list) -> None:
    """Runs of `*` and `_` against each other, quotes beside them, line breaks among them: where
    the rules of flanking, the rule of three and quote pairing decide."""
    rng = random.Random(3)
    texts = ["".join(rng.choice(CHARS) for _ in range(rng.randint(1, 40))) for _ in range(6000)]
    taken, _ = _compare(texts, puncts[:3])
    assert taken > 7_000


def test_news_copy_takes_this_way(puncts: list) -> None:
    """The sample issue's bodies and generated news copy (names, quotes, emphasis, subheads): most
    are set this way, and the blocks are those markdown-it's parse gives."""
    import generator

    synthetic = generator.synthetic()
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "issues" / "2026-12-03" / "articles").glob("*.md"))]
    texts += [synthetic._article(random.Random(seed), 500).markdown() for seed in range(12)]
    en = puncts[1]
    assert sum(mdfast.fast(t, en) is not None for t in texts) > len(texts) * 0.6
    fast = [markdown.parse(t, en) for t in texts]
    saved = mdfast.fast
    try:
        mdfast.fast = lambda text, punct: None  # type: ignore[assignment]
        assert fast == [markdown.parse(t, en) for t in texts]
    finally:
        mdfast.fast = saved


def test_what_it_declines(puncts: list) -> None:
    en = puncts[1]
    assert mdfast.fast('A *word*, it\'s "so".\n\n## Sub\nmore', en) is not None
    declined = ("a \\* b", "a `code`", "a [link](x)", "an <http://x.org>", "AT&amp;T", "&#39;", "![img](x)", "- a list")
    for text in declined:
        assert mdfast.fast(text, en) is None, text
    # Hostile copy: thousands of marks are left to markdown-it (its searches are bounded).
    hostile = "*_" * 5000
    assert mdinline.inline(hostile) is None
    assert markdown.parse(hostile, en)  # and it parses


def test_character_classes_are_markdown_its() -> None:
    for cp in range(0x110000):
        ch = chr(cp)
        assert mdinline._punct(ch) == bool(isPunctChar(ch) or ch in mdinline._ASCII_PUNCT), hex(cp)
        assert (ch in mdinline._WHITE) == bool(isWhiteSpace(cp)), hex(cp)
        s = f"{ch}x{ch}"
        assert mdinline.trim(s) == mdTrim(s), hex(cp)


def test_fields_with_quotes_are_set_as_parsed() -> None:
    spec = load_style(None).text.punctuation
    off = PunctuationSpec(quotes=False, dashes=True, ellipsis=True, number_ranges=False)
    parts = ["word", "it's", "'q'", '"s"', "'", '"', " ", "--", "...", "1", '5"', "(", ")", "é", "\u00a0", "“", "-",
             "1-2", "’", "*", "_", "\n", "[x]", "<", "&", "\\", "`", "!", "~", "|"]  # fmt: skip
    rng = random.Random(5)
    for p in [*(Punctuation(spec, lang, None) for lang in ("en", "fr", "de", "sv")), Punctuation(off, "en", None)]:
        for _ in range(3000):
            text = "".join(rng.choice(parts) for _ in range(rng.randint(1, 10)))
            assert p.punctuate(text) == p.parsed(text), repr(text)


def test_ordinary_copy_never_imports_markdown_it() -> None:
    """Setting the sample issue's bodies and fields (each punctuated as a render does) leaves
    markdown-it unimported."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from layout.text import markdown\n"
        "from layout.text.punctuation import Punctuation\n"
        "from layout.text.style import load_style\n"
        "p = Punctuation(load_style(None).text.punctuation, 'en', None)\n"
        f"for f in sorted(Path({str(ROOT / 'issues' / '2026-12-03' / 'articles')!r}).glob('*.md')):\n"
        "    assert markdown.parse(f.read_text(encoding='utf-8'), p)\n"
        'assert p.text("The council\'s \'plan\' -- and \\"more\\"...")\n'
        "assert 'markdown_it' not in sys.modules, 'markdown-it was imported'\n"
        "assert markdown.parse('a [link](x)', p) and 'markdown_it' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_parsers_quotes_are_markdown_its(puncts: list) -> None:
    """The body parser sets quotes with mdinline's smart quotes in place of markdown-it's: the same
    tokens, also beside what only markdown-it parses (code spans, escapes, links, entities)."""
    rng = random.Random(23)
    marks = ["`c`", "\\'", '\\"', "[l](u)", "&amp;", "`'`", '`"`', "<http://x.org>"]
    texts = []
    for _ in range(1500):
        words = [rng.choice(PIECES + marks) for _ in range(rng.randint(1, 12))]
        texts.append(" ".join(words) + rng.choice(["", "\n\nmore 'x'", '\nnext "y"']))
    for p in puncts[1:]:
        for text in texts:
            assert _fields(p.md.parse(text)) == _fields(_reference(p).parse(text)), (repr(text), p.quotes)


def test_a_paragraph_of_quotes_is_set_in_time(tmp_path: Path) -> None:
    """100,000 quotes that open and never close, and as many closing ones of the other kind: each
    closing one found its partner by a scan of every open quote, minutes for such a paragraph
    (markdown-it's rule, and ours at first); both ways through the parser now take well under a
    second (the subprocess's time limit is generous: a scan would far exceed it)."""
    code = (
        "from layout.text import markdown\n"
        "from layout.text.punctuation import Punctuation\n"
        "from layout.text.style import load_style\n"
        "p = Punctuation(load_style(None).text.punctuation, 'fr', None)\n"
        "bomb = \"'a \" * 100_000 + 'b\" ' * 100_000\n"
        "for text in (bomb, bomb + ' `code`'):\n"
        "    blocks = markdown.parse(text, p)\n"
        "    assert blocks and '\u2019a' in blocks[0].text, blocks[0].text[:20]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
