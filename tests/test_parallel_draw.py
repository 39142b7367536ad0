"""The later pages' text drawn in a helper process (layout/pdf/pardraw.py): the PDF is the same bytes
as a serial draw, wherever the split falls, with the page cache cold, warm, or after a correction
that renumbers the subset glyphs of every later page; the pages kept for the next render are the
same; a helper that dies leaves its pages to the render (same bytes); an interrupted or refused
render ends and reaps it and leaves no temporary file."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import generator
import pytest
from stopping import stop_when
from typer.testing import CliRunner

import layout.pdf.pardraw as pardraw
from layout.cli import app
from layout.pdf.draw import write_pdf
from layout.pdf.pagecache import PageCache
from layout.pipeline import build

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issues" / "2026-12-03"


@pytest.fixture(scope="module")
def multi(tmp_path_factory) -> Path:
    """A generated four-page issue of the benchmark's kind."""
    make_issue = generator.synthetic().make_issue
    folder = tmp_path_factory.mktemp("multi") / "issue"
    make_issue(folder, pages=4, seed=5)
    return folder


@pytest.fixture(params=["sample", "multi"])
def any_issue(request, tmp_path: Path) -> Path:
    src = SAMPLE if request.param == "sample" else request.getfixturevalue("multi")
    dst = tmp_path / "issue"
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("build"))
    return dst


def no_child_left() -> None:
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child of this process is left, running or dead


def kept(pages: PageCache) -> dict:
    """The pages a render kept for the next one, as read back from its pack (without the compressed
    streams kept beside them, "z:...")."""
    return {k: v for k, v in PageCache(pages.path, pages.fingerprint).old.items() if not k.startswith("z:")}


def draw(issue: Path, out: Path, first: int | None, cache: bool = True, dies: bool = False) -> tuple[bytes, dict, int]:
    """Draw the issue (serially with `first` None, else with the helper from page `first`);
    the PDF, the pages kept, and how many pages came from the page cache."""
    b = build(issue, cache=cache, parallel=False)
    helper = None if first is None else pardraw.start(b.composed, b.pages, True, first)
    assert (helper is None) == (first is None)
    write_pdf(b.composed, out, pages=b.pages, helper=helper, author=b.loaded.issue.publication)
    if helper is not None and dies:
        assert helper.streams is None, "the helper was expected to die"
    elif helper is not None:
        # Each page stream it compressed was the very stream this process wrote (and taken).
        assert helper.streams == {}, f"the helper's page streams: {helper.streams and len(helper.streams)} not taken"
    b.keep_cache()
    if helper is not None:
        helper.abandon()  # (its owner ends it: a helper that has sent everything is reaped here)
    no_child_left()
    return out.read_bytes(), kept(b.pages) if b.pages else {}, b.pages.hits if b.pages else 0


def test_every_split_gives_the_serial_bytes_without_a_cache(any_issue: Path, tmp_path: Path) -> None:
    serial, _, _ = draw(any_issue, tmp_path / "serial.pdf", None, cache=False)
    n = len(build(any_issue, cache=False, parallel=False).composed.pages)
    assert n >= 3
    for first in range(1, n):
        pdf, _, _ = draw(any_issue, tmp_path / f"p{first}.pdf", first, cache=False)
        assert pdf == serial, f"split at page {first + 1}: not the serial bytes"


def test_cold_and_warm_page_cache_give_the_serial_bytes_and_keep_the_same_pages(any_issue: Path, tmp_path: Path):
    cache = any_issue / "build" / ".cache"
    serial, serial_kept, _ = draw(any_issue, tmp_path / "serial.pdf", None)
    assert serial_kept, "a serial render keeps its pages"
    shutil.rmtree(cache)
    cold, cold_kept, hits = draw(any_issue, tmp_path / "cold.pdf", 1)
    assert (cold, hits) == (serial, 0)
    assert cold_kept == serial_kept, "the helper's pages were not kept as a serial render keeps them"
    warm, warm_kept, hits = draw(any_issue, tmp_path / "warm.pdf", 2)
    assert warm == serial and warm_kept == serial_kept
    assert hits == len(serial_kept), "a warm render drew pages again"


def test_a_correction_that_renumbers_later_glyphs_gives_the_serial_bytes(any_issue: Path, tmp_path: Path) -> None:
    b = build(any_issue, cache=False, parallel=False)
    first_story = b.loaded.issue.pages[0].stories[0].article
    md = b.loaded.body_files[first_story]
    assert md is not None
    draw(any_issue, tmp_path / "before.pdf", 1)  # the page cache is warm with the pages before
    text = md.read_text(encoding="utf-8")
    word = next(w for w in text.split() if w.isalpha() and len(w) > 5)
    # New characters on the first page: every later page's glyphs are numbered differently.
    md.write_text(text.replace(word, "Qx\u0142\u00e6" + word, 1), encoding="utf-8")
    fresh, _, _ = draw(any_issue, tmp_path / "fresh.pdf", None, cache=False)
    pdf, _, hits = draw(any_issue, tmp_path / "after.pdf", 1)
    assert pdf == fresh
    assert hits == 0, "a page was copied though its glyphs are numbered differently now"
    again, _, hits = draw(any_issue, tmp_path / "again.pdf", 2)
    assert again == fresh and hits > 0


