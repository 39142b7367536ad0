"""The print rendition's speed: cold, one process, and again after a one-word correction.

    python benchmarks/bench_print.py [--pages 16 64] [--repeat 2] [--seed 7] [--keep]

Builds the same synthetic issues as bench_scale.py (every story its own 1600x1000 JPEG photo) and
times `issue render ISSUE --print` (the vendored FOGRA39 test profile) in a fresh process each:

  cold     no separated photos kept (ISSUE/build/.cache/print removed first), as the command
           decides (photos separated in two processes on a machine of two cores or more);
  serial   the same with `--jobs 1`;
  again    after one word of one article changed: the separations are kept, the layout is set
           again from the paragraph cache, and the print PDF written.

Prints best and median wall and CPU seconds and peak memory, and the ratios; asserts nothing.
The exit code is 0 unless a render fails.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_scale as bs  # noqa: E402  (beside this file)

PROFILE = bs.ROOT / "assets" / "icc" / "FOGRA39L_coated.icc"


def measure(pages: int, repeat: int, seed: int, work: Path) -> dict[str, bs.Series]:
    from synthetic import make_issue

    issue = work / f"issue-{pages}"
    t = time.perf_counter()
    make_issue(issue, pages=pages, seed=seed, own_photos=(1600, 1000))
    photos = len(list((issue / "photos").glob("*.jpg")))
    print(f"{pages}-page issue: {photos} photos, generated in {time.perf_counter() - t:.1f} s")
    env = {"XDG_RUNTIME_DIR": str(work / "no-server"), "XDG_CACHE_HOME": str(work / "user-cache")}
    (work / "no-server").mkdir(exist_ok=True)
    render = [sys.executable, "-c", bs.CLIENT, "render", str(issue), "--print", "--icc", str(PROFILE), "-o"]
    s = {k: bs.Series() for k in ("cold", "serial", "again")}
    kept = issue / "build" / ".cache" / "print"
    for k in range(repeat):
        shutil.rmtree(kept, ignore_errors=True)
        bs._probe([*render, str(work / "serial.pdf"), "--jobs", "1"], s["serial"], **env)
        shutil.rmtree(kept, ignore_errors=True)
        bs._probe([*render, str(work / "cold.pdf")], s["cold"], **env)
        bs._one_word_change(issue, k)
        bs._probe([*render, str(work / "again.pdf")], s["again"], **env)
    return s


def report(s: dict[str, bs.Series]) -> None:
    print(f"  {'':34}{'wall s best  median':>22}{'cpu s best  median':>20}{'peak MiB':>10}")
    for name, key in (
        ("cold `issue render --print`", "cold"),
        ("cold, --jobs 1 (one process)", "serial"),
        ("again after a 1-word change", "again"),
    ):
        x = s[key]
        print(f"  {name:<36}{bs._fmt(x.wall):>18}  {bs._fmt(x.cpu):>18}{max(x.peak):>10.1f}")
    cold, serial, again = (statistics.median(s[k].wall) for k in ("cold", "serial", "again"))
    print(f"  wall again / cold median {again / cold:.2f}x; cold / serial {cold / serial:.2f}x")


def main(argv: list[str] | None = None) -> int:
    args = bs.arguments(__doc__ or "", 2, argv)

    def body(work: Path) -> None:
        for n in args.pages:
            report(measure(n, args.repeat, args.seed, work))

    return bs.run("bench-print-", args.keep, body)


if __name__ == "__main__":
    sys.exit(main())
