"""Time the line breaker alone: the C kernel against the Python reference, on real calls.

    PYTHONPATH=$PWD python benchmarks/bench_breaker.py ISSUE_FOLDER [--repeat 5]

Lays the issue out once (no cache, one process) recording every `total_fit` call the typesetter
makes (items, line widths, params); then replays all the calls with `total_fit_python` and with
`total_fit` (the C kernel when built), checks that both give the same breaks and ratios, and prints
the median time of each over `--repeat` runs.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from layout import pipeline
from layout.text import linebreak, typeset


def record(issue: Path) -> list[tuple]:
    calls: list[tuple] = []
    real = typeset.total_fit

    def spy(it, width, varying, p):
        calls.append((it, [width(i) for i in range(varying + 1)], varying, p))
        return real(it, width, varying, p)

    typeset.total_fit = spy
    try:
        pipeline.build(issue, cache=False, parallel=False)
    finally:
        typeset.total_fit = real
    return calls


def replay(calls: list[tuple], fit) -> tuple[float, list]:
    out = []
    t = time.perf_counter()
    for it, widths, varying, p in calls:
        out.append(fit(it, lambda i, w=widths: w[min(i, len(w) - 1)], varying, p))
    return time.perf_counter() - t, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("issue", type=Path)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    calls = record(args.issue)
    print(
        f"{len(calls)} total_fit calls, {sum(len(c[0].widths) for c in calls)} boxes; C kernel: {linebreak.ACCELERATED}"
    )
    py, c = [], []
    for _ in range(args.repeat):
        t_py, a = replay(calls, linebreak.total_fit_python)
        t_c, b = replay(calls, linebreak.total_fit)
        assert [(x.ends, x.ratios, x.emergency) for x in a] == [(x.ends, x.ratios, x.emergency) for x in b]
        py.append(t_py)
        c.append(t_c)
    mp, mc = statistics.median(py), statistics.median(c)
    print(f"python {mp:.3f} s   total_fit {mc:.3f} s   ({mp / mc:.1f}x)")
    print(f"runs: {[round(x, 3) for x in py]} / {[round(x, 3) for x in c]}")


if __name__ == "__main__":
    main()
