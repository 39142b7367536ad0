"""Typographic quality, measured from the PDF: the synthetic 16-page issue and the sample
issue, each set twice in one run, greedy first-fit against total-fit; then news copy full of
proper names and long words (`names_corpus.py`) set under each setting of `hyphenate_capitalized`
the house style could take. Prints figures; asserts nothing.

    python3 benchmarks/quality.py [--pages 16] [--names-pages 4]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from layout.page.grid import (
    BASELINE,  # noqa: E402
    page_geometry,  # noqa: E402
)
from layout.pdf.draw import write_pdf  # noqa: E402
from layout.pdf.measure import quality  # noqa: E402
from layout.pipeline import build  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {
    "95th percentile word space": ("<=", 1.6),
    "lines looser than 1.5x": ("<=", 0.10),
    "hyphenated line ends per 100 lines": ("<=", 20.0),
    "longest run of hyphenated lines": ("<=", 2),
    "body baselines on the grid": (">=", 1.0),
    "widows": ("<=", 0),
    "orphans": ("<=", 0),
}


def measure(issue: Path, breaker: str, out: Path):
    t = time.perf_counter()
    b = build(issue, breaker)
    write_pdf(b.composed, out)
    secs = time.perf_counter() - t
    st = b.style
    body = st.roles["body"]
    area, cols = page_geometry(b.loaded, 1, st.grid)
    q = quality(out, body.face.path.stem, body.size, st.grid, area.top, BASELINE * st.grid)
    return q, secs, b


def report(name: str, issue: Path, tmp: Path) -> None:
    build(issue)  # warm up (fonts, dictionaries), so neither breaker pays for loading them
    greedy, tg, _ = measure(issue, "greedy", tmp / f"{name}-greedy.pdf")
    total, tt, b = measure(issue, "total", tmp / f"{name}-total.pdf")
    print(f"\n{name}: {len(b.composed.pages)} pages, {b.composed.words:,} words")
    print(f"{'measure':40} {'greedy':>10} {'total-fit':>10}  target")
    for (label, g), (_, t) in zip(greedy.rows(), total.rows(), strict=True):
        tgt = TARGETS.get(label)
        verdict = ""
        if tgt:
            op, v = tgt
            num = float(t.rstrip("%")) / (100 if t.endswith("%") else 1)
            ok = num <= v + 1e-9 if op == "<=" else num >= v - 1e-9
            verdict = f"{op} {v:g}  {'PASS' if ok else 'MISS'}"
        print(f"{label:40} {g:>10} {t:>10}  {verdict}")
    print(f"{'seconds (build + write)':40} {tg:>10.2f} {tt:>10.2f}  total-fit/greedy {tt / tg:.2f}x (target <= 1.5x)")


def names_report(tmp: Path, pages: int) -> None:
    """The house defaults on copy full of names: every word space and loose line, per setting."""
    from names_corpus import make_names_issue

    settings: list[tuple[str, dict]] = [
        ("capitalised never hyphenated", {"hyphenate_capitalized": False}),
        ("capitalised as a fallback", {"hyphenate_capitalized": "fallback"}),
        ("capitalised always", {"hyphenate_capitalized": True}),
        ("house default", {}),
    ]
    rows = []
    for label, text in settings:
        issue = make_names_issue(tmp / f"names-{len(rows)}", pages=pages, text=text)
        q, _, b = measure(issue, "total", tmp / f"names-{len(rows)}.pdf")
        rows.append((label, q))
    print(f"\nnames-heavy copy ({pages} pages, {b.composed.words:,} words set), total-fit")
    print(f"{'setting':32} {'p95 space':>10} {'>1.5x':>8} {'>2x':>8} {'hyph/100':>9}")
    for label, q in rows:
        print(f"{label:32} {q.p95_space:>10.2f} {q.loose_15:>8.1%} {q.loose_2:>8.1%} {q.hyphens_per_100:>9.1f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=16)
    ap.add_argument("--names-pages", type=int, default=4)
    args = ap.parse_args()
    from synthetic import make_issue

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        issue = make_issue(tmp / "synthetic", pages=args.pages)
        report(f"synthetic {args.pages}-page issue", issue, tmp)
        report("sample issue", ROOT / "issues" / "2026-12-03", tmp)
        names_report(tmp, args.names_pages)


if __name__ == "__main__":
    main()
