"""The house packs in the user's cache folder (parsed fonts, parsed hyphenation patterns) make a new
issue's first render skip parsing what every issue shares, with the same bytes; a damaged, foreign or
ill-shaped pack is ignored and rebuilt; --no-cache neither reads nor writes them."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyphen
import pytest

from layout.manifest import fontinfo
from layout.manifest.files import user_cache_dir
from layout.manifest.fontinfo import FontCache
from layout.manifest.packs import read_pack, write_pack
from layout.manifest.stylesheet import FONT_DIR
from layout.text import hyphenate

SAMPLE = Path(__file__).resolve().parents[1] / "issues" / "2026-12-03"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "layout"


RENDER = """
import shutil, sys
from pathlib import Path
from layout.pdf.draw import write_pdf
from layout.pipeline import build
folder, out, cache = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "cache"
shutil.rmtree(folder / "build", ignore_errors=True)  # the issue's own packs gone: a cold render
if sys.argv[4] == "fifo":
    import os
    (folder / "build" / ".cache").mkdir(parents=True)
    os.mkfifo(folder / "build" / ".cache" / "paragraphs.bin")
b = build(folder, cache=cache, parallel=False)
write_pdf(b.composed, out, pages=b.pages)
b.keep_cache()
print(b.fonts.parsed if b.fonts else -1)
"""


def _render(folder: Path, out: Path, cache: bool = True, fifo_pack: bool = False) -> tuple[bytes, int]:
    """A cold render in a fresh process (this one may have parsed the fonts already): its PDF and how
    many fonts it parsed."""
    env = {**os.environ, "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"]}
    r = subprocess.run(
        [sys.executable, "-c", RENDER, str(folder), str(out), "cache" if cache else "no-cache",
         "fifo" if fifo_pack else "-"],
        capture_output=True, text=True, env=env, timeout=120, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    return out.read_bytes(), int(r.stdout.split()[-1])


def _fonts() -> list[tuple[Path, bytes]]:
    return [(p, p.read_bytes()) for p in sorted(FONT_DIR.rglob("*.ttf"))[:4]]


def test_a_new_issue_parses_no_house_font_twice_and_prints_the_same(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "issue"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("build"))
    first, parsed = _render(folder, tmp_path / "a.pdf")
    assert parsed > 0 and len(list((home / "fonts").glob("*.bin"))) == parsed
    again, parsed = _render(folder, tmp_path / "b.pdf")
    assert parsed == 0 and again == first
    nocache, _ = _render(folder, tmp_path / "c.pdf", cache=False)
    assert nocache == first


def test_no_cache_neither_reads_nor_writes_the_house_packs(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "issue"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("build"))
    _render(folder, tmp_path / "a.pdf", cache=False)
    assert not (home / "fonts").exists() and not (home / "hyphenation").exists()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign key", "wrong shape", "another key"])
def test_a_damaged_house_font_pack_is_parsed_afresh_and_rewritten(home: Path, damage: str) -> None:
    fonts = _fonts()
    fc = FontCache(home / "issue-fonts.bin", home / "fonts")
    want = [fc.face(p, d).charWidths for p, d in fonts]
    fc.save()
    packs = sorted((home / "fonts").glob("*.bin"))
    assert len(packs) == len(fonts)
    for pack in packs:
        good = pack.read_bytes()
        if damage == "garbage":
            pack.write_bytes(b"\0" * 1000)
        elif damage == "truncated":
            pack.write_bytes(good[: len(good) // 2])
        elif damage == "wrong shape":
            write_pack(pack, fontinfo.MAGIC, fontinfo._version(), {pack.stem: {"name": 1}})
        elif damage == "another key":  # a whole entry filed under another font's name
            write_pack(pack, fontinfo.MAGIC, fontinfo._version(), {"0" * 40: {"name": 1}})
    if damage == "foreign key":
        (home / "pack.key").write_bytes(b"k" * 32)  # as if made on another machine
    fc = FontCache(home / "other-issue.bin", home / "fonts")
    assert [fc.face(p, d).charWidths for p, d in fonts] == want
    assert fc.parsed == len(fonts)
    fc.save()
    fc = FontCache(home / "third-issue.bin", home / "fonts")
    assert [fc.face(p, d).charWidths for p, d in fonts] == want and fc.parsed == 0  # rewritten


def test_the_house_font_shelf_keeps_the_latest_fonts_only(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fontinfo, "HOUSE_LIMIT", 2)
    fonts = _fonts()
    for i, (p, d) in enumerate(fonts):
        fc = FontCache(home / f"issue-{i}.bin", home / "fonts")
        fc.face(p, d)
        fc.save()
        time.sleep(0.01)  # distinct modification times
    kept = sorted(x.stem for x in (home / "fonts").glob("*.bin"))
    assert kept == sorted(hashlib.blake2b(d, digest_size=20).hexdigest() for _, d in fonts[-2:])


def test_a_shelf_key_is_a_plain_name(home: Path) -> None:
    from layout.manifest.packs import Shelf

    shelf = Shelf(home / "x", b"m\n", "fp")
    for bad in ("../escape", "a/b", "", ".."):
        with pytest.raises(ValueError):
            shelf.put(bad, 1)
    assert not (home / "x").exists() or not any((home / "x").iterdir())


WORDS = ["hyphenation", "newspaper", "correspondent", "astronomical", "photosynthesis", "international"]


@pytest.fixture
def fresh_pyphen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pyphen, "hdcache", {})


def _positions() -> list[list[int]]:
    pyphen.hdcache.clear()
    d = hyphenate._dictionary("en_US")
    return [list(d.positions(w)) for w in WORDS]


def test_patterns_read_back_equal_those_parsed() -> None:
    """The shelf's flat form gives back every pattern, its offset and its levels."""
    parsed = pyphen.HyphDict(Path(pyphen.LANGUAGES[pyphen.language_fallback("en_US")])).patterns
    packed = hyphenate._packed(parsed)
    assert packed is not None
    got = hyphenate._unpacked((*packed, 7))
    assert got is not None and got[1] == 7
    assert {k: (o, tuple(v)) for k, (o, v) in got[0].items()} == parsed


