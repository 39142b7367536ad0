"""The C join of a paragraph's items (layout.text._items) gives exactly what the Python steps of
ItemBuilder.items give: the same words from the same white space (and none from look-alikes), the
same ten lists of items, floats bit for bit, over the sample issue and generated copy set at many
measures, roles and rules (words longer than the line included); it raises on input it cannot
take rather than guessing, and does not leak."""

from __future__ import annotations

import random
from pathlib import Path

import generator
import pytest
from leaks import growth

from layout.text import items, markdown
from layout.text.linebreak import END
from layout.text.markdown import Run
from layout.text.style import load_style
from layout.text.typeset import Typesetter

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issues" / "2026-12-03"

needs_accel = pytest.mark.skipif(not items.ACCELERATED, reason="the C extension is not built")

# White space the words are split at, and characters that look like it but are not (they stay inside words).
SPACES = " \t\n\r\f\v\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u3000"
NOT_SPACES = "\u00a0\u2000\u2001\u200b\u202f\u2028\u1680\x1c\x1f\u0085"


def _random_runs(rng: random.Random) -> list[Run]:
    alphabet = "abcdeéßİıfi" + "XYZ" + ".,-/" + SPACES + NOT_SPACES
    runs = []
    for _ in range(rng.randint(0, 5)):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        runs.append(Run(text, rng.choice(["regular", "italic", "bold", "bold_italic"])))
    return runs


@needs_accel
def test_words_split_as_python_splits_them() -> None:
    b = Typesetter(load_style(None), "en-US").builder
    rng = random.Random(7)
    cases = [_random_runs(rng) for _ in range(3000)]
    cases += [[Run(" a b ")], [Run("")], [Run("   ")], [Run("a"), Run(" "), Run("b")], [Run("x\u3000y", "bold")]]
    for runs in cases:
        for upper in (False, True):
            assert items._accel.words(runs, upper) == b._words(runs, upper), (runs, upper)


def _num(v: object) -> object:
    return v.hex() if isinstance(v, float) else (type(v).__name__, v)


def _value(it: items.Items, boxes: list) -> tuple:
    cols = (it.widths, it.flex, it.sep, it.gw, it.gy, it.gz, it.hw, it.pen, it.flag)
    shown = [(tuple((f.name, sh.text, c) for f, sh, c in b.segs), _num(b.width), b.glyphs) for b in boxes]
    return tuple(tuple(_num(v) for v in col) for col in cols), tuple(shown)


@pytest.fixture(scope="module")
def paragraphs() -> list[list[Run]]:
    synthetic = generator.synthetic()
    texts = [md.read_text(encoding="utf-8") for md in sorted((SAMPLE / "articles").glob("*.md"))]
    texts += [synthetic._article(random.Random(seed), 300).markdown() for seed in range(2)]
    texts.append("A supercalifragilisticexpialidocious word, https://example.com/a/very/long/path?q=1 and *ital*ic.")
    return [b.runs for t in texts for b in markdown.parse(t) if b.runs]


@needs_accel
def test_items_equal_the_python_steps(paragraphs: list[list[Run]], monkeypatch: pytest.MonkeyPatch) -> None:
    style = load_style(None)
    roles = style.roles
    cases = []
    for i, runs in enumerate(paragraphs):
        for measure in (20.0, 60.0, 150.0):
            cases.append((runs, roles["body"], 9.0, measure, {"justify": True, "hyphenate": True}))
        cases.append((runs, roles["body"], 9.0, 40.0, {"justify": True, "hyphenate": True, "capitalized": True}))
        if i % 3 == 0:
            for name in ("headline", "deck", "caption", "kicker"):
                if name in roles:
                    cases.append((runs, roles[name], 14.0, 120.0, {"justify": False, "hyphenate": False}))
    results = {}
    for accel in (items._accel, None):
        monkeypatch.setattr(items, "_accel", accel)
        b = Typesetter(style, "en-US").builder  # each way its own caches: every word set afresh
        results[accel is None] = [_value(*b.items(r, role, size, m, **kw)) for r, role, size, m, kw in cases]
        # and again, every word now known
        assert [_value(*b.items(r, role, size, m, **kw)) for r, role, size, m, kw in cases] == results[accel is None]
    assert results[True] == results[False]
    assert sum(len(v[0][0]) for v in results[True]) > 20_000  # items compared


@needs_accel
def test_input_it_cannot_take_raises() -> None:
    acc = items._accel
    row = tuple(range(10))

    def miss(pieces: tuple) -> tuple:
        return (row, 1.0, ())

    def wide(r: tuple, pieces: tuple) -> tuple:
        return row

    assert acc.join([Run("  ")], False, {}, 100.0, miss, wide, END) is None
    got = acc.join([Run("a b")], False, {}, 100.0, miss, wide, END)
    assert got is not None and got[3] == [3, END] and got[4][-1] == 0.0
    # A word exactly as wide as the line keeps its row; only a wider one is set for the measure.
    assert acc.join([Run("a")], False, {}, 1.0, miss, lambda r, p: ("w",) * 10, END)[0] == [0]
    assert acc.join([Run("a")], False, {}, 0.99, miss, lambda r, p: ("w",) * 10, END)[0] == ["w"]
    with pytest.raises(TypeError):
        acc.join([Run(5)], False, {}, 100.0, miss, wide, END)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        acc.join([Run("a")], False, {}, 100.0, lambda p: None, wide, END)
    with pytest.raises(TypeError):
        acc.join([Run("a")], False, {}, 100.0, lambda p: ((1, 2, 3), 1.0, ()), wide, END)  # not whole items
    with pytest.raises(TypeError):
        acc.join([Run("a")], False, {}, 0.5, miss, lambda r, p: [1] * 10, END)  # a long word's row not a tuple
    with pytest.raises(ZeroDivisionError):
        acc.join([Run("a")], False, {}, 100.0, lambda p: 1 / 0, wide, END)
    with pytest.raises(TypeError):
        acc.join([Run("a")], False, [], 100.0, miss, wide, END)  # type: ignore[arg-type]


