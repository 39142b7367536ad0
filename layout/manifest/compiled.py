"""Start-up work kept between runs: compiled regular expressions and dataclasses' generated methods.

Importing what a render needs compiles about 130 regular expressions (PyYAML's reader alone takes
6 ms) and makes the methods of about 40 dataclasses (Python writes their source and compiles it):
25-30 ms of every cold render, spent before a second process can share any work. Both results
depend only on the pattern or source text and on the interpreter, so they are kept, as Python keeps
modules' bytecode, on a house shelf ($XDG_CACHE_HOME/layout/compiled/, signed with the packs' key,
fingerprinted by the interpreter's version and bytecode and regex-engine numbers) and handed back to
the next process instead of being made again.

A pattern is kept only as the regex engine's own arguments captured while `re` compiled it, and only
if compiling from them gives a pattern equal to `re`'s (the same code, flags and text); a method's
code is compiled exactly as `dataclasses` would have it compiled (no inherited future flags). A
missing, damaged or foreign shelf just means compiling as usual.
"""

from __future__ import annotations

import builtins
import hashlib
import sys
from pathlib import Path
from types import CodeType
from typing import Any

from .packs import Shelf

MAGIC = b"layout-compiled 1\n"
LIMIT = 4096  # entries of each kind a shelf keeps: a run's own needs, far below it, always fit
# New entries a run must have made for the shelf to be written again. Some libraries build a pattern
# from a set, whose order changes with each process's string hashing: such a pattern is new every
# run, and is compiled as usual rather than rewriting the shelf each time.
NEW_ENOUGH = 8


class _Kept:
    """The shelf's entries, those this run used and those it made."""

    def __init__(self, folder: Path, patterns: dict, sources: dict):
        self.folder = folder
        self.patterns, self.sources = patterns, sources
        self.new_patterns: dict = {}
        self.new_sources: dict = {}
        self.used_patterns: set = set()
        self.used_sources: set = set()


_kept: list[_Kept] = []  # one, once installed


def _fingerprint() -> tuple:
    import _sre
    from importlib.util import MAGIC_NUMBER

    return (sys.version, sys.implementation.cache_tag, MAGIC_NUMBER, _sre.MAGIC, _sre.CODESIZE)


def _shelf(folder: Path) -> tuple[Shelf, str]:
    fp = _fingerprint()
    return Shelf(folder, MAGIC, fp, limit=4), hashlib.blake2b(repr(fp).encode(), digest_size=12).hexdigest()


def _valid(entry: object) -> tuple[dict, dict]:
    """(patterns, sources) from a shelf entry, or empty ones if it is not of that shape."""
    if not (isinstance(entry, tuple) and len(entry) == 2 and all(isinstance(x, dict) for x in entry)):
        return {}, {}
    patterns, sources = entry
    ok_p = all(
        type(k) is tuple and len(k) == 2 and type(k[0]) in (str, bytes) and type(k[1]) is int and type(v) is tuple
        for k, v in patterns.items()
    )
    ok_s = all(type(k) is str and type(v) is CodeType for k, v in sources.items())
    return (patterns if ok_p else {}), (sources if ok_s else {})


def install(folder: Path) -> None:
    """Serve compiled patterns and dataclass methods from the shelf in `folder` from now on, and note
    what is compiled anew (`keep` shelves it). Once per process; CPython only."""
    if _kept or sys.implementation.name != "cpython":
        return
    try:
        shelf, key = _shelf(folder)
        patterns, sources = _valid(shelf.get(key))
    except (OSError, ValueError):
        patterns, sources = {}, {}
    kept = _Kept(folder, patterns, sources)
    _kept.append(kept)
    _hook_patterns(kept)
    _hook_dataclasses(kept)


def keep() -> None:
    """Shelve what this run compiled anew: on an empty shelf, or NEW_ENOUGH entries or more (a new
    version of the tool or a library); a failure to write is not an error."""
    if not _kept:
        return
    k = _kept[0]
    new = len(k.new_patterns) + len(k.new_sources)
    if new == 0 or (new < NEW_ENOUGH and (k.patterns or k.sources)):
        return
    patterns, sources = {**k.patterns, **k.new_patterns}, {**k.sources, **k.new_sources}
    if len(patterns) > LIMIT or len(sources) > LIMIT:  # keep what this run used
        patterns = {key: patterns[key] for key in k.used_patterns | set(k.new_patterns)}
        sources = {key: sources[key] for key in k.used_sources | set(k.new_sources)}
    try:
        shelf, key = _shelf(k.folder)
        shelf.put(key, (patterns, sources))
    except (OSError, ValueError):
        return
    k.patterns, k.sources = patterns, sources
    k.new_patterns, k.new_sources = {}, {}


class _Engine:
    """The regex engine module as `re`'s compiler sees it, noting the arguments of each compile."""

    def __init__(self, real: Any):
        self.real = real
        self.last: tuple | None = None

    def compile(self, *args: Any) -> Any:
        self.last = args
        return self.real.compile(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def _plain(value: Any) -> Any:
    """The engine's arguments as marshal keeps them (its opcodes are named int subclasses)."""
    if isinstance(value, list):
        return [int(x) for x in value]
    if isinstance(value, bool) or value is None or type(value) in (str, bytes, tuple, dict):
        return value
    if isinstance(value, int):
        return int(value)
    return value


def _hook_patterns(kept: _Kept) -> None:
    try:
        import re
        from re import _compiler  # type: ignore[attr-defined]
    except ImportError:
        return
    compile_ = getattr(_compiler, "compile", None)
    real = getattr(_compiler, "_sre", None)
    if compile_ is None or real is None or not hasattr(real, "compile"):
        return
    engine = _Engine(real)
    debug = int(re.DEBUG)

    def compile(p: Any, flags: int = 0) -> Any:
        if type(p) not in (str, bytes) or int(flags) & debug:
            return compile_(p, flags)
        key = (p, int(flags))
        args = kept.patterns.get(key)
        if args is not None:
            try:
                made = real.compile(p, *args)
            except Exception:  # noqa: BLE001 - a shelved entry the engine refuses: compile as usual
                made = None
            if made is not None:
                kept.used_patterns.add(key)
                return made
        engine.last = None
        made = compile_(p, flags)
        got = engine.last
        if got is not None and got[0] is p and key not in kept.new_patterns and len(kept.new_patterns) < LIMIT:
            args = tuple(_plain(a) for a in got[1:])
            try:
                same = real.compile(p, *args) == made
            except Exception:  # noqa: BLE001 - not kept: another thread's compile, or a form it cannot take
                same = False
            if same:
                kept.new_patterns[key] = args
        return made

    _compiler._sre = engine
    _compiler.compile = compile


def _hook_dataclasses(kept: _Kept) -> None:
    import dataclasses

    def exec_(source: Any, globals: Any = None, locals: Any = None, /) -> Any:
        if type(source) is str:
            code = kept.sources.get(source)
            if code is None:
                # As dataclasses' own exec compiles it: no future flags inherited from this module.
                code = compile(source, "<string>", "exec", dont_inherit=True)
                if len(kept.new_sources) < LIMIT:
                    kept.new_sources[source] = code
            else:
                kept.used_sources.add(source)
            source = code
        return builtins.exec(source, globals, locals)

    dataclasses.exec = exec_  # type: ignore[attr-defined]
