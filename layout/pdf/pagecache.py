"""Drawn pages kept between renders: a page whose lines and rules are unchanged is not drawn again.

Reads a composed `Page` and the state of the document's font subsets before it; produces (from the
pack file ISSUE/build/.cache/pages.bin) the page's text and rule operators as drawn by an earlier
render, with the font-subset calls that page made, so that they can be replayed: ReportLab numbers
each face's glyphs in the order characters are first drawn, so a page's bytes depend on the pages
before it, and the key holds that state (every face's assignments so far) as well as every line's
position, spans, kerning and colour. A one-word correction changes its page (and, only when it
brings a character not drawn before, the pages after it); the others are copied.

Plain data (`marshal` of strings and tuples, never pickle) behind a magic line and a BLAKE2
checksum, under a fingerprint of the drawing code, ReportLab's version and the paragraph cache's
fingerprint (style sheet, font bytes, typesetting code): a corrupt, foreign or stale pack is
ignored, an entry of the wrong shape is drawn afresh. Only pages this render drew are written back.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from collections.abc import Callable
from pathlib import Path

from ..manifest.packs import pack_writer, read_pack
from ..page.frames import Page, RuleItem, TextItem
from ..text.fonts import Shaped
from ..text.line import Line, Span

MAGIC = b"layout-page-cache 1\n"

_kernel = None
if os.environ.get("LAYOUT_PURE_PYTHON", "") in ("", "0"):
    try:
        from . import _pagekey as _kernel  # type: ignore[attr-defined,no-redef]
    except ImportError:  # not built (no compiler): page_data_python
        _kernel = None
if _kernel is not None:
    _kernel.bind(Span, Shaped, TextItem, Line, RuleItem)


# zlib's fastest level for the Flate filter (page streams, font subsets, maps), where ReportLab uses
# the default 6: on the 16-page benchmark issue, 1.59 MB of streams compress in 0.011 s instead of
# 0.037 s, to 0.47 MB instead of 0.39 MB (the PDF, 31 MB of photos, grows by 0.3 %). Here, beside
# the streams kept, so that their fingerprint has it without importing the drawing (stream.py).
LEVEL = 1


def fingerprint(base: str) -> str:
    """`base` (the paragraph cache's fingerprint) with the drawing code and ReportLab's version."""
    from reportlab import Version  # (reportlab/__init__ alone: the drawing modules are not imported here)

    keyed = "C" if _kernel is not None else "marshal 2"  # how page keys are made (page_data)
    # (LEVEL: a stream kept at another level would inflate right but differ in bytes)
    h = hashlib.blake2b(repr((MAGIC, base, Version, marshal.version, keyed, LEVEL)).encode(), digest_size=16)
    here = Path(__file__).resolve().parent
    for name in ("draw.py", "pagecache.py", "textops.py", "stream.py"):  # (the C code gives what the first three give)
        h.update((here / name).read_bytes())
    return h.hexdigest()


def page_key(page: Page, state: bytes, memo: tuple[dict, dict] | None = None) -> str:
    """Everything the page's text and rule operators are made of, and the subset state before it.
    With `memo` (an earlier render's keys, this render's), a page whose items hold the very same
    line objects at the same places as a page of the earlier render (a build session shares
    unchanged lines, and never changes one) takes that page's key without hashing it again; the
    very page object of the earlier render (a session's kept page, never changed in place either)
    takes it without even looking at its items."""
    quick = None
    if memo is not None:
        # The very page object of an earlier render (a session's kept page: page/kept.py), as it was.
        same = (state, id(page))
        hit = memo[0].get(same) or memo[1].get(same)
        if hit is not None and hit[0] is page and hit[2] is page.items and hit[3] == len(page.items):
            memo[1][same] = hit
            return hit[1]
        quick = (state, page.width, page.height, *map(_quick, page.items))
        hit = memo[0].get(quick) or memo[1].get(quick)
        key = hit[1] if hit is not None else _page_key(page, state)
        # The lines are held with the key, so no other line can take one of their ids meanwhile
        # (and the page with its own, so no other page can take its id).
        memo[1][quick] = hit or ([it.line for it in page.items if isinstance(it, TextItem)], key)
        memo[1][same] = (page, key, page.items, len(page.items))
        return key
    return _page_key(page, state)


def _quick(it: object) -> tuple:
    if isinstance(it, TextItem):
        return (it.x, it.baseline, id(it.line))
    if isinstance(it, RuleItem):
        return (it.x0, it.y0, it.x1, it.y1, it.width, it.color)
    return ()


def _page_key(page: Page, state: bytes) -> str:
    h = hashlib.sha256(state)  # SHA-256 rather than BLAKE2: CPUs hash it in hardware, twice as fast here
    h.update(page_data(page))
    return h.hexdigest()[:40]


def page_data(page: Page) -> bytes:
    """What the page's key is hashed from: in C where it is built (_pagekey.c: every value tagged
    with its type, numbers as their 8 bytes), else marshal's version 2 of the same values (from
    version 3 on, marshal marks an object held elsewhere too, so the same values could give other
    bytes as other tables hold them). The two differ: the fingerprint says which a pack was keyed by."""
    if _kernel is not None:
        data = _kernel.page_data(page.width, page.height, page.items, TextItem, RuleItem)
        if data is not None:
            return data
    return b"m" + page_data_python(page)


def page_data_python(page: Page) -> bytes:
    parts = []
    for it in page.items:
        if isinstance(it, TextItem):
            ln = it.line
            spans = tuple(
                (sp.face.name, sp.face.space, sp.size, sp.shaped.text, sp.shaped.kerns, sp.shaped.width,
                 sp.shaped.glyphs, sp.x, sp.space_before, sp.color)
                for sp in ln.spans
            )  # fmt: skip
            parts.append((it.x, it.baseline, ln.tracking, ln.scale, spans))
        elif isinstance(it, RuleItem):
            parts.append((it.x0, it.y0, it.x1, it.y1, it.width, it.color))
    return marshal.dumps((page.width, page.height, tuple(parts)), 2)


class PageCache:
    """Drawn pages by key, loaded from and saved to one pack file."""

    def __init__(self, path: Path | None, fingerprint: str):
        self.path = path
        self.fingerprint = fingerprint
        self.old: dict[str, tuple] = self._read(path) if path else {}
        self.used: dict[str, tuple] = {}
        self.hits = 0
        # Compressed streams by a hash of their bytes (stream.stream_digest): kept in the pack too,
        # under "z:" keys, so that a re-render in a fresh process compresses only what changed.
        self.streams_before: dict[bytes, bytes] = _streams(self.old)
        self.streams_now: dict[bytes, bytes] | None = {} if path is not None else None  # None: not kept
        self.streams_made: dict[bytes, bytes] = {}  # compressed (or checked) by this process: not checked again
        # Page keys by their pages' lines, kept in memory only (a build session carries them over).
        self.keys_before: dict[tuple, tuple] = {}
        self.keys_now: dict[tuple, tuple] | None = None

    def keys(self) -> tuple[dict, dict] | None:
        """For page_key: the keys an earlier render computed and where to keep this one's."""
        return None if self.keys_now is None else (self.keys_before, self.keys_now)

    def streams(self) -> tuple[dict[bytes, bytes], dict[bytes, bytes], dict[bytes, bytes]] | None:
        """For save_streaming: the streams an earlier render compressed, where to keep this one's,
        and those an earlier render in this process compressed or checked."""
        return None if self.streams_now is None else (self.streams_before, self.streams_now, self.streams_made)

    def _read(self, path: Path) -> dict[str, tuple]:
        return read_pack(path, MAGIC, self.fingerprint)

    def get(self, key: str) -> tuple[str, list[tuple[str, str]]] | None:
        """The page's operators and its subset calls (face name, text), or None."""
        entry = self.old.get(key)
        if entry is None:
            return None
        try:
            text, calls = entry
            if not isinstance(text, str) or not all(isinstance(f, str) and isinstance(t, str) for f, t in calls):
                raise ValueError
        except (ValueError, TypeError):  # a well-formed pack with the wrong shape inside: never trusted
            self.old.pop(key)
            return None
        self.used[key] = entry
        self.hits += 1
        return text, list(calls)

    def put(self, key: str, text: str, calls: list[tuple[str, str]]) -> None:
        self.used[key] = (text, tuple(calls))

    def save(self) -> None:
        """Keep the pages and compressed streams this render drew in the pack (see packs.pack_writer);
        a failure to write is not an error."""
        self.prepare()()

    def prepare(self) -> Callable[[], None]:
        """`save` in two steps: the pack's bytes made now, written when the result is called."""
        if self.path is None:
            return lambda: None
        entries = dict(self.used)
        entries.update((_STREAM + d.hex(), z) for d, z in (self.streams_now or {}).items())
        return pack_writer(self.path, MAGIC, self.fingerprint, entries)


_STREAM = "z:"  # a compressed stream's key in the pack: "z:" and the hex digest of its bytes


def _streams(entries: dict) -> dict[bytes, bytes]:
    """The compressed streams among a pack's entries, by digest (checked when used: stream.py)."""
    out = {}
    for k, v in entries.items():
        if k.startswith(_STREAM) and type(v) is bytes:
            try:
                out[bytes.fromhex(k[len(_STREAM) :])] = v
            except ValueError:
                continue
    return out
