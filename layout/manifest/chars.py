"""Characters that must never reach a page, and text files read with the bad byte located.

Reads text (a manifest value, an article body, a style sheet); produces the places of characters
that would print as an empty box or as nothing at all: control characters, private-use and
unassigned code points. U+2028 and U+2029 are taken as a line and a paragraph break instead.
`read_text` reads a UTF-8 file within a size limit and, when it is not UTF-8, names the line and
column of the first bad byte.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import InvalidInput, Location, Problem
from .files import read_at_most

_ALLOWED_CONTROLS = frozenset("\t\n\r")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BREAKS = {"\u2028": "\n", "\u2029": "\n\n"}  # line separator, paragraph separator


@dataclass(frozen=True, slots=True)
class BadChar:
    index: int  # in the text
    char: str
    reason: str

    def describe(self) -> str:
        name = unicodedata.name(self.char, "")
        shown = f"U+{ord(self.char):04X}" + (f" {name}" if name else "")
        return f"{self.reason} {shown}"


def _reason(ch: str) -> str | None:
    cat = unicodedata.category(ch)
    if cat == "Cc":
        return None if ch in _ALLOWED_CONTROLS else "control character"
    if cat == "Co":
        return "private-use character"
    if cat == "Cn":
        return "unassigned code point"
    if cat == "Cs":
        return "lone surrogate"
    return None


def bad_chars(text: str, limit: int = 5) -> list[BadChar]:
    """The first `limit` characters of `text` that cannot be printed (fast for plain ASCII text)."""
    if text.isascii() and not _ASCII_CONTROL.search(text):
        return []
    if text.replace("\n", "").replace("\t", "").replace("\r", "").isprintable():
        return []  # every character printable (C speed; str.translate is 10x slower on non-ASCII text)
    out = []
    for i, ch in enumerate(text):
        if ch.isprintable():
            continue
        r = _reason(ch)
        if r:
            out.append(BadChar(i, ch, r))
            if len(out) >= limit:
                break
    return out


def position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of `text[index]`."""
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


def char_problems(text: str, file: Path, what: str, where: Location | None = None, shown: str = "") -> list[Problem]:
    """A problem for each character of a text file (an article body) that cannot print: located in
    the file, or at `where` (the manifest line naming the file) with the file's line and column."""
    if where is not None:
        return [
            Problem(
                f"{what}: {shown or file.name}:{':'.join(map(str, position(text, b.index)))}: {b.describe()} "
                "cannot be printed; delete it or type the character meant",
                where,
            )
            for b in bad_chars(text)
        ]
    return [
        Problem(
            f"{what}: {b.describe()} cannot be printed; delete it or type the character meant",
            Location(file, *position(text, b.index)),
        )
        for b in bad_chars(text)
    ]


def take_breaks(text: str) -> str:
    """U+2028 as a line break and U+2029 as a paragraph break (Markdown's newline and blank line)."""
    if "\u2028" in text or "\u2029" in text:
        for k, v in BREAKS.items():
            text = text.replace(k, v)
    return text


def read_text(path: Path, limit: int, what: str, where: Location | None = None, shown: str = "") -> str:
    """A UTF-8 text file (a byte-order mark is allowed), refused beyond `limit` bytes, when it is
    not a regular file, or when it is not UTF-8: located at the bad byte, or at `where` (the
    manifest line that names the file) with the bad byte's line and column in the message."""
    try:
        if not path.is_file():
            raise InvalidInput([Problem(f"{what}: {path} is not a regular file", where or Location(path, 1, 1))])
        size = path.stat().st_size
        if size > limit:
            raise InvalidInput(
                [
                    Problem(
                        f"{what}: {path.name} is {size:,} bytes; the limit is {limit:,}", where or Location(path, 1, 1)
                    )
                ]
            )
        with path.open("rb") as f:
            data = read_at_most(f, size, limit)
    except OSError as e:
        raise InvalidInput(
            [Problem(f"{what}: cannot read {path}: {e.strerror or e}", where or Location(path, 1, 1))]
        ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        p = _decode_problem(data, e, path, what)
        if where is not None and p.location is not None:
            msg = p.message.replace(
                f"{what}: ", f"{what}: {shown or path.name}:{p.location.line}:{p.location.col}: ", 1
            )
            p = Problem(msg, where)
        raise InvalidInput([p]) from None


def _decode_problem(data: bytes, e: UnicodeDecodeError, path: Path, what: str) -> Problem:
    start = e.start
    line = data.count(b"\n", 0, start) + 1
    line_start = data.rfind(b"\n", 0, start) + 1
    col = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
    hint = ""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        hint = " (the file is UTF-16: save it as UTF-8)"
    elif any(0x80 <= b <= 0xFF for b in data[start : start + 1]):
        hint = " (perhaps Latin-1 or Windows-1252: save it as UTF-8)"
    return Problem(f"{what}: byte 0x{data[start]:02X} is not UTF-8 text{hint}", Location(path, line, col))
