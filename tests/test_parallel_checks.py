"""The findings checked in the drawing helper (layout/pdf/pardraw.py) while this process draws: the
render says the same lines, exits with the same code and writes the same bytes (or nothing) as a
serial one, whether the copy fits or is overset, with or without --allow-overset, to a target it
refuses, and when the helper dies before it has checked; no PDF is put in place before the findings
allow it, and no temporary file or child is left."""

from __future__ import annotations

import os
import re
import shutil
import signal
from pathlib import Path

import generator
import pytest
from typer.testing import CliRunner

import layout.page.findings as findings
import layout.pdf.pardraw as pardraw
from layout.cli import app
from layout.pipeline import build

TIME = re.compile(r", [0-9.]+ s$", re.M)  # the summary line's time


@pytest.fixture(scope="module")
def multi(tmp_path_factory) -> Path:
    """A generated four-page issue of the benchmark's kind, and a copy with its first story overset."""
    folder = tmp_path_factory.mktemp("checks") / "issue"
    generator.synthetic().make_issue(folder, pages=4, seed=7)
    over = folder.with_name("overset")
    shutil.copytree(folder, over)
    b = build(over, cache=False, parallel=False)
    md = b.loaded.body_files[b.loaded.issue.pages[0].stories[0].article]
    assert md is not None
    text = md.read_text(encoding="utf-8").strip()
    md.write_text("\n\n".join([text] * 4) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def spy(monkeypatch) -> list:
    """What the helper's checks gave this process (None: it checked itself)."""
    got: list = []
    real = pardraw.TextHelper.checked

    def checked(self):  # type: ignore[no-untyped-def]
        found = real(self)
        got.append(found)
        return found

    monkeypatch.setattr(pardraw.TextHelper, "checked", checked)
    return got


def render(
    src: Path, tmp: Path, name: str, jobs: str, *extra: str, out: Path | None = None
) -> tuple[int, str, bytes | None]:
    issue = tmp / name
    shutil.copytree(src, issue, ignore=shutil.ignore_patterns("build"))
    out = out or tmp / f"{name}.pdf"
    r = CliRunner().invoke(app, ["render", str(issue), "-o", str(out), "--jobs", jobs, *extra])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.output
    assert "Traceback" not in r.output
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".tmp")], "a temporary file was left"
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no helper left, running or dead
    return r.exit_code, TIME.sub("", r.output), out.read_bytes() if out.exists() else None


@pytest.mark.parametrize("case", ["fits", "overset", "overset allowed"])
def test_the_helper_checks_and_the_render_says_and_writes_what_a_serial_one_does(multi, tmp_path, spy, case) -> None:
    src = multi if case == "fits" else multi.with_name("overset")
    extra = ("--allow-overset",) if case == "overset allowed" else ()
    serial = render(src, tmp_path, "serial", "1", *extra)
    assert spy == [], "a serial render started a helper"
    helped = render(src, tmp_path, "helped", "2", *extra)
    assert len(spy) == 1 and isinstance(spy[0], tuple), "the helper did not check the findings"
    code, said, pdf = helped
    assert (code, said.replace("helped", "serial"), pdf) == serial
    if case == "fits":
        assert code == 0 and pdf is not None and spy[0][0] == []
    else:
        assert code == 1 and spy[0][0], "overset copy was not found by the helper"
        assert re.search(r"overset: story '[^']+' on page 1", said), said
        assert (pdf is not None) == (case == "overset allowed")
        assert ("no PDF written" in said) == (case == "overset")


def test_a_helper_that_dies_before_it_has_checked_leaves_the_checks_here(multi, tmp_path, spy, monkeypatch) -> None:
    src = multi.with_name("overset")
    serial = render(src, tmp_path, "serial", "1", "--allow-overset")
    parent, real = os.getpid(), findings.warnings

    def warnings(*a, **k):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)  # killed with its pages sent and its checks half done
        return real(*a, **k)

    monkeypatch.setattr(findings, "warnings", warnings)
    code, said, pdf = render(src, tmp_path, "helped", "2", "--allow-overset")
    assert spy == [None], "the dead helper's checks were taken"
    assert (code, said.replace("helped", "serial"), pdf) == serial


def test_an_overset_render_to_a_refused_target_says_the_findings_first(multi, tmp_path, spy) -> None:
    """As a serial render does: the findings decide first (exit 1, nothing written), whatever the target."""
    src = multi.with_name("overset")
    results = []
    for jobs in ("1", "2"):
        issue = tmp_path / f"j{jobs}"
        shutil.copytree(src, issue, ignore=shutil.ignore_patterns("build"))
        target = issue / "issue.yaml"  # an input: never written over
        before = target.read_bytes()
        r = CliRunner().invoke(app, ["render", str(issue), "-o", str(target), "--jobs", jobs])
        assert target.read_bytes() == before
        results.append((r.exit_code, r.output.replace(str(issue), "ISSUE")))
    assert results[0] == results[1]
    assert results[0][0] == 1 and "no PDF written" in results[0][1]
    assert len(spy) == 1 and spy[0] is not None


def test_a_warm_page_cache_leaves_the_helper_only_the_checks(multi, tmp_path) -> None:
    issue = tmp_path / "issue"
    shutil.copytree(multi, issue, ignore=shutil.ignore_patterns("build"))
    r = CliRunner().invoke(app, ["render", str(issue), "-o", str(tmp_path / "a.pdf"), "--jobs", "1"])
    assert r.exit_code == 0, r.output
    warm = build(issue, parallel=False)
    assert warm.pages is not None and warm.pages.old
    helper = pardraw.start(warm.composed, warm.pages, True, check=lambda: ([], []))
    assert helper is not None
    try:
        assert helper.first == len(warm.composed.pages) and helper.count == 0
        assert helper.checked() == ([], [])
    finally:
        helper.abandon()
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)
