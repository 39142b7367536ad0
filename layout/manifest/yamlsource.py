"""YAML read with every value's position, and without YAML 1.1 surprises.

Plain scalars stay strings (so `no` is not False and `010` is not 8); the manifest
schema decides each field's type. Nulls (`~`, `null`, empty) become None. A document beyond the
limits (size, nesting depth, aliases, values once aliases are expanded) is refused at the place it
crosses them, and so is any value holding a character that cannot print.
"""

from __future__ import annotations

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


def _loc(file: Path, node: yaml.Node) -> Location:
    return Location(file, node.start_mark.line + 1, node.start_mark.column + 1)


class _Limited(Exception):
    def __init__(self, message: str, mark: yaml.Mark):
        super().__init__(message)
        self.message, self.mark = message, mark


class _Loader(yaml.SafeLoader):
    """PyYAML's safe composer, counting nesting and aliases as it goes: a hostile document is refused
    at the first node beyond the limit, before anything is expanded."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.depth = 0
        self.aliases = 0
        self.expanded = 0  # values the document holds once every alias is written out
        self.sizes: dict[int, int] = {}

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            ev = self.peek_event()
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise _Limited(f"more than {MAX_ALIASES} YAML aliases (*name); write the values out", ev.start_mark)
            if ev.anchor in self.anchors:
                self.expanded += self._size(self.anchors[ev.anchor])
                if self.expanded > MAX_VALUES:
                    msg = f"this alias takes the document past {MAX_VALUES:,} values; write the values out"
                    raise _Limited(msg, ev.start_mark)
        else:
            self.expanded += 1
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _Limited(f"nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def _size(self, node: yaml.Node) -> int:
        """Values in `node` with its aliases written out (memoised: linear in the document)."""
        n = self.sizes.get(id(node))
        if n is None:
            if isinstance(node, yaml.SequenceNode):
                n = 1 + sum(self._size(c) for c in node.value)
            elif isinstance(node, yaml.MappingNode):
                n = 1 + sum(self._size(k) + self._size(v) for k, v in node.value)
            else:
                n = 1
            self.sizes[id(node)] = n
        return n


def _compose(text: str) -> yaml.Node | None:
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _syntax_hint(problem: str, text: str, mark: yaml.Mark | None) -> str:
    """What usually causes the error PyYAML names."""
    if "mapping values are not allowed" in problem:
        return "; a value containing ': ' must be quoted, e.g. headline: \"Breaking: the news\""
    if "\\t" in problem or (mark is not None and text[mark.index : mark.index + 1] == "\t"):
        return "; indent with spaces, not tabs"
    if "found character '@'" in problem or "found character '`'" in problem:
        return "; a value starting with @ or ` must be quoted"
    return ""


def load(text: str, file: Path) -> tuple[Any, SourceMap]:
    """Parse one YAML document; raise InvalidInput naming the line on a syntax error or a
    document beyond the limits (size, nesting, aliases, values)."""
    smap = SourceMap(file)
    if len(text) > MAX_CHARS:
        msg = f"the file is {len(text):,} characters; the limit is {MAX_CHARS:,}"
        raise InvalidInput([Problem(msg, Location(file, 1, 1))])
    # PyYAML counts U+2028 and U+2029 as line breaks, where editors show none: as spaces, the
    # lines it reports are the editor's (and in a one-line field a line break is a space anyway).
    text = text.replace("\u2028", " ").replace("\u2029", " ")
    try:
        root = _compose(text)
    except _Limited as e:
        raise InvalidInput([Problem(e.message, Location(file, e.mark.line + 1, e.mark.column + 1))]) from None
    except yaml.reader.ReaderError as e:
        bad = chr(e.character) if isinstance(e.character, int) else str(e.character)
        line = text.count("\n", 0, e.position) + 1
        col = e.position - (text.rfind("\n", 0, e.position) + 1) + 1
        msg = f"character U+{ord(bad[:1] or '?'):04X} is not allowed in YAML (a control character); delete it"
        raise InvalidInput([Problem(msg, Location(file, line, col))]) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        loc = Location(file, mark.line + 1, mark.column + 1) if mark else None
        problem = str(e.problem or e.context)
        msg = f"YAML syntax error: {problem}{_syntax_hint(problem, text, mark)}"
        raise InvalidInput([Problem(msg, loc)]) from None
    except yaml.YAMLError as e:
        raise InvalidInput([Problem(f"YAML error: {e}", Location(file, 1, 1))]) from None
    if root is None:
        return None, smap
    b = _Builder(text, file, smap)
    try:
        data = b.build(root, ())
    except _Limited as e:
        raise InvalidInput([Problem(e.message, Location(file, e.mark.line + 1, e.mark.column + 1))]) from None
    if b.problems:
        raise InvalidInput(b.problems)
    return data, smap


class _Builder:
    """Plain data from the node graph, recording positions; an alias is expanded (it names a node
    already built), so the count of values built is bounded to stop an alias bomb."""

    def __init__(self, text: str, file: Path, smap: SourceMap):
        self.text, self.file, self.smap = text, file, smap
        self.problems: list[Problem] = []
        self.count = 0

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise _Limited(f"more than {MAX_VALUES:,} values (aliases expand to too much)", node.start_mark)
        self.smap.values[path] = _loc(self.file, node)
        if isinstance(node, yaml.ScalarNode):
            self._check_chars(node)
            if node.style is None and node.value in _NULLS:
                return None
            return node.value
        if isinstance(node, yaml.SequenceNode):
            return [self.build(n, (*path, i)) for i, n in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        return None

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode):
                self.problems.append(Problem("a key must be a plain name", _loc(self.file, knode)))
                continue
            key = knode.value
            if key == "<<":
                self.problems.append(Problem("YAML merge keys (<<) are not supported", _loc(self.file, knode)))
                continue
            if key in out:
                first = self.smap.keys[(*path, key)]
                msg = f"duplicate key '{key}' (first given at line {first.line})"
                self.problems.append(Problem(msg, _loc(self.file, knode)))
                continue
            self._check_chars(knode)
            self.smap.keys[(*path, key)] = _loc(self.file, knode)
            out[key] = self.build(vnode, (*path, key))
        return out

    def _check_chars(self, node: yaml.ScalarNode) -> None:
        """A character that cannot print, located where it stands in the source (or at the value,
        when it came from an escape such as "\\x07")."""
        for b in bad_chars(node.value, limit=3):
            i = self.text.find(b.char, node.start_mark.index, node.end_mark.index)
            loc = Location(self.file, *position(self.text, i)) if i >= 0 else _loc(self.file, node)
            self.problems.append(
                Problem(f"{b.describe()} cannot be printed; delete it or type the character meant", loc)
            )
