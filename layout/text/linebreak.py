"""Line breaking: total-fit (Knuth-Plass) and greedy first-fit, over one item list.

A paragraph is a row of boxes (word fragments) with a separator after each: a space
(glue), a discretionary hyphen, a join (a break with nothing added, after an existing
hyphen or a slash), or the paragraph's end. Widths are in points. Stretch comes first
from word spaces, then from letter flex (tracking and glyph scaling), as InDesign does.

`total_fit` runs in C when the optional extension `_breaker` (built from _breaker.c by setup.py)
imports: the same passes, bit for bit the same breaks and ratios. `total_fit_python` is the
reference and the fallback (no compiler, or input the C code declines). Set the environment
variable LAYOUT_PURE_PYTHON=1 before the import to force the Python code.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from .prune import cheap_breaks, exact_cost

SPACE, HYPH, JOIN, END = 0, 1, 2, 3
INF = float("inf")

_breaker = None
if os.environ.get("LAYOUT_PURE_PYTHON", "") in ("", "0"):
    try:
        from . import _breaker  # type: ignore[attr-defined,no-redef]
    except ImportError:  # not built (no compiler): the Python code below does the work
        _breaker = None
ACCELERATED = _breaker is not None


@dataclass(slots=True)
class Items:
    widths: list[float] = field(default_factory=list)  # box natural widths
    flex: list[float] = field(default_factory=list)  # box letter flex, either way
    sep: list[int] = field(default_factory=list)  # separator after each box
    gw: list[float] = field(default_factory=list)  # space natural width (0 unless SPACE)
    gy: list[float] = field(default_factory=list)  # space stretch
    gz: list[float] = field(default_factory=list)  # space shrink
    hw: list[float] = field(default_factory=list)  # width added when broken here (hyphen)
    pen: list[float] = field(default_factory=list)  # penalty for breaking here
    flag: list[bool] = field(default_factory=list)  # a break here ends the line with a hyphen


@dataclass(slots=True)
class Params:
    tolerance: float = 1.0  # largest adjustment ratio of a line in the first pass
    line_penalty: float = 10.0
    hyphen_penalty: float = 50.0
    double_hyphen_demerits: float = 3000.0
    adjacent_demerits: float = 3000.0  # neighbouring lines of very different tightness
    hyphen_limit: int = 2
    final_hyphen: bool = False  # may the last full line end in a hyphen?
    fill_last: bool = True  # the last line may be short at no cost (False: balance it too)


@dataclass(slots=True)
class Breaks:
    ends: list[int]  # index of the last box of each line
    ratios: list[float]
    emergency: bool = False


def _sums(v: list[float]) -> list[float]:
    out = [0.0] * (len(v) + 1)
    acc = 0.0
    for i, x in enumerate(v):
        acc += x
        out[i + 1] = acc
    return out


def total_fit(it: Items, width: Callable[[int], float], varying: int, p: Params) -> Breaks:
    """Best breaks by total demerits (see `total_fit_python`): in C when the extension is built."""
    if _breaker is not None and varying >= 0 and type(p.hyphen_limit) is int:
        if not it.widths:
            return Breaks([], [])
        # width() is a pure lookup: the C code takes every width it could ask for, once.
        res = _breaker.total_fit(
            it.widths, it.flex, it.sep, it.gw, it.gy, it.gz, it.hw, it.pen, it.flag,
            [width(i) for i in range(varying)], width(varying), varying,
            p.tolerance, p.line_penalty, p.double_hyphen_demerits, p.adjacent_demerits, p.hyphen_limit,
            p.final_hyphen, p.fill_last,
        )  # fmt: skip
        if res is not None:  # None: input the C code leaves to the reference below
            return Breaks(res[0], res[1], res[2])
    return total_fit_python(it, width, varying, p)


def total_fit_python(it: Items, width: Callable[[int], float], varying: int, p: Params) -> Breaks:
    """Best breaks by total demerits; degrades through looser passes. Boxes wider than the
    measure are split before, so only a measure narrower than a single glyph (or negative)
    reaches the last pass, which sets overfull lines rather than fail."""
    passes = (
        (p.tolerance, False, True, False),
        (p.tolerance * 3, True, True, False),
        (INF, True, True, False),
        (INF, True, False, False),
        (INF, True, False, True),
    )
    sums = (_sums(it.widths), _sums(it.flex), _sums(it.gw), _sums(it.gy), _sums(it.gz))
    cheap: dict[float, list[int] | None] = {}
    for tol, emergency, strict, overfull in passes:
        bound = INF
        if not overfull and varying <= 1 and it.widths:
            if tol not in cheap:
                cheap[tol] = cheap_breaks(it, width, varying, p, tol, sums)
            ends = cheap[tol]
            if ends is None:
                continue  # no breaks meet this tolerance even without the pass's other rules
            bound = exact_cost(it, ends, width, varying, p, tol, strict, sums)
        res = _pass(it, width, varying, p, tol, strict=strict, overfull=overfull, sums=sums, bound=bound)
        if res is not None:
            res.emergency = emergency
            return res
    raise AssertionError("unreachable: the overfull pass keeps every node")


def _pass(
    it: Items,
    width: Callable[[int], float],
    varying: int,
    p: Params,
    tol: float,
    strict: bool,
    overfull: bool = False,
    sums: tuple | None = None,
    bound: float = INF,
) -> Breaks | None:
    """One pass of total fit. Nodes costlier than `bound` (the exact cost of some feasible set of
    breaks, see `prune`) are not kept: they cannot be on the best path."""
    n = len(it.widths)
    if n == 0:
        return Breaks([], [])
    cw, cf, cgw, cgy, cgz = sums or (_sums(it.widths), _sums(it.flex), _sums(it.gw), _sums(it.gy), _sums(it.gz))
    bound = bound * (1 + 1e-12) + 1e-9 if bound < INF else INF  # never prune the bound's own path
    sep, hw, pen, flag = it.sep, it.hw, it.pen, it.flag
    lp = p.line_penalty
    fill_last = p.fill_last
    dhd, adj, limit = p.double_hyphen_demerits, p.adjacent_demerits, p.hyphen_limit
    # node: (break box index, line number, fitness, hyphen run, total demerits, node id, flagged)
    nodes_prev: list[int] = [-1]
    nodes_pos: list[int] = [-1]
    nodes_ratio: list[float] = [0.0]
    active: list[tuple] = [(-1, 0, 1, 0, 0.0, 0, False)]
    fixed_w = width(varying)
    last = n - 1
    for j in range(n):
        if sep[j] == END and j != last:
            continue
        is_last = j == last
        best: dict[tuple, tuple] = {}
        survivors = []
        retired: list[tuple[tuple, float]] = []
        nat_j = cw[j + 1] + cgw[j] + (hw[j] if not is_last else 0.0)
        y_j, z_j, f_j = cgy[j], cgz[j], cf[j + 1]
        for node in active:
            a, line, fit0, hrun0, tot0, nid, flag0 = node
            s = a + 1
            natural = nat_j - cw[s] - cgw[s]
            L = fixed_w if line >= varying else width(line)
            need = L - natural
            # The adjustment ratio; prune.cheap_breaks and prune.exact_cost compute it the same way.
            if need >= 0:
                if is_last and fill_last:
                    r = 0.0
                else:
                    cap = y_j - cgy[s] + f_j - cf[s]
                    r = need / cap if cap > 0 else (0.0 if need < 1e-6 else INF)
            else:
                cap = z_j - cgz[s] + f_j - cf[s]
                r = need / cap if cap > 0 else -INF
            if r < -1.0:
                retired.append((node, -need - max(cap, 0.0)))
                continue  # too long now and for every later break: retire it
            survivors.append(node)
            if r > tol:
                continue
            f = flag[j] and not is_last
            if is_last and flag0 and strict and not p.final_hyphen and a >= 0:
                continue
            hrun = hrun0 + 1 if f else 0
            if hrun > limit and strict:
                continue
            b = 1e6 * -r if r < -1.0 else min(1e6, 100.0 * abs(r) ** 3)  # overfull: by how far
            d = (lp + b) ** 2
            pj = 0.0 if is_last else pen[j]
            if pj > 0:
                d += pj * pj
            if f and flag0:
                d += dhd
            fit = 0 if r < -0.5 else (1 if r <= 0.5 else (2 if r <= 1.0 else 3))
            if abs(fit - fit0) > 1:
                d += adj
            tot = tot0 + d
            # Past the limit (non-strict passes) hyphen runs are all alike: keep one node.
            key = (fit, min(hrun, limit + 1), line + 1 if line + 1 < varying else varying)
            cur = best.get(key)
            if cur is None or tot < cur[0]:
                best[key] = (tot, nid, line + 1, fit, hrun, f, r)
        active = survivors
        if overfull and not active and not best and retired:
            # Nothing fits (a glyph wider than the measure): as TeX does, set an overfull
            # line from the latest break, costed by how far it overflows.
            (a, line, _, hrun0, tot0, nid, _), over = max(retired, key=lambda x: (x[0][0], -x[0][4]))
            f = flag[j] and j != last
            best[(0, 0, 0)] = (tot0 + 1e12 * (1 + over), nid, line + 1, 0, hrun0 + 1 if f else 0, f, -1.0 - over)
        for tot, nid, line, fit, hrun, f, r in best.values():
            if tot > bound:
                continue
            nodes_prev.append(nid)
            nodes_pos.append(j)
            nodes_ratio.append(r)
            active.append((j, line, fit, hrun, tot, len(nodes_pos) - 1, f))
        if not active:
            return None
    finals = [nd for nd in active if nd[0] == last]
    if not finals:
        return None
    nid = min(finals, key=lambda nd: nd[4])[5]
    ends: list[int] = []
    ratios: list[float] = []
    while nid > 0:
        ends.append(nodes_pos[nid])
        ratios.append(nodes_ratio[nid])
        nid = nodes_prev[nid]
    ends.reverse()
    ratios.reverse()
    return Breaks(ends, ratios)


def first_fit(it: Items, width: Callable[[int], float], varying: int, p: Params) -> Breaks:
    """Greedy breaking as word processors and ReportLab do: fill each line with natural
    spaces as far as it goes, taking a hyphen point when the next word would overflow."""
    n = len(it.widths)
    ends: list[int] = []
    ratios: list[float] = []
    s = 0
    line = 0
    cw, cgw = _sums(it.widths), _sums(it.gw)
    cgy, cf = _sums(it.gy), _sums(it.flex)
    while s < n:
        L = width(line)
        best = -1
        j = s
        while j < n:
            if it.sep[j] != END or j == n - 1:
                natural = cw[j + 1] - cw[s] + cgw[j] - cgw[s] + (it.hw[j] if j < n - 1 else 0.0)
                if natural <= L + 1e-6 or best < 0 and j == s:
                    best = j
                elif it.sep[j] in (SPACE, END) or natural - L > L:
                    break
            j += 1
        natural = cw[best + 1] - cw[s] + cgw[best] - cgw[s] + (it.hw[best] if best < n - 1 else 0.0)
        cap = cgy[best] - cgy[s] + cf[best + 1] - cf[s]
        ratios.append(0.0 if best == n - 1 else ((L - natural) / cap if cap > 0 else 0.0))
        ends.append(best)
        s = best + 1
        line += 1
    return Breaks(ends, ratios)
