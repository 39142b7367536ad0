"""The C line breaker (layout.text._breaker) gives exactly what the Python code gives: the same
breaks, the same ratios bit for bit, the same emergency flag, over every paragraph of the sample
issue and of generated benchmark copy at several measures, with and without a drop cap's short
first lines, for justified and ragged setting; over random item lists; over hostile input (empty,
overfull, zero or negative measure, infinite widths, odd list contents); and a whole render is the
same PDF bytes with the kernel and with LAYOUT_PURE_PYTHON=1.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import generator
import pytest
from leaks import growth

from layout.text import linebreak, markdown
from layout.text.linebreak import END, HYPH, INF, JOIN, SPACE, Breaks, Items, Params, total_fit, total_fit_python
from layout.text.style import load_style
from layout.text.typeset import Typesetter

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issues" / "2026-12-03"

needs_accel = pytest.mark.skipif(not linebreak.ACCELERATED, reason="the C extension is not built")


def key(b: Breaks) -> tuple:
    """Breaks as comparable data, ratios by their bits (0.0 and -0.0 differ, NaN equals itself)."""
    return b.ends, [r.hex() for r in b.ratios], b.emergency


def c_fit(it: Items, width, varying: int, p: Params) -> Breaks:
    """The C code itself, never its Python fallback: fails if it declines the input."""
    assert linebreak._breaker is not None
    res = linebreak._breaker.total_fit(
        it.widths, it.flex, it.sep, it.gw, it.gy, it.gz, it.hw, it.pen, it.flag,
        [width(i) for i in range(varying)], width(varying), varying,
        p.tolerance, p.line_penalty, p.double_hyphen_demerits, p.adjacent_demerits, p.hyphen_limit,
        p.final_hyphen, p.fill_last,
    )  # fmt: skip
    assert res is not None, "the C breaker declined ordinary input"
    return Breaks(*res)


def width_of(widths: list[float]):
    return lambda line: widths[line] if line < len(widths) else widths[-1]


def generated_markdown() -> list[str]:
    """Bodies written by the benchmark's generator (no layout passes: only the copy is needed)."""
    synthetic = generator.synthetic()
    return [synthetic._article(random.Random(seed), 700).markdown() for seed in range(3)]


@pytest.fixture(scope="module")
def paragraphs():
    style = load_style(None)
    ts = Typesetter(style, "en-US")
    texts = [md.read_text(encoding="utf-8") for md in sorted((SAMPLE / "articles").glob("*.md"))]
    texts += generated_markdown()
    paras = [b.runs for t in texts for b in markdown.parse(t) if b.kind == "para"]
    return style, ts, paras


@needs_accel
@pytest.mark.parametrize("measure", [40.0, 62.0, 95.0, 150.0, 260.0])
def test_c_equals_python_on_real_copy(paragraphs, measure: float) -> None:
    style, ts, paras = paragraphs
    body = style.roles["body"]
    drop = measure * 0.6
    shapes = ([measure], [measure - 10.0, measure], [drop, drop, drop, measure])  # indent, 3-line drop cap
    compared = 0
    for runs in paras:
        for hyph in (True, False):
            it, _ = ts.builder.items(runs, body, body.size, min(shapes[-1]), justify=True, hyphenate=hyph)
            ragged = Items(it.widths, it.flex, it.sep, it.gw, [w * 6 if s == SPACE else 0.0 for w, s in
                           zip(it.gw, it.sep, strict=True)], [0.0] * len(it.gw), it.hw, it.pen, it.flag)  # fmt: skip
            for widths in shapes:
                width, varying = width_of(widths), len(widths) - 1
                for items, p in ((it, ts.params), (ragged, ts.ragged), (it, ts.ragged)):
                    want = key(total_fit_python(items, width, varying, p))
                    assert key(c_fit(items, width, varying, p)) == want
                    assert key(total_fit(items, width, varying, p)) == want
                    compared += 1
    assert compared > 1000


