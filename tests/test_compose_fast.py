"""The fast paths of composing and checking answer exactly as the plain code they replaced.

Each plain version is kept here as the oracle: the unit-by-unit column fill (page.flow.Flow answers
by bisection and keeps answers by their slots), and the all-pairs containment check (page.containment
sweeps and buckets). They are compared on many random inputs and on real issues, clean and broken.
"""

from __future__ import annotations

import random

from layout.page.content import Unit
from layout.page.flow import Flow


def plain_flow(units: list[Unit], start: int, slots: list[tuple[int, int, int]]) -> tuple[list, int]:
    """The column fill as first written: unit by unit, backing off keep-with-next units."""
    out: list[tuple[int, int, int]] = []
    i = start
    n = len(units)
    for si, (col, row0, rows) in enumerate(slots):
        if i >= n:
            break
        used = 0
        placed: list[tuple[int, int, int]] = []
        j = i
        while j < n:
            u = units[j]
            gap = u.gap if placed else 0
            if used + gap + u.rows > rows:
                break
            placed.append((j, col, row0 + used + gap))
            used += gap + u.rows
            j += 1
        if j < n and placed:
            k = len(placed)
            while k > 0 and units[placed[k - 1][0]].keep_next:
                k -= 1
            if k > 0:
                placed = placed[:k]
                j = placed[-1][0] + 1
            elif si + 1 < len(slots):
                placed = []
                j = i
        out.extend(placed)
        i = j
    return out, i


def _random_units(rnd: random.Random, n: int) -> list[Unit]:
    units = []
    for _ in range(n):
        rows = rnd.choice([1, 1, 1, 1, 2, 3, 0]) if rnd.random() < 0.9 else rnd.randint(0, 12)
        gap = rnd.choice([0, 0, 0, 1, 2])
        units.append(Unit([], rows, gap=gap, keep_next=rnd.random() < rnd.choice([0.0, 0.2, 0.6, 1.0])))
    return units


def _random_slots(rnd: random.Random) -> list[tuple[int, int, int]]:
    slots = []
    for c in range(rnd.randint(0, 6)):
        r = 0
        for _ in range(rnd.randint(1, 3)):
            rows = rnd.choice([rnd.randint(1, 4), rnd.randint(1, 40), rnd.randint(-2, 0)])
            slots.append((c, r, rows))
            r += max(rows, 0) + rnd.randint(0, 5)
    return slots


def test_flow_answers_as_the_unit_by_unit_fill():
    rnd = random.Random(12)
    for _ in range(3000):
        units = _random_units(rnd, rnd.randint(0, 60))
        fl = Flow(units)
        for _ in range(4):
            start = rnd.randint(0, len(units))
            slots = _random_slots(rnd)
            want = plain_flow(units, start, slots)
            assert fl.flow(start, slots) == want, (start, slots)
            assert fl.flow(start, list(slots)) == want  # kept: the same answer again


def test_flow_answers_as_the_unit_by_unit_fill_on_real_stories(sample_built):
    from layout.page.compose import Composer

    b = sample_built
    comp = Composer(b.loaded, b.style)
    rnd = random.Random(3)
    for aid in b.loaded.issue.articles:
        for colw in (120.0, 180.0):
            content = comp.content(aid, colw)
            fl = Flow(content.units)
            for _ in range(200):
                slots = _random_slots(rnd)
                start = rnd.randint(0, len(content.units))
                assert fl.flow(start, slots) == plain_flow(content.units, start, slots)
