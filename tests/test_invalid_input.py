"""Invalid input is refused with `path/issue.yaml:LINE:COL: message`, exit code 2 and nothing written;
overset copy exits 1; the sample issue and a scaffolded issue are clean.

Every case copies the sample issue into tmp_path, breaks one thing (by editing the YAML text or
the files beside it) and runs the `issue` command. Most cases go through typer's CliRunner (fast);
a few run the real console entry point in a subprocess so a traceback would show on stderr.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from layout.cli import app

SAMPLE = Path(__file__).resolve().parents[1] / "issues" / "2026-12-03"
EXIT_OK, EXIT_PROBLEMS, EXIT_INVALID = 0, 1, 2
PROBLEM = re.compile(r"^(?P<file>.*issue\.yaml):(?P<line>\d+):(?P<col>\d+): (?P<msg>.*)$", re.M)
ENTRY = "from layout.cli import main; main()"


# --------------------------------------------------------------------------- helpers


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def cli(*args: object) -> Run:
    """Run `issue ARGS` in-process; an uncaught exception fails the test with its traceback."""
    r = CliRunner().invoke(app, [str(a) for a in args])
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        tb = "".join(traceback.format_exception(*r.exc_info)) if r.exc_info else repr(r.exception)
        pytest.fail(f"`issue {' '.join(map(str, args))}` raised instead of reporting:\n{tb}\noutput:\n{r.output}")
    return Run(r.exit_code, r.stdout, r.stderr)  # click >= 8.2 keeps the two streams apart


def cli_subprocess(*args: object, cwd: Path | None = None) -> Run:
    """Run the real entry point (`layout.cli:main`, what the `issue` script calls)."""
    p = subprocess.run(
        [sys.executable, "-c", ENTRY, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120
    )
    return Run(p.returncode, p.stdout, p.stderr)


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line number of the nth occurrence of `needle` in `text`."""
    pos = -1
    for _ in range(nth):
        pos = text.find(needle, pos + 1)
        assert pos >= 0, f"test bug: {needle!r} (occurrence {nth}) not in the manifest written"
    return text.count("\n", 0, pos) + 1


Edit = Callable[[Path, str], str]  # (issue folder, manifest text) -> new manifest text


def replace(old: str, new: str) -> Edit:
    def edit(_: Path, text: str) -> str:
        assert text.count(old) == 1, f"test bug: {old!r} occurs {text.count(old)} times"
        return text.replace(old, new)

    return edit


def sub(pattern: str, repl: str) -> Edit:
    """Replace the first match of a multi-line regex (the sample issue is still being edited, so
    cases that touch its layout match by shape rather than by exact value)."""

    def edit(_: Path, text: str) -> str:
        assert re.search(pattern, text, re.M), f"test bug: {pattern!r} not in the manifest"
        return re.sub(pattern, repl, text, count=1, flags=re.M)

    return edit


def page_columns(text: str) -> int:
    return int(re.search(r"^  columns: (\d+)$", text, re.M)[1])


def story_range(make: Callable[[int], str]) -> Edit:
    """Set the first story's column range (written as a range) to make(page columns)."""

    def edit(folder: Path, text: str) -> str:
        return sub(r"^(        )columns: \d+-\d+$", r"\g<1>columns: " + make(page_columns(text)))(folder, text)

    return edit


def set_style(value: str) -> Edit:
    def edit(folder: Path, text: str) -> str:
        if re.search(r"^style: .*$", text, re.M):
            return sub(r"^style: .*$", f"style: {value}")(folder, text)
        return insert_after("number: ", f"style: {value}\n")(folder, text)

    return edit


def insert_after(anchor: str, new_lines: str) -> Edit:
    """Insert `new_lines` (ending in a newline) after the line that contains `anchor`."""

    def edit(_: Path, text: str) -> str:
        assert text.count(anchor) == 1, f"test bug: {anchor!r} occurs {text.count(anchor)} times"
        i = text.index("\n", text.index(anchor)) + 1
        return text[:i] + new_lines + text[i:]

    return edit


