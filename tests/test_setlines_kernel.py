"""The C line filling (layout.text._setlines) makes exactly the lines the Python code makes: every
field of every line and span the same, floats bit for bit, over every paragraph of the sample issue
and of generated benchmark copy set in many ways (justified, ragged, centred, right, indented, beside
a drop cap, narrow enough to split words, headlines, captions); declined input (ints where floats
are expected) gets the Python lines; and a whole render is the same PDF bytes with LAYOUT_PURE_PYTHON=1.
"""

from __future__ import annotations

import random
from pathlib import Path

import generator
import pytest
from leaks import growth

from layout.text import justify, markdown, typeset
from layout.text.line import Line
from layout.text.linebreak import Breaks
from layout.text.style import load_style
from layout.text.typeset import Typesetter

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issues" / "2026-12-03"

needs_accel = pytest.mark.skipif(not justify.ACCELERATED, reason="the C extension is not built")


def _num(v: object) -> object:
    return v.hex() if isinstance(v, float) else v


def key(lines: list[Line]) -> list:
    """Lines as comparable data: every field, floats by their bits, faces and shaped runs by identity
    and value (the same Shaped objects must be drawn)."""
    out = []
    for ln in lines:
        spans = [
            (id(s.face), _num(s.size), id(s.shaped), s.shaped.text, _num(s.x), s.space_before, s.color)
            for s in ln.spans
        ]
        rest = (ln.width, ln.tracking, ln.scale, ln.justified, ln.hyphenated, ln.first, ln.last, ln.ratio, ln.para)
        out.append((spans, tuple(_num(v) for v in rest), _num(ln.overfull), ln.breaks_word))
    return out


TRICKY = (
    "Mixed **bold**ing and *ital*ics in*side* words, **co-op**erative *re*-entry, a long "
    "*supercalifragilistic*expialidocious, \u201cquoted\u201d words, \u2018single\u2019 ones, (parenthesised) "
    "text\u2014with dashes\u2013and more; a URL https://example.com/a/very/long/path?query=1&x=2 and "
    "name@example.org, office affluent fjord, 12,000 numbers. \u201cHanging quotes,\u201d she said."
)


@pytest.fixture(scope="module")
def calls() -> list[tuple]:
    """The arguments of every build_lines call made setting the copy many ways."""
    synthetic = generator.synthetic()
    style = load_style(None)
    ts = Typesetter(style, "en-US")
    texts = [md.read_text(encoding="utf-8") for md in sorted((SAMPLE / "articles").glob("*.md"))]
    texts += [synthetic._article(random.Random(seed), 400).markdown() for seed in range(2)] + [TRICKY]
    paras = [b.runs for t in texts for b in markdown.parse(t) if b.runs]
    roles = style.roles
    recorded: list[tuple] = []
    real = typeset.build_lines

    def record(*args):  # type: ignore[no-untyped-def]
        recorded.append(args)
        return real(*args)

    typeset.build_lines = record
    try:
        for i, runs in enumerate(paras):
            for measure in (28.0, 70.0, 150.0):
                ts.set(runs, roles["body"], measure)
                ts.set(runs, roles["body"], measure, indent=9.0, hyphenate=False)
                ts.set(runs, roles["body"], [measure * 0.6] * 3 + [measure])
                ts.set(runs, roles["body"], measure, align=("left", "center", "right")[i % 3])
            if i % 4 == 0:
                ts.set(runs, roles["body"], 120.0, align="left", ragged_balance=True)
                for name in ("headline", "deck", "caption", "subhead"):
                    if name in roles:
                        ts.set(runs, roles[name], 160.0, hyphenate=False)
    finally:
        typeset.build_lines = real
    assert len(recorded) > 500
    return recorded


@needs_accel
def test_c_lines_equal_python_lines(calls: list[tuple]) -> None:
    compared = 0
    for it, boxes, br, width, size, just, align, indent, para, spec in calls:
        want = key(justify.build_lines_python(it, boxes, br, width, size, just, align, indent, para, spec))
        got = justify._c_lines(it, boxes, br, width, size, just, align, indent, para, spec)
        assert got is not None, "the C code declined ordinary input"
        assert key(got) == want
        compared += len(want)
    assert compared > 5000  # lines


