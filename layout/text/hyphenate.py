"""Hyphenation points from pyphen, under the house rules (minimum word length, no
capitalised words, letters kept on each side)."""

from __future__ import annotations

import hashlib
import marshal
import os
from pathlib import Path

import pyphen

from ..manifest.load import hyphen_language
from ..manifest.packs import Shelf
from ..manifest.stylesheet import TextSpec

_points_c = None  # Liang's pattern walk in C (layout/text/_items.c), when it is built
if os.environ.get("LAYOUT_PURE_PYTHON", "") in ("", "0"):
    try:
        from ._items import points as _points_c  # type: ignore[attr-defined,no-redef]
    except ImportError:
        _points_c = None

MAGIC = b"layout-hyphenation 2\n"
_house: list[Path | None] = [None]  # the house pack of parsed patterns, when the build keeps caches


def use_house(folder: Path | None) -> None:
    """Keep parsed hyphenation patterns on a shelf in `folder`/hyphenation/ (None: neither read nor
    write it). pyphen parses a dictionary's 11,000 patterns in about 50 ms; read back, they take 5."""
    _house[0] = folder / "hyphenation" if folder is not None else None


_DIGITS = bytes(range(10))  # a pattern's values: hyphenation levels 0-9
_SEP = b"\xff"  # between two patterns' values on the shelf (never a level)


def _packed(patterns: object) -> tuple[str, bytes, bytes] | None:
    """pyphen's patterns (pattern -> (offset, levels)) as the shelf keeps them, three flat values
    read back at C speed (a dict of 11,000 tuples took 5 ms to read and 4 more to check): the
    patterns joined by newlines, their offsets, and their levels separated by 0xFF; None for
    patterns that are not all plain (nonstandard hyphenation, a level outside 0-9)."""
    if not isinstance(patterns, dict) or not patterns:
        return None
    keys, offsets, levels = [], [], []
    for k, v in patterns.items():
        if not (type(k) is str and "\n" not in k and type(v) is tuple and len(v) == 2):
            return None
        off, vals = v
        if not (type(off) is int and 0 <= off < 256 and type(vals) is tuple):
            return None
        if not all(type(x) is int and 0 <= x <= 9 for x in vals):
            return None
        keys.append(k)
        offsets.append(off)
        levels.append(bytes(vals))
    return "\n".join(keys), bytes(offsets), _SEP.join(levels)


def _unpacked(entry: object) -> tuple[dict, int] | None:
    """(patterns, longest pattern) from a shelf entry, or None if it is not one `_packed` made.
    The levels come back as bytes, which pyphen reads as it reads tuples of ints (it only iterates
    them), so the points found are the same."""
    if not (isinstance(entry, tuple) and len(entry) == 4 and type(entry[3]) is int):
        return None
    keys, offsets, levels, maxlen = entry
    if not (type(keys) is str and type(offsets) is bytes and type(levels) is bytes and keys):
        return None
    names, vals = keys.split("\n"), levels.split(_SEP)
    if not (len(names) == len(offsets) == len(vals)) or levels.translate(None, _DIGITS + _SEP):
        return None
    return dict(zip(names, zip(offsets, vals, strict=True), strict=True)), maxlen


def _dictionary(lang: str) -> pyphen.Pyphen:
    """pyphen's dictionary for `lang`, its patterns from the house shelf when they were parsed before
    (by a hash of the file's bytes and pyphen's version), else parsed and put on the shelf."""
    folder = _house[0]
    path = pyphen.LANGUAGES[pyphen.language_fallback(lang)]
    if folder is None or path in pyphen.hdcache:
        return pyphen.Pyphen(lang=lang, left=1, right=1)
    try:
        key = hashlib.blake2b(Path(path).read_bytes(), digest_size=20).hexdigest()
    except OSError:
        return pyphen.Pyphen(lang=lang, left=1, right=1)
    shelf = Shelf(folder, MAGIC, repr((MAGIC, pyphen.__version__, marshal.version)), limit=32)
    got = _unpacked(shelf.get(key))
    if got is not None:
        hd = pyphen.HyphDict.__new__(pyphen.HyphDict)
        hd.patterns, hd.maxlen, hd.cache = got[0], got[1], {}
        pyphen.hdcache[path] = hd
        return pyphen.Pyphen(lang=lang, left=1, right=1)
    d = pyphen.Pyphen(lang=lang, left=1, right=1)
    packed = _packed(d.hd.patterns)  # patterns with nonstandard hyphenation are not plain data: not kept
    if packed is not None:
        shelf.put(key, (*packed, d.hd.maxlen))
    return d


class Hyphenator:
    _dicts: dict[str, pyphen.Pyphen] = {}

    def __init__(self, language: str, spec: TextSpec):
        self.lang = hyphen_language(language) or "en_US"
        self._dic: pyphen.Pyphen | None = None  # loaded on the first word (a cached render needs none)
        self.enabled = spec.hyphenate
        self.min_word = spec.hyphen_min_word
        self.left = spec.hyphen_min_left
        self.right = spec.hyphen_min_right
        self.capitalized = spec.hyphenate_capitalized is True
        self._cache: dict[str, tuple[int, ...]] = {}

    def points(self, word: str, capitalized: bool = False) -> tuple[int, ...]:
        """Offsets inside `word` (letters only) where a hyphen may break it; capitalised
        words only when the style allows them or the caller asks (`capitalized`)."""
        if not (self.capitalized or capitalized) and word[:1].isupper():
            return ()
        pts = self._cache.get(word)
        if pts is None:
            pts = self._cache[word] = self._points(word)
        return pts

    def preload(self) -> None:
        """Load the dictionary now (before forking a helper: loaded once for both processes)."""
        if self._dic is None and self.enabled:
            d = self._dicts.get(self.lang)
            if d is None:
                d = self._dicts[self.lang] = _dictionary(self.lang)
            self._dic = d

    def _points(self, word: str) -> tuple[int, ...]:
        if not self.enabled or len(word) < self.min_word or not word.isalpha():
            return ()
        n = len(word)
        if self._dic is None:
            self.preload()
        assert self._dic is not None
        return tuple(p for p in positions(self._dic, word) if self.left <= p <= n - self.right)


def positions(dic: pyphen.Pyphen, word: str) -> list[int]:
    """`dic.positions(word)` (the points pyphen finds at least one letter from either end) as ints:
    the pattern walk in C where it is built and the patterns are of a form it reads (24 µs a word in
    pyphen's Python, 6 in C)."""
    hd = dic.hd
    got = _points_c(f".{word.lower()}.", hd.patterns, hd.maxlen) if _points_c is not None else None
    if got is None:
        return dic.positions(word)
    last = len(word) - dic.right
    return [p for p in got if dic.left <= p <= last]
