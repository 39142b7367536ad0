"""The bounded line breaker (a cheap pass that skips hopeless strict passes and bounds the exact
one) chooses exactly the breaks the plain passes choose, over real copy at many measures."""

from __future__ import annotations

from pathlib import Path

import pytest

from layout.text import linebreak, markdown
from layout.text.linebreak import INF, Breaks, _pass, total_fit
from layout.text.prune import cheap_breaks
from layout.text.style import load_style
from layout.text.typeset import Typesetter

SAMPLE = Path(__file__).resolve().parents[1] / "issues" / "2026-12-03"


def plain_total_fit(it, width, varying, p) -> Breaks:
    """total_fit as it was: every pass in turn, nothing skipped or pruned."""
    for tol, emergency, strict, overfull in (
        (p.tolerance, False, True, False),
        (p.tolerance * 3, True, True, False),
        (INF, True, True, False),
        (INF, True, False, False),
        (INF, True, False, True),
    ):
        res = _pass(it, width, varying, p, tol, strict=strict, overfull=overfull)
        if res is not None:
            res.emergency = emergency
            return res
    raise AssertionError


@pytest.fixture(scope="module")
def paragraphs():
    style = load_style(None)
    ts = Typesetter(style, "en-US")
    out = []
    for md in sorted((SAMPLE / "articles").glob("*.md")):
        for b in markdown.parse(md.read_text(encoding="utf-8")):
            if b.kind == "para":
                out.append(b.runs)
    return style, ts, out


@pytest.mark.parametrize("measure", [45.0, 70.0, 120.0, 240.0])
def test_pruned_breaks_equal_plain_breaks(paragraphs, measure: float) -> None:
    style, ts, paras = paragraphs
    body = style.roles["body"]
    skipped = 0
    for runs in paras:
        it, _ = ts.builder.items(runs, body, body.size, measure - 8, justify=True, hyphenate=True)
        for widths in ([measure - 8, measure], [measure]):

            def width(line: int, widths=widths) -> float:
                return widths[min(line, len(widths) - 1)]

            varying = len(widths) - 1
            for p in (ts.params, ts.ragged):
                a = total_fit(it, width, varying, p)
                b = plain_total_fit(it, width, varying, p)
                assert (a.ends, a.ratios, a.emergency) == (b.ends, b.ratios, b.emergency)
        sums = tuple(linebreak._sums(v) for v in (it.widths, it.flex, it.gw, it.gy, it.gz))
        skipped += cheap_breaks(it, lambda _: measure, 0, ts.params, ts.params.tolerance, sums) is None
    if measure < 100:  # narrow measures exercise the skipped strict pass
        assert skipped > 0
