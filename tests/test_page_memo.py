"""A build session takes a page composed by an earlier build when nothing that composes it changed
(page/kept.py). After every kind of edit that could leave a kept page stale (a story's length, so
the copy it jumps to a later page changes; a headline; a photo replaced in place by one of another
shape; the style; pages reordered; an article moved between pages; its continued_on; a field the
furniture prints; an edit and its revert) the session gives the PDF bytes, the findings, the word
count and the story fits that a fresh process gives with no cache.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from layout.manifest import reads
from layout.manifest.errors import InvalidInput
from layout.page.findings import errors, warnings
from layout.pdf.draw import write_pdf
from layout.pipeline import build
from layout.session import Session

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issues" / "2026-12-03"
FRESH = """
import dataclasses, hashlib, json, sys
from pathlib import Path
from layout.manifest import reads
from layout.manifest.errors import InvalidInput
from layout.page.findings import errors, warnings
from layout.pdf.draw import write_pdf
from layout.pipeline import build
try:
    b = build(Path(sys.argv[1]), cache=False, parallel=False)
except InvalidInput as e:
    print(json.dumps({"invalid": len(e.problems)}))
    sys.exit(0)
write_pdf(b.composed, Path(sys.argv[2]), pages=b.pages)
found = [str(f) for f in errors(b.composed)] + [str(f) for f in warnings(b.composed, b.loaded)]
fits = [list(dataclasses.astuple(f)) for f in b.composed.fits]
pdf = hashlib.sha256(Path(sys.argv[2]).read_bytes()).hexdigest()
print(json.dumps({"pdf": pdf, "found": found, "words": b.composed.words, "fits": fits}))
"""


def _fresh(folder: Path, out: Path) -> dict:
    r = subprocess.run(
        [sys.executable, "-c", FRESH, str(folder), str(out)], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _in_session(folder: Path, out: Path, session: Session) -> dict:
    try:
        b = build(folder, parallel=False, session=session)
    except InvalidInput as e:
        return {"invalid": len(e.problems)}
    write_pdf(b.composed, out, pages=b.pages)
    found = [str(f) for f in errors(b.composed, session.checked)]
    found += [str(f) for f in warnings(b.composed, b.loaded, session.checked)]
    b.keep_cache()
    fits = [list(dataclasses.astuple(f)) for f in b.composed.fits]
    got = {"pdf": hashlib.sha256(out.read_bytes()).hexdigest(), "found": found, "words": b.composed.words}
    return json.loads(json.dumps({**got, "fits": fits}))  # tuples as lists, as the fresh process prints them


def _edit(p: Path, old: str, new: str) -> None:
    text = p.read_text(encoding="utf-8")
    assert old in text, old
    p.write_text(text.replace(old, new, 1), encoding="utf-8")


GEMINIDS_QUOTE = """    body: articles/geminids.md
    pull_quotes:
      - text: The shower peaks in the small hours.
        columns: 2