def random_items(rng: random.Random, n: int) -> Items:
    it = Items()
    for i in range(n):
        w = rng.choice([rng.uniform(2, 40), rng.uniform(0, 3), 0.0])
        it.widths.append(w)
        it.flex.append(rng.choice([0.0, w * 0.03, rng.uniform(0, 2)]))
        s = END if i == n - 1 else rng.choice([SPACE, SPACE, SPACE, HYPH, JOIN, END])
        it.sep.append(s)
        it.gw.append(rng.uniform(2, 4) if s == SPACE else 0.0)
        it.gy.append(rng.choice([rng.uniform(0, 3), 0.0]) if s == SPACE else 0.0)
        it.gz.append(rng.choice([rng.uniform(0, 1), 0.0]) if s == SPACE else 0.0)
        it.hw.append(rng.uniform(1, 4) if s == HYPH else 0.0)
        it.pen.append(rng.choice([0.0, 50.0, 100.0, -20.0, 1000.0, 1e10]) if s != SPACE else 0.0)
        it.flag.append(s == HYPH or (s == JOIN and rng.random() < 0.3))
    return it


@needs_accel
def test_c_equals_python_on_random_items() -> None:
    rng = random.Random(20261203)
    for case in range(600):
        it = random_items(rng, rng.randint(1, 60))
        widths = [rng.uniform(-5, 120) for _ in range(rng.choice([1, 1, 2, 4]))]
        p = Params(
            tolerance=rng.choice([0.0, 0.5, 1.0, 2.5]),
            line_penalty=rng.choice([10.0, 0.0, 500.0]),
            hyphen_penalty=50.0,
            double_hyphen_demerits=rng.choice([3000.0, 0.0, -100.0]),
            adjacent_demerits=rng.choice([3000.0, 0.0]),
            hyphen_limit=rng.choice([0, 1, 2, 5, -1]),
            final_hyphen=rng.random() < 0.5,
            fill_last=rng.random() < 0.7,
        )
        width, varying = width_of(widths), len(widths) - 1
        assert key(c_fit(it, width, varying, p)) == key(total_fit_python(it, width, varying, p)), case


def tied_items(rng: random.Random, n: int) -> Items:
    """Boxes and spaces from a few round values: many sets of breaks cost exactly the same, so
    the tie-breaking (which node the breaker keeps, which final it takes) decides."""
    it = Items()
    for i in range(n):
        s = END if i == n - 1 else rng.choice([SPACE, SPACE, HYPH])
        it.widths.append(rng.choice([8.0, 16.0, 24.0]))
        it.flex.append(rng.choice([0.0, 0.5]))
        it.sep.append(s)
        it.gw.append(4.0 if s == SPACE else 0.0)
        it.gy.append(2.0 if s == SPACE else 0.0)
        it.gz.append(1.0 if s == SPACE else 0.0)
        it.hw.append(4.0 if s == HYPH else 0.0)
        it.pen.append(50.0 if s == HYPH else 0.0)
        it.flag.append(s == HYPH)
    return it


@needs_accel
def test_c_equals_python_where_costs_tie() -> None:
    rng = random.Random(7)
    for case in range(400):
        it = tied_items(rng, rng.randint(2, 40))
        widths = [rng.choice([32.0, 48.0, 64.0, 96.0]) for _ in range(rng.choice([1, 2, 3]))]
        p = Params(adjacent_demerits=rng.choice([0.0, 3000.0]), double_hyphen_demerits=rng.choice([0.0, 3000.0]),
                   hyphen_limit=rng.choice([1, 2]), fill_last=rng.random() < 0.5)  # fmt: skip
        width, varying = width_of(widths), len(widths) - 1
        assert key(c_fit(it, width, varying, p)) == key(total_fit_python(it, width, varying, p)), case


