"""The parsed-font pack (ISSUE/build/.cache/fonts.bin): a warm render rebuilds every face from it
and gives the same bytes; a damaged, foreign or wrong-shaped pack is ignored (fonts parsed afresh,
same bytes); `--no-cache` neither reads nor writes it; a corrupt font is still refused by line."""

from __future__ import annotations

import marshal
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from layout.cli import app
from layout.manifest import stylesheet
from layout.manifest.fontinfo import MAGIC, FontCache
from layout.manifest.packs import first_payload, signed_pack  # signs like the tool: the checks behind it run
from layout.pipeline import build, cache_path

SAMPLE = Path(__file__).resolve().parents[1] / "issues" / "2026-12-03"


def render(folder: Path, out: Path, *extra: str) -> bytes:
    stylesheet._checked.clear()  # as in a fresh process: the fonts are checked (parsed) again
    r = CliRunner().invoke(app, ["render", str(folder), "-o", str(out), *extra])
    assert r.exit_code == 0, r.output
    return out.read_bytes()


def _pack(issue: Path) -> Path:
    return cache_path(build(issue, cache=False).loaded).with_name("fonts.bin")


@pytest.fixture
def issue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # An empty house shelf, as on a machine's first render: the fonts are parsed, so the issue's pack
    # holds them (with the house holding every one, it would add nothing and is not written).
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    folder = tmp_path / "issue"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("build"))
    return folder


def test_warm_faces_come_from_the_pack_with_the_same_bytes(issue: Path, tmp_path: Path) -> None:
    cold = render(issue, tmp_path / "cold.pdf")
    pack = _pack(issue)
    assert pack.is_file()
    stylesheet._checked.clear()  # a fresh process: nothing checked yet
    fc = FontCache(pack)
    assert len(fc.old) >= 5, "the pack holds the style's fonts"
    for path in sorted((Path(stylesheet.FONT_DIR)).rglob("*.ttf"))[:3]:
        face = fc.face(path, path.read_bytes())
        assert face.charToGlyph and face.filename == str(path)
    assert not (fc.used.keys() - fc.old.keys()), "a font was parsed although the pack held it"
    assert render(issue, tmp_path / "warm.pdf") == cold
    assert render(issue, tmp_path / "nc.pdf", "--no-cache") == cold


