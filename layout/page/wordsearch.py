"""Words of set lines as a reader sees them, and where a run of them first begins.

Reads text items (set lines, in reading order); produces their words lower-cased and without
punctuation, a word broken at a line end with a hyphen joined again, each with the line it starts
on; and, for runs of words (a pull quote's opening), the line where each first begins. Used by the
pull-quote finding.
"""

from __future__ import annotations

import re

from .frames import TextItem

_WORD = re.compile(r"[^\W_]+")


def norm(text: str) -> list[str]:
    if text.isascii():  # lower-casing ASCII changes no character's class: the whole line at once
        return _WORD.findall(text.lower())
    return [w.lower() for w in _WORD.findall(text)]


class _Runs:
    """The runs of words looked for, and the words read so far with the line each starts on."""

    def __init__(self, wants: list[list[str]]):
        self.wants = wants
        self.found: list[TextItem | None] = [None] * len(wants)
        self.left = set(range(len(wants)))
        self.ending: dict[str, list[int]] = {}  # the runs by their last word: only a word ending one is compared
        for i, want in enumerate(wants):
            if want:
                self.ending.setdefault(want[-1], []).append(i)
        self.seq: list[str] = []
        self.owner: list[TextItem] = []

    def read(self, words: list[str], owners: list[TextItem]) -> bool:
        """Words read in order (`owners`: the line each starts on); whether all runs are found."""
        k0 = len(self.seq)
        self.seq += words
        self.owner += owners
        if self.ending.keys().isdisjoint(words):
            return not self.left
        seq = self.seq
        for p in range(k0, len(seq)):
            for i in self.ending.get(seq[p], ()):
                n = len(self.wants[i])
                if i in self.left and p + 1 >= n and seq[p + 1 - n : p + 1] == self.wants[i]:
                    self.found[i] = self.owner[p + 1 - n]
                    self.left.discard(i)
        return not self.left


def first_lines(lines: list[TextItem], wants: list[list[str]]) -> list[TextItem | None]:
    """For each run of words in `wants`, the line of `lines` (in reading order) where it first
    begins, None if it never does; a word broken at a line end with a hyphen is joined again (and
    starts on the first line). Reads no further than the line where the last one is found."""
    runs = _Runs(wants)
    if not runs.left:
        return runs.found
    carry: tuple[str, TextItem] | None = None  # the first part of a word broken at the line end
    for it in lines:
        text = it.text
        ws = norm(text)
        owners = [it] * len(ws)
        if carry and ws:
            ws[0] = carry[0] + ws[0]
            owners[0] = carry[1]
        had_carry = carry is not None
        carry = None  # (a broken word followed by a line without words is lost, as it always was)
        if it.line.hyphenated and text.endswith("-") and len(ws) > (1 if had_carry else 0):
            carry = (ws.pop(), owners.pop())
        if ws and runs.read(ws, owners):
            return runs.found
    if carry:
        runs.read([carry[0]], [carry[1]])
    return runs.found
