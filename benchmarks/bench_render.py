"""How fast does a full issue render?

    python benchmarks/bench_render.py [--pages 16] [--repeat 3] [--seed 7] [--keep]

Generates a synthetic tabloid issue (see synthetic.py: five columns, three or four stories
a page, photos and pull quotes, pages filled to the foot without overset) into a temporary
folder, then times:

  (a) the whole render in-process: build() then write_pdf(), layout and export apart;
  (b) the floor: draw() of the already composed frames alone;
  (c) the whole render with greedy line breaking: build(breaker="greedy") then write_pdf();
  (d) the `issue render` command as a subprocess, once (interpreter start-up included);

and, in a fresh child Python per run, a cold whole render (nothing loaded or shaped yet:
in-process repeats share the faces and their shaping caches) with its peak memory
(ru_maxrss of the child, in MiB).
It prints a table and the targets with PASS/MISS; it never asserts on times. The exit code
is 0 unless the render itself fails (invalid input, overset copy, a crashing command).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic import make_issue, page_fill  # noqa: E402

# Targets (printed, never asserted).
TARGET_WHOLE_S = 1.5
TARGET_WHOLE_OVER_FLOOR = 4.0
TARGET_TOTAL_OVER_GREEDY = 1.5

# One whole render in a fresh interpreter: nothing shaped or loaded yet (the faces and
# their shaping caches live for the whole process, so in-process repeats run warm).
RENDER_ONCE = """
import sys, time
from pathlib import Path
t0 = time.perf_counter()
from layout.pipeline import build
from layout.pdf.draw import write_pdf
t1 = time.perf_counter()
b = build(Path(sys.argv[1]))
t2 = time.perf_counter()
if b.composed.overset:
    sys.exit(2)
write_pdf(b.composed, Path(sys.argv[2]))
t3 = time.perf_counter()
print("TIMES", t1 - t0, t2 - t1, t3 - t2)
"""
IMPORT_ONLY = "import layout.pipeline, layout.pdf.draw"
# Runs its arguments as a child and reports that child's peak resident set size.
PEAK_OF_CHILD = """
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:])
print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


class Failed(Exception):
    """The render itself failed: the benchmark has no figures to report."""