@needs_accel
def test_repeated_calls_do_not_leak(paragraphs: list[list[Run]]) -> None:
    b = Typesetter(load_style(None), "en-US").builder
    body = load_style(None).roles["body"]

    def run() -> None:
        for runs in paragraphs[:40]:
            b.items(runs, body, 9.0, 30.0, justify=True, hyphenate=True)

    assert growth(run, 3, 30) < 4096


def _hyphenation_words() -> list[str]:
    """Words of the sample issue and generated copy, and random ones: capitals, letters whose lower
    case is longer (İ), accents, digits and marks, very short and very long."""
    words = set()
    for md in sorted((SAMPLE / "articles").glob("*.md")):
        words.update(md.read_text(encoding="utf-8").split())
    synthetic = generator.synthetic()
    for seed in range(3):
        words.update(synthetic._article(random.Random(seed), 600).markdown().split())
    rng = random.Random(11)
    alphabet = "abcdefghijklmnopqrstuvwxyzéèüößİıﬁAEZ'’-0"
    words.update("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(3000))
    return sorted(words)


@needs_accel
@pytest.mark.parametrize("lang", ["en_US", "de_DE", "fr", "hu_HU", "ca"])
def test_hyphenation_points_are_pyphens(lang: str) -> None:
    """The C pattern walk finds pyphen's points, as ints, with the patterns as pyphen parses them
    (levels as tuples; Hungarian's and Catalan's nonstandard ones among them) and as the house
    shelf keeps them (levels as bytes)."""
    import pyphen

    from layout.text import hyphenate

    words = _hyphenation_words()
    ref = pyphen.Pyphen(lang=lang, left=1, right=1)
    shelved = hyphenate._packed(ref.hd.patterns)
    forms = [ref]
    if shelved is not None:
        patterns, maxlen = hyphenate._unpacked((*shelved, ref.hd.maxlen))
        flat = pyphen.Pyphen(lang=lang, left=1, right=1)
        flat.hd = type(ref.hd).__new__(type(ref.hd))
        flat.hd.patterns, flat.hd.maxlen, flat.hd.cache = patterns, maxlen, {}
        forms.append(flat)
    for dic in forms:
        for w in words:
            if w.isalpha():
                assert hyphenate.positions(dic, w) == [int(p) for p in ref.positions(w)], (lang, w)
            got = items._accel.points(f".{w.lower()}.", dic.hd.patterns, dic.hd.maxlen)
            assert got == [int(p) for p in ref.hd.positions(w)], (lang, w)


@needs_accel
def test_hyphenation_points_refuse_what_they_cannot_read() -> None:
    """Patterns of another form give None (the caller asks pyphen); wrong arguments raise."""
    points = items._accel.points
    assert points(".ab.", {"ab": (0, b"\x01")}, 2) == [0]
    assert points(".ab.", {"ab": (0, (1,))}, 2) == [0]
    for odd in ([0, b"\x01"], (0, [1]), (-1, b"\x01"), (0, (1.0,)), (0, (-1,)), (0.5, b"\x01"), (0,), "x"):
        assert points(".ab.", {"ab": odd}, 2) is None, odd
    assert points(".ab.", {"zz": [1]}, 2) == [], "a pattern the word lacks is never read"
    assert points(".a.", {}, 0) == [] and points("", {}, 3) == []
    import pyphen

    hd = pyphen.HyphDict.__new__(pyphen.HyphDict)  # pyphen's walk over patterns made up here
    hd.patterns, hd.maxlen, hd.cache = {"c.": (1, (9, 9, 9)), "ab": (0, (2, 3))}, 5, {}
    assert points(".abc.", hd.patterns, 5) == [int(p) for p in hd.positions("abc")] == [1, 3, 4]
    flat = {k: (off, bytes(levels)) for k, (off, levels) in hd.patterns.items()}  # the shelf's form
    assert points(".abc.", flat, 5) == [1, 3, 4], "levels past the word's end are cut off"
    for bad in ((".ab.", [], 2), (b".ab.", {}, 2), (".ab.", {}, "2"), (".ab.", {})):
        with pytest.raises(TypeError):
            points(*bad)


@needs_accel
def test_hyphenation_points_do_not_leak() -> None:
    import pyphen

    hd = pyphen.Pyphen(lang="en_US").hd
    words = [f".{w.lower()}." for w in _hyphenation_words()[:300]]

    def run() -> None:
        for w in words:
            items._accel.points(w, hd.patterns, hd.maxlen)

    assert growth(run, 3, 30) < 4096