@pytest.mark.parametrize("damage", ["flip-a-byte", "truncate", "foreign", "other-version", "wrong-shapes"])
def test_a_bad_font_pack_is_ignored(issue: Path, tmp_path: Path, damage: str) -> None:
    good = render(issue, tmp_path / "good.pdf")
    p = _pack(issue)
    data = p.read_bytes()
    if damage == "flip-a-byte":
        i = len(data) // 2
        p.write_bytes(data[:i] + bytes([data[i] ^ 0x40]) + data[i + 1 :])
    elif damage == "truncate":
        p.write_bytes(data[: len(data) // 3])
    elif damage == "foreign":
        p.write_bytes(b"\x80\x04\x95 not a pack at all")
    else:
        version, entries = marshal.loads(first_payload(data, MAGIC))
        if damage == "other-version":
            payload = marshal.dumps(("another reportlab", entries))
        else:
            payload = marshal.dumps((version, {k: {"name": ("x",)} for k in entries}))
        p.write_bytes(signed_pack(MAGIC, payload))
    stylesheet._checked.clear()
    fc = FontCache(p)
    font = sorted(Path(stylesheet.FONT_DIR).rglob("*.ttf"))[0]
    assert fc.face(font, font.read_bytes()).charToGlyph, "parsed afresh"
    assert render(issue, tmp_path / "again.pdf") == good


def test_no_issue_pack_when_the_house_holds_every_font(issue: Path, tmp_path: Path) -> None:
    """Once the house shelf holds the style's fonts, a render writes no issue pack of them (it would
    copy the shelf, a megabyte of marshalling); the next render takes them from the shelf, parsing
    none, with the same bytes. A pack already there is left as it is."""
    first = render(issue, tmp_path / "first.pdf")  # fonts parsed: onto the shelf and into the pack
    assert _pack(issue).is_file()
    shutil.rmtree(issue / "build")
    assert render(issue, tmp_path / "second.pdf") == first
    assert not _pack(issue).exists(), "the issue's pack copied the house shelf"
    stylesheet._checked.clear()
    from layout.manifest.files import user_cache_dir

    fc = FontCache(_pack(issue), user_cache_dir() / "fonts")
    for path in sorted(Path(stylesheet.FONT_DIR).rglob("*.ttf"))[:3]:
        fc.face(path, path.read_bytes())
    assert fc.parsed == 0 and fc.housed and fc.staged(os.getppid()) is None
    fc.save()
    assert not _pack(issue).exists()
    assert render(issue, tmp_path / "third.pdf") == first


def test_no_cache_writes_no_font_pack(issue: Path, tmp_path: Path) -> None:
    render(issue, tmp_path / "nc.pdf", "--no-cache")
    assert not _pack(issue).exists()


def test_a_corrupt_font_is_still_refused_when_a_pack_exists(issue: Path, tmp_path: Path) -> None:
    render(issue, tmp_path / "good.pdf")
    font = sorted(Path(stylesheet.FONT_DIR).rglob("*.ttf"))[0]
    bad = issue / "bad.ttf"
    bad.write_bytes(font.read_bytes()[:2000])
    (issue / "style.yaml").write_text("fonts:\n  serif:\n    regular: bad.ttf\n", encoding="utf-8")
    stylesheet._checked.clear()
    with pytest.raises(Exception) as e:
        stylesheet.read_style_sheet(issue / "style.yaml", issue, FontCache(_pack(issue)))
    assert "not a readable TrueType font" in str(e.value)


def test_a_second_render_in_one_process_keeps_the_pack(issue: Path, tmp_path: Path) -> None:
    """As under `issue watch`: fonts checked earlier in the process are not parsed again, and the
    pack on disk is left as it is (not rewritten empty)."""
    render(issue, tmp_path / "a.pdf")
    pack = _pack(issue)
    before = pack.read_bytes()
    b = build(issue)  # no _checked.clear(): the fonts are known to this process
    b.keep_cache()
    assert pack.read_bytes() == before and len(FontCache(pack).old) >= 5


def test_the_style_fingerprint_reuses_the_checks_font_hashes(issue: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The style's fingerprint (the paragraph cache's key) hashes each font file's bytes as the font
    check read them, without reading them again; a font rewritten since is read and hashed anew."""
    from layout.text import cache as text_cache
    from layout.text.style import load_style

    house = next(Path(stylesheet.FONT_DIR).rglob("SourceSerif4SmText-Regular.ttf"))
    shutil.copy(house, issue / "styles" / "own.ttf")  # the issue's own font, beside its sheet
    sheet = issue / "styles" / "lodestar.yaml"
    sheet.write_text(sheet.read_text() + "fonts:\n  text: {regular: own.ttf}\n")
    stylesheet._checked.clear()
    style = load_style(sheet, issue, FontCache(None))
    assert issue / "styles" / "own.ttf" in text_cache.style_fonts(style).values()
    reads: list[str] = []
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        reads.append(self.name)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    before = text_cache.style_fingerprint(style, "en", "total")
    assert not [r for r in reads if r.endswith(".ttf")], "a font file was read again to fingerprint the style"
    assert text_cache.style_fingerprint(style, "en", "total") == before
    data = bytearray(real(issue / "styles" / "own.ttf"))
    data[-1] ^= 1  # a byte of the file changed (the size and even the time may stay)
    (issue / "styles" / "own.ttf").write_bytes(bytes(data))
    assert text_cache.style_fingerprint(style, "en", "total") != before
    assert "own.ttf" in reads


def _font_copy(tmp_path: Path) -> Path:
    house = next(Path(stylesheet.FONT_DIR).rglob("SourceSerif4SmText-Regular.ttf"))
    own = tmp_path / "own.ttf"
    shutil.copy(house, own)
    return own


def test_a_settled_font_files_hash_is_shelved_by_its_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A font file's hash comes from the house shelf while the file is the version it was made for;
    a file rewritten since (same size, its modification time set back) is hashed anew."""
    import os

    from layout.manifest import fontinfo

    monkeypatch.setattr(fontinfo, "SETTLED_NS", -(10**18))  # every file counts as settled
    own = _font_copy(tmp_path)
    data = own.read_bytes()
    fonts = FontCache(tmp_path / "fonts.bin", tmp_path / "house")
    st = own.stat()
    assert fonts.digest(own, st, data) == fontinfo.font_key(data)
    fonts.save()
    again = FontCache(tmp_path / "fonts.bin", tmp_path / "house")
    assert again.digest(own, own.stat(), b"not read") == fontinfo.font_key(data)  # not hashed again
    changed = bytearray(data)
    changed[-1] ^= 1
    own.write_bytes(bytes(changed))
    os.utime(own, ns=(st.st_atime_ns, st.st_mtime_ns))  # the size and the modification time as before
    third = FontCache(tmp_path / "fonts.bin", tmp_path / "house")
    assert third.digest(own, own.stat(), bytes(changed)) == fontinfo.font_key(bytes(changed))


def test_a_font_file_just_written_is_hashed_each_time(tmp_path: Path) -> None:
    """Within SETTLED_NS of its last change a file could change again within the same tick of the
    file system's clock: its hash is not shelved."""

    own = _font_copy(tmp_path)
    fonts = FontCache(tmp_path / "fonts.bin", tmp_path / "house")
    fonts.digest(own, own.stat(), own.read_bytes())
    fonts.save()
    assert not (tmp_path / "font-hashes").exists()


def test_a_render_hashes_no_house_font_again(issue: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second cold render of an issue (its own packs gone) hashes none of the house fonts, whose
    files have not changed for a long time, and gives the same bytes."""
    from layout.manifest import fontinfo

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    first = render(issue, tmp_path / "a.pdf")
    hashed: list[int] = []
    real = fontinfo.font_key

    def font_key(data: bytes) -> str:
        hashed.append(len(data))
        return real(data)

    monkeypatch.setattr(fontinfo, "font_key", font_key)
    monkeypatch.setattr(stylesheet, "font_key", font_key)
    shutil.rmtree(issue / "build")
    assert render(issue, tmp_path / "b.pdf") == first
    assert hashed == []
