"""Hostile and careless input: bounded, located, never destructive.

Each case copies the sample issue, breaks one thing (the manifest, the style sheet, an article,
a photo, a font) and runs `issue render -o out.pdf` over an earlier good `out.pdf`. It asserts
exit code 2, no traceback, a problem at `FILE:LINE:COL` naming the right file and line, and that
nothing was written or damaged: the sha256 of every file in the issue folder and of the earlier
output are the same before and after, and no stray file appears.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import time
import traceback
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from layout.cli import app

SAMPLE = Path(__file__).resolve().parents[1] / "issues" / "2026-12-03"
ENTRY = "from layout.cli import main; main()"
EARLIER = b"%PDF-1.4\n% an earlier, good edition\n" + bytes(range(256))


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def cli(*args: object) -> Run:
    r = CliRunner().invoke(app, [str(a) for a in args])
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        tb = "".join(traceback.format_exception(*r.exc_info)) if r.exc_info else repr(r.exception)
        pytest.fail(f"`issue {' '.join(map(str, args))}` raised instead of reporting:\n{tb}")
    return Run(r.exit_code, r.stdout, r.stderr)


def cli_subprocess(*args: object, timeout: float = 120, **kw) -> Run:  # type: ignore[no-untyped-def]
    p = subprocess.run(
        [sys.executable, "-c", ENTRY, *map(str, args)], capture_output=True, text=True, timeout=timeout, **kw
    )
    return Run(p.returncode, p.stdout, p.stderr)


def digest(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder`, by relative path."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture
def issue(tmp_path: Path) -> Path:
    folder = tmp_path / "issue"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("build"))
    return folder


# --------------------------------------------------------------------------- editing helpers

Edit = Callable[[Path], None]


def edit_text(rel: str, old: str, new: str) -> Edit:
    def e(folder: Path) -> None:
        p = folder / rel
        t = p.read_text(encoding="utf-8")
        assert t.count(old) == 1, f"test bug: {old!r} occurs {t.count(old)} times in {rel}"
        p.write_text(t.replace(old, new), encoding="utf-8")

    return e


def append_text(rel: str, new: str) -> Edit:
    def e(folder: Path) -> None:
        p = folder / rel
        p.write_text(p.read_text(encoding="utf-8") + new, encoding="utf-8")

    return e


def write_bytes(rel: str, data: bytes | Callable[[], bytes]) -> Edit:
    def e(folder: Path) -> None:
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data() if callable(data) else data)

    return e


def edits(*es: Edit) -> Edit:
    def e(folder: Path) -> None:
        for x in es:
            x(folder)

    return e


def fill_bodies(data: bytes) -> Edit:
    """Every article file of the issue replaced by `data`."""

    def e(folder: Path) -> None:
        for p in (folder / "articles").glob("*.md"):
            p.write_bytes(data)

    return e


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares `width` x `height` pixels in a few dozen bytes (a decompression bomb's
    header): decoding it would take gigabytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


BOMB = "".join(
    f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}" if i else "lol"] * 9) + "]\n" for i in range(9)
)  # 9**9 values once expanded


# --------------------------------------------------------------------------- cases


@dataclass
class Case:
    id: str
    edit: Edit
    file: str  # the file the problem is located in (relative to the issue folder)
    needle: str  # text on the line the problem must be reported at, in that file after the edit
    expect: str  # regex the message must match


M, S = "issue.yaml", "styles/lodestar.yaml"
NO_FALLBACK = append_text(S, "\nfallback_fonts: []\n")  # a character the house fonts lack is then undrawable
CASES = [
    # --- limits
    Case("alias-bomb", edit_text(M, "volume: 9\n", "volume: 9\n" + BOMB), M, "x5: &x5", r"alias .*200,000 values"),
    Case(
        "nesting-too-deep",
        edit_text(M, "edition: International", "edition: " + "[" * 60 + "]" * 60),
        M,
        "edition:",
        r"nested more than",
    ),
    Case(
        "too-many-aliases",
        edit_text(M, "volume: 9\n", "volume: 9\nbase: &b x\nmany: [" + ", ".join(["*b"] * 120) + "]\n"),
        M,
        "many: [",
        r"more than 100 YAML aliases",
    ),
    Case(
        "too-many-values",
        edit_text(M, "volume: 9\n", "volume: 9\njunk: [" + "1, " * 250_000 + "1]\n"),
        M,
        "junk: [",
        r"more than 200,000 values",
    ),
    Case(
        "manifest-too-large",
        append_text(M, "# " + "x" * 2_100_000 + "\n"),
        M,
        "publication:",
        r"the limit is 2,000,000",
    ),
    Case(
        "too-many-pages",
        edit_text(M, "pages:\n", "pages:\n" + "  - section: Filler\n" * 600),
        M,
        "pages:",
        r"pages: .*at most 500",
    ),
    Case(
        "headline-too-long",
        edit_text(M, "headline: In brief", "headline: " + "Very " * 500),
        M,
        "headline: Very",
        r"headline: .*at most 2000 characters",
    ),
    Case(
        "body-file-too-large",
        write_bytes("articles/geminids.md", b"Words and more words. " * 60_000),
        M,
        "body: articles/geminids.md",
        r"geminids\.body: .*limit is 1,000,000",
    ),
    Case(
        "bodies-too-large-together",
        fill_bodies(b"Words and more words. " * 40_000),  # 880 KB each, 7 MB in all
        M,
        "articles:",
        r"articles: the bodies hold .* the limit for an issue is 6,000,000",
    ),
    Case(
        "photo-over-pixel-limit",
        write_bytes("photos/qinglan-turbine-hall.jpg", png_header_only(12_000, 9_000)),
        M,
        "file: photos/qinglan-turbine-hall.jpg",
        r"photos\[0\]\.file: .*(pixel limit|megapixels)",
    ),
    Case(
        "photo-decompression-bomb",
        write_bytes("photos/qinglan-turbine-hall.jpg", png_header_only(60_000, 60_000)),
        M,
        "file: photos/qinglan-turbine-hall.jpg",
        r"photos\[0\]\.file: .*(pixel limit|megapixels)",
    ),
    Case(
        "style-alias-bomb",
        append_text(S, "x-junk:\n" + "".join("  " + ln + "\n" for ln in BOMB.splitlines())),
        S,
        "x5: &x5",
        r"alias",
    ),
    # --- paths a style sheet names
    Case(
        "style-font-absolute-path",
        append_text(S, "fonts:\n  text:\n    regular: /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf\n"),
        S,
        "regular: /usr",
        r"fonts\.text\.regular: .*leaves the issue folder",
    ),
    Case(
        "style-font-dotdot",
        append_text(S, "fonts:\n  text:\n    regular: ../../../../../../etc/passwd\n"),
        S,
        "regular: ../",
        r"leaves the issue folder",
    ),
    Case(
        "style-font-house-escape",
        append_text(S, 'fonts:\n  text:\n    regular: "@house/../../../etc/passwd"\n'),
        S,
        'regular: "@house',
        r"leaves the issue folder",
    ),
    # --- values that would damage the page
    Case("margin-negative", edit_text(M, "top: 14mm", "top: -14mm"), M, "top: -14mm", r"page\.margins\.top: .*0"),
    Case("gutter-negative", edit_text(M, "gutter: 4mm", "gutter: -4mm"), M, "gutter: -4mm", r"page\.gutter: .*0"),
    Case("page-size-absurd", edit_text(M, "size: tabloid", 'size: "99999x10mm"'), M, "size:", r"page\.size: .*outside"),
    Case(
        "grid-tiny",
        edit_text(S, "grid: 12.5", "grid: 0.5"),
        S,
        "grid: 0.5",
        r"style grid: .*greater than or equal to 4",
    ),
    Case(
        "body-size-tiny",
        edit_text(S, "body:     {font: text, size: 10,", "body:     {font: text, size: 1,"),
        S,
        "body:     {font: text, size: 1,",
        r"roles\.body\.size: .*4",
    ),
    Case(
        "leading-overprints",
        edit_text(S, "size: 10, leading: 12.5, align: justify", "size: 10, leading: 4, align: justify"),
        S,
        "leading: 4,",
        r"roles\.body: .*overprint",
    ),
    Case(
        "headline-size-zero",
        edit_text(S, "headline_sizes: {1: 20,", "headline_sizes: {1: 0,"),
        S,
        "headline_sizes:",
        r"headline_sizes\.1: .*4",
    ),
    Case(
        "headline-size-negative",
        edit_text(S, "headline_sizes: {1: 20,", "headline_sizes: {1: -20,"),
        S,
        "headline_sizes:",
        r"headline_sizes\.1: ",
    ),
    Case(
        "word-space-out-of-order",
        append_text(S, "  word_space: {min: 1.4, ideal: 1.0, max: 0.9}\n"),
        S,
        "word_space:",
        r"text\.word_space: expected min <= ideal <= max",
    ),
    Case(
        "glyph-scaling-reversed",
        append_text(S, "  glyph_scaling: [1.02, 0.98]\n"),
        S,
        "glyph_scaling:",
        r"text\.glyph_scaling: .*low <= 1 <= high",
    ),
    Case(
        "colour-word",
        edit_text(S, 'color: "#b3261e"}', "color: red}"),
        S,
        "color: red",
        r"roles\.kicker\.color: expected #rrggbb or a name under colors:.*'red'",
    ),
    Case("colour-short", edit_text(S, 'color: "#b3261e"}', 'color: "#f00"}'), S, '"#f00"', r"kicker\.color: .*'#f00'"),
    Case("colour-not-hex", edit_text(S, 'color: "#b3261e"}', 'color: "#zzzzzz"}'), S, '"#zzzzzz"', r"kicker\.color"),
    Case(
        "palette-colour-bad",
        append_text(S, "colors:\n  accent: crimson\n"),
        S,
        "accent: crimson",
        r"colors: colors\.accent: expected #rrggbb",
    ),
    Case(
        "role-unknown",
        edit_text(S, "roles:\n", "roles:\n  captoin: {font: sans, size: 8, leading: 10}\n"),
        S,
        "captoin:",
        r"unknown role 'captoin'; did you mean 'caption'\?",
    ),
    Case(
        "role-variant-unknown",
        edit_text(S, "variant: italic, size: 10,", "variant: itallic, size: 10,"),
        S,
        "variant: itallic",
        r"roles\.bio\.variant: unknown variant 'itallic'; did you mean 'italic'\?",
    ),
    Case(
        "font-variant-unknown",
        append_text(S, "fonts:\n  sans:\n    bolditalic: source-sans-3/SourceSans3-Bold.ttf\n"),
        S,
        "bolditalic:",
        r"unknown variant 'bolditalic'; did you mean 'bold_italic'\?",
    ),
    Case(
        "font-not-truetype",
        edits(
            write_bytes("styles/fake.ttf", b"this is a text file, not a font\n" * 40),
            append_text(S, "fonts:\n  text:\n    regular: fake.ttf\n"),
        ),
        S,
        "regular: fake.ttf",
        r"fonts\.text\.regular: fake\.ttf: not a TrueType font",
    ),
    Case(
        "font-truncated",
        edits(
            write_bytes(
                "styles/cut.ttf",
                lambda: (SAMPLE.parents[1] / "fonts/source-sans-3/SourceSans3-Regular.ttf").read_bytes()[:3000],
            ),
            append_text(S, "fonts:\n  text:\n    regular: cut.ttf\n"),
        ),
        S,
        "regular: cut.ttf",
        r"not a readable TrueType font",
    ),
    Case(
        "font-cff-otf",
        edits(
            write_bytes("styles/x.ttf", b"OTTO" + bytes(400)), append_text(S, "fonts:\n  text:\n    regular: x.ttf\n")
        ),
        S,
        "regular: x.ttf",
        r"CFF",
    ),
    Case(
        "language-en-UK",
        edit_text(M, "language: en-US", "language: en-UK"),
        M,
        "language: en-UK",
        r"did you mean 'en-GB'\?",
    ),
    Case(
        "date-day-out-of-range",
        edit_text(M, "date: 2026-12-03", "date: 2026-02-30"),
        M,
        "date: 2026-02-30",
        r"date: .*day 30 is not 01-28 \(February 2026 has 28 days\)",
    ),
    Case(
        "date-month-out-of-range",
        edit_text(M, "date: 2026-12-03", "date: 2026-13-03"),
        M,
        "date: 2026-13-03",
        r"date: .*month 13 is not 01-12",
    ),
    Case(
        "date-year-absurd", edit_text(M, "date: 2026-12-03", "date: 0000-12-03"), M, "date: 0000", r"year 0 is outside"
    ),
    Case(
        "unquoted-colon",
        edit_text(M, "headline: In brief", "headline: Breaking: in brief"),
        M,
        "headline: Breaking",
        r"value containing ': ' must be quoted",
    ),
    # --- characters that would print as empty boxes
    Case(
        "control-char-raw-in-manifest",
        edit_text(M, "headline: In brief", "headline: In\x07brief"),
        M,
        "headline: In\x07brief",
        r"U\+0007 is not allowed",
    ),
    Case(
        "control-char-escaped-in-manifest",
        edit_text(M, "headline: In brief", 'headline: "In\\x1bbrief"'),
        M,
        'headline: "In',
        r"control character U\+001B",
    ),
    Case(
        "private-use-in-headline",
        edit_text(M, "headline: In brief", "headline: In brief \ue001"),
        M,
        "headline: In brief \ue001",
        r"private-use character U\+E001",
    ),
    Case(
        "unassigned-in-manifest",
        edit_text(M, "edition: International", "edition: International \U000e0fff"),
        M,
        "edition: International",
        r"unassigned code point U\+E0FFF",
    ),
    Case(
        "control-char-in-body",
        write_bytes("articles/geminids.md", b"First line.\n\nSecond \x0c line.\n"),
        M,
        "body: articles/geminids.md",
        r"geminids\.body: articles/geminids\.md:3:8: control character U\+000C",
    ),
    Case(
        "private-use-in-body",
        write_bytes("articles/geminids.md", "Meteor \uf8ff shower.\n".encode()),
        M,
        "body: articles/geminids.md",
        r"geminids\.md:1:8: private-use character U\+F8FF",
    ),
    Case(
        "entity-no-glyph",
        edits(NO_FALLBACK, write_bytes("articles/geminids.md", b"The shower &#x4ECA; tonight.\n")),
        M,
        "body: articles/geminids.md",
        r"geminids\.md:1: .*no glyph for '\u4eca' \(U\+4ECA\)",
    ),
    Case(
        "entity-private-use",
        write_bytes("articles/geminids.md", b"The shower &#xE000; tonight.\n"),
        M,
        "body: articles/geminids.md",
        r"geminids\.body: private-use character U\+E000 \(written as an entity\)",
    ),
    Case(
        "capital-missing-in-upper-role",  # the kicker prints in capitals: the face has 'ƒ' but not 'Ƒ'
        edits(
            NO_FALLBACK, edit_text(M, "    headline: In brief", "    kicker: Prices in \u0192\n    headline: In brief")
        ),
        M,
        "kicker: Prices",
        r"news-briefs\.kicker: the fonts have no glyph for '\u0191' \(U\+0191\)",
    ),
    # --- encodings
    Case(
        "manifest-latin1-byte",
        lambda f: (f / M).write_bytes(
            (f / M).read_bytes().replace(b"edition: International", b"edition: Internaci\xf3nal")
        ),
        M,
        "edition: Internaci",
        r"byte 0xF3 is not UTF-8.*Latin-1",
    ),
    Case(
        "manifest-utf16",
        lambda f: (f / M).write_bytes((f / M).read_text(encoding="utf-8").encode("utf-16")),
        M,
        "",
        r"UTF-16",
    ),
    Case(
        "body-latin1-byte",
        write_bytes("articles/geminids.md", b"Line one.\n\nThe caf\xe9 shower.\n"),
        M,
        "body: articles/geminids.md",
        r"geminids\.body: articles/geminids\.md:3:8: byte 0xE9 is not UTF-8",
    ),
    Case(
        "style-latin1-byte",
        lambda f: (f / S).write_bytes((f / S).read_bytes() + b"# caf\xe9\n"),
        S,
        "# caf",
        r"byte 0xE9 is not UTF-8",
    ),
    # --- failure paths
    Case(
        "body-is-a-folder",
        edits(
            write_bytes("articles/folder.md/x", b"x"),
            edit_text(M, "body: articles/geminids.md", "body: articles/folder.md"),
        ),
        M,
        "body: articles/folder.md",
        r"geminids\.body: .*(not a regular file|not found)",
    ),
]


def line_of(text: str, needle: str) -> int:
    if not needle:
        return 1
    pos = text.find(needle)
    assert pos >= 0, f"test bug: {needle!r} not in the file"
    return text.count("\n", 0, pos) + 1


PLACE = re.compile(r"^(?P<file>[^\n]*?):(?P<line>\d+):(?P<col>\d+): (?P<msg>.*)$", re.M)


def assert_refused(run: Run, folder: Path, case: Case) -> None:
    assert "Traceback" not in run.stdout + run.stderr, run.stderr
    assert run.code == 2, f"exit {run.code}, expected 2\n{run.stdout}{run.stderr}"
    target = (folder / case.file).resolve()
    raw = target.read_bytes()
    text = raw.decode("utf-8", errors="replace") if not raw.startswith(b"\xff\xfe") else ""
    want = line_of(text, case.needle) if text else 1
    hits = [m for m in PLACE.finditer(run.stderr) if Path(m["file"]).resolve() == target]
    assert hits, f"no '{case.file}:LINE:COL: message' on stderr:\n{run.stderr}"
    good = [m for m in hits if re.search(case.expect, m["msg"])]
    assert good, f"no message matching {case.expect!r}:\n{run.stderr}"
    assert any(int(m["line"]) == want for m in good), f"expected line {want}:\n{run.stderr}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_refused_located_nothing_written(issue: Path, tmp_path: Path, case: Case) -> None:
    case.edit(issue)
    out = tmp_path / "out.pdf"
    out.write_bytes(EARLIER)
    before = digest(tmp_path)
    run = cli("render", issue, "-o", out)
    assert_refused(run, issue, case)
    assert digest(tmp_path) == before, "an input or the earlier output was changed, or a file was added"


@pytest.mark.parametrize("case_id", ["style-font-dotdot", "control-char-in-body", "colour-word"])
def test_check_refuses_too(issue: Path, case_id: str) -> None:
    case = next(c for c in CASES if c.id == case_id)
    case.edit(issue)
    before = digest(issue)
    assert_refused(cli("check", issue), issue, case)
    assert digest(issue) == before


def test_alias_bomb_exits_2_quickly_in_a_subprocess(issue: Path, tmp_path: Path) -> None:
    """A billion-laughs manifest: refused before anything is expanded (a generous timeout, no
    timing assertion: a hang would take minutes and gigabytes)."""
    case = next(c for c in CASES if c.id == "alias-bomb")
    case.edit(issue)
    run = cli_subprocess("render", issue, "-o", tmp_path / "out.pdf", timeout=60)
    assert_refused(run, issue, case)
    assert not (tmp_path / "out.pdf").exists()


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


def test_output_through_a_symlink_or_hard_link_to_the_manifest_is_refused(issue: Path, tmp_path: Path) -> None:
    (tmp_path / "sym.pdf").symlink_to(issue / "issue.yaml")
    os.link(issue / "issue.yaml", tmp_path / "hard.pdf")
    before = digest(issue)
    for name in ("sym.pdf", "hard.pdf"):
        run = cli("render", issue, "-o", tmp_path / name)
        assert run.code == 2 and "never overwrites an input" in run.stderr, run.stderr
    assert digest(issue) == before
    assert (tmp_path / "sym.pdf").is_symlink()


def test_output_naming_a_font_is_refused(issue: Path, tmp_path: Path) -> None:
    font = SAMPLE.parents[1] / "fonts" / "source-sans-3" / "SourceSans3-Regular.ttf"
    before = hashlib.sha256(font.read_bytes()).hexdigest()
    run = cli("render", issue, "-o", font)
    assert run.code == 2 and "never overwrites an input" in run.stderr, run.stderr
    assert hashlib.sha256(font.read_bytes()).hexdigest() == before


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
    argv = [str(flag), command, str(issue), *extra, "-o", str(out)]
    p = subprocess.Popen([sys.executable, "-c", SLOW_RENAME, *argv], stderr=subprocess.PIPE, text=True)
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