def no_fallback_fonts(folder: Path, text: str) -> str:
    """The issue's style sheet with no fallback faces, so a character the main fonts lack is
    undrawable on any machine (whatever fonts it has installed)."""
    m = re.search(r"^style: (.*)$", text, re.M)
    style = folder / m[1].strip()
    style.write_text(style.read_text(encoding="utf-8") + "\nfallback_fonts: []\n", encoding="utf-8")
    return text


def both(*edits: Edit) -> Edit:
    def edit(folder: Path, text: str) -> str:
        for e in edits:
            text = e(folder, text)
        return text

    return edit


def delete_file(rel: str) -> Edit:
    def edit(folder: Path, text: str) -> str:
        (folder / rel).unlink()
        return text

    return edit


def write_file(rel: str, data: bytes) -> Edit:
    def edit(folder: Path, text: str) -> str:
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
        return text

    return edit


def whole(new_text: str) -> Edit:
    return lambda _f, _t: new_text


def drop_pages_block(_: Path, text: str) -> str:
    start, end = text.index("pages:\n"), text.index("articles:\n")
    return text[:start] + "pages: []\n" + text[end:]


def truncate_photo(rel: str, keep: int = 4096) -> Edit:
    def edit(folder: Path, text: str) -> str:
        p = folder / rel
        p.write_bytes(p.read_bytes()[:keep])
        return text

    return edit


@dataclass
class Case:
    id: str
    edit: Edit
    needle: str  # text on the line the problem must be reported at (in the manifest written)
    expect: str  # regex the message on that line must match (names the field, says what's expected)
    nth: int = 1  # which occurrence of `needle`
    # lines after the needle's that are also acceptable (e.g. where YAML noticed an unclosed bracket,
    # or the first field of a mapping that lacks a required field)
    also_offsets: tuple[int, ...] = field(default=())


