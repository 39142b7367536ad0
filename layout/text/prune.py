"""A cheap line-breaking pass that bounds the exact one (the approach of Typst's `linebreak.rs`).

Reads a paragraph's items and the cumulative sums the exact pass uses; produces, for one pass of
`linebreak.total_fit`, either None (no set of breaks can meet this pass's tolerance: skip it), or an
upper bound on its total demerits (the exact pass then drops every node already costlier).

The cheap pass is Knuth-Plass with one node per break position: no fitness classes, no hyphen runs,
no final-hyphen rule, so it is a relaxation of the exact pass (same ratios, same retirement of
nodes, fewer constraints): if it finds no breaks, neither can the exact pass. The breaks it finds
are then costed exactly as the exact pass costs them; if they also meet the exact constraints, that
cost bounds the optimum, and pruning above it cannot change the breaks the exact pass chooses.
Only paragraphs whose lines after the first all share one width are bounded (a drop cap's
paragraph is not), because one node per position cannot track more line widths than that.
"""

from __future__ import annotations

from collections.abc import Callable

INF = float("inf")
END = 3  # linebreak.END (not imported: linebreak imports this module)

Sums = tuple[list[float], list[float], list[float], list[float], list[float]]  # cw, cf, cgw, cgy, cgz


def cheap_breaks(it, width: Callable[[int], float], varying: int, p, tol: float, sums: Sums) -> list[int] | None:
    """The cheap pass: breaks of least approximate demerits, or None if none meet `tol`."""
    cw, cf, cgw, cgy, cgz = sums
    sep, hw, pen = it.sep, it.hw, it.pen
    n = len(cw) - 1
    last = n - 1
    lp = p.line_penalty
    fill_last = p.fill_last
    w0, fixed_w = width(0), width(varying)
    active: list[tuple[int, float]] = [(-1, 0.0)]  # (break position, approximate total)
    prev: dict[int, int] = {}
    for j in range(n):
        if sep[j] == END and j != last:
            continue
        is_last = j == last
        nat_j = cw[j + 1] + cgw[j] + (hw[j] if not is_last else 0.0)
        y_j, z_j, f_j = cgy[j], cgz[j], cf[j + 1]
        best, best_from = INF, None
        survivors = []
        fill = is_last and fill_last
        for node in active:
            a, tot0 = node
            s = a + 1
            need = (w0 if a < 0 else fixed_w) - (nat_j - cw[s] - cgw[s])
            # The adjustment ratio exactly as linebreak._pass computes it (the relaxation needs the same
            # ratios; tests/test_linebreak_prune.py compares the breaks), inline: this loop runs once per
            # active node and break position, and a call each cost a tenth of the breaker's time.
            if need >= 0:
                if fill:
                    r = 0.0
                else:
                    cap = y_j - cgy[s] + f_j - cf[s]
                    r = need / cap if cap > 0 else (0.0 if need < 1e-6 else INF)
            else:
                cap = z_j - cgz[s] + f_j - cf[s]
                r = need / cap if cap > 0 else -INF
            if r < -1.0:
                continue
            survivors.append(node)
            if r > tol:
                continue
            d = (lp + min(1e6, 100.0 * abs(r) ** 3)) ** 2
            pj = 0.0 if is_last else pen[j]
            if pj > 0:
                d += pj * pj
            if tot0 + d < best:
                best, best_from = tot0 + d, a
        active = survivors
        if best_from is not None:
            active.append((j, best))
            prev[j] = best_from
        if not active:
            return None
    if last not in prev:
        return None
    ends = [last]
    while prev[ends[-1]] >= 0:
        ends.append(prev[ends[-1]])
    return ends[::-1]


def exact_cost(it, ends: list[int], width: Callable[[int], float], varying: int, p, tol: float, strict: bool,
               sums: Sums) -> float:  # fmt: skip
    """The exact pass's total demerits for these breaks, or INF if they break its rules."""
    cw, cf, cgw, cgy, cgz = sums
    sep, hw, pen, flag = it.sep, it.hw, it.pen, it.flag
    last = len(cw) - 2
    a, line, fit0, hrun0, tot0, flag0 = -1, 0, 1, 0, 0.0, False
    for j in ends:
        if sep[j] == END and j != last:
            return INF
        is_last = j == last
        s = a + 1
        natural = cw[j + 1] + cgw[j] + (hw[j] if not is_last else 0.0) - cw[s] - cgw[s]
        L = width(varying) if line >= varying else width(line)
        need = L - natural
        if need >= 0:
            if is_last and p.fill_last:
                r = 0.0
            else:
                cap = cgy[j] - cgy[s] + cf[j + 1] - cf[s]
                r = need / cap if cap > 0 else (0.0 if need < 1e-6 else INF)
        else:
            cap = cgz[j] - cgz[s] + cf[j + 1] - cf[s]
            r = need / cap if cap > 0 else -INF
        if r < -1.0 or r > tol:
            return INF
        f = flag[j] and not is_last
        if is_last and flag0 and strict and not p.final_hyphen and a >= 0:
            return INF
        hrun = hrun0 + 1 if f else 0
        if hrun > p.hyphen_limit and strict:
            return INF
        b = min(1e6, 100.0 * abs(r) ** 3)
        d = (p.line_penalty + b) ** 2
        pj = 0.0 if is_last else pen[j]
        if pj > 0:
            d += pj * pj
        if f and flag0:
            d += p.double_hyphen_demerits
        fit = 0 if r < -0.5 else (1 if r <= 0.5 else (2 if r <= 1.0 else 3))
        if abs(fit - fit0) > 1:
            d += p.adjacent_demerits
        tot0 = tot0 + d
        a, line, fit0, hrun0, flag0 = j, line + 1, fit, hrun, f
    return tot0
