"""Hostile and careless runs: outputs that would overwrite an input or a device, unreadable files,
`issue new` where it cannot be, processes killed mid-write, a full disk, and the odd inputs that
are accepted (separators, palette names, house assets). Every refusal is exit 2 with nothing
written or damaged.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile import EARLIER, SAMPLE, append_text, cli, cli_subprocess, digest
from test_hostile import M, S, line_of

# --------------------------------------------------------------------------- never overwrite an input


@pytest.mark.parametrize(
    ("target", "needle"),
    [
        ("issue.yaml", ""),
        ("articles/geminids.md", "body: articles/geminids.md"),
        ("photos/harbour-breakwater-dusk.jpg", "file: photos/harbour-breakwater-dusk.jpg"),
        ("styles/lodestar.yaml", "style: styles/lodestar.yaml"),
    ],
)
def test_output_naming_an_input_is_refused(issue: Path, target: str, needle: str) -> None:
    before = digest(issue)
    run = cli("render", issue, "-o", issue / target)
    assert run.code == 2 and "Traceback" not in run.stderr, run.stderr
    text = (issue / "issue.yaml").read_text(encoding="utf-8")
    assert re.search(
        rf"issue\.yaml:{line_of(text, needle)}:\d+: -o .*an output never overwrites an input", run.stderr
    ), run.stderr
    assert digest(issue) == before


WRITERS = [("render",), ("render", "--print"), ("proof",)]  # every writer shares the pipeline's input check


@pytest.mark.parametrize("command", WRITERS, ids=" ".join)
def test_output_through_a_symlink_or_hard_link_to_the_manifest_is_refused(
    issue: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    (tmp_path / "sym.pdf").symlink_to(issue / "issue.yaml")
    os.link(issue / "issue.yaml", tmp_path / "hard.pdf")
    before = digest(issue)
    for name in ("sym.pdf", "hard.pdf"):
        run = cli(command[0], issue, *command[1:], "-o", tmp_path / name)
        assert run.code == 2 and "never overwrites an input" in run.stderr, run.stderr
    assert digest(issue) == before
    assert (tmp_path / "sym.pdf").is_symlink()


@pytest.mark.parametrize("command", WRITERS, ids=" ".join)
def test_output_naming_a_font_or_the_style_sheet_is_refused(
    issue: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    font = SAMPLE.parents[1] / "fonts" / "source-sans-3" / "SourceSans3-Regular.ttf"
    before = hashlib.sha256(font.read_bytes()).hexdigest(), digest(issue)
    for target in (font, issue / "styles" / "lodestar.yaml"):
        run = cli(command[0], issue, *command[1:], "-o", target)
        assert run.code == 2 and "never overwrites an input" in run.stderr, run.stderr
        assert re.search(r"issue\.yaml:\d+:\d+: -o ", run.stderr), run.stderr
    assert (hashlib.sha256(font.read_bytes()).hexdigest(), digest(issue)) == before


def test_default_output_through_a_symlinked_build_folder_is_refused(issue: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (issue / "build").symlink_to(elsewhere)
    run = cli("render", issue)
    assert run.code == 2 and "leads out of the issue folder" in run.stderr, run.stderr
    assert list(elsewhere.iterdir()) == []


def test_output_in_an_impossible_place_is_exit_2(issue: Path, tmp_path: Path) -> None:
    """Under a file, a folder, a name longer than the system allows."""
    (tmp_path / "a-file").write_text("mine")
    for out in (tmp_path / "a-file" / "out.pdf", tmp_path, tmp_path / ("x" * 300 + ".pdf")):
        run = cli("render", issue, "-o", out)
        assert run.code == 2 and "Traceback" not in run.stderr, run.stderr
        assert str(out) in run.stderr
    assert (tmp_path / "a-file").read_text() == "mine"


@pytest.mark.parametrize("command", [("render",), ("render", "--print"), ("proof",)], ids=" ".join)
def test_output_onto_a_device_or_pipe_is_refused(issue: Path, tmp_path: Path, command: tuple[str, ...]) -> None:
    """Renaming the finished file over `-o /dev/null` would replace the device (as root: it did,
    for the print and proof writers). A named pipe stands in for the device here, so a failure
    cannot damage the machine running the tests."""
    pipe = tmp_path / "pipe.pdf"
    os.mkfifo(pipe)
    run = cli(command[0], issue, *command[1:], "-o", pipe)
    assert run.code == 2 and "Traceback" not in run.stderr, run.stdout + run.stderr
    assert "not a regular file" in run.stderr, run.stderr
    assert pipe.is_fifo()
    assert [p.name for p in tmp_path.iterdir() if p.name != "issue"] == ["pipe.pdf"]


# --------------------------------------------------------------------------- unreadable files


def test_unreadable_manifest_is_located(issue: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Permission denied (simulated: the tests may run as root, who can read anything)."""
    real_open = Path.open
    manifest = issue / "issue.yaml"

    def deny(self: Path, *a, **k):  # type: ignore[no-untyped-def]
        if self == manifest:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *a, **k)

    monkeypatch.setattr(Path, "open", deny)
    run = cli("render", issue)
    assert run.code == 2, run.stderr
    assert re.search(r"issue\.yaml:1:1: the manifest: cannot read .*Permission denied", run.stderr), run.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_body_file_is_located(issue: Path) -> None:
    (issue / "articles" / "geminids.md").chmod(0)
    run = cli("render", issue)
    assert run.code == 2 and re.search(r"issue\.yaml:\d+:\d+: articles\.geminids\.body: cannot read", run.stderr)


