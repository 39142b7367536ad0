"""A set paragraph read back from the cache is checked field by field: an entry whose bytes are
whole and signed but whose values are not what the typesetter writes (a NaN, an infinite kern, a
string for a number, a kern count that is not the glyph count ...) is refused, never drawn."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from layout.pipeline import build
from layout.text.cache import _decode, _encode

SAMPLE = Path(__file__).resolve().parents[1] / "issues" / "2026-12-03"


@pytest.fixture(scope="module")
def entry() -> tuple[tuple, set[str]]:
    b = build(SAMPLE, cache=False, parallel=False)
    lines = [it.line for page in b.composed.pages for it in page.items if hasattr(it, "line")][:40]
    assert any(sp.shaped.kerns for ln in lines for sp in ln.spans), "no kerned span to damage"
    faces = {str(sp.face.path) for ln in lines for sp in ln.spans}
    return _encode(lines), faces


def _kerned(e: tuple) -> tuple[int, int]:
    return next((i, j) for i, (spans, _) in enumerate(e) for j, sp in enumerate(spans) if sp[3])


def _with_span(e: tuple, change) -> tuple:  # type: ignore[no-untyped-def]
    i, j = _kerned(e)
    spans, rest = e[i]
    sp = list(spans[j])
    change(sp)
    spans = (*spans[:j], tuple(sp), *spans[j + 1 :])
    return (*e[:i], (spans, rest), *e[i + 1 :])


def _with_rest(e: tuple, k: int, v: object) -> tuple:
    spans, rest = e[0]
    return ((spans, (*rest[:k], v, *rest[k + 1 :])), *e[1:])


def _set(k: int, v: object):  # type: ignore[no-untyped-def]
    def f(sp: list) -> None:
        sp[k] = v

    return f


def _kern(v: object):  # type: ignore[no-untyped-def]
    def f(sp: list) -> None:
        sp[3] = (v, *sp[3][1:])

    return f


DAMAGE = {
    "nan width": lambda e: _with_span(e, _set(4, math.nan)),
    "infinite kern": lambda e: _with_span(e, _kern(math.inf)),
    "string kern": lambda e: _with_span(e, _kern("1")),
    "bool kern": lambda e: _with_span(e, _kern(True)),
    "one kern short": lambda e: _with_span(e, lambda sp: sp.__setitem__(3, sp[3][:-1])),
    "glyph count": lambda e: _with_span(e, _set(5, 999)),
    "size zero": lambda e: _with_span(e, _set(1, 0)),
    "size huge": lambda e: _with_span(e, _set(1, 1e9)),
    "size a string": lambda e: _with_span(e, _set(1, "9")),
    "text not a string": lambda e: _with_span(e, _set(2, b"abc")),
    "x infinite": lambda e: _with_span(e, lambda sp: sp.__setitem__(6, (math.inf, *sp[6][1:]))),
    "colour a number": lambda e: _with_span(e, lambda sp: sp.__setitem__(6, (*sp[6][:2], 0))),
    "span field missing": lambda e: _with_span(e, lambda sp: sp.__setitem__(6, sp[6][:-1])),
    "line width nan": lambda e: _with_rest(e, 0, math.nan),
    "scale zero": lambda e: _with_rest(e, 2, 0.0),
    "justified not a bool": lambda e: _with_rest(e, 3, 1),
    "para a float": lambda e: _with_rest(e, 8, 1.5),
    "empty line": lambda e: (((), e[0][1]), *e[1:]),
    "face not in the style": lambda e: _with_span(e, _set(0, "/tmp/elsewhere.ttf")),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_an_entry_of_the_wrong_shape_is_refused(entry: tuple, damage: str) -> None:
    e, faces = entry
    assert _decode(e, {}, faces)  # the entry as written decodes
    with pytest.raises((ValueError, TypeError, IndexError, OverflowError)):
        _decode(DAMAGE[damage](e), {}, faces)


def test_an_entry_decodes_to_the_lines_it_was_made_of(entry: tuple) -> None:
    e, faces = entry
    assert _encode(_decode(e, {}, faces)) == e


def test_a_paragraph_that_is_not_plain_data_is_left_out_of_the_pack(entry: tuple, tmp_path: Path) -> None:
    from layout.text.cache import ParagraphCache

    e, faces = entry
    lines = _decode(e, {}, faces)
    odd = _decode(e, {}, faces)
    odd[0].spans[0].color = object()  # type: ignore[assignment]  # not something marshal can write
    pc = ParagraphCache(tmp_path / "p.bin", "fp", [Path(f) for f in faces])
    pc.put("good", lines)
    pc.put("odd", odd)
    pc.save()
    again = ParagraphCache(tmp_path / "p.bin", "fp", [Path(f) for f in faces])
    assert set(again.old) == {"good"}
    assert again.get("good") is not None


def test_adopted_entries_are_trusted_and_file_entries_are_not(entry, tmp_path: Path) -> None:
    """Paragraphs a helper process of this build sends (`adopt`) decode to the same lines without
    the checks and are vouched for; paragraphs read from the file are still checked and not vouched."""
    from layout.manifest.packs import write_pack
    from layout.text.cache import MAGIC, ParagraphCache

    e, faces = entry
    path = tmp_path / "paragraphs.bin"
    write_pack(path, MAGIC, "fp", {"from-file": e})
    pc = ParagraphCache(path, "fp", [Path(f) for f in faces])
    pc.adopt({"from-helper": e, "from-file": e})
    want = _decode(e, {}, faces)
    got = pc.get("from-helper")
    assert got == want and pc.vouched("from-helper")
    # Not replaced: an entry this process already used keeps its own standing.
    pc2 = ParagraphCache(path, "fp", [Path(f) for f in faces])
    assert pc2.get("from-file") == want and not pc2.vouched("from-file")
    pc2.adopt({"from-file": e})
    assert not pc2.vouched("from-file")
    # A damaged entry from the file is refused even if a helper's entry has another key.
    bad = DAMAGE["nan width"](e)
    write_pack(path, MAGIC, "fp", {"bad": bad})
    pc3 = ParagraphCache(path, "fp", [Path(f) for f in faces])
    pc3.adopt({"other": e})
    assert pc3.get("bad") is None and not pc3.vouched("bad")


def test_the_words_check_keeps_exactly_the_letters_and_digits_of_every_code_point() -> None:
    """The check that a cached setting sets the paragraph's own words compares letters and digits
    (str.isalnum), case folded; it runs as a regular expression: the same over all of Unicode."""
    import sys

    from layout.text.typeset import _letters

    everything = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    assert _letters([everything[:5000], everything[5000:]]) == "".join(c for c in everything if c.isalnum()).casefold()


def test_the_words_check_reads_the_same_letters_from_spans_as_from_lines(entry: tuple) -> None:
    """The check reads the spans' texts, not `Line.text`: the same letters, ligatures and the
    spaces between spans included."""
    from layout.text.fonts import LIGATURES
    from layout.text.typeset import _letters

    e, faces = entry
    lines = _decode(e, {}, faces)
    assert _letters(ln.text for ln in lines) == _letters(sp.shaped.text for ln in lines for sp in ln.spans)
    for lig in LIGATURES:  # a ligature spelt out by Line.text and by case folding alike
        sp = lines[0].spans[0]
        sp.shaped.text = f"of{lig}ce"
        assert _letters(ln.text for ln in lines) == _letters(s.shaped.text for ln in lines for s in ln.spans)


def _python_checks(e: tuple, faces: set[str]) -> bool:
    """`_decode`'s checks with the C code out of the way: whether they pass."""
    from layout.text import justify

    fast, justify._setlines = justify._setlines, None
    try:
        _decode(e, {}, faces)
    except (ValueError, TypeError, IndexError, OverflowError):
        return False
    finally:
        justify._setlines = fast
    return True