def test_the_command_draws_with_a_helper_with_jobs_2_only(multi: Path, tmp_path: Path, monkeypatch) -> None:
    started = []
    real = pardraw.TextHelper.__init__

    def init(self, *a, **k):  # type: ignore[no-untyped-def]
        real(self, *a, **k)
        started.append(self.first)

    monkeypatch.setattr(pardraw.TextHelper, "__init__", init)
    outs = {}
    for jobs in ("1", "2"):
        issue = tmp_path / f"j{jobs}"
        shutil.copytree(multi, issue, ignore=shutil.ignore_patterns("build"))
        r = CliRunner().invoke(app, ["render", str(issue), "-o", str(tmp_path / f"j{jobs}.pdf"), "--jobs", jobs])
        assert r.exit_code == 0, r.output
        outs[jobs] = (tmp_path / f"j{jobs}.pdf").read_bytes()
        assert len(started) == (jobs == "2"), f"--jobs {jobs}: helpers started: {started}"
    assert outs["1"] == outs["2"]
    no_child_left()


def test_small_issues_and_warm_caches_are_drawn_here(multi: Path, tmp_path: Path) -> None:
    b = build(SAMPLE, cache=False, parallel=False)
    assert pardraw.start(b.composed, None, None) is None, "a three-page issue does not pay for a fork"
    assert pardraw.start(b.composed, None, False, 1) is None
    issue = tmp_path / "issue"
    shutil.copytree(multi, issue)
    draw(issue, tmp_path / "a.pdf", None)
    warm = build(issue, parallel=False)
    assert warm.pages is not None and warm.pages.old
    assert not pardraw.worth_it(warm.composed, warm.pages), "a warm page cache copies pages: nothing to share"


def test_the_split_leaves_this_process_the_first_pages_and_the_helper_the_checks() -> None:
    """This process draws from the start and then saves the document, while the helper, having
    numbered those pages and drawn the rest, checks the findings: it draws the smaller share."""
    for n in (4, 16, 64):
        for checking in (False, True):
            first = pardraw.split([3000] * n, checking)
            assert n / 2 <= first <= n - 1, (n, checking, first)
    assert pardraw.split([100, 100, 100, 9000]) == 3
    assert pardraw.split([100, 100, 100, 9000], True) == 4, "the big last page is drawn here; the helper checks"


def test_a_helper_that_dies_leaves_its_pages_to_this_process(any_issue: Path, tmp_path: Path, monkeypatch) -> None:
    serial, serial_kept, _ = draw(any_issue, tmp_path / "serial.pdf", None)
    shutil.rmtree(any_issue / "build" / ".cache")
    parent, real = os.getpid(), pardraw.page_text

    def page_text(tw, page, mode):  # type: ignore[no-untyped-def]
        if os.getpid() != parent and page.number > 2:
            os.kill(os.getpid(), signal.SIGKILL)  # killed mid-way, its first page drawn
        return real(tw, page, mode)

    monkeypatch.setattr(pardraw, "page_text", page_text)
    pdf, pdf_kept, _ = draw(any_issue, tmp_path / "rescued.pdf", 1, dies=True)
    assert pdf == serial and pdf_kept == serial_kept


def test_refused_or_interrupted_renders_end_the_helper(multi: Path, tmp_path: Path, monkeypatch) -> None:
    import layout.page.findings as findings
    import layout.pdf.draw as drawing

    issue = tmp_path / "issue"
    shutil.copytree(multi, issue, ignore=shutil.ignore_patterns("build"))
    out = tmp_path / "out" / "x.pdf"
    out.parent.mkdir()
    real_errors = findings.errors
    monkeypatch.setattr(findings, "errors", lambda *a: ["overset: a story does not fit (made up)"])
    r = CliRunner().invoke(app, ["render", str(issue), "-o", str(out), "--jobs", "2"])
    assert r.exit_code == 1 and "no PDF written" in r.output
    no_child_left()
    monkeypatch.setattr(findings, "errors", real_errors)
    real_page_text = drawing._page_text

    def interrupted(*a):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(drawing, "_page_text", interrupted)
    r = CliRunner().invoke(app, ["render", str(issue), "-o", str(out), "--jobs", "2"])
    assert r.exit_code == 130 and "interrupted" in r.output
    assert list(out.parent.iterdir()) == [], "a temporary file was left"
    no_child_left()
    monkeypatch.setattr(drawing, "_page_text", real_page_text)


# A render in its own process whose first page (here) and helper's pages (there) take a minute:
# it says where it is in a file, for the test to stop it then.
_SLOW = """
import os, sys, time
from pathlib import Path
import layout.pdf.draw as d, layout.pdf.pardraw as p
marker, parent = Path(sys.argv[1]), os.getpid()
real_text, real_init = d._page_text, p.TextHelper.__init__
def init(self, *a):
    real_init(self, *a)
    marker.write_text(str(self.pid))
def page_text(*a):
    time.sleep(60)
d._page_text, p.TextHelper.__init__ = page_text, init
p.page_text = page_text
from layout.cli import main
sys.argv = ["issue", "render", sys.argv[2], "-o", sys.argv[3], "--jobs", "2"]
main()
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signalled_render_reaps_its_helper_and_leaves_no_file(multi: Path, tmp_path: Path, sig) -> None:
    issue = tmp_path / "issue"
    shutil.copytree(multi, issue, ignore=shutil.ignore_patterns("build"))
    marker, out = tmp_path / "helper.pid", tmp_path / "out" / "x.pdf"
    out.parent.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW, str(marker), str(issue), str(out)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Drawing the first page by then.
    stop_when(proc, lambda: marker.exists() and bool(marker.read_text()), sig, 0.3)
    child = int(marker.read_text())
    assert list(out.parent.iterdir()) == [], "a temporary file was left"
    assert not Path(f"/proc/{child}").exists(), "the helper outlived the render"
