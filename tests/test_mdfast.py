"""Plain bodies without markdown-it's block parser (layout.text.mdfast): the tokens are markdown-it's
own, field by field, for random bodies of paragraphs and subheads built from the characters its
rules care about (spaces before and after lines, hard and soft breaks, marks of emphasis, code,
links and entities, quotes and dashes, odd white space, subheads with and without closing marks,
`#` that starts no subhead); anything else is declined and left to markdown-it."""

from __future__ import annotations

import random
from pathlib import Path

import generator
import pytest

from layout.text import markdown, mdfast
from layout.text.punctuation import Punctuation
from layout.text.style import load_style

ROOT = Path(__file__).resolve().parents[1]

PIECES = ["word", "Word", "naïve", "3.5", "1,200", "it's", "'quoted'", '"said"', "“curly”", "’90s", "--", "---",
          "...", "!", "?", "a-b", "10 - 12", "#tag", "(c)", "+-", "%", "$", "@", ":", "]", ")", "\u00a0", "\u2003",
          "\u3000", "é", "x", "*em*", "**strong**", "_u_", "`code`", "[link](http://x.org)", "<http://x.org>",
          "&amp;", "\\*", "a*b", "**", "__"]  # fmt: skip
STARTS = ["", "", "", " ", "  ", "   ", "# ", "## ", "###### ", "####### ", "#", "#x ", "1. ", "12) ", "- ", "* ",
          "+ ", "> ", "=", "---", "    ", "\t", "[a]: /u ", "| ", "~~~", "```", "<p>", "_", "\u00a0",
          # what starts a line of copy and no block: numbers, marks of emphasis, signs
          "13.4 ", "1.5", "2)x", "1234567890. ", "*", "**", "*x* ", "**x** ", "_x_ ", "-5 ", "+1 ", "--", "-", "- -",
          "* * *", "__", "___", "**x", "-x", "+", "1.", "1)", "  -", "   * "]  # fmt: skip
ENDS = ["", "", "", " ", "  ", "   ", " #", " ##  ", "#", "\\", " \u00a0"]


def _body(rng: random.Random, marks: bool) -> str:
    pieces = PIECES if marks else [p for p in PIECES if not any(c in p for c in "*_`[<&\\")]
    lines = []
    for _ in range(rng.randint(0, 14)):
        if rng.random() < 0.25:
            lines.append(rng.choice(["", " ", "   ", "\u00a0"]))
            continue
        words = " ".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        start = rng.choice(STARTS) if rng.random() < 0.5 else ""
        lines.append(start + words + rng.choice(ENDS))
    return "\n".join(lines) + rng.choice(["", "\n", "\n\n"])


def _fields(toks: list) -> list:
    def one(t, kids: bool) -> tuple:
        return (t.type, t.tag, t.nesting, t.map, t.level, t.content, t.markup, t.block, t.info, t.attrs,
                [one(c, False) for c in t.children or []] if kids else None)  # fmt: skip

    return [one(t, True) for t in toks]


@pytest.fixture(scope="module")
def parsers() -> list:
    style = load_style(None)
    with_quotes = Punctuation(style.text.punctuation, "en", None).md
    return [with_quotes, markdown._plain()]


@pytest.mark.parametrize("marks", [False, True])
def test_tokens_are_markdown_its(parsers: list, marks: bool) -> None:
    rng = random.Random(17 if marks else 5)
    taken = declined = 0
    for _ in range(4000):
        text = _body(rng, marks)
        for md in parsers:
            got = mdfast.tokens(md, text)
            if got is None:
                declined += 1
                continue
            taken += 1
            assert _fields(got) == _fields(md.parse(text)), repr(text)
    assert taken > 1500 and declined > 1500, (taken, declined)  # both sides of the line were tried


def test_news_copy_is_set_alike_both_ways(parsers: list, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample issue's and generated bodies give the same blocks (through markdown.parse, with
    the house's punctuation), and most take the fast way."""
    synthetic = generator.synthetic()
    articles = sorted((ROOT / "issues" / "2026-12-03" / "articles").glob("*.md"))
    texts = [md.read_text(encoding="utf-8") for md in articles]
    texts += [synthetic._article(random.Random(seed), 500).markdown() for seed in range(12)]
    punct = Punctuation(load_style(None).text.punctuation, "en", None)
    fast = [markdown.parse(t, punct) for t in texts]
    assert sum(mdfast.tokens(punct.md, t) is not None for t in texts) > len(texts) / 2
    monkeypatch.setattr(mdfast, "tokens", lambda md, text: None)
    assert fast == [markdown.parse(t, punct) for t in texts]


def test_what_it_declines(parsers: list) -> None:
    md = parsers[0]
    assert mdfast.tokens(md, "A paragraph.\n\n## A subhead\nAnd *more*.") is not None
    for text in ("- a list", "1. a list", "> a quote", "a | b\n--|--", "para\n===", "    code", "a\tb", "~~~\nx\n~~~",
                 "[ref]: /url", "a\r\nb", "x\0y", "***", "para\n---"):  # fmt: skip
        assert mdfast.tokens(md, text) is None, text
    from markdown_it import MarkdownIt

    linkify = MarkdownIt("commonmark", {"linkify": True})
    assert mdfast.tokens(linkify, "plain") is None, "a parser with rules it does not know"
    other = MarkdownIt("commonmark").enable("strikethrough")
    assert mdfast.tokens(other, "plain") is None
