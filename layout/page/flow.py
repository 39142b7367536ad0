"""Body units into the free row intervals of a story's columns.

Reads the units, the photos' and quotes' row blocks and a body height in grid rows; produces the
obstacles' places, the free slots around them, and the placement of each unit (column, row).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat
from operator import add

from .content import Unit


@dataclass(slots=True)
class Obstacle:
    col: int  # story column, 0-based
    cols: int
    row: int
    rows: int
    kind: str  # photo | quote
    index: int


class Placements:
    """Where a flow put units, in unit order: (unit, column, row) for each. Kept as the run of units
    each slot took and spelt out only when read, once: placing a story flows it hundreds of times
    and reads one answer in full (the others only for where one unit went, or not at all)."""

    __slots__ = ("_runs", "_tops", "_all")

    def __init__(self, runs: list[tuple[int, int, int, int]], tops: list[int]):
        self._runs = runs  # (first unit, past the last, column, row of unit k less tops[k])
        self._tops = tops
        self._all: list[tuple[int, int, int]] | None = None

    def _spelt(self) -> list[tuple[int, int, int]]:
        if self._all is None:
            tops, out = self._tops, []
            for i, j, col, base in self._runs:  # made at C speed
                out += zip(range(i, j), repeat(col, j - i), map(add, repeat(base), tops[i:j]), strict=True)
            self._all = out
        return self._all

    def __iter__(self) -> Iterator[tuple[int, int, int]]:
        return iter(self._spelt())

    def __len__(self) -> int:
        return sum(j - i for i, j, _, _ in self._runs)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Placements | list):
            return self._spelt() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def at(self, unit: int | None) -> tuple[int, int, int] | None:
        """Where `unit` was put, if it was."""
        for i, j, col, base in self._runs:
            if unit is not None and i <= unit < j:
                return (unit, col, base + self._tops[unit])
        return None


class Flow:
    """One story's units into free slots, answered by bisection on the units' running heights and
    kept by the slots asked for: placing a story tries many heights and pull-quote places, and half
    of the tries leave the same free slots as an earlier one. (tests/test_compose_fast.py holds it
    equal to the plain unit-by-unit fill it replaced.)"""

    __slots__ = ("n", "_ends", "_tops", "_free", "_kept")

    def __init__(self, units: list[Unit]):
        self.n = len(units)
        # _ends[k]: rows taken by units 0..k-1 with every gap; _tops[k]: where unit k starts on that
        # count (after its gap); _free[k]: the last unit before k that may end a column, or -1.
        ends, tops, free = [0], [], [-1]
        acc, last = 0, -1
        for t, u in enumerate(units):
            tops.append(acc + u.gap)
            acc += u.gap + u.rows
            ends.append(acc)
            if not u.keep_next:
                last = t
            free.append(last)
        self._ends, self._tops, self._free = ends, tops, free
        self._kept: dict[tuple, tuple[Placements, int]] = {}

    def flow(self, start: int, slots: list[tuple[int, int, int]]) -> tuple[Placements, int]:
        """Fill slots (column, first row, rows) with units from `start`, keeping keep-with-next
        pairs together (widows, orphans, subheads). Returns the placements (unit, column, row), in
        unit order, and the index of the first unit that did not fit."""
        key = (start, *slots)
        got = self._kept.get(key)
        if got is None:
            got = self._kept[key] = self._flow(start, slots)
        return got

    def _flow(self, start: int, slots: list[tuple[int, int, int]]) -> tuple[Placements, int]:
        n, ends, tops, free = self.n, self._ends, self._tops, self._free
        runs: list[tuple[int, int, int, int]] = []
        i = start
        last = len(slots) - 1
        for si, (col, row0, rows) in enumerate(slots):
            if i >= n:
                break
            # The units i..j-1 take ends[j] - tops[i] rows (the first one's gap dropped).
            j = max(i, bisect_right(ends, rows + tops[i], i, n + 1) - 1)
            if i < j < n:
                t = free[j]  # back off so that no keep-with-next unit ends the slot
                if t >= i:
                    j = t + 1
                elif si < last:
                    j = i  # too short for what must stay together: left empty
            if j > i:  # unit k of i..j-1 at row0 + tops[k] - tops[i]
                runs.append((i, j, col, row0 - tops[i]))
            i = j
        return Placements(runs, tops), i


def place_obstacles(
    m: int, H: int, blocks: dict, moves: dict[int, tuple[float, int | None]] | None = None
) -> list[Obstacle] | None:
    """Where photos and quotes sit for a body `H` rows tall; None if they cannot. `moves`
    sets a pull quote (by index) at another depth (a fraction of `H`) and, if given, column."""
    top = [0] * m
    obs: list[Obstacle] = []
    col = 0
    for i, (cols, rows, placement) in blocks["photos"].items():
        if placement != "top":
            continue
        cols = min(cols, m)
        if col + cols > m:
            col = 0
        base = max(top[col : col + cols])
        if base + rows > H:
            return None  # a photo taller than the body would run out of the story's box
        obs.append(Obstacle(col, cols, base, rows, "photo", i))
        for c in range(col, col + cols):
            top[c] = base + rows
        col += cols

    def free_at(c0: int, n: int, r: int, rows: int) -> bool:
        return all(
            not (o.col < c0 + n and c0 < o.col + o.cols and o.row < r + rows and r < o.row + o.rows) for o in obs
        )

    inline = [(i, v) for i, v in blocks["photos"].items() if v[2] == "inline"]
    inline += [(i, v) for i, v in blocks["quotes"].items()]
    for k, (i, (cols, rows, placement)) in enumerate(inline):
        cols = min(cols, m)
        kind = "quote" if placement == "quote" else "photo"
        prefer = m - cols if kind == "photo" else min(m - cols, (1 + 2 * k) % m if m > 1 else 0)
        # The preferred column first, then those with the most free height.
        order = [prefer] + sorted((c for c in range(m - cols + 1) if c != prefer), key=lambda c: max(top[c : c + cols]))
        frac = 0.38 if k % 2 == 0 else 0.62
        if moves and kind == "quote" and i in moves:
            frac, col = moves[i]
            if col is not None and col <= m - cols:
                order = [col] + [c for c in order if c != col]
        for c0 in order:
            r = max(top[c0 : c0 + cols] + [int(H * frac) - rows // 2])
            r = min(r, max(top[c0 : c0 + cols] + [H - rows]))
            while r + rows <= H and not free_at(c0, cols, r, rows):
                r += 1
            if r + rows <= H:
                obs.append(Obstacle(c0, cols, r, rows, kind, i))
                break
        else:
            return None
    return obs


def free_slots(m: int, H: int, obs: list[Obstacle], cut: set[int] | None = None) -> list[tuple[int, int, int]]:
    """The free row intervals (column, first row, rows) of a body `H` rows tall around the
    obstacles, column by column; a column in `cut` ends a row short (room for a jump line)."""
    spans = [(o.col, o.col + o.cols, o.row, o.row + o.rows) for o in obs]
    out = []
    for c in range(m):
        end = H - (1 if cut and c in cut else 0)
        r = 0
        if spans:
            for a, b in sorted([(a, b) for c0, c1, a, b in spans if c0 <= c < c1]):
                if a > r and min(a, end) - r > 0:
                    out.append((c, r, min(a, end) - r))
                r = max(r, b)
        if end > r:
            out.append((c, r, end - r))
    return out
