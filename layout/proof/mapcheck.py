"""The shape of a proof map read back from a PDF, checked before `notes`, `diff` or `--patch`
trust it: a proof is a file anyone can edit, so its embedded JSON may be damaged or hostile
(wrong types, missing keys, pages the map does not have, a source path leading out of the
issue folder). Reads the decoded JSON; returns it unchanged or raises ValueError naming the
first thing wrong (the commands report that as invalid input, exit 2)."""

from __future__ import annotations

import math
from pathlib import PurePosixPath, PureWindowsPath

MAX_BYTES = 64 * 1024 * 1024  # a 100-page issue's map is a few MB; more is not ours


def _fail(where: str, what: str) -> None:
    raise ValueError(f"the proof map is damaged: {where}: {what}")


def _num(v: object, where: str) -> None:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        _fail(where, "expected a number")


def _int(v: object, where: str, least: int = 0) -> None:
    if isinstance(v, bool) or not isinstance(v, int) or v < least:
        _fail(where, f"expected a whole number of at least {least}")


def _str(v: object, where: str) -> None:
    if not isinstance(v, str):
        _fail(where, "expected text")


def _list(v: object, where: str) -> list:
    if not isinstance(v, list):
        _fail(where, "expected a list")
    return v  # type: ignore[return-value]


def _dict(v: object, where: str) -> dict:
    if not isinstance(v, dict):
        _fail(where, "expected an object")
    return v  # type: ignore[return-value]


def _box(v: object, where: str) -> None:
    if len(_list(v, where)) != 4:
        _fail(where, "expected 4 numbers")
    for x in v:  # type: ignore[union-attr]
        _num(x, where)


def _line(ln: object, where: str, stories: dict) -> None:
    ln = _dict(ln, where)
    for key in ("story", "role", "text"):
        _str(ln.get(key), f"{where}.{key}")
    if ln["story"] not in stories:
        _fail(f"{where}.story", f"{ln['story']!r} is not one of the map's stories")
    _box(ln.get("box"), f"{where}.box")
    _int(ln.get("w0"), f"{where}.w0")
    for k, w in enumerate(_list(ln.get("words"), f"{where}.words")):
        if len(_list(w, f"{where}.words[{k}]")) != 2:
            _fail(f"{where}.words[{k}]", "expected 2 numbers")
        for x in w:
            _num(x, f"{where}.words[{k}]")


def _page(p: object, where: str, stories: dict) -> None:
    p = _dict(p, where)
    _int(p.get("number"), f"{where}.number", 1)
    _num(p.get("width"), f"{where}.width")
    _num(p.get("height"), f"{where}.height")
    _str(p.get("fingerprint"), f"{where}.fingerprint")
    for k, b in enumerate(_list(p.get("boxes"), f"{where}.boxes")):
        b = _dict(b, f"{where}.boxes[{k}]")
        _str(b.get("story"), f"{where}.boxes[{k}].story")
        _box(b.get("box"), f"{where}.boxes[{k}].box")
    for k, ln in enumerate(_list(p.get("lines"), f"{where}.lines")):
        _line(ln, f"{where}.lines[{k}]", stories)


def _source(v: object, where: str) -> None:
    """A story's source: a path inside the issue folder (never absolute, never up and out)."""
    if v is None:
        return
    _str(v, where)
    for path in (PurePosixPath(v), PureWindowsPath(v)):  # type: ignore[arg-type]
        if path.is_absolute() or path.drive or ".." in path.parts:
            _fail(where, f"{v!r} leads out of the issue folder")


def check_map(data: object) -> dict:
    """`data` if it has the shape `build_map` writes; ValueError otherwise."""
    m = _dict(data, "the map")
    stories = _dict(m.get("stories"), "stories")
    for sid, s in stories.items():
        s = _dict(s, f"stories.{sid}")
        _str(s.get("text"), f"stories.{sid}.text")
        _source(s.get("source"), f"stories.{sid}.source")
    pages = _list(m.get("pages"), "pages")
    _int(m.get("edition_pages"), "edition_pages")
    if m["edition_pages"] > len(pages):
        _fail("edition_pages", f"{m['edition_pages']} but the map has {len(pages)} pages")
    for k, p in enumerate(pages):
        _page(p, f"pages[{k}]", stories)
    files = _dict(_dict(m.get("inputs"), "inputs").get("files"), "inputs.files")
    for k, v in files.items():
        _str(v, f"inputs.files.{k}")
    if not isinstance(m.get("folder", ""), str):
        _fail("folder", "expected text")
    return m