def hostile_cases() -> list[tuple[str, Items, list[float]]]:
    one = Items([500.0], [0.0], [END], [0.0], [0.0], [0.0], [0.0], [0.0], [False])
    words = Items()
    for i in range(12):
        words.widths.append(30.0 + i)
        words.flex.append(0.5)
        words.sep.append(END if i == 11 else SPACE)
        for lst, v in ((words.gw, 3.0), (words.gy, 1.5), (words.gz, 1.0), (words.hw, 0.0), (words.pen, 0.0)):
            lst.append(v)
        words.flag.append(False)
    hyph = Items()  # every separator a hyphenation point
    for i in range(30):
        hyph.widths.append(8.0)
        hyph.flex.append(0.1)
        hyph.sep.append(END if i == 29 else HYPH)
        for lst, v in ((hyph.gw, 0.0), (hyph.gy, 0.0), (hyph.gz, 0.0), (hyph.hw, 3.0), (hyph.pen, 50.0)):
            lst.append(v)
        hyph.flag.append(i != 29)
    inf = Items(*(list(v) for v in (words.widths, words.flex, words.sep, words.gw, words.gy, words.gz)),
                list(words.hw), list(words.pen), list(words.flag))  # fmt: skip
    inf.widths[3] = INF
    inf.gy[5] = INF
    neg_inf = Items(*(list(v) for v in (words.widths, words.flex, words.sep, words.gw, words.gy, words.gz)),
                    list(words.hw), list(words.pen), list(words.flag))  # fmt: skip
    neg_inf.widths[0] = -INF
    ends_inside = Items(*(list(v) for v in (words.widths, words.flex, words.sep, words.gw, words.gy, words.gz)),
                        list(words.hw), list(words.pen), list(words.flag))  # fmt: skip
    ends_inside.sep[4] = END
    return [
        ("empty", Items(), [100.0]),
        ("one box wider than the measure", one, [100.0]),
        ("one box wider than the first line", one, [100.0, 600.0]),
        ("zero measure", words, [0.0]),
        ("negative measure", words, [-50.0]),
        ("narrow measure", words, [20.0]),
        ("drop cap narrower than a word", words, [10.0, 10.0, 120.0]),
        ("all hyphen points", hyph, [40.0]),
        ("all hyphen points, tiny", hyph, [5.0]),
        ("infinite widths", inf, [100.0]),
        ("infinite measure", words, [INF]),
        ("minus infinite width", neg_inf, [100.0]),
        ("an END inside", ends_inside, [90.0]),
    ]


@needs_accel
@pytest.mark.parametrize("name,it,widths", hostile_cases(), ids=[c[0] for c in hostile_cases()])
def test_hostile_items_same_answer(paragraphs, name: str, it: Items, widths: list[float]) -> None:
    _, ts, _ = paragraphs
    width, varying = width_of(widths), len(widths) - 1
    for p in (ts.params, ts.ragged, Params(hyphen_limit=0, final_hyphen=False)):
        want = key(total_fit_python(it, width, varying, p))
        assert key(total_fit(it, width, varying, p)) == want
        if it.widths:
            assert key(c_fit(it, width, varying, p)) == want
    if name == "one box wider than the measure":
        b = total_fit(it, width, varying, ts.params)
        assert b.ends == [0] and b.emergency and b.ratios[0] < -1.0  # the overfull pass set it


@needs_accel
def test_input_the_c_code_declines_goes_to_python(paragraphs) -> None:
    """Ints for floats, non-bool flags, short lists, a pow() overflow: the Python code answers
    (and raises what it raises)."""
    _, ts, _ = paragraphs
    base = hostile_cases()[4][1]  # twelve words
    width = width_of([90.0])
    odd = Items(list(base.widths), list(base.flex), list(base.sep), list(base.gw), list(base.gy), list(base.gz),
                list(base.hw), [0] * 12, [0] * 12)  # fmt: skip
    odd.widths[2] = 31  # an int
    assert linebreak._breaker.total_fit(odd.widths, odd.flex, odd.sep, odd.gw, odd.gy, odd.gz, odd.hw, odd.pen,
                                        odd.flag, [], 90.0, 0, 1.0, 10.0, 0.0, 0.0, 2, False, True) is None  # fmt: skip
    assert key(total_fit(odd, width, 0, ts.params)) == key(total_fit_python(odd, width, 0, ts.params))
    short = Items(list(base.widths), list(base.flex[:5]), *(list(v) for v in (base.sep, base.gw, base.gy, base.gz)),
                  list(base.hw), list(base.pen), list(base.flag))  # fmt: skip
    with pytest.raises(IndexError):
        total_fit(short, width, 0, ts.params)
    huge = Items(*(list(v) for v in (base.widths, base.flex, base.sep, base.gw, base.gy, base.gz)),
                 list(base.hw), list(base.pen), list(base.flag))  # fmt: skip
    huge.gy = [1e-300] * 12  # ratios near 1e302: their cube overflows, as Python's ** reports
    huge.gz = [0.0] * 12
    huge.flex = [0.0] * 12
    p = Params(tolerance=INF)
    with pytest.raises(OverflowError):
        total_fit_python(huge, width_of([900.0]), 0, p)
    with pytest.raises(OverflowError):
        total_fit(huge, width_of([900.0]), 0, p)