@needs_accel
def test_declined_input_gets_the_python_lines(calls: list[tuple]) -> None:
    """An int where the C code reads floats (a measure, a size, an indent): it declines, and
    build_lines gives what the Python code gives."""
    it, boxes, br, width, size, just, align, indent, para, spec = next(
        c for c in calls if len(c[2].ends) > 3 and c[5] and c[7] == 0.0
    )
    want = key(justify.build_lines_python(it, boxes, br, lambda li: 100, size, just, align, indent, para, spec))
    assert justify._c_lines(it, boxes, br, lambda li: 100, size, just, align, indent, para, spec) is None
    assert key(justify.build_lines(it, boxes, br, lambda li: 100, size, just, align, indent, para, spec)) == want
    assert justify._c_lines(it, boxes, br, width, size, just, align, 0, para, spec) is None  # an int indent
    bad = Breaks([len(boxes) + 5], [0.0])  # an end past the paragraph
    assert justify._c_lines(it, boxes, bad, width, size, just, align, indent, para, spec) is None
    assert justify.build_lines(it, boxes, Breaks([], []), width, size, just, align, indent, para, spec) == []


@needs_accel
def test_repeated_calls_do_not_leak(calls: list[tuple]) -> None:
    """Every buffer and object the C code makes is given back, on success and on a declined input."""
    sample = [c for c in calls[:400:20]]

    def run(k: int) -> None:
        for _ in range(k):
            for it, boxes, br, width, size, just, align, indent, para, spec in sample:
                assert justify._c_lines(it, boxes, br, width, size, just, align, indent, para, spec) is not None
                assert justify._c_lines(it, boxes, br, width, size, just, align, 0, para, spec) is None

    grown = growth(lambda: run(1), 5, 40)
    assert grown < 16384, grown


@needs_accel
def test_line_ink_equals_python(calls: list[tuple]) -> None:
    """A set line's ink from its baseline (the containment check's) is the Python loop's, bit for
    bit; a span whose size is not a float is declined (the Python loop then reckons it)."""
    from layout.text import line as line_module
    from layout.text.line import Span, line_ink_python

    lines = []
    for it, boxes, br, width, size, just, align, indent, para, spec in calls[::3]:
        lines += justify.build_lines_python(it, boxes, br, width, size, just, align, indent, para, spec)
    assert len(lines) > 3000
    for ln in lines:
        got = line_module._accel.line_ink(ln.spans)
        assert tuple(v.hex() for v in got) == tuple(v.hex() for v in line_ink_python(ln.spans))
    sp = lines[0].spans[0]
    odd = [Span(sp.face, 9, sp.shaped, sp.x, sp.space_before, sp.color)]  # an int size
    assert line_module._accel.line_ink(odd) is NotImplemented
    assert line_module.line_ink(odd) == line_ink_python(odd)
    assert line_module._accel.line_ink([]) == (0.0, 0.0)
    assert growth(lambda: [line_module._accel.line_ink(ln.spans) for ln in lines[:300]], 2, 20) < 4096
    # Spans read from their slots and spans that only look like them, faces alternating, a text the
    # face has not measured yet (its ink is asked of it): the same as the Python loop.
    from types import SimpleNamespace

    faces = sorted({s.face.name: s.face for ln in lines for s in ln.spans}.values(), key=lambda f: f.name)
    mixed = []
    for i, s in enumerate(sp for ln in lines[:200] for sp in ln.spans):
        face = faces[i % len(faces)]
        if i % 7 == 3:
            mixed.append(SimpleNamespace(face=face, size=s.size, shaped=s.shaped))
        else:
            mixed.append(Span(face, s.size, s.shaped, s.x, s.space_before, s.color))
    fresh = faces[0].shape("Qzxjwvk")
    faces[0]._inks.pop("Qzxjwvk", None)
    mixed.append(Span(faces[0], 40.0, fresh, 0.0, False, "black"))
    for k in range(0, len(mixed), 25):
        part = mixed[k : k + 25] + mixed[-1:]
        got = line_module._accel.line_ink(part)
        assert tuple(v.hex() for v in got) == tuple(v.hex() for v in line_ink_python(part))


@pytest.fixture(scope="module")
def entries() -> tuple[list[tuple], set[str]]:
    """Cache entries of every line of the sample issue, as a helper process would send them."""
    from layout.pipeline import build
    from layout.text.cache import _encode

    b = build(SAMPLE, cache=False, parallel=False)
    lines = [it.line for page in b.composed.pages for it in page.items if hasattr(it, "line")]
    faces = {str(sp.face.path) for ln in lines for sp in ln.spans}
    return [_encode(lines[i : i + 7]) for i in range(0, len(lines), 7)], faces


