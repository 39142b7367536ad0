"""Words of set lines as a reader sees them, and where a run of them first begins.

Reads text items (set lines, in reading order); produces their words lower-cased and without
punctuation, a word broken at a line end with a hyphen joined again, each with the line it starts
on; and, for runs of words (a pull quote's opening), the line where each first begins. Used by the
pull-quote finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .frames import TextItem

_WORD = re.compile(r"[^\W_]+")


def norm(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def first_lines(words: Iterator[tuple[str, TextItem]], wants: list[list[str]]) -> list[TextItem | None]:
    """For each run of words in `wants`, the line where it first begins in `words` (None if it
    never does); reads no further than the last one found."""
    found: list[TextItem | None] = [None] * len(wants)
    left = set(range(len(wants)))
    seq: list[str] = []
    lines: list[TextItem] = []
    for w, ln in words:
        seq.append(w)
        lines.append(ln)
        for i in list(left):
            n = len(wants[i])
            if len(seq) >= n and seq[-n:] == wants[i]:
                found[i] = lines[-n]
                left.discard(i)
        if not left:
            break
    return found


def words_of_lines(lines: list[TextItem]) -> Iterator[tuple[str, TextItem]]:
    """Normalised words in reading order with the line each starts on; a word broken at a
    line end with a hyphen is joined again."""
    carry: tuple[str, TextItem] | None = None
    for it in lines:
        text = it.text
        ws = norm(text)
        if carry and ws:
            ws[0] = carry[0] + ws[0]
        start = 0
        if carry and ws:
            yield ws[0], carry[1]
            start = 1
        carry = None
        rest = [(w, it) for w in ws[start:]]
        if it.line.hyphenated and text.endswith("-") and rest:
            carry = rest.pop()
        yield from rest
    if carry:
        yield carry
