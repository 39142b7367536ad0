"""Drawn pages kept between renders (ISSUE/build/.cache/pages.bin): after a correction, unchanged
pages are copied, not drawn, and the PDF is the same bytes as a render without any cache, also
when the correction brings a character no page had drawn before (which renumbers the subset glyphs
of every later page); a damaged or wrong-shaped pack is ignored."""

from __future__ import annotations

import marshal
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from layout.cli import app
from layout.manifest.packs import first_payload, signed_pack  # signs like the tool: the checks behind it run
from layout.pdf.draw import write_pdf
from layout.pdf.pagecache import MAGIC
from layout.pipeline import build, cache_path

SAMPLE = Path(__file__).resolve().parents[1] / "issues" / "2026-12-03"


def render(folder: Path, out: Path, *extra: str) -> bytes:
    r = CliRunner().invoke(app, ["render", str(folder), "-o", str(out), *extra])
    assert r.exit_code == 0, r.output
    return out.read_bytes()


@pytest.fixture
def issue(tmp_path: Path) -> Path:
    folder = tmp_path / "issue"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("build"))
    return folder


def _last_article(issue: Path) -> Path:
    """An article on the last page (the pages before it keep their subset state)."""
    return issue / "articles" / "geminids.md"


@pytest.mark.parametrize("new", ["meteoroid", "meteor\u00e6 Qx\u0142"])  # the second brings new characters
def test_a_correction_copies_unchanged_pages_and_gives_the_same_bytes(issue: Path, tmp_path: Path, new: str) -> None:
    render(issue, tmp_path / "cold.pdf")
    md = _last_article(issue)
    md.write_text(md.read_text(encoding="utf-8").replace("meteor", new, 1), encoding="utf-8")
    b = build(issue)
    assert b.pages is not None and b.pages.old, "the cold render kept its pages"
    write_pdf(b.composed, tmp_path / "warm.pdf", pages=b.pages, author=b.loaded.issue.publication,
              keywords=", ".join(b.loaded.issue.articles))  # fmt: skip
    assert b.pages.hits >= 1, "no page was copied"
    assert b.pages.hits < len(b.composed.pages), "the changed page was copied"
    warm = (tmp_path / "warm.pdf").read_bytes()
    assert warm == render(issue, tmp_path / "nc.pdf", "--no-cache")
    assert render(issue, tmp_path / "warm2.pdf") == warm


@pytest.mark.parametrize("damage", ["flip-a-byte", "foreign", "wrong-shapes", "other-calls"])
def test_a_bad_page_pack_is_ignored(issue: Path, tmp_path: Path, damage: str) -> None:
    good = render(issue, tmp_path / "good.pdf")
    p = cache_path(build(issue, cache=False).loaded).with_name("pages.bin")
    data = p.read_bytes()
    if damage == "flip-a-byte":
        i = len(data) // 2
        p.write_bytes(data[:i] + bytes([data[i] ^ 0x40]) + data[i + 1 :])
    elif damage == "foreign":
        p.write_bytes(b"\x80\x04\x95 not a pack at all")
    else:
        fp, entries = marshal.loads(first_payload(data, MAGIC))
        if damage == "wrong-shapes":
            entries = {k: ("x", 1, None) for k in entries}
        else:  # well formed, but replaying subset calls for a face the page does not use
            entries = {k: v if k.startswith("z:") else (v[0], (("L-no-such-face", "abc"),)) for k, v in entries.items()}
        payload = marshal.dumps((fp, entries))
        p.write_bytes(signed_pack(MAGIC, payload))
    assert render(issue, tmp_path / "again.pdf") == good
    assert render(issue, tmp_path / "nc.pdf", "--no-cache") == good


def test_no_cache_writes_no_page_pack(issue: Path, tmp_path: Path) -> None:
    render(issue, tmp_path / "nc.pdf", "--no-cache")
    assert not cache_path(build(issue, cache=False).loaded).with_name("pages.bin").exists()


def test_a_fresh_process_compresses_only_the_streams_that_changed(issue: Path, tmp_path: Path, monkeypatch) -> None:
    """The compressed page streams are kept in the pack too: a re-render after a correction
    compresses the changed page (and what depends on it: font subsets), not every page."""
    from layout.pdf import stream

    render(issue, tmp_path / "cold.pdf")
    md = _last_article(issue)
    md.write_text(md.read_text(encoding="utf-8").replace("meteor", "meteoroid", 1), encoding="utf-8")
    calls: list[int] = []
    real = stream._deflate

    def counted(data):  # type: ignore[no-untyped-def]
        calls.append(len(data))
        return real(data)

    monkeypatch.setattr(stream, "_deflate", counted)
    b = build(issue)
    write_pdf(b.composed, tmp_path / "warm.pdf", pages=b.pages, author=b.loaded.issue.publication,
              keywords=", ".join(b.loaded.issue.articles))  # fmt: skip
    first = len(calls)
    calls.clear()
    write_pdf(build(issue, cache=False).composed, tmp_path / "all.pdf")
    assert 0 < first < len(calls) - 1, (first, len(calls))
    monkeypatch.undo()
    assert (tmp_path / "warm.pdf").read_bytes() == render(issue, tmp_path / "nc.pdf", "--no-cache")


def test_a_kept_stream_that_does_not_inflate_to_the_page_is_not_used(issue: Path, tmp_path: Path) -> None:
    """A compressed stream in the pack (signed here) whose bytes are another page's is compressed afresh."""
    good = render(issue, tmp_path / "good.pdf")
    p = cache_path(build(issue, cache=False).loaded).with_name("pages.bin")
    fp, entries = marshal.loads(first_payload(p.read_bytes(), MAGIC))
    streams = [k for k in entries if k.startswith("z:")]
    assert len(streams) >= 3
    other = entries[streams[0]]
    entries = {k: (other if k.startswith("z:") else v) for k, v in entries.items()}
    p.write_bytes(signed_pack(MAGIC, marshal.dumps((fp, entries))))
    assert render(issue, tmp_path / "again.pdf") == good


def test_streams_kept_at_another_compression_level_are_not_used(issue: Path, tmp_path: Path, monkeypatch) -> None:
    """A pack written when the streams were compressed at another zlib level holds streams that
    inflate to the right pages but are other bytes: a warm render gives a cold render's bytes."""
    from layout.pdf import pagecache

    monkeypatch.setattr(pagecache, "LEVEL", 6)
    render(issue, tmp_path / "six.pdf")
    monkeypatch.undo()
    assert pagecache.LEVEL != 6
    warm = render(issue, tmp_path / "warm.pdf")
    assert warm == render(issue, tmp_path / "nc.pdf", "--no-cache")
    assert warm != (tmp_path / "six.pdf").read_bytes()