"""


@pytest.fixture
def recent_is_old(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files just copied or edited count as old enough to keep (see manifest/reads.py)."""
    monkeypatch.setattr(reads, "RECENT_NS", 0)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The sample issue with two more pages: the fibre-link story long enough to jump from page 1
    to page 4, and a pull quote wider than its story (a warning found while composing)."""
    f = tmp_path / "issue"
    shutil.copytree(SAMPLE, f, ignore=shutil.ignore_patterns("build"))
    md = f / "articles" / "quantum-fibre-link.md"
    md.write_text(md.read_text(encoding="utf-8") * 3, encoding="utf-8")
    y = f / "issue.yaml"
    _edit(
        y,
        "    body: articles/quantum-fibre-link.md\n",
        "    body: articles/quantum-fibre-link.md\n    continued_on: 4\n",
    )
    _edit(y, "    body: articles/geminids.md\n", GEMINIDS_QUOTE)
    extra = "  - section: Science\n    stories: []\n  - section: Notes\n    stories: []\narticles:\n"
    _edit(y, "articles:\n", extra)
    return f


def _swap_pages_2_and_3(y: Path) -> None:
    text = y.read_text(encoding="utf-8")
    a, b, c = (
        text.index("  - section: Honours\n"),
        text.index("  - section: Opinion\n"),
        text.index("  - section: Science"),
    )
    y.write_text(text[:a] + text[b:c] + text[a:b] + text[c:], encoding="utf-8")


@pytest.mark.usefixtures("recent_is_old")
def test_a_session_takes_only_unchanged_pages_and_gives_a_fresh_process_s_output(folder: Path, tmp_path: Path) -> None:
    y, fibre = folder / "issue.yaml", folder / "articles" / "quantum-fibre-link.md"
    turbine = folder / "photos" / "qinglan-turbine-hall.jpg"

    def taller_photo() -> None:  # replaced in place by a photo of another shape: the block's height changes
        Image.new("RGB", (400, 600), (90, 120, 150)).save(turbine, quality=80)

    def swap_columns() -> None:  # the same set stories (same width), in other columns
        _edit(y, "quantum-fibre-link\n        columns: 1-2", "quantum-fibre-link\n        columns: 3-4")
        _edit(y, "news-briefs\n        columns: 3-4", "news-briefs\n        columns: 1-2")

    steps = [
        ("as it is", lambda: None),
        ("again, unchanged", lambda: None),
        ("a story's length, so the copy it jumps changes", lambda: fibre.write_text(fibre.read_text() + "\nMore.\n")),
        ("a headline", lambda: _edit(y, "headline: In brief", "headline: Briefly noted")),
        ("a photo replaced in place", taller_photo),
        ("two stories swapped between columns of one width", swap_columns),
        ("a banner", lambda: _edit(y, "banner: The Year's Laureates", "banner: The Laureates of 2026")),
        ("a style change", lambda: _edit(folder / "styles" / "lodestar.yaml", "grid: 12.5\n", "grid: 13\n")),
        ("pages reordered", lambda: _swap_pages_2_and_3(y)),
        ("an article moved to another page", lambda: _edit(y, "      - article: letters\n        columns: 1-4\n", "")),
        ("... and placed on a later page", lambda: _edit(y, "  - section: Notes\n    stories: []\n", LETTERS)),
        ("a jump sent to another page", lambda: _edit(y, "continued_on: 4\n", "continued_on: 5\n")),
        ("a field the folio prints", lambda: _edit(y, "date: 2026-12-03", "date: 2026-12-10")),
        ("the headline put back", lambda: _edit(y, "headline: Briefly noted", "headline: In brief")),
    ]
    session = Session()
    for name, change in steps:
        change()
        got = _in_session(folder, tmp_path / "session.pdf", session)
        want = _fresh(folder, tmp_path / "fresh.pdf")
        assert "invalid" not in want, (name, want)
        assert got == want, name
        if name == "as it is":  # the copy jumps to page 4; a warning is found while composing page 3
            assert [f[1] for f in got["fits"] if f[0] == "quantum-fibre-link"] == [1, 4]
            assert any("pull quote 1 asks for 2 columns" in f for f in got["found"]), got["found"]
        if name == "again, unchanged":  # the memo is at work: every page taken, none composed
            assert session.kept_pages.hits == 5
        if name == "a headline":  # the page with the edit is composed; the four others are taken
            assert session.kept_pages.hits == 4
        if name == "a style change":
            assert session.kept_pages.hits == 0


LETTERS = "  - section: Notes\n    stories:\n      - article: letters\n"


@pytest.mark.usefixtures("recent_is_old")
def test_one_word_changed_composes_that_page_and_those_its_copy_jumps_to(folder: Path, tmp_path: Path) -> None:
    """A word changed in a story that jumps: its page and the page it jumps to are composed again
    (the copy handed on is another), the other pages are taken as they were."""
    session = Session()
    _in_session(folder, tmp_path / "a.pdf", session)
    _edit(folder / "articles" / "news-briefs.md", "the", "a")  # page 1 alone
    _in_session(folder, tmp_path / "b.pdf", session)
    assert session.kept_pages.hits == 4
    _edit(folder / "articles" / "quantum-fibre-link.md", "the", "a")  # page 1 and page 4, where it goes on
    _in_session(folder, tmp_path / "c.pdf", session)
    assert session.kept_pages.hits == 3


def test_a_page_with_a_photo_written_moments_ago_is_composed_again(folder: Path, tmp_path: Path) -> None:
    """A photo replaced in the same tick of the file system's clock as it was read would keep its
    version: while a photo is that recent, the pages that show it are composed every time."""
    session = Session()
    _in_session(folder, tmp_path / "a.pdf", session)
    _in_session(folder, tmp_path / "b.pdf", session)
    assert session.kept_pages.hits == 3  # pages 1 and 2 show photos copied moments ago


@pytest.mark.usefixtures("recent_is_old")
def test_pages_and_stories_taken_whole_still_count_their_cache_entries_as_used(folder: Path, tmp_path: Path) -> None:
    """What a kept page or story was made from (set lines, parsed bodies) is still counted as used
    by the build that takes it, so the packs written after it keep everything a fresh process needs."""
    from layout.text import parsed
    from layout.text.punctuation import Punctuation

    session = Session()
    first = build(folder, parallel=False, session=session)
    first.keep_cache()
    _edit(folder / "articles" / "news-briefs.md", "the", "a")
    b = build(folder, parallel=False, session=session)
    assert session.kept_pages.hits == 4
    punct = Punctuation(b.style.text.punctuation, b.loaded.issue.language, None)
    for aid, body in b.loaded.bodies.items():
        assert parsed._key(("parse", parsed._how(punct), body)) in b.cache.used, aid
    lines = [k for k in first.cache.used if not k.startswith("md:")]
    gone = [k for k in lines if k not in b.cache.used]
    assert len(gone) < 5, gone  # only the edited story's changed paragraph
