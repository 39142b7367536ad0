"""URLs and long tokens break at / . - ? without letter-spacing the line; a word longer than the
column is broken where the line needs it, never stretched across a line of its own."""

from __future__ import annotations

import pytest

from layout.text.markdown import Run
from layout.text.style import load_style
from layout.text.typeset import Typesetter

URL = "https://www.example-council.gov.uk/planning/applications/2026/harbour-wall-repairs?ref=1234"


@pytest.fixture(scope="module")
def setter():
    st = load_style(None)
    return st, Typesetter(st, "en-US")


def _set(setter, text: str, width: float):
    st, ts = setter
    return ts.set([Run(text)], st.roles["body"], width), st


@pytest.mark.parametrize("width", [70.0, 100.0, 130.0])
def test_a_url_breaks_at_its_punctuation_and_is_never_letter_spaced(setter, width):
    text = f"Objections can be lodged at {URL} until the end of the month, the council said."
    lines, st = _set(setter, text, width)
    joined = "".join(ln.text if ln.text.endswith(" ") else ln.text + " " for ln in lines)
    assert URL in joined.replace(" ", "") or URL in "".join(ln.text for ln in lines).replace(" ", "")
    limit = st.text.letter_spacing * st.roles["body"].size
    for a, b in zip(lines, lines[1:], strict=False):
        ends_in_url = a.text.split()[-1] + b.text.split()[0] in URL
        if ends_in_url:
            # Broken inside the address: after a slash, or before . - ? and the like, with no hyphen added.
            assert a.text[-1] == "/" or b.text[0] in ".-?_&=#" or a.text[-1] in ":/", (a.text, b.text)
            assert a.tracking <= 1e-9 and a.scale <= 1.0, (a.text, a.tracking)
        assert a.tracking <= limit + 1e-9
        assert a.right <= a.width + 2.5, a.text


@pytest.mark.parametrize("width", [60.0, 90.0, 130.0])
def test_a_word_longer_than_the_column_is_broken_not_stretched(setter, width):
    word = "Donaudampfschifffahrtsgesellschaftskapitaen"
    text = f"The {word} fleet waits for rain."
    lines, st = _set(setter, text, width)
    limit = st.text.letter_spacing * st.roles["body"].size
    for ln in lines:
        assert ln.tracking <= limit + 1e-9, (ln.text, ln.tracking)
        assert ln.right <= ln.width + 2.5, ln.text
        assert ln.text.strip() != "The", "a short word left alone and stretched over a line"
    rejoined = "".join(ln.text[:-1] if ln.hyphenated else ln.text + " " for ln in lines)
    assert word in rejoined


def test_a_lone_word_is_set_flush_left_not_letter_spaced(setter):
    st, ts = setter
    body = st.roles["body"]
    lines = ts.set([Run("Unbelievably long words")], body, 60.0, align="justify")
    limit = st.text.letter_spacing * body.size
    assert all(ln.tracking <= limit + 1e-9 for ln in lines)


def test_the_address_test_is_skipped_only_where_it_could_not_match() -> None:
    """breaks_in asks the address pattern only of words holding a slash, a full stop or an at sign:
    no word without one matches it (random words over the characters the pattern names)."""
    import random

    from layout.text import breakpoints

    rng = random.Random(5)
    alphabet = "abwcomrgnetduvfi:/.@-_?ABW1 "
    words = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))) for _ in range(20000)]
    words += ["www.x", "a@b.c", "x.com", "a/b", "http://x", "wwwx", "a:b"]
    matched = [w for w in words if breakpoints._URLISH.search(w)]
    assert len(matched) > 1000
    assert all("/" in w or "." in w or "@" in w for w in matched)
