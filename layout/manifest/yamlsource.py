"""YAML read with every value's position, and without YAML 1.1 surprises.

Plain scalars stay strings (so `no` is not False and `010` is not 8); the manifest
schema decides each field's type. Nulls (`~`, `null`, empty) become None. A document beyond the
limits (size, nesting depth, aliases, values once aliases are expanded) is refused at the place it
crosses them, and so is any value holding a character that cannot print.

The data is built straight from the parser's events (LibYAML's C parser when PyYAML has it: a
hostile 2 MB file is refused in about a second, not ten), with an explicit stack instead of
recursion, so no input can exhaust Python's stack.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .chars import bad_chars, position
from .errors import InvalidInput, Location, Problem

Path_ = tuple[str | int, ...]
_NULLS = {"", "~", "null", "Null", "NULL"}
# Limits: far beyond any real manifest or style sheet, far below what hangs the machine.
MAX_CHARS = 2_000_000
MAX_DEPTH = 32
MAX_ALIASES = 100
MAX_VALUES = 200_000


@dataclass
class SourceMap:
    """Where each value (and each mapping key) of a YAML document stands."""

    file: Path
    values: dict[Path_, Location] = field(default_factory=dict)
    keys: dict[Path_, Location] = field(default_factory=dict)

    def value(self, path: Path_) -> Location:
        """The location of the value at `path`, or of its nearest ancestor that exists."""
        p = tuple(path)
        while p not in self.values and p:
            p = p[:-1]
        return self.values.get(p, Location(self.file, 1, 1))

    def key(self, path: Path_) -> Location:
        return self.keys.get(tuple(path)) or self.value(path)


def _at(file: Path, mark: yaml.Mark) -> Location:
    return Location(file, mark.line + 1, mark.column + 1)


class _Limited(Exception):
    def __init__(self, message: str, mark: yaml.Mark):
        super().__init__(message)
        self.message, self.mark = message, mark


def _syntax_hint(problem: str, text: str, mark: yaml.Mark | None) -> str:
    """What usually causes the error the parser names."""
    if "mapping values are not allowed" in problem:
        return "; a value containing ': ' must be quoted, e.g. headline: \"Breaking: the news\""
    if "\\t" in problem or (mark is not None and text[mark.index : mark.index + 1] == "\t"):
        return "; indent with spaces, not tabs"
    if mark is not None and text[mark.index : mark.index + 1] in ("@", "`"):
        return "; a value starting with @ or ` must be quoted"
    return ""


def _parse(text: str):  # type: ignore[no-untyped-def]
    return yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def load(text: str, file: Path) -> tuple[Any, SourceMap]:
    """Parse one YAML document; raise InvalidInput naming the line on a syntax error or a
    document beyond the limits (size, nesting, aliases, values)."""
    smap = SourceMap(file)
    if len(text) > MAX_CHARS:
        msg = f"the file is {len(text):,} characters; the limit is {MAX_CHARS:,}"
        raise InvalidInput([Problem(msg, Location(file, 1, 1))])
    # The parser counts U+2028 and U+2029 as line breaks, where editors show none: as spaces, the
    # lines it reports are the editor's (and in a one-line field a line break is a space anyway).
    text = text.replace("\u2028", " ").replace("\u2029", " ")
    b = _Builder(text, file, smap)
    try:
        data = b.run(_parse(text))
    except _Limited as e:
        raise InvalidInput([Problem(e.message, _at(file, e.mark))]) from None
    except yaml.reader.ReaderError as e:
        # LibYAML gives a byte offset, PyYAML a character index
        pos = e.position
        if getattr(yaml, "CSafeLoader", None) is not None:
            pos = len(text.encode("utf-8")[: e.position].decode("utf-8", errors="ignore"))
        bad = e.character if isinstance(e.character, int) else ord(str(e.character)[:1] or "?")
        msg = f"character U+{bad:04X} is not allowed in YAML (a control character); delete it"
        raise InvalidInput([Problem(msg, Location(file, *position(text, pos)))]) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        loc = _at(file, mark) if mark else None
        problem = str(e.problem or e.context)
        msg = f"YAML syntax error: {problem}{_syntax_hint(problem, text, mark)}"
        raise InvalidInput([Problem(msg, loc)]) from None
    except yaml.YAMLError as e:
        raise InvalidInput([Problem(f"YAML error: {e}", Location(file, 1, 1))]) from None
    if b.problems:
        raise InvalidInput(b.problems)
    return data, smap


@dataclass
class _Frame:
    """A mapping or sequence being built."""

    value: Any  # dict or list
    path: Path_ | None  # None: built only to be thrown away (a bad key's value)
    anchor: str | None
    count: int = 1  # values inside, aliases expanded
    key: str | None = None  # a mapping's key waiting for its value
    skip_value: bool = False  # the waiting key was refused: drop its value
    awaiting_key: bool = True


class _Builder:
    """Plain data and positions from parser events. An alias is a copy of its anchor's value,
    counted at its full size, so the values built are bounded whatever the aliases multiply."""

    def __init__(self, text: str, file: Path, smap: SourceMap):
        self.text, self.file, self.smap = text, file, smap
        self.problems: list[Problem] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.total = 0
        self.aliases = 0
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.documents = 0

    def run(self, events) -> Any:  # type: ignore[no-untyped-def]
        for ev in events:
            if isinstance(ev, yaml.DocumentStartEvent):
                self.documents += 1
                if self.documents > 1:
                    raise _Limited("a second YAML document ('---'): a file holds one document", ev.start_mark)
            elif isinstance(ev, yaml.ScalarEvent):
                self._scalar(ev)
            elif isinstance(ev, yaml.AliasEvent):
                self._alias(ev)
            elif isinstance(ev, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                self._open(ev)
            elif isinstance(ev, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                frame = self.stack.pop()
                if frame.anchor:
                    self.anchors[frame.anchor] = (frame.value, frame.count)
                self._place(frame.value, frame.count, ev)
        return self.root

    def _count(self, n: int, mark: yaml.Mark, alias: bool = False) -> None:
        self.total += n
        if self.total > MAX_VALUES:
            if alias:
                raise _Limited(f"this alias takes the document past {MAX_VALUES:,} values; write the values out", mark)
            raise _Limited(f"the document holds more than {MAX_VALUES:,} values", mark)

    def _scalar(self, ev: yaml.ScalarEvent) -> None:
        self._count(1, ev.start_mark)
        self._check_chars(ev)
        f = self.stack[-1] if self.stack else None
        if f is not None and isinstance(f.value, dict) and f.awaiting_key:
            self._key(f, ev.value, ev)
            return
        plain = not ev.style  # '' from LibYAML, None from PyYAML
        value = None if plain and ev.value in _NULLS else ev.value
        if ev.anchor:
            self.anchors[ev.anchor] = (value, 1)
        self._place(value, 1, ev)

    def _alias(self, ev: yaml.AliasEvent) -> None:
        self.aliases += 1
        if self.aliases > MAX_ALIASES:
            raise _Limited(f"more than {MAX_ALIASES} YAML aliases (*name); write the values out", ev.start_mark)
        f = self.stack[-1] if self.stack else None
        if f is not None and isinstance(f.value, dict) and f.awaiting_key:
            self._refuse_key(f, "a key must be a plain name", ev)
            return
        if ev.anchor not in self.anchors:
            msg = f"unknown alias *{ev.anchor} (no &{ev.anchor} before it)"
            self.problems.append(Problem(msg, _at(self.file, ev.start_mark)))
            self._place(None, 1, ev)
            return
        value, size = self.anchors[ev.anchor]
        self._count(size, ev.start_mark, alias=True)  # before copying: the copy is what a bomb would cost
        self._place(copy.deepcopy(value), size, ev)

    def _open(self, ev: yaml.Event) -> None:
        self._count(1, ev.start_mark)
        if len(self.stack) >= MAX_DEPTH:
            raise _Limited(f"nested more than {MAX_DEPTH} levels deep", ev.start_mark)
        f = self.stack[-1] if self.stack else None
        if f is None:
            path: Path_ | None = ()
        elif isinstance(f.value, dict) and f.awaiting_key:
            self.problems.append(Problem("a key must be a plain name", _at(self.file, ev.start_mark)))
            path = None  # the key is built and thrown away when it closes (see _place), then its value
        else:
            path = self._child_path(f)
        if path is not None:
            self.smap.values[path] = _at(self.file, ev.start_mark)
        value: Any = {} if isinstance(ev, yaml.MappingStartEvent) else []
        self.stack.append(_Frame(value, path, ev.anchor))

    def _child_path(self, f: _Frame) -> Path_ | None:
        if f.path is None:
            return None
        if isinstance(f.value, list):
            return (*f.path, len(f.value))
        return None if f.skip_value else (*f.path, f.key)  # type: ignore[misc]

    def _place(self, value: Any, size: int, ev: yaml.Event) -> None:
        """Put a finished value where it belongs: the root, a list item, or a mapping's value."""
        leaf = isinstance(ev, yaml.ScalarEvent | yaml.AliasEvent)  # collections were located when opened
        if not self.stack:
            self.root = value
            if leaf:
                self.smap.values[()] = _at(self.file, ev.start_mark)
            return
        f = self.stack[-1]
        f.count += size
        if isinstance(f.value, dict) and f.awaiting_key:  # a collection used as a key, now closed
            f.awaiting_key, f.skip_value = False, True
            return
        path = self._child_path(f)
        if leaf and path is not None:
            self.smap.values[path] = _at(self.file, ev.start_mark)
        if isinstance(f.value, list):
            f.value.append(value)
            return
        if not f.skip_value:
            f.value[f.key] = value
        f.key, f.skip_value, f.awaiting_key = None, False, True

    def _refuse_key(self, f: _Frame, message: str, ev: yaml.Event) -> None:
        self.problems.append(Problem(message, _at(self.file, ev.start_mark)))
        f.awaiting_key, f.skip_value = False, True

    def _key(self, f: _Frame, key: str, ev: yaml.Event) -> None:
        where = _at(self.file, ev.start_mark)
        if key == "<<":
            self._refuse_key(f, "YAML merge keys (<<) are not supported", ev)
        elif key in f.value:
            first = self.smap.keys.get((*f.path, key)) if f.path is not None else None
            self._refuse_key(
                f, f"duplicate key '{key}'" + (f" (first given at line {first.line})" if first else ""), ev
            )
        else:
            f.key, f.awaiting_key = key, False
            if f.path is not None:
                self.smap.keys[(*f.path, key)] = where

    def _check_chars(self, ev: yaml.ScalarEvent) -> None:
        """A character that cannot print, located where it stands in the source (or at the value,
        when it came from an escape such as "\\x07")."""
        for b in bad_chars(ev.value, limit=3):
            i = self.text.find(b.char, ev.start_mark.index, ev.end_mark.index)
            loc = Location(self.file, *position(self.text, i)) if i >= 0 else _at(self.file, ev.start_mark)
            self.problems.append(
                Problem(f"{b.describe()} cannot be printed; delete it or type the character meant", loc)
            )
