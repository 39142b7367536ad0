"""Body units into the free row intervals of a story's columns.

Reads the units, the photos' and quotes' row blocks and a body height in grid rows; produces the
obstacles' places, the free slots around them, and the placement of each unit (column, row).
"""

from __future__ import annotations

from dataclasses import dataclass

from .content import Unit


@dataclass(slots=True)
class Obstacle:
    col: int  # story column, 0-based
    cols: int
    row: int
    rows: int
    kind: str  # photo | quote
    index: int


def flow(units: list[Unit], start: int, slots: list[tuple[int, int, int]]) -> tuple[list[tuple[int, int, int]], int]:
    """Fill slots (column, first row, rows) with units from `start`, keeping keep-with-next
    pairs together (widows, orphans, subheads). Returns placements (unit, column, row) and
    the index of the first unit that did not fit."""
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
            # Back off so that no keep-with-next unit ends the slot.
            k = len(placed)
            while k > 0 and units[placed[k - 1][0]].keep_next:
                k -= 1
            if k > 0:
                placed = placed[:k]
                j = placed[-1][0] + 1
            elif si + 1 < len(slots):
                # The slot is too short for what must stay together (a paragraph's first
                # lines under a photo, say): leave it empty rather than strand one line.
                placed = []
                j = i
        out.extend(placed)
        i = j
    return out, i


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