@pytest.mark.usefixtures("fresh_pyphen")
@pytest.mark.parametrize("damage", [None, "garbage", "wrong shape", "old shape", "bad level", "uneven"])
def test_hyphenation_patterns_from_the_house_pack_hyphenate_as_parsed(home: Path, damage: str | None) -> None:
    hyphenate.use_house(None)
    want = _positions()
    hyphenate.use_house(home.parent / "layout")
    try:
        assert _positions() == want  # parsed, and kept
        packs = list((home / "hyphenation").glob("*.bin"))
        assert len(packs) == 1
        pack = packs[0]
        fp = repr((hyphenate.MAGIC, pyphen.__version__, hyphenate.marshal.version))
        key = pack.stem
        if damage == "garbage":
            pack.write_bytes(b"layout-hyphenation 1\n" + b"x" * 100)
        elif damage == "wrong shape":
            write_pack(pack, hyphenate.MAGIC, fp, {key: ("patterns", 3)})
        elif damage == "old shape":  # round 10's: a dict of (offset, levels) tuples
            write_pack(pack, hyphenate.MAGIC, fp, {key: ({"ab": (0, (1,))}, 2)})
        elif damage == "bad level":  # a level of 10, outside 0-9
            write_pack(pack, hyphenate.MAGIC, fp, {key: ("ab\ncd", b"\x00\x01", b"\x01\xff\x0a", 2)})
        elif damage == "uneven":  # three patterns, two offsets
            write_pack(pack, hyphenate.MAGIC, fp, {key: ("ab\ncd\nef", b"\x00\x01", b"\x01\xff\x02\xff\x03", 2)})
        assert _positions() == want  # from the shelf, or parsed afresh when it is damaged
        assert set(read_pack(pack, hyphenate.MAGIC, fp)) == {key}  # rewritten whole
    finally:
        hyphenate.use_house(None)


def test_the_house_folder_follows_xdg_cache_home(home: Path) -> None:
    assert user_cache_dir() == home


@pytest.mark.parametrize("where", ["house font", "house hyphenation", "issue pack", "signing key"])
def test_a_fifo_where_a_pack_belongs_is_passed_over(home: Path, tmp_path: Path, where: str) -> None:
    """A named pipe put where a cache pack or the signing key belongs used to block the render
    forever on reading it; it is now not read at all, and the PDF is the same."""
    folder = tmp_path / "issue"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("build"))
    want, _ = _render(folder, tmp_path / "want.pdf", cache=False)
    home.mkdir(parents=True, exist_ok=True)
    if where == "house font":
        (home / "fonts").mkdir()
        for font in FONT_DIR.rglob("*.ttf"):
            os.mkfifo(home / "fonts" / f"{hashlib.blake2b(font.read_bytes(), digest_size=20).hexdigest()}.bin")
    elif where == "house hyphenation":
        (home / "hyphenation").mkdir()
        dic = Path(pyphen.LANGUAGES[pyphen.language_fallback("en_US")])
        os.mkfifo(home / "hyphenation" / f"{hashlib.blake2b(dic.read_bytes(), digest_size=20).hexdigest()}.bin")
    elif where == "signing key":
        os.mkfifo(home / "pack.key")
    got, _ = _render(folder, tmp_path / "got.pdf", fifo_pack=where == "issue pack")
    assert got == want