def _python_decode(entry: tuple, faces: dict) -> list[Line]:
    from layout.text.fonts import Shaped
    from layout.text.line import Span

    return [Line([Span(faces[p], sz, Shaped(t, k, w, g), *r) for p, sz, t, k, w, g, r in spans], *rest)
            for spans, rest in entry]  # fmt: skip


@needs_accel
def test_c_decode_equals_the_python_decode(entries) -> None:
    from layout.text.cache import FontBook
    from layout.text.fonts import Shaped
    from layout.text.line import Span

    es, paths = entries
    faces = {p: FontBook.face(Path(p)) for p in paths}
    n = 0
    for e in es:
        got = justify._setlines.decode(e, faces, Span, Shaped, Line)
        want = _python_decode(e, faces)
        assert got == want and repr(got) == repr(want)
        assert all(type(s) is Span and type(s.shaped) is Shaped for ln in got for s in ln.spans)
        n += len(got)
    assert n > 100


@needs_accel
def test_c_decode_declines_what_it_does_not_know(entries) -> None:
    """A face not loaded yet, lists for tuples, a span of the wrong length: None (the Python code
    then loads the face, or raises as it always did)."""
    from layout.text.cache import FontBook
    from layout.text.fonts import Shaped
    from layout.text.line import Span

    es, paths = entries
    faces = {p: FontBook.face(Path(p)) for p in paths}
    e = es[0]
    dec = justify._setlines.decode
    assert dec(e, {}, Span, Shaped, Line) is None
    assert dec(list(e), faces, Span, Shaped, Line) is None
    spans, rest = e[0]
    assert dec(((spans, rest[:-1]), *e[1:]), faces, Span, Shaped, Line) is None
    assert dec((((spans[0][:-1],) + spans[1:], rest), *e[1:]), faces, Span, Shaped, Line) is None
    with pytest.raises(TypeError):
        dec(((((["unhashable"], *spans[0][1:]),), rest),), faces, Span, Shaped, Line)


@needs_accel
def test_objects_made_in_c_equal_those_their_classes_make() -> None:
    from layout.text.fonts import Shaped
    from layout.text.line import Span

    make = justify._setlines.make
    rng = random.Random(3)
    for _ in range(200):
        sh = ("x" * rng.randint(0, 5), rng.choice([None, (0.5, -1.0)]), rng.uniform(0, 900), rng.randint(0, 5))
        sp = (None, rng.uniform(5, 20), rng.uniform(-5, 200), rng.random() < 0.5, "#112233")
        rest = (rng.uniform(50, 300), 0.0, 1.0, True, False, rng.random() < 0.5, False, -0.25, 2, 0.0, False)
        want = Line([Span(*sp[:2], Shaped(*sh), *sp[2:])], *rest)  # type: ignore[misc]
        got = make(Line, [make(Span, *sp[:2], make(Shaped, *sh), *sp[2:])], *rest)
        assert got == want and repr(got) == repr(want) and type(got.spans[0].shaped) is Shaped
    with pytest.raises(TypeError):
        make(Line, 1, 2)  # the wrong number of fields: the class itself is called, and refuses


@needs_accel
def test_decoding_and_encoding_do_not_leak(entries) -> None:
    from layout.text.cache import FontBook
    from layout.text.fonts import Shaped
    from layout.text.line import Span

    es, paths = entries
    faces = {p: FontBook.face(Path(p)) for p in paths}

    def run(k: int) -> None:
        for _ in range(k):
            for e in es[:20]:
                lines = justify._setlines.decode(e, faces, Span, Shaped, Line)
                assert justify._setlines.decode(e, {}, Span, Shaped, Line) is None
                assert justify._setlines.encode(lines) == e
                assert justify._setlines.encode([*lines, None]) is None

    grown = growth(lambda: run(1), 3, 30)
    assert grown < 16384, grown


@needs_accel
def test_c_encode_equals_the_python_encode(entries) -> None:
    from layout.text.cache import FontBook, _encode_python

    es, paths = entries
    faces = {p: FontBook.face(Path(p)) for p in paths}
    for e in es:
        lines = _python_decode(e, faces)
        got = justify._setlines.encode(lines)
        assert got == _encode_python(lines) == e and repr(got) == repr(e)
    assert justify._setlines.encode([]) == ()
    lines = _python_decode(es[0], faces)
    assert justify._setlines.encode([*lines, "not a line"]) is None
    assert justify._setlines.encode(tuple(lines)) is None  # not a list
    odd = _python_decode(es[0], faces)
    del odd[0].spans[0].color  # an empty slot: Python's attrgetter raises; C declines
    assert justify._setlines.encode(odd) is None