def test_issue_new_onto_a_file_or_an_impossible_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "taken"
    f.write_text("mine")
    run = cli("new", f)
    assert run.code == 2 and "is a file" in run.stderr and "Traceback" not in run.stderr, run.stderr
    run = cli("new", f / "inside")
    assert run.code == 2 and "cannot create" in run.stderr, run.stderr
    assert f.read_text() == "mine"
    import tempfile

    def read_only(*a, **k):  # type: ignore[no-untyped-def]
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", read_only)  # a read-only parent folder, as root cannot have
    run = cli("new", tmp_path / "fresh")
    assert run.code == 2 and "Permission denied" in run.stderr, run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_issue_new_into_read_only_folder(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o555)
    run = cli("new", ro / "x")
    assert run.code == 2 and "cannot create" in run.stderr
    assert list(ro.iterdir()) == []


# --------------------------------------------------------------------------- what is accepted


def test_line_and_paragraph_separators_are_breaks(issue: Path, tmp_path: Path) -> None:
    (issue / "articles" / "geminids.md").write_text(
        "The Geminids peak tonight.\u2028Look east after ten.\u2029A second paragraph follows.\n", encoding="utf-8"
    )
    out = tmp_path / "out.pdf"
    run = cli("render", issue, "-o", out)
    assert run.code == 0, run.stderr
    from pdfcheck import extracted_words, missing_in_order, words_of

    want = words_of("The Geminids peak tonight. Look east after ten. A second paragraph follows.")
    assert not missing_in_order(want, extracted_words(out))


def test_separators_in_the_manifest_are_spaces_and_lines_stay_the_editors(issue: Path) -> None:
    m = issue / "issue.yaml"
    t = m.read_text(encoding="utf-8").replace("edition: International", "edition: Inter\u2028national")
    m.write_text(t.replace("number: 412", "number: twelve"), encoding="utf-8")
    run = cli("check", issue)
    assert run.code == 2 and re.search(rf"issue\.yaml:{line_of(t, 'number: 412')}:\d+: number:", run.stderr), run.stderr
    assert "edition" not in run.stderr


def test_a_flood_of_problems_is_capped(issue: Path) -> None:
    append_text(M, "".join(f"junk{k}: {k}\n" for k in range(500)))(issue)
    run = cli("check", issue)
    assert run.code == 2 and "... and 400 more problems" in run.stderr
    assert len(run.stderr.splitlines()) < 110


def test_fifo_where_a_file_is_expected(issue: Path) -> None:
    body = issue / "articles" / "geminids.md"
    body.unlink()
    os.mkfifo(body)  # reading it would block for ever
    run = cli_subprocess("check", issue, timeout=60)
    assert run.code == 2 and "articles.geminids.body: not a regular file" in run.stderr, run.stderr


