"""Hostile and careless input: bounded, located, never destructive.

Each case copies the sample issue, breaks one thing (the manifest, the style sheet, an article,
a photo, a font) and runs `issue render -o out.pdf` over an earlier good `out.pdf`. It asserts
exit code 2, no traceback, a problem at `FILE:LINE:COL` naming the right file and line, and that
nothing was written or damaged: the sha256 of every file in the issue folder and of the earlier
output are the same before and after, and no stray file appears. (Outputs, unreadable files,
killed processes and what is accepted are in test_hostile_runs.py.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile import (
    BOMB,
    EARLIER,
    SAMPLE,
    Edit,
    Run,
    append_text,
    cli,
    cli_subprocess,
    digest,
    edit_text,
    edits,
    fill_bodies,
    png_header_only,
    write_bytes,
)

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
