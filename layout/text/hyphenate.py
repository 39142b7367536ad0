"""Hyphenation points from pyphen, under the house rules (minimum word length, no
capitalised words, letters kept on each side)."""

from __future__ import annotations

import pyphen

from ..manifest.load import hyphen_language
from ..manifest.stylesheet import TextSpec


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
                d = self._dicts[self.lang] = pyphen.Pyphen(lang=self.lang, left=1, right=1)
            self._dic = d

    def _points(self, word: str) -> tuple[int, ...]:
        if not self.enabled or len(word) < self.min_word or not word.isalpha():
            return ()
        n = len(word)
        if self._dic is None:
            self.preload()
        assert self._dic is not None
        return tuple(p for p in self._dic.positions(word) if self.left <= p <= n - self.right)
