"""Parsed TrueType fonts kept between renders: ReportLab's reading of a font file, by its bytes.

Reads font files (and, when a render keeps a cache, the pack file ISSUE/build/.cache/fonts.bin);
produces parsed faces: ReportLab's `TTFontFace` for a font parsed here, a `ParsedFace` holding the
same fields for one rebuilt from a pack (typesetting reads its metrics without importing ReportLab;
`reportlab_face` makes the TTFontFace drawing needs). Parsing a font's tables (character map, widths, glyph offsets)
costs about 10 ms a file in pure Python; a style names a dozen. The parsed metrics are plain data
(numbers, strings, lists and dicts), so they are kept with `marshal` (never pickle) keyed by a hash
of the file's bytes, the ReportLab version and the Python version; the face is rebuilt around the
file's bytes, read fresh. The pack has a magic line and a BLAKE2 checksum: a corrupt, foreign or
truncated file is ignored and rebuilt, and an entry of the wrong shape is parsed afresh. Only
entries this render used are written back (atomically, after the output is written).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import time
from pathlib import Path
from typing import Any

from .packs import Shelf, keep_staged, pack_parts, read_pack, stage_data, write_pack

MAGIC = b"layout-font-cache 1\n"
_SKIP = frozenset({"_ttf_data", "_pdfScale", "filename"})
_NEEDED = frozenset({"name", "charToGlyph", "charWidths", "unitsPerEm", "table", "glyphPos", "hmetrics"})


def _version() -> str:
    from reportlab import Version

    return repr((MAGIC, Version, marshal.version, sys.version_info[:2]))


class NameBytes(bytes):
    """A name from a font's name table, as ReportLab's TTFNameBytes holds it: the bytes and `ustr`."""

    ustr: str


class ParsedFace:
    """A parsed font's fields as ReportLab's TTFontFace has them (`__dict__`), without its methods."""


def _encode(face: Any) -> dict:
    out = {}
    for k, v in face.__dict__.items():
        if k in _SKIP:
            continue
        # (ReportLab's TTFNameBytes, or NameBytes: bytes with the name as text)
        out[k] = ("name", bytes(v), v.ustr) if isinstance(v, bytes) and hasattr(v, "ustr") else ("value", v)
    return out


def _decode(entry: dict, path: Path, data: bytes) -> ParsedFace:
    if not isinstance(entry, dict) or not _NEEDED <= entry.keys():
        raise ValueError("not a parsed font")
    face = ParsedFace()
    for k, v in entry.items():
        if v[0] == "name":
            nb = NameBytes(v[1])
            nb.ustr = str(v[2])
            face.__dict__[k] = nb
        elif v[0] == "value":
            face.__dict__[k] = v[1]
        else:
            raise ValueError("not a parsed font")
    face._ttf_data = data  # type: ignore[attr-defined]
    face.filename = str(path)  # type: ignore[attr-defined]
    upem = face.unitsPerEm  # type: ignore[attr-defined]
    if not isinstance(upem, int) or upem <= 0:
        raise ValueError("not a parsed font")
    return face


def reportlab_face(face: Any) -> Any:
    """ReportLab's TTFontFace for a parsed face: `face` itself if it is one, else one around the same
    fields (the same dictionaries: shared, not copied) with its names as ReportLab's TTFNameBytes."""
    from reportlab.pdfbase.ttfonts import TTFNameBytes, TTFontFace

    if isinstance(face, TTFontFace):
        return face
    rl = TTFontFace.__new__(TTFontFace)
    for k, v in face.__dict__.items():
        if type(v) is NameBytes:
            nb = bytes.__new__(TTFNameBytes, v)
            nb.ustr = v.ustr
            v = nb
        rl.__dict__[k] = v
    # As ReportLab's extractInfo makes it.
    upem = rl.unitsPerEm
    mult = 1000 / upem
    rl._pdfScale = (lambda x: x) if upem == 1000 else (lambda x: x * mult)
    return rl