def _timed(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    r = fn()
    return time.perf_counter() - t0, r


def _stats(xs: list[float]) -> tuple[float, float, float]:
    return min(xs), statistics.median(xs), xs[0]


def _peak_mib(cmd: list[str]) -> tuple[float, str]:
    """Peak RSS in MiB of `cmd` run as a fresh child (through a wrapper, so that no other
    child of this process counts), and what the child printed."""
    p = subprocess.run([sys.executable, "-c", PEAK_OF_CHILD, *cmd], capture_output=True, text=True)
    try:
        rc, kib = (int(x) for x in p.stdout.split()[-2:])
    except ValueError:
        raise Failed(f"memory probe failed: {p.stderr.strip() or p.stdout.strip()}") from None
    if rc != 0:
        raise Failed(f"render in a child process failed with exit code {rc}:\n{p.stderr.strip()}")
    # ru_maxrss is KiB on Linux, bytes on macOS.
    return (kib / (1024 * 1024) if sys.platform == "darwin" else kib / 1024), p.stdout


def _issue_command() -> tuple[list[str], str]:
    """The `issue` console script of this interpreter (not a shim), or a stand-in."""
    exe = Path(sysconfig.get_path("scripts")) / ("issue.exe" if os.name == "nt" else "issue")
    if exe.is_file():
        return [str(exe)], str(exe)
    found = shutil.which("issue")
    if found:
        return [found], found
    return [sys.executable, "-c", "from layout.cli import main; main()"], "python -c layout.cli.main()"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def run(pages: int, repeat: int, seed: int, keep: bool) -> int:
    from layout import __version__ as layout_version
    from layout.manifest.errors import InvalidInput
    from layout.pdf.draw import ACCELERATED, draw, write_pdf
    from layout.pipeline import body_lines, build

    folder = Path(tempfile.mkdtemp(prefix="bench-render-"))
    out = folder / "build"
    out.mkdir()
    try:
        try:
            gen_s, manifest = _timed(lambda: make_issue(folder, pages=pages, seed=seed))
        except (RuntimeError, InvalidInput) as e:
            raise Failed(f"could not generate the synthetic issue: {e}") from None

        def check(b) -> None:
            if b.composed.overset:
                lines = [
                    f"  story '{f.story}' on page {f.page}: {f.overset_lines} lines overset" for f in b.composed.overset
                ]
                raise Failed("copy is overset:\n" + "\n".join(lines))

        # (a) whole render, total-fit; layout and export apart
        a_build, a_export, a_whole = [], [], []
        b = None
        for _ in range(repeat):
            tb, b = _timed(lambda: build(manifest))
            check(b)
            te, _ = _timed(lambda b=b: write_pdf(b.composed, out / "total.pdf"))
            a_build.append(tb)
            a_export.append(te)
            a_whole.append(tb + te)
        composed = b.composed
        # (b) the floor: drawing the composed frames alone
        floor = [_timed(lambda: draw(composed, out / "floor.pdf"))[0] for _ in range(repeat)]
        # (c) whole render, greedy. Greedy lines take natural word spaces only, so the same
        # copy needs more lines and the full pages overset: reported, not a failure.
        g_build, g_export, g_whole = [], [], []
        for _ in range(repeat):
            tb, gb = _timed(lambda: build(manifest, breaker="greedy"))
            te, _ = _timed(lambda gb=gb: write_pdf(gb.composed, out / "greedy.pdf"))
            g_build.append(tb)
            g_export.append(te)
            g_whole.append(tb + te)
        # a cold whole render and its peak memory, each in a fresh interpreter; the imports alone
        peaks, c_import, c_build, c_export, c_whole = [], [], [], [], []
        for _ in range(repeat):
            mib, said = _peak_mib([sys.executable, "-c", RENDER_ONCE, str(manifest), str(out / "child.pdf")])
            ti, tb, te = (float(x) for x in said.split("TIMES")[1].split()[:3])
            peaks.append(mib)
            c_import.append(ti)
            c_build.append(tb)
            c_export.append(te)
            c_whole.append(tb + te)
        peak = max(peaks)
        peak_imports, _ = _peak_mib([sys.executable, "-c", IMPORT_ONLY])
        # (d) the command, end to end
        cmd, cmd_name = _issue_command()
        cli_s, p = _timed(
            lambda: subprocess.run(
                [*cmd, "render", str(folder), "-o", str(out / "cli.pdf")], capture_output=True, text=True
            )
        )
        if p.returncode != 0:
            raise Failed(f"`issue render` exited {p.returncode}:\n{p.stderr.strip()}")

        # -- report ------------------------------------------------------------------------
        nlines = len(body_lines(composed))
        arts = b.loaded.issue.articles.values()
        photos = sum(len(a.photos) for a in arts)
        quotes = sum(len(a.pull_quotes) for a in arts)
        fill = page_fill(composed)
        pdf_kib = (out / "total.pdf").stat().st_size / 1024
        import reportlab

        print(
            f"Synthetic issue (seed {seed}): {len(composed.pages)} pages, {composed.stories} stories, "
            f"{composed.words:,} words ({composed.words / len(composed.pages):,.0f} a page), "
            f"{nlines:,} body lines, {photos} photos, {quotes} pull quotes"
        )
        print(
            f"  pages filled to {min(fill):.1%}-{max(fill):.1%} of the column depth; no overset; PDF {pdf_kib:,.0f} KiB"
        )
        print(f"  generated in {gen_s:.1f} s into {folder}{'' if keep else ' (removed at exit)'}")
        print(
            f"layout {layout_version}, ReportLab {reportlab.Version}, Python {platform.python_version()}; "
            f"ReportLab accelerator (_rl_accel): {'ACTIVE' if ACCELERATED else 'NOT ACTIVE'}"
        )
        print()
        print("In-process runs follow the generator's own layout passes, so they run warm (faces")
        print("loaded, words already shaped); the cold rows are a fresh interpreter per run.")
        print()
        runs = f"seconds, over {repeat} run{'s' if repeat != 1 else ''}"
        print(f"{runs:<46}{'best':>8}{'median':>9}{'first':>8}")
        rows = [
            ("(a) whole render, total-fit, in-process", a_whole),
            ("      layout   build()", a_build),
            ("      export   write_pdf()", a_export),
            ("(b) floor: draw() of the composed frames", floor),
            ("(c) whole render, greedy", g_whole),
            ("      layout   build(breaker='greedy')", g_build),
            ("      export   write_pdf()", g_export),
            ("(a') cold: whole render in a fresh process", c_whole),
            ("      layout   build()", c_build),
            ("      export   write_pdf()", c_export),
            ("      (before it: import layout)", c_import),
        ]
        for name, xs in rows:
            best, med, first = _stats(xs)
            print(f"{name:<46}{best:>8.3f}{med:>9.3f}{first:>8.3f}")
        print(
            f"{'(d) `issue render` subprocess, 1 run':<46}{cli_s:>8.3f}   (interpreter start-up included; {cmd_name})"
        )
        print(
            f"{'peak memory, whole render in a fresh child':<46}{peak:>8.1f} MiB"
            f"   (imports alone: {peak_imports:.1f} MiB)"
        )
        whole, fl, greedy = min(a_whole), min(floor), min(g_whole)
        layout_share = min(a_build) / (min(a_build) + min(a_export))
        print(
            f"{'throughput (best whole render)':<46}{len(composed.pages) / whole:>8.1f} pages/s"
            f"   {composed.words / whole:,.0f} words/s;  layout is {layout_share:.0%} of it"
        )
        print()
        g_lines = len(body_lines(gb.composed))
        g_over = sum(f.overset_lines for f in gb.composed.overset)
        print(
            f"greedy breaking sets the same copy in {g_lines + g_over:,} body lines "
            f"({(g_lines + g_over) / nlines - 1:+.1%}); {g_over:,} of them overset in "
            f"{len(gb.composed.overset)} stories (total-fit: none)"
        )
        print()
        print("ratios (best times)")
        print(f"  whole / floor                        {whole / fl:6.2f}x")
        print(
            f"  total-fit / greedy, whole render     {whole / greedy:6.2f}x"
            f"   (layout alone: {min(a_build) / min(g_build):.2f}x)"
        )
        print()
        print("targets (best times; informational, never asserted)")
        cold = min(c_whole)
        targets = [
            (f"whole render < {TARGET_WHOLE_S:g} s", f"{whole:.3f} s", whole < TARGET_WHOLE_S),
            ("  the same, cold in a fresh process", f"{cold:.3f} s", cold < TARGET_WHOLE_S),
            ("  `issue render` end to end", f"{cli_s:.3f} s", cli_s < TARGET_WHOLE_S),
            (
                f"whole within {TARGET_WHOLE_OVER_FLOOR:g}x floor",
                f"{whole / fl:.2f}x",
                whole <= TARGET_WHOLE_OVER_FLOOR * fl,
            ),
            (
                f"total-fit within {TARGET_TOTAL_OVER_GREEDY:g}x greedy",
                f"{whole / greedy:.2f}x",
                whole <= TARGET_TOTAL_OVER_GREEDY * greedy,
            ),
        ]
        for label, value, ok in targets:
            print(f"  {label:<36}{value:>9}   {_verdict(ok)}")
        return 0
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=16, help="pages in the synthetic issue (default 16)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs of each in-process phase (default 3)")
    ap.add_argument("--seed", type=int, default=7, help="seed of the synthetic issue (default 7)")
    ap.add_argument("--keep", action="store_true", help="keep the generated issue folder and PDFs")
    args = ap.parse_args(argv)
    if args.pages < 1 or args.repeat < 1:
        ap.error("--pages and --repeat must be at least 1")
    from layout.manifest.errors import InvalidInput

    try:
        return run(args.pages, args.repeat, args.seed, args.keep)
    except Failed as e:
        print(f"error: the render failed: {e}", file=sys.stderr)
        return 1
    except InvalidInput as e:
        print("error: the render failed: the issue is invalid:", file=sys.stderr)
        for problem in e.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
