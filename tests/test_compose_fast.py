"""The fast paths of composing and checking answer exactly as the plain code they replaced.

Each plain version is kept as the oracle: the unit-by-unit column fill (page.flow.Flow answers by
bisection and keeps answers by their slots), the containment check with its one sweep over all
elements (page.containment first looks for a pair in bands between the gutters), and the page
warnings and word search as first written (tests/plain_findings.py). They are compared on many
random inputs and on real issues, as set and with their items shaken loose.
"""

from __future__ import annotations

import random

import pytest

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
            got = fl.flow(start, slots)
            assert got == want, (start, slots)
            assert list(got[0]) == want[0] and len(got[0]) == len(want[0])
            for u in range(-1, len(units) + 1):  # where one unit went: the first placement of it
                assert got[0].at(u) == next((p for p in want[0] if p[0] == u), None)
            assert got[0].at(None) is None
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


def plain_check_page(composed, page) -> list:
    """The containment check as first written: every element against its box, then an all-pairs
    sweep down the page (the oracle for containment.check_page's bands)."""
    from layout.page.containment import EPS, HANG, _err, _fmt, _inside, _touching, describe, ink, story_boxes
    from layout.page.frames import Box, TextItem

    out = []
    boxes = story_boxes(composed, page)
    area = page.stories_area or page.area
    for sid, (_fit, b) in boxes.items():
        if b.height > 0 and not _inside(b, area, 0.0):
            out.append(_err(page, sid, b, f"the story's box {_fmt(b)} is outside the page's text area {_fmt(area)}"))
    names = [s for s in boxes if boxes[s][1].height > 0]
    for i, s in enumerate(names):
        for t in names[i + 1 :]:
            b, c = boxes[s][1], boxes[t][1]
            if min(b.right, c.right) - max(b.x, c.x) > EPS and min(b.bottom, c.bottom) - max(b.top, c.top) > EPS:
                out.append(_err(page, s, b, f"the story's box overlaps the box of story '{t}'"))
    inks = [k for k in map(ink, page.items) if k is not None]
    for k in inks:
        story = getattr(k.item, "story", None)
        hang = HANG if isinstance(k.item, TextItem) else 0.0
        b = boxes[story][1] if story is not None and story in boxes else page.area
        inside = b.x - hang - EPS <= k.x0 and k.x1 <= b.right + hang + EPS
        inside = inside and b.top - EPS <= k.top and k.bottom <= b.bottom + EPS
        if not inside:
            where = "the story's box" if story is not None and story in boxes else "the text area"
            out.append(_err(page, story, Box(*k.tuple), f"{describe(k.item)} lies outside {where}"))
    for a, b in _touching(inks):
        story = getattr(a.item, "story", None) or getattr(b.item, "story", None)
        out.append(_err(page, story, Box(*a.tuple), f"{describe(a.item)} touches {describe(b.item)}"))
    return out


def plain_ink(it):
    """An item's ink as first written (TextItem.x0 and .x1 for a line's ends)."""
    from layout.page.containment import Ink
    from layout.page.frames import ImageItem, RuleItem

    if isinstance(it, ImageItem | RuleItem):
        from layout.page.containment import ink

        return ink(it)
    up = down = 0.0
    for sp in it.line.spans:
        t, b = sp.face.ink(sp.shaped.text)
        up, down = max(up, t * sp.size / 1000), min(down, b * sp.size / 1000)
    return None if up == down else Ink(it.x0, it.baseline - up, it.x1, it.baseline - down, it)


def _shaken(page, rnd: random.Random, share: float):
    """A copy of the page with a share of its items moved a little or a lot (overlaps, strays)."""
    import copy
    import dataclasses

    from layout.page.frames import ImageItem, RuleItem

    p = copy.copy(page)
    p.items = list(page.items)
    for k, it in enumerate(p.items):
        if rnd.random() > share:
            continue
        dx, dy = rnd.choice([rnd.uniform(-3, 3), rnd.uniform(-200, 200), 0.0]), rnd.choice([rnd.uniform(-6, 6), 0.0])
        if isinstance(it, RuleItem):
            p.items[k] = dataclasses.replace(it, x0=it.x0 + dx, x1=it.x1 + dx, y0=it.y0 + dy, y1=it.y1 + dy)
        elif isinstance(it, ImageItem):
            p.items[k] = dataclasses.replace(it, x=it.x + dx, top=it.top + dy)
        else:
            p.items[k] = dataclasses.replace(it, x=it.x + dx, baseline=it.baseline + dy, top=it.top + dy)
    return p


