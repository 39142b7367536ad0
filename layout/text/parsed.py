"""Parsed Markdown kept in the paragraph cache: a body is parsed once per version of its text.

Reads an article body (and the `Punctuation` it is set with, if any) and a `ParagraphCache`;
produces the same `Block`s (or `unsupported` findings) as `markdown.parse` / `markdown.unsupported`,
from the cache when this text was parsed by an earlier render, else by parsing it and keeping the
result. Markdown parsing costs about as much as drawing; a re-render after a one-word correction
parses only the article that changed. Entries are plain tuples under keys of their own ("md:"),
in the same pack file (same fingerprint: the parser's code and the style sheet are in it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import markdown
from .cache import ParagraphCache, paragraph_key
from .markdown import Block, Run

if TYPE_CHECKING:
    from .punctuation import Punctuation


def _runs(runs: list[Run]) -> tuple:
    return tuple((r.text, r.variant) for r in runs)


def _encode(blocks: list[Block]) -> tuple:
    return tuple(
        (b.kind, _runs(b.runs), b.line, tuple(tuple(_runs(cell) for cell in row) for row in b.rows), tuple(b.align))
        for b in blocks
    )


def _decode(entry: tuple) -> list[Block]:
    def runs(rs: tuple) -> list[Run]:
        return [Run(str(t), str(v)) for t, v in rs]

    out = []
    for kind, rs, line, rows, align in entry:
        if not isinstance(kind, str) or not isinstance(line, int):
            raise ValueError("not a parsed block")
        rows_ = [[runs(cell) for cell in row] for row in rows]
        out.append(Block(kind, runs(rs), line, rows_, [str(a) for a in align]))
    return out


_keys: dict[tuple, str] = {}  # entry keys by their parts: a body's text is hashed by Python, not repr'd again


def _key(parts: tuple) -> str:
    """The entry's key ("md:" and a hash of the parts' repr), remembered in the process by the
    parts (plain strings and tuples: equal parts have the same repr)."""
    key = _keys.get(parts)
    if key is None:
        if len(_keys) > 4096:
            _keys.clear()
        key = _keys[parts] = "md:" + paragraph_key(parts)
    return key


def keep(cache: ParagraphCache | None, text: str, punct: Punctuation | None = None) -> None:
    """Count the parse of `text` that `parse` would give as used (so the pack keeps it) without
    decoding it: for a story whose setting is kept whole (a build session)."""
    if cache is None:
        return
    key = _key(("parse", _how(punct), text))
    entry = cache.used.get(key)
    if entry is None:
        entry = cache.old.get(key)
        if entry is not None:
            cache.used[key] = entry


def _how(punct: Punctuation | None) -> tuple | None:
    return None if punct is None else (repr(punct.spec), punct.quotes)


def _memo(cache: ParagraphCache | None, parts: tuple, compute: Callable[[], Any], enc, dec) -> Any:
    if cache is None:
        return compute()
    key = _key(parts)
    entry = cache.used.get(key)
    if entry is None:
        entry = cache.old.get(key)
    if entry is not None:
        try:
            value = dec(entry)
        except Exception:  # a well-formed file with the wrong shape inside: never trusted
            cache.old.pop(key, None)
        else:
            cache.used[key] = entry
            return value
    value = compute()
    cache.used[key] = enc(value)
    cache.dirty = True
    return value


def parse(cache: ParagraphCache | None, text: str, punct: Punctuation | None = None) -> list[Block]:
    """`markdown.parse(text, punct)`, remembered in `cache`."""
    return _memo(cache, ("parse", _how(punct), text), lambda: markdown.parse(text, punct), _encode, _decode)


def unsupported(cache: ParagraphCache | None, text: str) -> list[tuple[int, str]]:
    """`markdown.unsupported(text)`, remembered in `cache`."""

    def dec(entry: tuple) -> list[tuple[int, str]]:
        return [(int(line), str(msg)) for line, msg in entry]

    return _memo(cache, ("unsupported", text), lambda: markdown.unsupported(text), tuple, dec)


def punctuated(cache: ParagraphCache | None, punct: Punctuation, text: str) -> str:
    """`punct.punctuate(text)` (a field or a whole body with the style's quotes and dashes), remembered."""
    return _memo(cache, ("punct", repr(punct.spec), punct.quotes, text), lambda: punct.punctuate(text), str, _text)


def _text(entry: object) -> str:
    if not isinstance(entry, str):
        raise ValueError("not a punctuated text")
    return entry