CASES = [
    # --- YAML syntax
    Case("yaml-bad-indent", sub(r"^  gutter:", "    gutter:"), "    gutter:", r"YAML"),
    Case("yaml-tab-indent", sub(r"^  columns: (\d+)$", "\tcolumns: \\1"), "\tcolumns: ", r"YAML"),
    Case("yaml-unclosed-bracket", sub(r"(margins: \{[^}\n]*)\}", r"\1"), "margins: {top", r"YAML", also_offsets=(1,)),
    Case(
        "yaml-duplicate-key",
        insert_after("volume: 9", "number: 413\n"),
        "number: 413",
        r"duplicate key 'number'.*line 3",
    ),
    Case("manifest-empty", whole(""), "", r"mapping"),
    Case("manifest-a-list", whole("- publication\n- date\n"), "- publication", r"mapping"),
    # --- unknown / misspelt keys
    Case(
        "misspelt-top-level-key",
        replace("publication:", "publcation:"),
        "publcation:",
        r"unknown field 'publcation'.*did you mean 'publication'\?",
    ),
    Case(
        "misspelt-page-key",
        replace("  gutter: 4mm", "  guter: 4mm"),
        "guter:",
        r"unknown field 'guter'.*did you mean 'gutter'\?",
    ),
    Case(
        "misspelt-story-key",
        sub(r"^        columns: (\d+-\d+)$", r"        colums: \1"),
        "colums:",
        r"unknown field 'colums'.*did you mean 'columns'\?",
    ),
    Case(
        "misspelt-article-key",
        replace("    headline: Entangled", "    headlin: Entangled"),
        "headlin:",
        r"unknown field 'headlin'.*did you mean 'headline'\?",
    ),
    Case(
        "misspelt-photo-key",
        replace("        caption: A test", "        captoin: A test"),
        "captoin:",
        r"unknown field 'captoin'.*did you mean 'caption'\?",
    ),
    # --- required fields
    Case("missing-date", replace("date: 2026-12-03\n", ""), "publication:", r"'date' is required"),
    Case(
        "missing-article-headline",
        replace("    headline: In brief\n", ""),
        "  news-briefs:",
        r"news-briefs.*'headline' is required",
        also_offsets=(1,),
    ),
    # --- bad scalar values
    Case(
        "date-out-of-range",
        replace("date: 2026-12-03", "date: 2026-13-45"),
        "date: 2026-13-45",
        r"date: .*YYYY-MM-DD.*2026-13-45",
    ),
    Case(
        "date-word", replace("date: 2026-12-03", "date: yesterday"), "date: yesterday", r"date: .*YYYY-MM-DD.*yesterday"
    ),
    Case("number-word", replace("number: 412", "number: twelve"), "number: twelve", r"number: .*whole number.*twelve"),
    Case("number-negative", replace("number: 412", "number: -4"), "number: -4", r"number: .*0"),
    Case(
        "page-size-unknown", replace("size: tabloid", "size: poster"), "size: poster", r"page\.size: .*tabloid.*poster"
    ),
    Case(
        "gutter-bad-unit",
        replace("gutter: 4mm", "gutter: 4 furlongs"),
        "gutter: 4 furlongs",
        r"page\.gutter: .*length.*furlongs",
    ),
    Case(
        "margin-bad-unit",
        replace("bottom: 16mm", "bottom: 16 parsecs"),
        "bottom: 16 parsecs",
        r"page\.margins\.bottom: .*length.*parsecs",
    ),
    Case("columns-zero", sub(r"^  columns: \d+$", "  columns: 0"), "  columns: 0", r"page\.columns: .*1"),
    Case(
        "masthead-maybe",
        replace("masthead: true", "masthead: maybe"),
        "masthead: maybe",
        r"pages\[0\]\.masthead: .*true or false.*maybe",
    ),
    Case("pages-empty", drop_pages_block, "pages: []", r"pages: .*at least 1"),
    Case(
        "story-height-zero",
        insert_after("      - article: geminids", "        height: 0mm\n"),
        "height: 0mm",
        r"pages\[\d+\]\.stories\[\d+\]\.height: .*0",
    ),
    Case(
        "photo-placement-bad",
        replace("placement: inline", "placement: sideways"),
        "placement: sideways",
        r"placement: .*'top'.*'inline'.*sideways",
    ),
    # --- column ranges
    Case(
        "story-columns-outside-page",
        story_range(lambda n: f"2-{n + 2}"),
        "columns: 2-",
        r"pages\[0\]\.stories\[0\]\.columns: column range 2-\d+ is outside the page's \d+ columns",
    ),
    Case(
        "story-columns-reversed",
        story_range(lambda n: "3-1"),
        "columns: 3-1",
        r"pages\[0\]\.stories\[0\]\.columns: .*3-1",
    ),
    Case(
        "photo-columns-wider-than-page",
        sub(r"^(        credit: Qinglan.*\n        )columns: \d+$", r"\1columns: 12"),
        "        columns: 12",
        r"qinglan-turbine\.photos\[0\]\.columns: .*12",
    ),
    # --- cross references
    Case(
        "story-unknown-article-close",
        replace("- article: quantum-fibre-link", "- article: quantum-fiber-link"),
        "article: quantum-fiber-link",
        r"no article 'quantum-fiber-link'.*did you mean 'quantum-fibre-link'\?",
    ),
    Case(
        "story-unknown-article-far",
        replace("- article: geminids", "- article: comet-watch"),
        "article: comet-watch",
        r"no article 'comet-watch'",
    ),
    Case(
        "article-placed-twice",
        insert_after("      - article: self-healing-concrete", "      - article: geminids\n"),
        "- article: geminids",
        r"'geminids' is placed twice",
        nth=2,
    ),
    Case(
        "continued-on-missing-page",
        insert_after("    body: articles/qinglan-turbine.md", "    continued_on: 9\n"),
        "continued_on: 9",
        r"qinglan-turbine\.continued_on: page 9 does not exist",
    ),
    Case(
        "continued-on-earlier-page",
        insert_after("    body: articles/geminids.md", "    continued_on: 1\n"),
        "continued_on: 1",
        r"geminids\.continued_on: .*page \d+.*got 1",
    ),
    Case(
        "continued-on-same-page",
        insert_after("    body: articles/replication-column.md", "    continued_on: 3\n"),
        "continued_on: 3",
        r"replication-column\.continued_on: .*page 3.*got 3",
    ),
    # --- files next to the manifest
    Case(
        "body-file-missing",
        delete_file("articles/geminids.md"),
        "body: articles/geminids.md",
        r"geminids\.body: .*not found.*articles/geminids\.md",
    ),
    Case(
        "body-file-misspelt",
        replace("body: articles/geminids.md", "body: articles/geminid.md"),
        "body: articles/geminid.md",
        r"geminids\.body: .*not found",
    ),
    Case(
        "body-escapes-folder-md",
        both(
            write_file("../outside.md", b"Secret text.\n"), replace("body: articles/geminids.md", "body: ../outside.md")
        ),
        "body: ../outside.md",
        r"geminids\.body: .*leaves the issue folder",
    ),
    Case(
        "body-escapes-folder-etc-passwd",
        replace("body: articles/geminids.md", "body: ../../etc/passwd"),
        "body: ../../etc/passwd",
        r"geminids\.body: .*(leaves the issue folder|not found)",
    ),
    Case(
        "body-empty-file",
        write_file("articles/geminids.md", b"\n  \n"),
        "body: articles/geminids.md",
        r"geminids\.body: .*empty",
    ),
    Case(
        "body-not-utf8",
        write_file("articles/geminids.md", b"caf\xe9 \xff\xfe\n"),
        "body: articles/geminids.md",
        r"geminids\.body: .*UTF-8",
    ),
    Case(
        "photo-file-missing",
        delete_file("photos/harbour-breakwater-dusk.jpg"),
        "file: photos/harbour-breakwater-dusk.jpg",
        r"photos\[0\]\.file: .*not found",
    ),
    Case(
        "photo-not-an-image",
        write_file("photos/qinglan-turbine-hall.jpg", b"this is not a JPEG\n" * 50),
        "file: photos/qinglan-turbine-hall.jpg",
        r"photos\[0\]\.file: .*not a readable image",
    ),
    Case(
        "photo-truncated-jpeg",
        truncate_photo("photos/qinglan-turbine-hall.jpg"),
        "file: photos/qinglan-turbine-hall.jpg",
        r"photos\[0\]\.file: ",
    ),
    Case(
        "photo-escapes-folder",
        replace("file: photos/harbour-breakwater-dusk.jpg", "file: ../../x.jpg"),
        "file: ../../x.jpg",
        r"photos\[0\]\.file: .*leaves the issue folder",
    ),
    Case(
        "style-file-missing",
        set_style("house-style.yaml"),
        "style: house-style.yaml",
        r"style: .*not found.*house-style\.yaml",
    ),
    # --- language
    Case(
        "language-unknown",
        replace("language: en-US", "language: klingon"),
        "language: klingon",
        r"language: unknown language 'klingon'",
    ),
    Case(
        "article-language-unknown",
        insert_after("    body: articles/geminids.md", "    language: xx-QQ\n"),
        "language: xx-QQ",
        r"articles\.geminids\.language: unknown language 'xx-QQ'",
    ),
    # --- characters no font has
    Case(
        "glyph-cjk-in-headline",
        both(no_fallback_fonts, replace("a dark-sky show", "a dark-sky show 流星雨")),
        "headline: Geminids",
        r"geminids\.headline: .*'流' \(U\+6D41\)",
    ),
    Case(
        "glyph-emoji-in-deck",
        both(no_fallback_fonts, replace("Engineers say", "Engineers \U0001f680 say")),
        "deck: Engineers",
        r"qinglan-turbine\.deck: .*U\+1F680",
    ),
    Case(
        "glyph-cjk-in-body",
        both(no_fallback_fonts, write_file("articles/geminids.md", "The 流星 shower.\n".encode())),
        "body: articles/geminids.md",
        r"geminids\.body: .*'流' \(U\+6D41\)",
    ),
]


