"""Packs grown by appending (manifest.packs.keep_pack): a re-render after a one-word correction adds
one small record to the paragraph pack instead of writing it whole, and reads back everything; a
torn, tampered, linked or foreign file is never appended to and is rewritten whole instead."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from layout.manifest import packs
from layout.manifest.packs import keep_pack, read_pack, write_pack
from layout.pipeline import build

MAGIC = b"test-pack 1\n"
SAMPLE = Path(__file__).resolve().parents[1] / "issues" / "2026-12-03"


def _entries(n: int, tag: str = "") -> dict:
    return {f"k{i}": (f"value {i}{tag}", i, 1.5 * i) for i in range(n)}


def _records(path: Path) -> int:
    read_pack(path, MAGIC, "fp")
    known = packs._known.get(str(path))
    return known[2] if known else 0


def test_only_what_the_file_lacks_is_appended(tmp_path: Path) -> None:
    p = tmp_path / "paragraphs.bin"
    old = _entries(400)
    write_pack(p, MAGIC, "fp", old)
    size = p.stat().st_size
    assert read_pack(p, MAGIC, "fp") == old
    now = {k: v for k, v in old.items() if k != "k7"} | {"new": ("one word changed", 0, 0.0)}
    keep_pack(p, MAGIC, "fp", now)
    grown = p.stat().st_size - size
    assert 0 < grown < size / 50, "the whole pack was written again"
    assert read_pack(p, MAGIC, "fp") == old | now  # k7 stays until a quarter of the file is unused
    assert _records(p) == 2


def test_a_changed_entry_is_appended_and_wins(tmp_path: Path) -> None:
    p = tmp_path / "paragraphs.bin"
    write_pack(p, MAGIC, "fp", _entries(50))
    read_pack(p, MAGIC, "fp")
    again = _entries(50) | {"k3": ("set again", 3, 0.0)}
    keep_pack(p, MAGIC, "fp", again, changed=["k3"])
    assert read_pack(p, MAGIC, "fp")["k3"] == ("set again", 3, 0.0)


def test_nothing_new_writes_nothing(tmp_path: Path) -> None:
    p = tmp_path / "paragraphs.bin"
    write_pack(p, MAGIC, "fp", _entries(50))
    before = p.stat()
    read_pack(p, MAGIC, "fp")
    keep_pack(p, MAGIC, "fp", _entries(49))
    assert p.stat().st_mtime_ns == before.st_mtime_ns and p.stat().st_size == before.st_size


def test_a_file_of_unused_entries_or_many_records_is_written_whole(tmp_path: Path) -> None:
    p = tmp_path / "paragraphs.bin"
    write_pack(p, MAGIC, "fp", _entries(100))
    read_pack(p, MAGIC, "fp")
    keep_pack(p, MAGIC, "fp", _entries(60) | {"new": (1,)})  # 40 of 100 no longer used
    assert _records(p) == 1 and set(read_pack(p, MAGIC, "fp")) == set(_entries(60)) | {"new"}
    entries = _entries(60)
    for i in range(packs.MAX_RECORDS + 3):
        entries[f"n{i}"] = (i,)
        keep_pack(p, MAGIC, "fp", dict(entries))
        assert _records(p) <= packs.MAX_RECORDS
    assert read_pack(p, MAGIC, "fp") == entries


def test_a_torn_append_is_left_out_and_the_file_rewritten(tmp_path: Path) -> None:
    p = tmp_path / "paragraphs.bin"
    write_pack(p, MAGIC, "fp", _entries(100))
    read_pack(p, MAGIC, "fp")
    keep_pack(p, MAGIC, "fp", _entries(100) | {"new": ("x" * 500,)})
    data = p.read_bytes()
    p.write_bytes(data[:-100])  # an append cut short (a full disk, a kill)
    assert read_pack(p, MAGIC, "fp") == _entries(100)
    assert str(p) not in packs._known, "a torn file must not be appended to"
    keep_pack(p, MAGIC, "fp", _entries(100) | {"new": ("x" * 500,)})
    assert read_pack(p, MAGIC, "fp") == _entries(100) | {"new": ("x" * 500,)} and _records(p) == 1


def test_a_tampered_record_ends_the_reading(tmp_path: Path) -> None:
    p = tmp_path / "paragraphs.bin"
    write_pack(p, MAGIC, "fp", _entries(20))
    read_pack(p, MAGIC, "fp")
    keep_pack(p, MAGIC, "fp", _entries(20) | {"new": ("appended",)})
    data = bytearray(p.read_bytes())
    data[-3] ^= 0xFF  # inside the appended record: its digest no longer matches
    p.write_bytes(bytes(data))
    assert read_pack(p, MAGIC, "fp") == _entries(20)
    assert read_pack(p, MAGIC, "another fingerprint") == {}


def test_a_file_changed_by_another_process_is_written_whole(tmp_path: Path) -> None:
    p = tmp_path / "paragraphs.bin"
    write_pack(p, MAGIC, "fp", _entries(20))
    read_pack(p, MAGIC, "fp")
    packs._known.pop(str(p))
    write_pack(p, MAGIC, "fp", _entries(30))  # another render's whole pack ...
    packs._known[str(p)] = (("elsewhere",), frozenset(_entries(20)), 1)  # ... that this one never read
    keep_pack(p, MAGIC, "fp", _entries(20) | {"new": (1,)})
    assert read_pack(p, MAGIC, "fp") == _entries(20) | {"new": (1,)} and _records(p) == 1


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_nothing_is_appended_through_a_link(tmp_path: Path, link: str) -> None:
    """A pack that is a link (symbolic, or one of two hard links) is replaced, never written
    through: the file it shares its bytes with is left as it was."""
    other = tmp_path / "elsewhere.bin"
    write_pack(other, MAGIC, "fp", _entries(20))
    before = other.read_bytes()
    p = tmp_path / "paragraphs.bin"
    (p.symlink_to if link == "symlink" else p.hardlink_to)(other)
    assert read_pack(p, MAGIC, "fp") == _entries(20)
    keep_pack(p, MAGIC, "fp", _entries(20) | {"new": (1,)})
    assert other.read_bytes() == before
    assert not p.is_symlink() and read_pack(p, MAGIC, "fp") == _entries(20) | {"new": (1,)}


def test_a_one_word_correction_appends_one_small_record(tmp_path: Path) -> None:
    issue = tmp_path / "issue"
    shutil.copytree(SAMPLE, issue, ignore=shutil.ignore_patterns("build"))
    build(issue).keep_cache()
    pack = issue / "build" / ".cache" / "paragraphs.bin"
    size = pack.stat().st_size
    body = next(p for p in sorted((issue / "articles").glob("*.md")) if " the " in p.read_text(encoding="utf-8"))
    body.write_text(body.read_text(encoding="utf-8").replace(" the ", " this ", 1), encoding="utf-8")
    packs._known.clear()  # as a fresh process finds it
    b = build(issue)
    assert b.cache is not None and 0 < b.cache.misses <= 3
    b.keep_cache()
    assert 0 < pack.stat().st_size - size < size / 10
    packs._known.clear()
    again = build(issue)
    assert again.cache is not None and again.cache.misses == 0 and again.cache.hits > 20


def test_the_signing_key_is_read_again_when_the_file_is_another(tmp_path: Path, monkeypatch) -> None:
    from layout.manifest import files

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = files.pack_key()
    assert files.pack_key() == first and len(first) == 32
    key = tmp_path / "layout" / "pack.key"
    new = tmp_path / "other.key"
    new.write_bytes(b"k" * 32)
    new.replace(key)  # another file now (as a user who removed the key and let a render make one)
    assert files.pack_key() == b"k" * 32