VALUES = [0, 1, -1, 0.5, -0.0, 1e300, 1e301, -1e301, 10**400, math.nan, math.inf, -math.inf, True, False,
          None, "", "x", "ab", b"x", (), (1.0,), [1.0], 4999.9, 5000, 5000.0, 1e-300]  # fmt: skip


def _mutations(e: tuple, rng) -> tuple:  # type: ignore[no-untyped-def]
    """`e` with one value somewhere replaced by an odd one (or a tuple made a list, or cut short)."""
    i = rng.randrange(len(e))
    spans, rest = e[i]
    where = rng.choice(["rest", "span", "span_rest", "kern", "shape"])
    v = rng.choice(VALUES)
    if where == "rest":
        k = rng.randrange(len(rest))
        line = (spans, (*rest[:k], v, *rest[k + 1 :]))
    elif where == "shape":
        line = rng.choice([(list(spans), rest), ((), rest), (spans, rest[:-1]), (spans, list(rest)), (spans,)])
    else:
        j = rng.randrange(len(spans))
        sp = list(spans[j])
        if where == "span":
            sp[rng.randrange(7)] = v
        elif where == "span_rest":
            r = list(sp[6])
            r[rng.randrange(len(r))] = v
            sp[6] = tuple(r)
        elif sp[3]:
            ks = list(sp[3])
            ks[rng.randrange(len(ks))] = v
            sp[3] = tuple(ks)
        else:
            sp[3] = rng.choice([(v,), v])
        line = (tuple((*spans[:j], tuple(sp), *spans[j + 1 :])), rest)
    return (*e[:i], line, *e[i + 1 :])


def test_the_c_checks_never_pass_what_the_python_checks_refuse(entry: tuple) -> None:
    """Thousands of damaged entries: `_decode` with the C checks refuses exactly what it refuses
    without them and otherwise gives the same lines; the C checks themselves pass only entries the
    Python checks pass (the faces an entry names are judged by the Python code in both)."""
    import random

    from layout.text import justify
    from layout.text.cache import _LINE_KINDS, _SPAN_KINDS

    if justify._setlines is None:
        pytest.skip("the C extension is not built")
    e, faces = entry
    check = justify._setlines.checked
    assert check(e, _LINE_KINDS, _SPAN_KINDS)  # the entry as written passes in C
    rng = random.Random(12)
    passed = refused = 0
    for _ in range(4000):
        bad = _mutations(e, rng)
        ok = _python_checks(bad, faces)
        try:
            got = _decode(bad, {}, faces)
        except (ValueError, TypeError, IndexError, OverflowError):
            got = None
        assert (got is not None) == ok, bad
        if check(bad, _LINE_KINDS, _SPAN_KINDS):
            named = {sp[0] for spans, _ in bad for sp in spans}
            assert ok or not named <= faces, bad
            passed += 1
        if not ok:
            refused += 1
    assert passed > 200 and refused > 1000, (passed, refused)
    for damage, f in DAMAGE.items():  # every damage the Python checks name is refused in C as well
        assert damage == "face not in the style" or not check(f(e), _LINE_KINDS, _SPAN_KINDS), damage