@pytest.fixture
def issue(tmp_path: Path) -> Path:
    folder = tmp_path / "issue"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("build"))
    return folder


def break_issue(folder: Path, case: Case) -> str:
    manifest = folder / "issue.yaml"
    text = case.edit(folder, manifest.read_text(encoding="utf-8"))
    manifest.write_text(text, encoding="utf-8")
    return text


def assert_invalid(run: Run, manifest: Path, text: str, case: Case) -> None:
    assert "Traceback" not in run.output, run.output
    assert run.code == EXIT_INVALID, f"exit {run.code}, expected 2\n{run.output}"
    problems = list(PROBLEM.finditer(run.stderr))
    assert problems, f"no 'issue.yaml:LINE:COL: message' on stderr:\n{run.stderr}"
    for p in problems:
        assert Path(p["file"]).resolve() == manifest.resolve(), p.group(0)
    line = line_of(text, case.needle, case.nth)
    lines = {line} | {line + k for k in case.also_offsets}
    hits = [p for p in problems if re.search(case.expect, p["msg"])]
    assert hits, f"no message matching {case.expect!r}:\n{run.stderr}"
    assert any(int(p["line"]) in lines for p in hits), (
        f"reported at line(s) {[int(p['line']) for p in hits]}, expected line {sorted(lines)} "
        f"({case.needle!r}):\n{run.stderr}"
    )