@pytest.fixture(scope="module")
def issues(tmp_path_factory) -> list:
    """A synthetic issue and every awkward one (short heights, jumps, accents, overlaps), built."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import awkward
    from synthetic import make_issue

    from layout.pipeline import build

    root = tmp_path_factory.mktemp("fast")
    built = [build(make_issue(root / "syn", pages=4, seed=5))]
    built += [build(awkward.make(root / n, n)) for n in [*awkward.NAMES, "editor"]]
    return built


def test_containment_answers_as_the_all_pairs_check(sample_built, issues):
    from layout.page import containment

    rnd = random.Random(7)
    for b in [sample_built, *issues]:
        c = b.composed
        for page in c.pages:
            assert [containment.ink(i) for i in page.items] == [plain_ink(i) for i in page.items]
            assert containment.check_page(c, page) == plain_check_page(c, page)
            for share in (0.01, 0.05, 0.3):
                shaken = _shaken(page, rnd, share)
                got = containment.check_page(c, shaken)
                assert got == plain_check_page(c, shaken)
                assert share < 0.3 or got  # the test shakes hard enough to find something


def test_norm_answers_as_the_word_by_word_lowering():
    import plain_findings

    from layout.page.wordsearch import norm

    rnd = random.Random(1)
    alphabet = "abcXYZ019_-' .,;:!?\u00e9\u00c9\u0130\u00df\u1e9e\ufb01\u2014\u00a0K\u212a"
    for _ in range(3000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 30)))
        assert norm(text) == plain_findings.norm(text), repr(text)


def test_first_lines_answers_as_the_word_by_word_search(sample_built, issues):
    import plain_findings

    from layout.page.frames import TextItem
    from layout.page.wordsearch import first_lines

    rnd = random.Random(5)
    checked = 0
    for b in [sample_built, *issues]:
        for page in b.composed.pages:
            for story in {getattr(i, "story", None) for i in page.items} - {None}:
                body = sorted(
                    (i for i in page.items if isinstance(i, TextItem) and i.story == story and i.role == "body"),
                    key=lambda i: (i.column or 0, i.top),
                )
                words = [w for w, _ in plain_findings.words_of_lines(body)]
                for _ in range(6):
                    wants = []
                    for _ in range(rnd.randint(0, 3)):
                        k, n = rnd.randint(0, max(0, len(words) - 1)), rnd.randint(0, 6)
                        wants.append(words[k : k + n] if rnd.random() < 0.8 else [rnd.choice(words or ["x"]), "zz"])
                    want = plain_findings.first_lines(plain_findings.words_of_lines(body), wants)
                    assert first_lines(body, wants) == want
                    checked += sum(w is not None for w in want)
    assert checked > 100


def test_page_warnings_answer_as_first_written(sample_built, issues):
    import plain_findings

    from layout.page import findings

    rnd = random.Random(9)
    found = 0
    for b in [sample_built, *issues]:
        c, li = b.composed, b.loaded
        for page in c.pages:
            want = plain_findings._page_warnings(c, page, li)
            assert findings._page_warnings(c, page, li) == want
            found += len(want)
            for share in (0.02, 0.1, 0.4):
                shaken = _shaken(page, rnd, share)
                got = findings._page_warnings(c, shaken, li)
                assert got == plain_findings._page_warnings(c, shaken, li)
                found += len(got)
    assert found > 20  # the pages have something to circle


def plain_free_slots(m: int, H: int, obs: list, cut: set[int] | None = None) -> list[tuple[int, int, int]]:
    """The free row intervals as first written."""
    out = []
    for c in range(m):
        blocked = sorted((o.row, o.row + o.rows) for o in obs if o.col <= c < o.col + o.cols)
        end = H - (1 if cut and c in cut else 0)
        r = 0
        for a, b in blocked:
            if a > r:
                out.append((c, r, min(a, end) - r))
            r = max(r, b)
        if end > r:
            out.append((c, r, end - r))
    return [s for s in out if s[2] > 0]


def test_free_slots_answer_as_first_written():
    from layout.page.flow import Obstacle, free_slots

    rnd = random.Random(4)
    for _ in range(5000):
        m, H = rnd.randint(1, 6), rnd.randint(0, 40)
        obs = []
        for _ in range(rnd.randint(0, 4)):
            col, rows = rnd.randint(0, m - 1), rnd.randint(0, 15)
            obs.append(Obstacle(col, rnd.randint(1, m - col), rnd.randint(0, H + 3), rows, "photo", 0))
        cut = rnd.choice([None, set(), {m - 1}, set(range(rnd.randint(0, m), m))])
        assert free_slots(m, H, obs, cut) == plain_free_slots(m, H, obs, cut)


def plain_find_quote(content, text: str) -> int | None:
    """Where a pull quote's sentence begins among a story's units, as first written."""
    import plain_findings

    want = plain_findings.norm(text)[:6]
    if len(want) < 4:
        return None
    seq: list[str] = []
    unit: list[int] = []
    carry = ""
    k = 0
    n = len(want)
    for ui, u in enumerate(content.units):
        for ln, role in u.lines:
            if role != "body":
                continue
            ws = plain_findings.norm(ln.text)
            if carry and ws:
                ws[0] = carry + ws[0]
            carry = ws.pop() if ln.hyphenated and ln.text.endswith("-") and ws else ""
            seq += ws
            unit += [ui] * len(ws)
        while k + n <= len(seq):
            if seq[k] == want[0] and seq[k : k + n] == want:
                return unit[k]
            k += 1
    return None


def test_quote_search_in_the_body_answers_as_first_written(sample_built):
    from layout.page.compose import Composer

    b = sample_built
    comp = Composer(b.loaded, b.style)
    rnd = random.Random(8)
    found = 0
    for aid in b.loaded.issue.articles:
        content = comp.content(aid, 150.0)
        words = " ".join(ln.text for u in content.units for ln, role in u.lines if role == "body").split()
        for _ in range(40):
            k = rnd.randint(0, max(0, len(words) - 1))
            text = " ".join(words[k : k + rnd.randint(3, 8)])
            if rnd.random() < 0.2:
                text += " notinthebody"
            want = plain_find_quote(content, text)
            assert content._find_quote(text) == want, text
            found += want is not None
    assert found > 50
