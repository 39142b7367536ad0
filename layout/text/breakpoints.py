"""Where a word may break: after a hyphen or dash, at its hyphenation points, inside a URL or a long
token, and (for a word longer than the line) anywhere between two letters.

Reads a word, the hyphenator and the house penalty for a hyphen; produces (offset, kind, flagged,
penalty) break opportunities for items.py, which cuts the word into fragments there.
"""

from __future__ import annotations

import re

from .hyphenate import Hyphenator
from .linebreak import HYPH, JOIN

_URLISH = re.compile(r"(://|^www\.|\w/\w|@\w+\.|\w\.(com|org|net|edu|gov|info|io)\b)")
LONG_TOKEN = 16  # characters: a token this long with / . or ? inside breaks there (and at -), as a URL does
ANYWHERE_PENALTY = 200.0  # a break between any two letters of a word longer than the line
_JOINERS = re.compile("[-\u2010\u2013\u2014/]")  # characters a word may break after


def breaks_in(
    word: str, hyph: Hyphenator, penalty: float, hyphenate: bool, capitalized: bool, anywhere: bool = False
) -> list[tuple[int, int, bool, float]]:
    """(offset, kind, flagged, penalty) break opportunities inside a word. `anywhere`: the
    word is longer than the line, so it may break at its hyphenation points whatever the
    house rules, and at last between any two characters."""
    if anywhere:
        return _breaks_anywhere(word, hyph, penalty, hyphenate, capitalized)
    out: list[tuple[int, int, bool, float]] = []
    n = len(word)
    # (every form _URLISH finds holds a slash, an at sign or a full stop: most words hold none)
    if (("/" in word or "." in word or "@" in word) and _URLISH.search(word)) or (
        n >= LONG_TOKEN and re.search(r"\w[/.?]\w", word)
    ):
        # A URL or a long token: after a slash, before a dot, hyphen, question mark or the
        # like, with no hyphen added (a hyphen would read as part of the address).
        for i in range(2, n - 1):
            if (word[i - 1] == "/" and word[i] != "/") or (word[i] in ".-_?&=#" and word[i - 1] not in "/.-"):
                out.append((i, JOIN, False, 100.0))
        return out
    for i, ch in enumerate(word[:-1] if _JOINERS.search(word) else ""):  # most words have none
        if ch in "-\u2010" and i > 0 and word[i - 1].isalnum() and word[i + 1].isalnum():
            out.append((i + 1, JOIN, True, penalty))
        elif ch in "\u2013\u2014/" and i > 0 and i + 1 < n - 1:
            out.append((i + 1, JOIN, False, 50.0))
    if out or not hyphenate:
        return out
    # Letters only: strip leading and trailing punctuation, hyphenate the core.
    a = 0
    while a < n and not word[a].isalpha():
        a += 1
    b = n
    while b > a and not word[b - 1].isalpha():
        b -= 1
    core = word[a:b]
    for p in hyph.points(core, capitalized):
        out.append((a + p, HYPH, True, penalty))
    return out


def _breaks_anywhere(
    word: str, hyph: Hyphenator, penalty: float, hyphenate: bool, capitalized: bool
) -> list[tuple[int, int, bool, float]]:
    """Breaks in a word longer than the line. Its hyphens are forced, so they are not
    flagged: they count neither towards the limit of hyphens in a row nor against a
    hyphen on the last full line."""
    urlish = bool(_URLISH.search(word)) or "/" in word
    found = {b[0]: b for b in breaks_in(word, hyph, penalty, hyphenate, capitalized)}
    if not urlish:
        a = 0
        while a < len(word) and not word[a].isalpha():
            a += 1
        core = re.match(r"[^\W\d_]*", word[a:])
        for p in hyph.points(core.group(0) if core else "", True):
            found[a + p] = (a + p, HYPH, False, penalty)
    for i in range(2, len(word) - 1):
        if word[i - 1].isalnum() and word[i].isalnum():
            found.setdefault(i, (i, JOIN if urlish else HYPH, False, ANYWHERE_PENALTY))
    return [found[k] for k in sorted(found)]