# --------------------------------------------------------------------------- invalid input


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_render_refuses_invalid_input(issue: Path, tmp_path: Path, case: Case) -> None:
    text = break_issue(issue, case)
    out = tmp_path / "out.pdf"
    run = cli("render", issue, "-o", out)
    assert_invalid(run, issue / "issue.yaml", text, case)
    assert "nothing was written" in run.stderr
    assert not out.exists(), "a PDF was written for invalid input"
    assert not (issue / "build").exists()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_check_refuses_invalid_input(issue: Path, case: Case) -> None:
    text = break_issue(issue, case)
    run = cli("check", issue / "issue.yaml")
    assert_invalid(run, issue / "issue.yaml", text, case)
    assert not (issue / "build").exists()


SUBPROCESS_CASES = ["yaml-unclosed-bracket", "misspelt-article-key", "glyph-cjk-in-headline"]


@pytest.mark.parametrize("case_id", SUBPROCESS_CASES)
def test_render_subprocess_end_to_end(issue: Path, tmp_path: Path, case_id: str) -> None:
    case = next(c for c in CASES if c.id == case_id)
    text = break_issue(issue, case)
    out = tmp_path / "out.pdf"
    run = cli_subprocess("render", issue, "-o", out)
    assert_invalid(run, issue / "issue.yaml", text, case)
    assert not out.exists()


@pytest.mark.parametrize(
    "case_id", ["misspelt-top-level-key", "photo-not-an-image", "glyph-cjk-in-headline", "photo-truncated-jpeg"]
)
def test_existing_output_left_unchanged(issue: Path, tmp_path: Path, case_id: str) -> None:
    case = next(c for c in CASES if c.id == case_id)
    text = break_issue(issue, case)
    out = tmp_path / "out.pdf"
    before = b"%PDF-1.4\n% an earlier, good edition\n" + bytes(range(256))
    out.write_bytes(before)
    run = (
        cli_subprocess("render", issue, "-o", out)
        if case_id == "photo-not-an-image"
        else cli("render", issue, "-o", out)
    )
    assert_invalid(run, issue / "issue.yaml", text, case)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["issue", "out.pdf"], "stray files written"


def test_default_output_not_created_on_invalid_input(issue: Path) -> None:
    case = next(c for c in CASES if c.id == "number-word")
    text = break_issue(issue, case)
    run = cli("render", issue)
    assert_invalid(run, issue / "issue.yaml", text, case)
    assert not (issue / "build").exists()


def test_every_problem_reported_at_once(issue: Path) -> None:
    """Three independent breakages: all three reported, each at its own line."""
    text = break_issue(
        issue,
        Case(
            "x",
            both(
                replace("number: 412", "number: twelve"),
                replace("size: tabloid", "size: poster"),
                replace("    headline: Entangled", "    headlin: Entangled"),
            ),
            "",
            "",
        ),
    )
    run = cli("check", issue)
    assert run.code == EXIT_INVALID, run.output
    got = {int(p["line"]) for p in PROBLEM.finditer(run.stderr)}
    want = {line_of(text, "number: twelve"), line_of(text, "size: poster"), line_of(text, "headlin:")}
    assert want <= got, run.stderr
    assert "3 problems" in run.stderr or "problems" in run.stderr


