"""YAML read with every value's position, and without YAML 1.1 surprises.

Plain scalars stay strings (so `no` is not False and `010` is not 8); the manifest
schema decides each field's type. Nulls (`~`, `null`, empty) become None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import InvalidInput, Location, Problem

Path_ = tuple[str | int, ...]
_NULLS = {"", "~", "null", "Null", "NULL"}
# libyaml's parser where PyYAML was built with it (several times faster); the same nodes and marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


def load(text: str, file: Path) -> tuple[Any, SourceMap]:
    """Parse one YAML document; raise InvalidInput naming the line on a syntax error."""
    smap = SourceMap(file)
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        loc = Location(file, mark.line + 1, mark.column + 1) if mark else None
        msg = f"YAML syntax error: {e.problem or e.context}"
        raise InvalidInput([Problem(msg, loc)]) from None
    except yaml.YAMLError as e:
        raise InvalidInput([Problem(f"YAML error: {e}", Location(file, 1, 1))]) from None
    if root is None:
        return None, smap
    problems: list[Problem] = []
    data = _build(root, (), file, smap, problems)
    if problems:
        raise InvalidInput(problems)
    return data, smap


def _build(node: yaml.Node, path: Path_, file: Path, smap: SourceMap, problems: list[Problem]):
    smap.values[path] = _loc(file, node)
    if isinstance(node, yaml.ScalarNode):
        if node.style is None and node.value in _NULLS:
            return None
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_build(n, (*path, i), file, smap, problems) for i, n in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode):
                problems.append(Problem("a key must be a plain name", _loc(file, knode)))
                continue
            key = knode.value
            if key == "<<":
                problems.append(Problem("YAML merge keys (<<) are not supported", _loc(file, knode)))
                continue
            if key in out:
                first = smap.keys[(*path, key)]
                msg = f"duplicate key '{key}' (first given at line {first.line})"
                problems.append(Problem(msg, _loc(file, knode)))
                continue
            smap.keys[(*path, key)] = _loc(file, knode)
            out[key] = _build(vnode, (*path, key), file, smap, problems)
        return out
    return None
