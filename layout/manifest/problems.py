"""Pydantic validation errors turned into located problems with plain-language expectations.

Reads a `ValidationError` and the YAML source map; produces `Problem`s that name the field, what was
expected and, for a misspelt key, the field that was probably meant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import yamlsource
from .errors import Problem

if TYPE_CHECKING:  # pydantic is imported only when a manifest or style sheet is invalid
    from pydantic import BaseModel, ValidationError


def _expected(err: dict[str, Any]) -> str:
    t = err["type"]
    msg = err["msg"]
    if t == "missing":
        return "is required"
    if t in ("int_parsing", "int_type"):
        return f"expected a whole number, got {err.get('input')!r}"
    if t in ("float_parsing", "float_type"):
        return f"expected a number, got {err.get('input')!r}"
    if t in ("bool_parsing", "bool_type"):
        return f"expected true or false, got {err.get('input')!r}"
    if t in ("string_type",):
        return f"expected text, got {type(err.get('input')).__name__}"
    if t in ("list_type",):
        return "expected a list (lines starting with '- ')"
    if t in ("dict_type", "model_type", "model_attributes_type"):
        return "expected a mapping of fields (key: value lines)"
    if t == "literal_error":
        return f"{msg.lower()}, got {err.get('input')!r}"
    if t == "value_error":
        return msg.removeprefix("Value error, ")
    if t in ("too_long", "string_too_long"):
        return f"{msg.lower()}; the limit keeps a runaway file from hanging the render"
    if t in ("greater_than_equal", "less_than_equal", "greater_than", "less_than", "too_short"):
        return f"{msg.lower()}, got {err.get('input')!r}"
    if t.startswith("date"):
        return f"expected a date as YYYY-MM-DD, got {err.get('input')!r}"
    return msg


def fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names valid at `loc` (the mapping that holds the bad key)."""
    from typing import get_origin

    from pydantic import BaseModel

    cur: Any = model
    in_dict = False
    for part in loc:
        if isinstance(part, int):
            continue
        if in_dict:  # a key of a dict such as articles: the id, not a field
            in_dict = False
            continue
        if not (isinstance(cur, type) and issubclass(cur, BaseModel)):
            return []
        f = _field(cur, str(part))
        if f is None:
            return []
        in_dict = get_origin(f.annotation) is dict
        cur = _inner_model(f.annotation)
    if isinstance(cur, type) and issubclass(cur, BaseModel):
        return [f.alias or name for name, f in cur.model_fields.items()]
    return []


def _field(model: type[BaseModel], key: str) -> Any:
    """A field by its manifest key (its alias where it has one, such as `print`)."""
    for name, f in model.model_fields.items():
        if (f.alias or name) == key:
            return f
    return None


def _inner_model(ann: Any) -> Any:
    from typing import get_args, get_origin

    from pydantic import BaseModel

    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    origin = get_origin(ann)
    args = get_args(ann)
    if origin is dict:
        return _inner_model(args[1])
    for a in args:
        m = _inner_model(a)
        if m is not None:
            return m
    return None


def path_name(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def pydantic_problems(e: ValidationError, smap: yamlsource.SourceMap, model: type[BaseModel]) -> list[Problem]:
    problems = []
    for err in e.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        # pydantic adds a function name to loc for some validators; drop non-path parts
        loc = tuple(p for p in loc if p not in ("function-before[_margins(), Margins]",))
        name = path_name(loc)
        if err["type"] == "extra_forbidden":
            key = str(loc[-1])
            fields = fields_at(model, loc[:-1])
            import difflib  # for a hint only: a valid issue never needs it

            near = difflib.get_close_matches(key, fields, n=1, cutoff=0.6)
            hint = (
                f"; did you mean '{near[0]}'?"
                if near
                else (f"; expected one of: {', '.join(fields)}" if fields else "")
            )
            problems.append(
                Problem(f"unknown field '{key}' in {path_name(loc[:-1]) or 'the manifest'}{hint}", smap.key(loc))
            )
        elif err["type"] == "missing":
            parent = path_name(loc[:-1]) or "the manifest"
            problems.append(Problem(f"{parent}: field '{loc[-1]}' is required", smap.key(loc[:-1])))
        elif err["type"] == "too_long":  # a list or mapping too long: the key that holds it
            problems.append(Problem(f"{name}: {_expected(err)}", smap.key(loc)))
        else:
            problems.append(Problem(f"{name}: {_expected(err)}", smap.value(loc)))
    return problems