def test_missing_issue_folder(tmp_path: Path) -> None:
    run = cli("render", tmp_path / "no-such-issue", "-o", tmp_path / "out.pdf")
    assert run.code == EXIT_INVALID, run.output
    assert "no-such-issue" in run.stderr and "Traceback" not in run.output
    assert not (tmp_path / "out.pdf").exists()


STYLE_CASES = [
    ("style-not-utf8", b"roles: {body: {size: \xff\xfe}}\n", r"house-style\.yaml"),
    ("style-yaml-syntax", b"roles:\n  body: {size: 9pt\n", r"house-style\.yaml:\d+:\d+: .*YAML"),
    ("style-unknown-font", b"roles:\n  body:\n    font: Comic Sans\n", r"house-style\.yaml:3:\d+: .*Comic Sans"),
    (
        "style-font-file-missing",
        b"fonts:\n  Extra:\n    regular: nowhere/Extra.ttf\n",
        r"house-style\.yaml:3:\d+: .*not found.*nowhere/Extra\.ttf",
    ),
]


@pytest.mark.parametrize(("data", "expect"), [c[1:] for c in STYLE_CASES], ids=[c[0] for c in STYLE_CASES])
def test_bad_style_sheet(issue: Path, tmp_path: Path, data: bytes, expect: str) -> None:
    break_issue(issue, Case("s", set_style("house-style.yaml"), "", ""))
    (issue / "house-style.yaml").write_bytes(data)
    out = tmp_path / "out.pdf"
    run = cli("render", issue, "-o", out)
    assert "Traceback" not in run.output
    assert run.code == EXIT_INVALID, run.output
    assert re.search(expect, run.stderr), run.stderr
    assert not out.exists()


# --------------------------------------------------------------------------- overset


@pytest.fixture
def overset_issue(issue: Path) -> Path:
    body = issue / "articles" / "geminids.md"
    text = body.read_text(encoding="utf-8").strip()
    body.write_text("\n\n".join([text] * 6) + "\n", encoding="utf-8")
    return issue


OVERSET = re.compile(r"overset: story 'geminids' on page 3: (\d+) lines?")


def test_overset_render_exits_1_and_writes_nothing(overset_issue: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    run = cli_subprocess("render", overset_issue, "-o", out)
    assert "Traceback" not in run.output
    assert run.code == EXIT_PROBLEMS, run.output
    m = OVERSET.search(run.stderr)
    assert m and int(m[1]) > 0, run.stderr
    assert not out.exists()
    assert not (overset_issue / "build").exists()


def test_overset_allowed_writes_pdf_but_still_exits_1(overset_issue: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    run = cli("render", overset_issue, "-o", out, "--allow-overset")
    assert run.code == EXIT_PROBLEMS, run.output
    assert OVERSET.search(run.stderr), run.stderr
    assert out.read_bytes().startswith(b"%PDF-")


def test_overset_check_exits_1(overset_issue: Path) -> None:
    run = cli("check", overset_issue)
    assert run.code == EXIT_PROBLEMS, run.output
    assert OVERSET.search(run.output), run.output
    assert not (overset_issue / "build").exists()


# --------------------------------------------------------------------------- clean input


def test_check_sample_issue_is_clean(issue: Path) -> None:
    run = cli("check", issue)
    assert run.code == EXIT_OK, run.output
    assert "clean" in run.stdout
    assert not (issue / "build").exists()


def test_new_issue_renders(tmp_path: Path) -> None:
    folder = tmp_path / "fresh"
    run = cli("new", folder)
    assert run.code == EXIT_OK, run.output
    assert (folder / "issue.yaml").is_file()
    # Its placeholder copy fills the page: nothing for the check to circle, even with --strict.
    run = cli("check", "--strict", folder)
    assert run.code == EXIT_OK and run.stdout.rstrip().endswith(": clean"), run.output
    out = tmp_path / "x.pdf"
    run = cli("render", folder, "-o", out)
    assert run.code == EXIT_OK, run.output
    assert out.read_bytes().startswith(b"%PDF-")


def test_new_refuses_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    run = cli("new", tmp_path)
    assert run.code == EXIT_INVALID, run.output
    assert (tmp_path / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]