@needs_accel
def test_repeated_calls_do_not_leak(paragraphs) -> None:
    """Every buffer the C code takes is given back, on success, on a declined input and on a bad call."""
    cases = [(c[1], c[2]) for c in hostile_cases() if c[1].widths]
    odd = cases[0][0]

    def run(k: int) -> None:
        for _ in range(k):
            for it, widths in cases:
                c_fit(it, width_of(widths), len(widths) - 1, Params())
            args = [odd.flex, odd.sep, odd.gw, odd.gy, odd.gz, odd.hw, odd.pen, odd.flag, [], 90.0, 0]
            assert linebreak._breaker.total_fit([None], *args, 1.0, 10.0, 0.0, 0.0, 2, False, True) is None
            try:
                linebreak._breaker.total_fit(*args, 1.0)
            except TypeError:
                pass
            else:
                raise AssertionError("a call with arguments missing was accepted")

    grown = growth(lambda: run(1), 20, 300)
    assert grown < 4096, grown


def test_the_extensions_are_built_when_required() -> None:
    """CI sets LAYOUT_REQUIRE_ACCEL=1: there every C extension must have been compiled and imported
    (the breaker, the line filling, the text operators, the page keys, the containment check, the
    arena hook), and HarfBuzz's C API bound for shaping."""
    if os.environ.get("LAYOUT_REQUIRE_ACCEL") != "1":
        pytest.skip("LAYOUT_REQUIRE_ACCEL is not set")
    from layout.page import containment
    from layout.pdf import pagecache, textops
    from layout.text import items, justify

    assert os.environ.get("LAYOUT_PURE_PYTHON", "") in ("", "0"), "LAYOUT_PURE_PYTHON forces the Python code"
    hint = "did not build or import (python setup.py build_ext)"
    assert linebreak.ACCELERATED, f"layout.text._breaker {hint}"
    assert justify.ACCELERATED, f"layout.text._setlines {hint}"
    assert items.ACCELERATED, f"layout.text._items {hint}"
    assert textops.ACCELERATED, f"layout.pdf._textops {hint}"
    assert pagecache._kernel is not None, f"layout.pdf._pagekey {hint}"
    assert containment._contain is not None, f"layout.page._contain {hint}"
    try:
        from layout.serve import _arenas
    except ImportError:
        pytest.fail(f"layout.serve._arenas {hint}")
    assert _arenas.counts() is not None
    from layout.text import harfbuzz

    assert harfbuzz._bound, "HarfBuzz's C API (uharfbuzz's library) could not be opened: shaping goes through Python"


def _render(issue: Path, out: Path, pure: bool) -> tuple[bytes, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LAYOUT_PURE_PYTHON",)}
    if pure:
        env["LAYOUT_PURE_PYTHON"] = "1"
    probe = (  # every kernel in use, or none (LAYOUT_PURE_PYTHON turns them all off)
        "from layout.text import items, justify, linebreak; from layout.pdf import pagecache, textops; "
        "from layout.page import containment; "
        "print(linebreak.ACCELERATED and justify.ACCELERATED and items.ACCELERATED and textops.ACCELERATED "
        "and pagecache._kernel is not None and containment._contain is not None)"
    )
    # From the checkout's root: `-m` and `-c` import the package this test file belongs to.
    kw = {"env": env, "cwd": ROOT, "capture_output": True, "text": True, "timeout": 300}
    accel = subprocess.run([sys.executable, "-c", probe], check=True, **kw)
    r = subprocess.run([sys.executable, "-m", "layout.cli", "render", str(issue), "-o", str(out), "--no-cache"], **kw)
    assert r.returncode == 0, r.stderr
    return out.read_bytes(), accel.stdout.strip()


@needs_accel
def test_render_is_the_same_bytes_with_and_without_the_c_extensions(tmp_path: Path) -> None:
    issue = tmp_path / "issue"
    shutil.copytree(SAMPLE, issue, ignore=shutil.ignore_patterns("build"))
    fast, accel_fast = _render(issue, tmp_path / "c.pdf", pure=False)
    slow, accel_slow = _render(issue, tmp_path / "py.pdf", pure=True)
    assert (accel_fast, accel_slow) == ("True", "False")
    assert fast == slow
