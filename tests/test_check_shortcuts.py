"""The shortcuts of the issue checks must never change a finding: `markdown.unsupported` answers
"nothing refused" without parsing only for copy that holds none of what it refuses; the glyph check
reads `glyphcheck.may_hold` (every character a body's set text can hold) instead of the parsed text
only when the set text cannot hold anything else; and it checks texts set by the same faces a group
at a time, text by text only in a group that does not pass whole."""

from __future__ import annotations

import random

import pytest

from layout.manifest.stylesheet import PunctuationSpec
from layout.text import glyphcheck, markdown
from layout.text.punctuation import Punctuation

# Pieces of copy: plain words (accented and not), the punctuation the style rewrites, and every
# construct the checks refuse or the parser turns into characters of its own.
PIECES = [
    "Ångström", "said", "Nguyễn", "Zoë", "data", "2026", "1-4", " - ", "--", "---", "...", '"', "'", "'90s",
    "*", "**", "_", "`code`", "[link](https://example.org/a)", "# ", "## ", "- ", "* ", "+ ", "1. ", "3) ",
    "> ", "\n", "\n\n", "\n---\n", "\n***\n", "\\", "\\*", "[^1]", "[^n]", "\n[^1]: a note\n", "\n[^z]: unused\n",
    "\n| a | b |\n|:--|--:|\n| c | d |\n", "![a photo](p.jpg)", "    ", "\t", " \t", "\n    code\n", "\n```\nx\n```\n",
    "~~~", "(c)", "+-", "!", "[", "]", "(", ")", "|", "«", "„", "\u00a0",
]  # fmt: skip


def _copy(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) + rng.choice(["", " ", " "]) for _ in range(rng.randint(1, 40)))


def test_unsupported_shortcut_agrees_with_the_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(12)
    texts = [_copy(rng) for _ in range(3000)]
    marks = markdown._MAY_REFUSE
    assert sum(1 for t in texts if not any(m in t for m in marks)) > 100  # the sample takes the shortcut too
    fast = [markdown.unsupported(t) for t in texts]
    monkeypatch.setattr(markdown, "_MAY_REFUSE", ("",))  # in every text: every text parsed
    slow = [markdown.unsupported(t) for t in texts]
    assert fast == slow
    assert sum(1 for f in slow if f) > 300  # the sample holds refused constructs


@pytest.mark.parametrize("language", ["en", "fr", "de", "sv"])
@pytest.mark.parametrize("spec", [{}, {"quotes": False, "dashes": False, "ellipsis": False}, {"number_ranges": True}])
def test_may_hold_covers_the_set_text(language: str, spec: dict) -> None:
    punct = Punctuation(PunctuationSpec(**spec), language)
    rng = random.Random(language + repr(spec))
    told = 0
    for _ in range(800):
        raw = _copy(rng)
        chars = glyphcheck.may_hold(raw, punct)
        if chars is None:
            continue
        told += 1
        set_text = glyphcheck.as_set(raw, None, punct)
        assert set(set_text) <= set(chars), (raw, set(set_text) - set(chars))
    assert told > 400


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_may_hold_covers_a_punctuated_field(language: str) -> None:
    punct = Punctuation(PunctuationSpec(number_ranges=True), language)
    rng = random.Random(language)
    for _ in range(1500):
        field = _copy(rng).replace("\n", " ")[:120]
        chars = glyphcheck.may_hold(field, punct)
        if chars is not None:
            assert set(punct.punctuate(field)) <= set(chars), field


@pytest.mark.parametrize("raw", ["AT&amp;T", "&#x4ECA; today", "<https://example.org/%E2%98%83>", "a\x00b"])
def test_may_hold_declines_what_parsing_decodes(raw: str) -> None:
    assert glyphcheck.may_hold(raw, Punctuation(PunctuationSpec(), "en")) is None


def test_bad_chars_shortcut_agrees_with_the_character_by_character_check() -> None:
    """bad_chars answers "none" for printable text without looking at each character; it must find
    exactly what the character-by-character check finds, line breaks and tabs allowed."""
    from layout.manifest.chars import _reason, bad_chars

    def slow(text: str) -> list:
        return [(i, ch) for i, ch in enumerate(text) if not ch.isprintable() and _reason(ch)][:5]

    rng = random.Random(2026)
    alphabet = "aé Zß\t\n\r\u00a0\u2003\u200b\u00ad\x00\x07\x1b\x7f\x85\ue000\U000f0000\u0378\ud800\u2028\u4eca€—"
    for _ in range(4000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert [(b.index, b.char) for b in bad_chars(text)] == slow(text), repr(text)


# Characters no face draws, one only the sans faces draw (\u012c), one all but the italic (\U0001f16c),
# capitals an upper-case role lacks, entities, markup and plain ones.
ODD = ["\u4eca", "\u0191", "\u0192", "\U0001f600", "\u00e9", "\u2014", "&#x4ECA;", "<b>", "x", "\u00a0", '"q"']
ODD += ["\u012c", "\U0001f16c", "\u012c", "\U0001f16c"]


@pytest.mark.parametrize("seed", range(8))
def test_the_glyph_check_by_groups_finds_what_it_finds_text_by_text(seed: int) -> None:
    """Fields and bodies checked a group at a time (texts set by the same faces, joined) name the same
    problems, in the same order, as each text checked alone (a build session's route): characters
    no face draws, capitals an upper-case role lacks, entities and autolinks, with and without the
    fallback faces."""
    from pathlib import Path

    from layout.manifest.errors import InvalidInput
    from layout.manifest.load import load_issue
    from layout.text.style import load_style

    sample = Path(__file__).resolve().parents[1] / "issues" / "2026-12-03"
    li = load_issue(sample)
    style = load_style(li.style_file, li.folder)
    rng = random.Random(seed)
    if seed % 2:
        style.fallbacks = []  # a character the house fonts lack is then undrawable
    first = next(a for a in li.issue.articles.values() if a.deck)
    first.deck += "\U0001f16c"  # the nameplate and the folio draw it, the deck's italic does not
    for art in li.issue.articles.values():
        for name in ("headline", "deck", "kicker", "byline"):
            if getattr(art, name) and rng.random() < 0.3:
                setattr(art, name, getattr(art, name) + rng.choice(ODD))
        for ph in art.photos:
            if rng.random() < 0.3:
                ph.caption += rng.choice(ODD)
        for q in art.pull_quotes:
            if rng.random() < 0.3:
                q.text += rng.choice(ODD)

    def problems(memo: dict | None) -> list[str]:
        try:
            glyphcheck.check_glyphs(li, style, None, memo)
        except InvalidInput as e:
            return [str(p) for p in e.problems]
        return []

    grouped = problems(None)
    assert grouped == problems({})
    if seed % 2:
        assert grouped, "no missing glyph was made: the test would pass whatever the groups did"
