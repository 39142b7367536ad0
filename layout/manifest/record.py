"""Plain records: the validated values of the manifest and the style sheet, without pydantic.

Reads nothing; produces the `Record` base class that `model.py` and `stylemodel.py` build their
records on, with the few methods of pydantic's models the later phases use (`model_dump_json` for
cache keys, `model_copy`, `model_dump`, `model_fields_set`, `model_construct`), each giving what the
pydantic model gave for the same values (the JSON byte for byte), and `from_model`, which turns a
pydantic model (the slow, error-reporting validation in `schema.py`) into the same records.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

_PLAIN = re.compile(r'[^"\\\x00-\x1f]*')  # text JSON writes as it is, between quotes


class Make:
    """A default made afresh for each record (a list, a dict, a nested record), never shared."""

    __slots__ = ("make",)

    def __init__(self, make: Any):
        self.make = make


class Record:
    """Fields are the class's annotations, in order; a class attribute is the field's default."""

    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}
    _floats: ClassVar[frozenset[str]] = frozenset()  # written as floats even when holding an int
    _set: frozenset[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        notes = cls.__dict__.get("__annotations__", {})
        cls._fields = tuple(n for n in notes if not n.startswith("_"))
        cls._floats = frozenset(n for n in cls._fields if notes[n] in ("float", "float | None"))
        cls._defaults = {}
        for n in cls._fields:
            if n in cls.__dict__:
                cls._defaults[n] = cls.__dict__[n]
                delattr(cls, n)  # an instance always holds its own value

    def __init__(self, **values: Any):
        extra = values.keys() - set(self._fields)
        if extra:
            raise TypeError(f"{type(self).__name__} has no field {sorted(extra)[0]!r}")
        d = self.__dict__
        for n in self._fields:
            if n in values:
                d[n] = values[n]
            elif n in self._defaults:
                v = self._defaults[n]
                d[n] = v.make() if isinstance(v, Make) else v
            else:
                raise TypeError(f"{type(self).__name__}: field {n!r} is required")
        d["_set"] = frozenset(values)

    @classmethod
    def model_construct(cls, **values: Any) -> Any:
        return cls(**values)

    @property
    def model_fields_set(self) -> set[str]:
        """The fields the input gave (the rest took their defaults)."""
        return set(self._set)

    def model_copy(self, update: dict[str, Any] | None = None) -> Any:
        """A shallow copy with `update`'s fields replaced (as pydantic's `model_copy`)."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        if update:
            new.__dict__.update(update)
            new.__dict__["_set"] = self._set | update.keys()
        return new

    def model_dump(self) -> dict[str, Any]:
        """The fields as a dict, nested records as dicts (tuples stay tuples, dates dates)."""
        return {n: _dump(self.__dict__[n]) for n in self._fields}

    def model_dump_json(self) -> str:
        """Compact JSON, field by field in order: the same text as pydantic's `model_dump_json`."""
        return _json(self)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(self.__dict__[n] == other.__dict__[n] for n in self._fields)

    __hash__ = None  # type: ignore[assignment]  # mutable, as pydantic's models

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{n}={self.__dict__[n]!r}' for n in self._fields)})"


def build(cls: type[Record], values: dict[str, Any]) -> Any:
    """A record from checked `values` (the fields the input gave); the others take their defaults."""
    new = object.__new__(cls)
    d = new.__dict__
    for n in cls._fields:
        if n in values:
            d[n] = values[n]
        else:
            v = cls._defaults[n]
            d[n] = v.make() if isinstance(v, Make) else v
    d["_set"] = frozenset(values)
    return new


def from_model(m: Any, kinds: dict[str, type[Record]]) -> Any:
    """The records for a pydantic model's values (`kinds`: record class by model class name)."""
    if isinstance(m, list):
        return [from_model(x, kinds) for x in m]
    if isinstance(m, dict):
        return {k: from_model(x, kinds) for k, x in m.items()}
    if isinstance(m, tuple):
        return tuple(from_model(x, kinds) for x in m)
    cls = kinds.get(type(m).__name__) if hasattr(m, "model_fields_set") else None
    if cls is None:
        return m
    new = object.__new__(cls)
    for n in cls._fields:
        new.__dict__[n] = from_model(getattr(m, n), kinds)
    new.__dict__["_set"] = frozenset(m.model_fields_set)
    return new


def _dump(v: Any) -> Any:
    if isinstance(v, Record):
        return v.model_dump()
    if isinstance(v, list):
        return [_dump(x) for x in v]
    if isinstance(v, dict):
        return {k: _dump(x) for k, x in v.items()}
    if isinstance(v, tuple):
        return tuple(_dump(x) for x in v)
    return v


def _float(v: float) -> str:
    """A float as pydantic writes it: Python's shortest repr, but 1e-7 for 1e-07, and from 1e-5 to
    1e-4 as a decimal (0.00001); infinities and NaN as null."""
    if v != v or v in (float("inf"), float("-inf")):
        return "null"
    r = repr(v)
    if "e-" not in r:
        return r
    mant, exp = r.split("e")
    if exp == "-05":
        sign = "-" if mant.startswith("-") else ""
        return f"{sign}0.0000{mant.lstrip('-').replace('.', '')}"
    return f"{mant}e{int(exp)}"


def _str(v: str) -> str:
    if _PLAIN.fullmatch(v):
        return f'"{v}"'
    import json  # for an escape only (a render need not import json)

    return json.dumps(v, ensure_ascii=False)


def _record(v: Record) -> str:
    """Field by field; pydantic writes by the field's type: 240 in a float field as 240.0."""
    d, floats = v.__dict__, v._floats
    parts = []
    for n in v._fields:
        x = d[n]
        if n in floats and type(x) is int:
            x = float(x)
        w = _WRITE.get(type(x))
        parts.append(f'"{n}":{w(x) if w else _json(x)}')
    return "{" + ",".join(parts) + "}"


def _json(v: Any) -> str:
    w = _WRITE.get(type(v))
    if w is not None:
        return w(v)
    if isinstance(v, Record):
        return _record(v)
    raise TypeError(f"no JSON for {type(v).__name__}")


_WRITE: dict[type, Any] = {
    str: _str,
    type(None): lambda v: "null",
    bool: lambda v: "true" if v else "false",
    int: str,
    float: _float,
    list: lambda v: "[" + ",".join([_json(x) for x in v]) + "]",
    tuple: lambda v: "[" + ",".join([_json(x) for x in v]) + "]",
    dict: lambda v: (
        "{" + ",".join([f"{_json(k if type(k) is str else str(k))}:{_json(x)}" for k, x in v.items()]) + "}"
    ),
    dt.date: lambda v: f'"{v.isoformat()}"',
}
