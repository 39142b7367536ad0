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
from stopping import stop_when
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


def spy_on(monkeypatch, name: str) -> list:
    """Everything `TextHelper.<name>` gives this process from now on."""
    got: list = []
    real = getattr(pardraw.TextHelper, name)

    def spied(self):  # type: ignore[no-untyped-def]
        found = real(self)
        got.append(found)
        return found

    monkeypatch.setattr(pardraw.TextHelper, name, spied)
    return got


@pytest.fixture
def spy(monkeypatch) -> list:
    """What the helper's checks gave this process (None: it checked itself)."""
    return spy_on(monkeypatch, "checked")


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
        for name in ("serial", "helped"):  # packs only beside a PDF written
            assert (tmp_path / name / "build").exists() == (case == "overset allowed"), name


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


# A render in its own process whose helper takes a minute over the findings: this process draws the
# PDF and waits for them; it says the helper's pid in a file, for the test to stop it then.
_SLOW_CHECKS = """
import os, sys, time
from pathlib import Path
import layout.page.findings as f, layout.pdf.pardraw as p
marker, parent = Path(sys.argv[1]), os.getpid()
real_init, real_warnings, real_checked = p.TextHelper.__init__, f.warnings, p.TextHelper.checked
def init(self, *a, **k):
    real_init(self, *a, **k)
    marker.write_text(str(self.pid))
def warnings(*a, **k):
    if os.getpid() != parent:
        time.sleep(60)
    return real_warnings(*a, **k)
def checked(self):
    Path(str(marker) + ".waiting").write_text("")
    return real_checked(self)
p.TextHelper.__init__, f.warnings, p.TextHelper.checked = init, warnings, checked
from layout.cli import main
sys.argv = ["issue", "render", sys.argv[2], "-o", sys.argv[3], "--jobs", "2"]
main()
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_render_stopped_while_it_waits_for_the_findings_leaves_nothing(multi, tmp_path, sig) -> None:
    import subprocess
    import sys

    issue = tmp_path / "issue"
    shutil.copytree(multi, issue, ignore=shutil.ignore_patterns("build"))
    marker, out = tmp_path / "helper.pid", tmp_path / "out" / "x.pdf"
    out.parent.mkdir()
    out.write_bytes(b"%PDF- the last good proof")
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_CHECKS, str(marker), str(issue), str(out)],
        env={**os.environ, "PYTHONPATH": str(root)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Waiting for the findings by then, the PDF drawn to its temporary file.
    stop_when(proc, Path(str(marker) + ".waiting").exists, sig, 0.2)
    child = int(marker.read_text())
    assert [p.name for p in out.parent.iterdir()] == ["x.pdf"], "a temporary file was left"
    assert out.read_bytes() == b"%PDF- the last good proof", "the earlier PDF was replaced"
    assert not Path(f"/proc/{child}").exists(), "the helper outlived the render"
    assert not (issue / "build").exists(), "a stopped render left cache packs"


@pytest.mark.parametrize("junk", [("not", "lists"), (["ok"], [1]), [[], []], ([], [], []), "text"])
def test_findings_of_the_wrong_shape_are_checked_here(multi, tmp_path, monkeypatch, junk) -> None:
    src = multi.with_name("overset")
    serial = render(src, tmp_path, "serial", "1")
    monkeypatch.setattr(pardraw.TextHelper, "checked", lambda self: (self.abandon(), junk)[1])
    code, said, pdf = render(src, tmp_path, "helped", "2")
    assert (code, said.replace("helped", "serial"), pdf) == serial


@pytest.mark.parametrize("overset", [True, False])
def test_a_disk_that_fails_while_drawing_gets_the_serial_answer(multi, tmp_path, spy, monkeypatch, overset) -> None:
    """A write that fails (a full disk) before the findings are in: overset copy still exits 1 with
    its findings, as a serial render that never began writing; copy that fits reports the failure."""
    import errno

    import layout.pdf.draw as drawing

    src = multi.with_name("overset") if overset else multi
    serial = render(src, tmp_path, "serial", "1")

    def full(*a, **k):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(drawing, "draw", full)
    code, said, pdf = render(src, tmp_path, "helped", "2")
    assert pdf is None and len(spy) == 1
    if overset:
        assert (code, said.replace("helped", "serial")) == serial[:2] and code == 1
    else:
        assert code == 2 and "No space left on device" in said
        found = serial[1].splitlines()[:-1]  # the serial render's findings, before its summary line
        assert said.splitlines()[: len(found)] == found, "the findings were not said first"


def test_the_packs_the_helper_makes_are_the_packs_this_process_writes(multi, tmp_path, monkeypatch) -> None:
    """The helper writes the paragraph and font packs to temporaries after its checks; this process
    puts them in place, and they hold what it would have written itself (the records of its own
    paragraphs may be cut differently: they are marshalled while it waits for the body helper). A
    build whose caches changed after the fork, or a temporary that is not one the helper wrote for
    this process, are not put in place: the packs are made here, and nothing else is moved or left."""
    from layout.pipeline import Built

    def packs(name: str) -> dict[str, object]:
        cache = tmp_path / name / "build" / ".cache"
        assert not [f for f in cache.iterdir() if f.name.endswith(".tmp")], "a staged pack was left"
        out: dict[str, object] = {
            f.name: f.read_bytes() for f in cache.glob("*.bin") if f.name not in ("photos.bin", "paragraphs.bin")
        }
        out["paragraphs"] = _entries(cache / "paragraphs.bin")
        return out

    asked = spy_on(monkeypatch, "made")
    made = pardraw.TextHelper.made
    assert render(multi, tmp_path, "helped", "2")[0] == 0
    # (The fonts were parsed by an earlier render in this process: it has no font pack to make.)
    assert len(asked) == 1 and isinstance(asked[0][0], tuple), "the helper made no paragraph pack"
    monkeypatch.setattr(pardraw.TextHelper, "made", lambda self: None)
    assert render(multi, tmp_path, "here", "2")[0] == 0
    assert packs("helped") == packs("here") and packs("here")["paragraphs"]
    from layout.manifest.leftovers import temp_prefix

    (tmp_path / "elsewhere").mkdir()
    outside = tmp_path / "elsewhere" / f"{temp_prefix('paragraphs.bin')}xxxxxxxx.tmp"  # named as ours, elsewhere
    outside.write_bytes(b"x" * 10)

    def cut(self: pardraw.TextHelper) -> object:  # the helper's own temporary, cut short since it was written
        (tmp, size), fonts = made(self)
        os.truncate(tmp, size // 2)
        return (tmp, size), fonts

    for junk in ((b"not a pack", b"nor this"), ((str(outside), 10), None), (("a", "b", "c"), 1), cut):
        monkeypatch.setattr(pardraw.TextHelper, "made", junk if callable(junk) else lambda self, junk=junk: junk)
        assert render(multi, tmp_path, "junk", "2")[0] == 0
        assert packs("junk") == packs("here")
        assert outside.read_bytes() == b"x" * 10, "a file the helper did not stage was moved"
        shutil.rmtree(tmp_path / "junk")
    monkeypatch.setattr(pardraw.TextHelper, "made", made)
    states, before = iter(range(1000)), len(asked)
    monkeypatch.setattr(Built, "pack_state", lambda self: next(states))  # changed after the fork
    assert render(multi, tmp_path, "changed", "2")[0] == 0
    assert len(asked) == before, "the helper's packs were taken for a build that changed since"
    assert packs("changed") == packs("here")


def _entries(pack: Path) -> dict:
    """A pack's entries, however its records are cut (read as the tool reads them)."""
    import marshal

    from layout.manifest.packs import _HEAD
    from layout.text.cache import MAGIC

    data, entries, pos = pack.read_bytes(), {}, len(MAGIC)
    assert data.startswith(MAGIC)
    while pos < len(data):
        (n,) = _HEAD.unpack_from(data, pos)
        start = pos + _HEAD.size + 32
        entries.update(marshal.loads(data[start : start + n])[1])
        pos = start + n
    return entries
