"""Markdown the column did not set before: simple tables are set within the column, footnotes
become notes at the story's end; images, code blocks and undefined footnotes are refused with
file:line (exit 2). Nothing is dropped in silence or printed as raw pipes."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import SAMPLE
from typer.testing import CliRunner

from layout.cli import app
from layout.page import containment
from layout.pipeline import build

TIDES = """
Tide times at the harbour mouth on Saturday:

| Tide | Time | Height |
|:-----|-----:|-------:|
| High | 06:12 | 4.1 m |
| Low | 12:30 | 0.9 m |
| High | 18:41 | 4.3 m |

Observers on the breakwater should leave before the evening high water.[^tide]

[^tide]: Times are for the harbour mouth; add ten minutes for the inner basin.
"""


def run(*args: object) -> tuple[int, str]:
    r = CliRunner().invoke(app, [str(a) for a in args])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.stdout + r.stderr


def _issue(tmp_path, extra: str):
    d = tmp_path / "issue"
    shutil.copytree(SAMPLE, d, ignore=shutil.ignore_patterns("build"))
    md = d / "articles" / "geminids.md"
    md.write_text(md.read_text() + extra)
    return d, md


def test_a_simple_table_is_set_within_the_column_and_a_footnote_at_the_end(tmp_path):
    d, _ = _issue(tmp_path, TIDES)
    b = build(d)
    page = b.composed.pages[2]
    rows = page.text(role="table", story="geminids")
    assert [r.text.split()[0] for r in rows] == ["Tide", "High", "Low", "High"]
    assert "|" not in " ".join(i.text for i in page.text(story="geminids"))
    col_x, col_w = page.columns[rows[0].column]
    for r in rows:
        assert col_x - 0.01 <= r.x0 and r.x1 <= col_x + col_w + 0.01
    # The right-aligned columns line up on their right edges.
    rights = {round(r.x + r.line.spans[-1].x + r.line.advance(r.line.spans[-1]), 2) for r in rows}
    assert len(rights) == 1
    assert rows[0].line.spans[0].face.name.endswith("Bold")
    body = " ".join(i.text for i in page.text(role="body", story="geminids"))
    assert "evening high water.\u00b9" in body and "[^tide]" not in body
    notes = page.text(role="note", story="geminids")
    assert notes and notes[0].text.startswith("\u00b9 Times are for the harbour mouth")
    assert containment.check(b.composed) == []


def test_a_table_too_wide_for_the_column_is_reported_by_story_and_line(tmp_path):
    wide = "\n| Station | Reading | Observer | Remarks |\n|---|---|---|---|\n"
    wide += "| Kingsferry lighthouse | 4.1 metres | Harbourmaster Oyelaran | Calm, clear skies |\n"
    d, _ = _issue(tmp_path, wide)
    code, text = run("check", d)
    assert code == 1, text
    assert re.search(r"story 'geminids' on page 3: geminids\.md:\d+: the table at line \d+ needs [\d.]+ mm", text)


@pytest.mark.parametrize(
    ("extra", "expect"),
    [
        ("\n![The radiant](photos/geminids.jpg)\n", r"geminids\.md:(\d+):1: .*an image .* photos:"),
        ("\n```\nprint('meteor')\n```\n", r"geminids\.md:(\d+):1: .*fenced code block"),
        ("\n    indented by four spaces\n", r"geminids\.md:(\d+):1: .*indented by four spaces"),
        ("\nA claim that needs a source.[^missing]\n", r"geminids\.md:(\d+):1: .*footnote \[\^missing\] has no def"),
        ("\n[^spare]: A note nobody points to.\n", r"geminids\.md:(\d+):1: .*\[\^spare\] is defined but never ref"),
    ],
    ids=["image", "fence", "indented", "undefined-footnote", "unreferenced-footnote"],
)
def test_markdown_the_column_does_not_set_is_refused_with_file_and_line(tmp_path, extra, expect):
    d, md = _issue(tmp_path, extra)
    code, text = run("render", d, "-o", tmp_path / "out.pdf")
    assert code == 2, text
    m = re.search(expect, text)
    assert m, text
    line = int(m.group(1))
    assert extra.strip().split("\n")[0].strip() in md.read_text().split("\n")[line - 1]
    assert not (tmp_path / "out.pdf").exists()


def test_a_thematic_break_is_set_as_an_asterism_not_dropped(tmp_path):
    d, _ = _issue(tmp_path, "\n---\n\nA last word after the break.\n")
    page = build(d).composed.pages[2]
    brk = page.text(role="break", story="geminids")
    assert len(brk) == 1 and brk[0].text.replace("\u2003", " ") == "* * *"
    last = page.text(role="body", story="geminids")[-1]
    assert last.text == "A last word after the break." and last.top > brk[0].bottom


@pytest.mark.parametrize(
    "body",
    [
        "Text.\n\n~~~\ncode\n~~~\n",
        "Text.\n\n```\ncode\n```\n",
        "Text.\n\n\tcode under a tab\n",
        "Text.\n\n    code under four spaces\n",
        "A picture ![alt](x.png) here.\n",
        "A note[^1] with no definition.\n",
    ],
)
def test_each_refused_construct_is_found(body: str) -> None:
    """Each construct a column refuses is looked for (a body without any mark of them is not parsed)."""
    from layout.text.markdown import unsupported

    assert unsupported(body), body
    assert unsupported(body.replace("\t", "").replace("    ", "").replace("~", "").replace("`", "")
                       .replace("!", "").replace("^", "")) == []  # fmt: skip