SHAPING = [
    "office", "affluent", "fjord", "AVATAR", "Typography", "W.A.", "\u201cquoted\u201d", "it\u2019s", "na\u0308ive",
    "e\u0301te\u0301", "\u1f08\u03b8\u1fc6\u03bd\u03b1\u03b9", "\u6f22\u5b57", "\u2014", "1,234.56", "x\u00ady",
    "\U0001f600", "\u02bcokina", "Ta\u0302m", "ffi ffl", "\ufb01ne", " ", "\u0301",
]  # fmt: skip


@needs_accel
def test_c_glyph_loop_equals_the_python_loop() -> None:
    """HarfBuzz's output turned into a Shaped run by C and by Python: the same run (characters,
    kerns bit for bit, width, glyph count), the same None (a mark moved off the baseline), for every
    face of the style and the fallbacks, with and without ligatures."""
    import uharfbuzz as hb

    from layout.text import fonts

    style = load_style(None)
    faces = {id(r.face): r.face for r in style.roles.values()}
    faces.update({id(f): f for f in style.fallbacks})
    copy = " ".join(md.read_text(encoding="utf-8") for md in sorted((SAMPLE / "articles").glob("*.md")))
    words = [*SHAPING, *sorted(set(copy.split()))[:400]]
    compared = declined = 0
    for face in faces.values():
        for text in words:
            for features in ({"kern": True, "liga": True}, {"kern": True, "liga": False}):
                buf = hb.Buffer()
                buf.add_str(text)
                buf.guess_segment_properties()
                hb.shape(face._hb.python() if hasattr(face._hb, "python") else face._hb, buf, features)
                args = (text, buf.glyph_infos, buf.glyph_positions, face.rl.face.charToGlyph, face._g2c,
                        face.rl.face.charWidths, 1000.0 / face.upem)  # fmt: skip
                got = justify._setlines.glyphs(*args, fonts.Shaped)
                want = fonts.glyph_loop(*args)
                if got is NotImplemented:
                    declined += 1
                    continue
                assert repr(got) == repr(want), (face.name, text)
                compared += 1
    assert compared > 1000 and declined == 0


@needs_accel
def test_whole_kerns_are_one_object_each() -> None:
    """The C loop gives every kern of a whole value (in a 1000-unit em: 0 and most pair kerns) as
    one shared object, as the Python loop shares its 0.0: marshal then writes each once, and the
    lines passed between processes and kept in the pack are read back with fewer objects made."""

    face = load_style(None).roles["body"].face
    copy = " ".join(md.read_text(encoding="utf-8") for md in sorted((SAMPLE / "articles").glob("*.md")))
    seen: dict[float, set[int]] = {}
    kept = []  # (held: an object freed could give its address to the next)
    for text in sorted(set(copy.split())):
        run = face._hb_shape(text, {"kern": True, "liga": True})
        if run is None or run.kerns is None:
            continue
        kept.append(run)
        for k in run.kerns:
            if k == int(k) and abs(k) <= 512:
                seen.setdefault(k, set()).add(id(k))
    assert 0.0 in seen and len(seen) > 3, seen.keys()  # zeros and a few pair kerns
    assert all(len(ids) == 1 for ids in seen.values()), {k: len(v) for k, v in seen.items()}
    assert sum(1 for r in kept for k in r.kerns if k == 0.0) > 100


def test_ink_from_characters_measured_before_equals_measuring() -> None:
    """A text's ink from its characters' inks measured before (most words) is what measuring every
    character gives, on words of the sample's copy and random strings over letters, marks, spaces,
    characters the font lacks and some never measured yet."""
    import random

    style = load_style(None)
    faces = [style.face(f, v) for f in style.sheet.fonts for v in ("regular", "bold", "italic")]
    copy = " ".join(p.read_text(encoding="utf-8") for p in sorted((SAMPLE / "articles").glob("*.md")))
    words = copy.split()
    rng = random.Random(5)
    alphabet = "aAgjpqyQ,.'’-–—()“” \u00a0é\u0301ß\u4e2d\U0001f600fiﬁ0123456789"
    made = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9))) for _ in range(3000)]
    texts = [*words, "", " ", "\u00a0", *made]
    for face in faces:
        for t in texts:
            assert face._ink_of(t) == face._ink_measured(t), (face.name, t)
        assert face._ink_of("Zz") == face._ink_measured("Zz")