def test_a_font_copied_into_the_issue_folder_renders_beside_the_house_copy(issue: Path, tmp_path: Path) -> None:
    """Two files with the same internal font name (the house font and the issue's copy) get
    distinct names in the PDF (ReportLab refused the second with a traceback)."""
    (issue / "fonts").mkdir()
    shutil.copy(SAMPLE.parents[1] / "fonts/source-sans-3/SourceSans3-Regular.ttf", issue / "fonts/Desk.ttf")
    append_text(S, "fonts:\n  text:\n    regular: ../fonts/Desk.ttf\n")(issue)
    out = tmp_path / "out.pdf"
    run = cli("render", issue, "-o", out)
    assert run.code == 0, run.stderr
    import pikepdf

    with pikepdf.open(out) as pdf:
        names = {str(f.BaseFont) for p in pdf.pages for f in p.Resources.Font.values()}
    assert {"/AAAAAA+SourceSans3-Regular", "/AAAAAA+SourceSans3-Regular-2"} <= names, names


def test_palette_name_and_house_asset(issue: Path, tmp_path: Path) -> None:
    """A role colour may name a palette entry; a photo may come from the house assets folder."""
    style = issue / "styles" / "lodestar.yaml"
    style.write_text(style.read_text(encoding="utf-8").replace('color: "#b3261e"}', "color: accent}"), encoding="utf-8")
    m = issue / "issue.yaml"
    m.write_text(
        m.read_text(encoding="utf-8").replace(
            "file: photos/harbour-breakwater-dusk.jpg", 'file: "@house/photos/portrait-placeholder.jpg"'
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out.pdf"
    run = cli("render", issue, "-o", out, "--allow-overset")  # a portrait is taller than the photo it replaces
    assert run.code in (0, 1) and out.is_file(), run.stderr
    import pikepdf

    with pikepdf.open(out) as pdf:
        images = [n for p in pdf.pages for n in p.get_images()]
    assert len(images) == 2  # the turbine hall and the house portrait


# --------------------------------------------------------------------------- killed renders

SLOW_RENAME = """
import os, sys, time
from pathlib import Path
flag, target = Path(sys.argv[1]), Path(sys.argv[-1])
real = os.replace
def slow(src, dst, *a, **k):  # the finished file waits here to be renamed onto the output: kill it now
    if str(src).endswith(".tmp") and Path(dst) == target:
        flag.write_text(str(src))
        time.sleep(60)
    return real(src, dst, *a, **k)
os.replace = slow
import layout.manifest.renaming as files
if files._exchange is not None:  # where the names are exchanged instead (renaming.Renaming)
    exchange = files._exchange
    def slow_exchange(src, dst):
        if str(src).endswith(".tmp") and Path(dst) == target:
            flag.write_text(str(src))
            time.sleep(60)
        return exchange(src, dst)
    files._exchange = slow_exchange
if os.environ.get("ENTRY") == "client":  # the `issue` script: a plain render runs without typer
    from layout.serve.client import main
else:
    from layout.cli import main
sys.argv = ["issue", *sys.argv[2:]]
main()
"""

KILLS = [
    ("render", signal.SIGTERM, ()),
    ("render", signal.SIGHUP, ()),
    ("render", signal.SIGINT, ()),
    ("render", signal.SIGTERM, ("--print",)),  # the print package's own writer
    ("proof", signal.SIGHUP, ()),  # the proof package's own writer
    ("render", signal.SIGTERM, ("client",)),  # the `issue` script's own route (no typer, no server)
    ("render", signal.SIGINT, ("client",)),
]


@pytest.mark.parametrize(("command", "sig", "extra"), KILLS, ids=[f"{c}{''.join(e)}-{s.name}" for c, s, e in KILLS])
def test_killed_render_leaves_no_temp_file(
    issue: Path, tmp_path: Path, command: str, sig: signal.Signals, extra: tuple[str, ...]
) -> None:
    """Killed while the finished temporary file waits to be renamed: it is removed, the earlier
    output is untouched, the exit code is 128 + the signal and no traceback is printed."""
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "paper.pdf"
    out.write_bytes(EARLIER)
    flag = tmp_path / "flag"
    env = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path)}  # no server of the user's answers
    if extra == ("client",):
        env["ENTRY"], extra = "client", ()
    argv = [str(flag), command, str(issue), *extra, "-o", str(out)]
    p = subprocess.Popen([sys.executable, "-c", SLOW_RENAME, *argv], stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 120
        while not flag.exists():
            assert p.poll() is None, p.stderr.read() if p.stderr else ""
            assert time.monotonic() < deadline, "the command never reached the rename"
            time.sleep(0.05)
        assert Path(flag.read_text()).exists(), "no temp file while writing?"
        p.send_signal(sig)
        _, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 128 + sig, (p.returncode, err)
    assert "Traceback" not in err and ("removed" in err or "nothing was written" in err), err
    assert sorted(x.name for x in out_dir.iterdir()) == ["paper.pdf"], "temp file left behind"
    assert out.read_bytes() == EARLIER


SLOW_NEW = """
import sys, time
from pathlib import Path
import layout.scaffold as s
real = s.scaffold
flag = Path(sys.argv[2])
def slow(d):
    real(d)
    flag.write_text("x")
    time.sleep(60)
s.scaffold = slow
from layout.cli import main
sys.argv = ["issue", "new", sys.argv[1]]
main()
"""


def test_killed_issue_new_leaves_nothing(tmp_path: Path) -> None:
    flag = tmp_path / "flag"
    work = tmp_path / "desk"
    work.mkdir()
    p = subprocess.Popen(
        [sys.executable, "-c", SLOW_NEW, str(work / "fresh"), str(flag)], stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while not flag.exists():
            assert p.poll() is None and time.monotonic() < deadline, p.stderr.read() if p.stderr else ""
            time.sleep(0.05)
        assert list(work.iterdir()), "no temporary folder while scaffolding?"
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 128 + signal.SIGTERM and "Traceback" not in err, err
    assert list(work.iterdir()) == [], "a half-made issue folder was left behind"


def test_disk_full_while_writing_is_exit_2_and_leaves_no_temp_file(
    issue: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC in the middle of writing (simulated: the drawing layer fails after starting the file)."""
    import errno

    from layout.pdf import draw

    real = draw.draw

    def full(composed, path, **kw):  # type: ignore[no-untyped-def]
        real(composed, path, **kw)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(draw, "draw", full)
    out = tmp_path / "out.pdf"
    out.write_bytes(EARLIER)
    run = cli("render", issue, "-o", out)
    assert run.code == 2 and "No space left on device" in run.stderr, run.stderr
    assert out.read_bytes() == EARLIER
    assert sorted(p.name for p in tmp_path.iterdir()) == ["issue", "out.pdf"]


def test_disk_full_while_the_photos_are_copied_is_exit_2_and_leaves_no_temp_file(
    issue: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC while a photo's bytes are copied into the PDF by the copying thread (in the kernel and
    through memory alike): the render says so, exit 2, the earlier PDF untouched, no temporary."""
    import errno

    from layout.pdf import stream

    calls: list[int] = []

    def full(*a: object) -> int:
        calls.append(1)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(stream.os, "copy_file_range", full, raising=False)
    monkeypatch.setattr(stream.os, "pwrite", full, raising=False)
    out = tmp_path / "out.pdf"
    out.write_bytes(EARLIER)
    run = cli("render", issue, "-o", out)
    assert calls, "no photo was copied"
    assert run.code == 2 and "No space left on device" in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert out.read_bytes() == EARLIER
    assert sorted(p.name for p in tmp_path.iterdir()) == ["issue", "out.pdf"]


# --------------------------------------------------------------------------- the scanner bites


def test_notdef_scanner_finds_an_empty_box(tmp_path_factory: pytest.TempPathFactory, sample_built) -> None:  # type: ignore[no-untyped-def]
    """The .notdef scan run on every PDF the tests write finds a missing glyph when one is drawn
    (drawn here past the glyph check, straight through the drawing layer)."""
    from notdef import notdef_glyphs

    from layout.page.frames import TextItem
    from layout.pdf import draw

    composed = sample_built.composed
    it = next(i for i in composed.pages[0].items if isinstance(i, TextItem) and i.role == "body")
    sp = it.line.spans[0]
    orig = sp.shaped.text
    sp.shaped.text = "\u4eca" + orig[1:]
    try:
        out = tmp_path_factory.mktemp("notdef") / "boxes.pdf"
        draw.draw(composed, out)
    finally:
        sp.shaped.text = orig
    found = notdef_glyphs(out)
    assert found and found[0][0] == 1, found