def font_key(data: bytes) -> str:
    """The hash a font file's bytes are known by (in the packs, and in the style's fingerprint)."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


HOUSE_LIMIT = 64  # fonts the house pack keeps (the most recently parsed): a style names a dozen
DIGESTS = "digests"  # the font-hashes shelf's one entry: font files' hashes by file version
SETTLED_NS = 2_000_000_000  # a file's hash is kept by its version only once the file is this old
MAX_DIGESTS = 1024


class FontCache:
    """Parsed fonts by the hash of their bytes, loaded from and saved to one pack file (or none),
    and from the house pack (`house`: every issue's fonts, in the user's cache folder) for a font
    that pack lacks: the house fonts are the same in every issue, so a new issue's first render
    need not parse them again (as TeX's format file holds its fonts' metrics)."""

    def __init__(self, path: Path | None, house: Path | None = None):
        self.path = path
        self.house = Shelf(house, MAGIC, _version(), HOUSE_LIMIT) if house is not None and path is not None else None
        # The font files' hashes by file version, on a shelf of their own beside the parsed fonts.
        self.hashes = (
            Shelf(house.with_name("font-hashes"), MAGIC, _version(), 1)
            if house is not None and self.house is not None
            else None
        )
        self.old: dict[str, dict] = self._read(path) if path else {}
        self.used: dict[str, dict] = {}
        self.fresh: list[str] = []  # fonts no pack had (parsed in this process)
        self.housed: set[str] = set()  # fonts the house shelf gave (the pack lacked them)
        self.parsed = 0
        self._known: dict[tuple, str] | None = None  # the font-hashes shelf's entry, once read
        self._noted: dict[tuple, str] = {}  # hashes this process made, for `save` to shelve

    def digest(self, path: Path, st: os.stat_result, data: bytes) -> str:
        """`font_key(data)`, for `data` read from `path` whose status before and after the read was
        `st`: from the house shelf when it knows this version of the file (device, inode, size,
        modification and change times: a rewrite changes the change time, which no one can set
        back), so the dozen files, 4 MB, need not be hashed each render. A hash is shelved only
        for a file last changed SETTLED_NS before it was made: a file rewritten within the same
        tick of the file system's clock would otherwise keep its old version's hash."""
        ver = (str(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        if self._known is None:
            got = self.hashes.get(DIGESTS) if self.hashes is not None else None
            self._known = got if isinstance(got, dict) else {}
        known = self._known.get(ver)
        if type(known) is str and len(known) == 40:
            return known
        made = font_key(data)
        if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > SETTLED_NS:
            self._noted[ver] = made
        return made

    def _read(self, path: Path) -> dict[str, dict]:
        return read_pack(path, MAGIC, _version())

    def face(self, path: Path, data: bytes, key: str | None = None) -> Any:
        """The parsed face of the font file at `path` whose bytes are `data`: ReportLab's, parsed
        (which imports ReportLab), or a ParsedFace rebuilt from the pack when these bytes were parsed
        before; raises what parsing raises. `key`: `font_key(data)`, if the caller has it."""
        key = key or font_key(data)
        entry = self.used.get(key) or self.old.get(key)
        if entry is None:
            entry = self._from_house(key)
            if entry is not None:
                self.housed.add(key)
        if entry is not None:
            try:
                face = _decode(entry, path, data)
            except Exception:  # a well-formed pack with the wrong shape inside: never trusted
                self.old.pop(key, None)
            else:
                self.used[key] = entry
                return face
        from reportlab.pdfbase.ttfonts import TTFontFace

        face = TTFontFace(str(path), validate=0)
        self.parsed += 1
        self.fresh.append(key)
        if self.path is not None:
            entry = _encode(face)
            try:
                marshal.dumps(entry)
            except ValueError:
                return face  # something not plain data: this font is simply not kept
            self.used[key] = entry
        return face

    def _from_house(self, key: str) -> dict | None:
        entry = self.house.get(key) if self.house is not None else None
        return entry if isinstance(entry, dict) else None

    def state(self) -> tuple:
        """What the pack `save` writes depends on (entries are only added)."""
        return (len(self.used), len(self.old))

    def _unchanged(self) -> bool:
        """Whether the issue's pack would hold nothing a render could not read as fast as it is: no
        font used (checked earlier in this process: `issue watch`), or every font used is in the pack
        already or on the house shelf. A new issue's fonts are nearly always the house's: writing them
        into its own pack too (a megabyte, 10 ms of marshalling) saved its next render nothing, which
        then read them from the pack instead of the shelf."""
        if self.path is None or not self.used or self.used.keys() == self.old.keys():
            return True
        return self.house is not None and all(k in self.old or k in self.housed for k in self.used)

    def staged(self, owner: int) -> tuple[str, int] | None:
        """In a helper process of this render (`owner`: its process): the pack `save` would write,
        written to a temporary for `save` to put in place (packs.stage_data), or None."""
        if self._unchanged() or self.path is None:
            return None
        try:
            return stage_data(self.path, pack_parts(MAGIC, _version(), self.used), owner)
        except ValueError:
            return None

    def save(self, made: object = None) -> None:
        """Write the entries this render used (atomically), and each font no pack had onto the house
        shelf (which keeps the latest HOUSE_LIMIT); a failure to write is not an error. `made`: what
        `staged` gave in another process of this render, from this very state: put in place."""
        if self.house is not None:
            for key in self.fresh:
                if key in self.used:
                    self.house.put(key, self.used[key])
            self.fresh = []
        if self.hashes is not None and self._noted:
            known = {**(self._known or {}), **self._noted}
            self.hashes.put(DIGESTS, known if len(known) <= MAX_DIGESTS else self._noted)
            self._known, self._noted = known, {}
        if self._unchanged():  # the pack, if any, is kept as it is
            return
        if made is not None and keep_staged(self.path, made):
            return
        write_pack(self.path, MAGIC, _version(), self.used)
