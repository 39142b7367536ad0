"""Hyphenation points from pyphen, under the house rules (minimum word length, no
capitalised words, letters kept on each side)."""

from __future__ import annotations

import hashlib
import marshal
from pathlib import Path

import pyphen

from ..manifest.load import hyphen_language
from ..manifest.packs import Shelf
from ..manifest.stylesheet import TextSpec

MAGIC = b"layout-hyphenation 1\n"
_house: list[Path | None] = [None]  # the house pack of parsed patterns, when the build keeps caches


def use_house(folder: Path | None) -> None:
    """Keep parsed hyphenation patterns on a shelf in `folder`/hyphenation/ (None: neither read nor
    write it). pyphen parses a dictionary's 11,000 patterns in about 50 ms; read back, they take 5."""
    _house[0] = folder / "hyphenation" if folder is not None else None


def _patterns_ok(patterns: object) -> bool:
    """Patterns as pyphen's HyphDict holds them: pattern -> (offset, positive values)."""
    return isinstance(patterns, dict) and all(
        type(k) is str and type(v) is tuple and len(v) == 2 and type(v[0]) is int and type(v[1]) is tuple
        and all(type(x) is int for x in v[1])
        for k, v in patterns.items()
    )  # fmt: skip


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
    entry = shelf.get(key)
    if isinstance(entry, tuple) and len(entry) == 2 and type(entry[1]) is int and _patterns_ok(entry[0]):
        hd = pyphen.HyphDict.__new__(pyphen.HyphDict)
        hd.patterns, hd.maxlen, hd.cache = entry[0], entry[1], {}
        pyphen.hdcache[path] = hd
        return pyphen.Pyphen(lang=lang, left=1, right=1)
    d = pyphen.Pyphen(lang=lang, left=1, right=1)
    if _patterns_ok(d.hd.patterns):  # patterns with nonstandard hyphenation are not plain data: not kept
        shelf.put(key, (d.hd.patterns, d.hd.maxlen))
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
        return tuple(p for p in self._dic.positions(word) if self.left <= p <= n - self.right)
