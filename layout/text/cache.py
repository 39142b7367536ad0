"""The persistent typesetting cache: set paragraphs kept on disk between renders.

Reads and writes one pack file (for example ISSUE/build/.cache/paragraphs.bin); the typesetter asks
it for a paragraph's lines before setting them and gives it the lines it sets. An entry is keyed by
everything that decides how a paragraph sets: its runs (text as typeset, after any typographic
transforms, and variants), role, measure, size, alignment and the other arguments of
`Typesetter.set`, the language and breaker, the whole style sheet, the bytes of every font file the
sheet names, the source of the typesetting code itself (so an edited breaker never reads stale
lines) and the versions of HarfBuzz and pyphen. A re-render after a one-word correction sets only the changed paragraph.

The file is plain data (`marshal` of tuples, strings and numbers; never pickle, so a hostile file
cannot run code), behind a magic line and a BLAKE2 checksum of the payload keyed with this machine's
secret (manifest/files.py pack_key: a pack shipped with an issue cannot be forged): a corrupt, foreign or
truncated file is ignored and rebuilt, never trusted. Writes go to a temporary file renamed into
place. Only entries used by the last render are written back, so the file never grows stale.
"""

from __future__ import annotations

import dataclasses
import hashlib
import marshal
import sys
from math import fsum, isfinite
from operator import attrgetter
from pathlib import Path

from .. import __version__
from ..manifest.packs import keep_pack, keep_staged, known_pack, pack_parts, read_pack, stage_data, write_pack
from ..manifest.stylesheet import font_digest
from . import justify
from .fonts import Face, FontBook, Shaped
from .line import Line, Span
from .style import Style

MAGIC = b"layout-paragraph-cache 1\n"
_FORMAT = (MAGIC, marshal.version, sys.version_info[:2])


def code_fingerprint() -> str:
    """A hash of the tool version, the source of everything that sets text and the versions of
    the libraries that shape and hyphenate it."""
    import pyphen

    from . import harfbuzz

    libs = (getattr(pyphen, "__version__", ""), harfbuzz.version())
    h = hashlib.blake2b(repr((__version__, _FORMAT, libs)).encode(), digest_size=16)
    root = Path(__file__).resolve().parent
    for p in sorted([*root.glob("*.py"), root.parent / "manifest" / "stylesheet.py"]):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


_LINE_REST = attrgetter(*[f.name for f in dataclasses.fields(Line)][1:])  # every field after `spans`
_SPAN_REST = attrgetter(*[f.name for f in dataclasses.fields(Span)][3:])  # every field after face, size, shaped


def _encode(lines: list[Line]) -> tuple:
    """Lines as plain tuples; faces by their file path, shaped runs by their data (in C when the
    extension is built)."""
    fast = justify._setlines
    if fast is not None:
        encoded = fast.encode(lines)
        if encoded is not None:
            return encoded
    return _encode_python(lines)


def _encode_python(lines: list[Line]) -> tuple:
    """`_encode` in Python: the reference the C code must equal."""
    out = []
    paths: dict[int, str] = {}
    for ln in lines:
        spans = []
        for sp in ln.spans:
            face, sh = sp.face, sp.shaped
            path = paths.get(id(face))
            if path is None:
                path = paths[id(face)] = str(face.path)
            spans.append((path, sp.size, sh.text, sh.kerns, sh.width, sh.glyphs, _SPAN_REST(sp)))
        out.append((tuple(spans), _LINE_REST(ln)))
    return tuple(out)


_NUM = (int, float)
_KIND = {"float": _NUM, "int": (int,), "bool": (bool,), "str": (str,)}


def _signatures(fields: list) -> frozenset[tuple[type, ...]]:
    """Every tuple of value types a row of these fields may have (an int where a float is
    expected is allowed; a bool where a number is expected is not)."""
    sigs: list[tuple[type, ...]] = [()]
    for f in fields:
        sigs = [(*s, t) for s in sigs for t in _KIND[f.type]]
    return frozenset(sigs)


_LINE_SIGS = _signatures(dataclasses.fields(Line)[1:])
_SPAN_SIGS = _signatures(dataclasses.fields(Span)[3:])
# The same field kinds as letters for the C checks (f number, i int, b bool, s str).
_LINE_KINDS = "".join(f.type[0] for f in dataclasses.fields(Line)[1:])
_SPAN_KINDS = "".join(f.type[0] for f in dataclasses.fields(Span)[3:])


def _decode(entry: tuple, faces: dict[str, Face], allowed: set[str]) -> list[Line]:
    """Lines from an entry, checked as `_encode` writes them (a checksum proves only that the bytes
    are whole, not that they are ours): every field of its type, numbers finite, one kern per
    glyph, one glyph per character. Checked by type signature and one exact sum per span, because
    a warm render decodes a thousand paragraphs. Raises on anything else. Checked whole first, then
    made as `_decode_trusted` makes lines (in C when the extension is built). The C code runs the
    same checks first (`checked`); only an entry it cannot vouch for is checked here, which then
    also says what is wrong."""
    fast = justify._setlines
    if fast is not None and fast.checked(entry, _LINE_KINDS, _SPAN_KINDS):
        decoded = fast.decode(entry, faces, Span, Shaped, Line)
        if decoded is not None:
            return decoded
    for spans, rest in entry:
        if not spans or tuple(map(type, rest)) not in _LINE_SIGS or not isfinite(fsum(rest[:3])) or rest[2] <= 0:
            raise ValueError("a line of the wrong shape")  # rest[:3]: width, tracking, scale
        for path, size, text, kerns, width, glyphs, span_rest in spans:
            if type(text) is not str or glyphs != len(text) or tuple(map(type, span_rest)) not in _SPAN_SIGS:
                raise ValueError("a span of the wrong shape")
            if kerns is not None and (type(kerns) is not tuple or len(kerns) != glyphs):
                raise ValueError("a span of the wrong shape")
            # fsum raises on anything not a number and is NaN or infinite if any term is.
            if type(size) not in _NUM or type(width) not in _NUM or not 0 < size < 5000:
                raise ValueError("a span of the wrong shape")
            if not isfinite(fsum(kerns) + width if kerns else width) or not isfinite(span_rest[0]):
                raise ValueError("a span of the wrong shape")
            if kerns and any(type(k) not in _NUM for k in kerns):
                raise ValueError("a span of the wrong shape")
            if not faces.get(path):
                _face(path, faces, allowed)
    return _decode_trusted(entry, faces, allowed)


def _face(path: str, faces: dict[str, Face], allowed: set[str]) -> Face:
    """The face an entry names by its file, loaded on first use; only the style's own files."""
    if path not in allowed:
        raise ValueError(f"a face the style does not name: {path}")
    face = faces[path] = FontBook.face(Path(path))
    return face


def _decode_trusted(entry: tuple, faces: dict[str, Face], allowed: set[str]) -> list[Line]:
    """Lines from an entry this build made itself (a helper process's, see `adopt`): as `_decode`,
    without its checks, which cost half of composing a large issue's pages. In C when the extension
    is built (`justify._setlines`), unless an entry names a face not loaded yet."""
    fast = justify._setlines
    if fast is not None:
        decoded = fast.decode(entry, faces, Span, Shaped, Line)
        if decoded is not None:
            return decoded
    lines = []
    for spans, rest in entry:
        out = []
        for path, size, text, kerns, width, glyphs, span_rest in spans:
            face = faces.get(path) or _face(path, faces, allowed)
            out.append(Span(face, size, Shaped(text, kerns, width, glyphs), *span_rest))
        lines.append(Line(out, *rest))
    return lines


def style_fonts(style: Style) -> dict[str, Path]:
    """Every font file the style sheet names, by family/variant, as the style resolves them."""
    out = {}
    for fam in sorted(style.sheet.fonts):
        for variant, rel in sorted(style.sheet.fonts[fam].items()):
            for d in style.font_dirs:
                p = d / rel
                if p.is_file():
                    out[f"{fam}/{variant}"] = p.resolve()
                    break
    return out


def style_fingerprint(style: Style, language: str, breaker: str) -> str:
    """A hash of the style sheet, the bytes of every font file it names, the language and breaker."""
    h = hashlib.blake2b(digest_size=16)
    h.update(repr((language, breaker)).encode())
    h.update(style.sheet.model_dump_json().encode())
    for name, p in style_fonts(style).items():
        h.update(f"{name}={p}:{font_digest(p)}".encode())
    return h.hexdigest()


def paragraph_key(parts: tuple) -> str:
    """The key of one paragraph's setting: `parts` are plain values (runs, role, measure, ...), hashed
    as marshal's version 2 writes them (the same bytes for the same values in any process: no
    references, no interning; twice as fast as their repr), or by their repr if they are not plain."""
    try:
        data = marshal.dumps(parts, 2)
    except ValueError:
        data = repr(parts).encode()
    return hashlib.blake2b(data, digest_size=20).hexdigest()


class ParagraphCache:
    """Set paragraphs by key, loaded from and saved to one pack file."""

    def __init__(self, path: Path | None, fingerprint: str, fonts: list[Path] | None = None):
        self.path = path
        self.fingerprint = fingerprint
        self.old: dict[str, tuple] = {}
        self.used: dict[str, tuple] = {}
        self.hits = self.misses = 0  # paragraphs found (in the file or earlier in this build) and set
        self.dirty = False
        self.fresh: list[str] = []  # keys set (not found) in this process
        self.trusted: set[str] = set()  # keys whose entries this build's helper process made (`adopt`)
        self.records: list[tuple[bytes, tuple[str, ...]]] = []  # the helper's, as sent (`adopt`)
        self.ahead: list[tuple[bytes, tuple[str, ...]]] = []  # this process's own, marshalled ahead
        self._ahead_keys: set[str] = set()
        self._ahead_from = 0  # where in `fresh` make_ahead goes on
        # Lines may name only the style's own font files (loaded when first met): never a path from the file.
        self._fonts = {str(p) for p in fonts or []}
        self._faces: dict[str, Face] = {}
        if path is not None:
            self.old = self._read(path)
        self.loaded = len(self.old)  # entries accepted from the file

    def _read(self, path: Path) -> dict[str, tuple]:
        return read_pack(path, MAGIC, self.fingerprint)

    def get(self, key: str) -> list[Line] | None:
        entry = self.used.get(key)
        if entry is None:
            entry = self.old.get(key)
        if entry is None:
            self.misses += 1
            return None
        try:
            decode = _decode_trusted if key in self.trusted and entry is self.old.get(key) else _decode
            lines = decode(entry, self._faces, self._fonts)
        except Exception:  # a well-formed file with the wrong shape inside: never trusted
            self.old.pop(key, None)
            self.misses += 1
            return None
        self.used[key] = entry
        self.hits += 1
        return lines

    def vouched(self, key: str) -> bool:
        """Whether the lines `get` just gave for `key` are known to set the paragraph's own words
        (a build session's, checked when first read; a helper process's, which it made or checked);
        lines from the file are checked by the caller."""
        return key in self.trusted

    def put(self, key: str, lines: list[Line]) -> None:
        self.used[key] = _encode(lines)  # plain data by construction (checked again when saved)
        self.fresh.append(key)
        self.dirty = True

    def adopt(self, entries: dict[str, tuple], record: bytes | None = None) -> None:
        """Take paragraphs set by another process of this build (already plain data): lines it set,
        or read from the file and checked against their text, as this process would have; so they
        are decoded without checks and vouched for. `record`: the same entries as the pack keeps
        them (marshal((fingerprint, entries))), written into it as they are (see `save`)."""
        for k, v in entries.items():
            if k not in self.used:
                self.old[k] = v
                self.trusted.add(k)
        if record is not None:
            self.records.append((record, tuple(entries)))
        self.dirty = self.dirty or bool(entries)

    def make_ahead(self, most: int = 32) -> bool:
        """Marshal up to `most` of the paragraphs set here since the last call into a record of the
        pack-to-be, as the helper's come (written as they are by `save`); whether there were any. For
        the moments this process would otherwise wait for a helper: a whole new pack's own entries
        were marshalled at the end, 7-10 ms of the render's tail."""
        new: dict[str, tuple] = {}
        fresh, used, done = self.fresh, self.used, self._ahead_keys
        while self._ahead_from < len(fresh) and len(new) < most:
            k = fresh[self._ahead_from]
            self._ahead_from += 1
            if k in used and k not in done:
                new[k] = used[k]
        if not new:
            return False
        try:
            payload = marshal.dumps((self.fingerprint, new))
        except ValueError:  # not plain data: left to `save`, which drops it
            return True
        self.ahead.append((payload, tuple(new)))
        done.update(new)
        return True

    def state(self) -> tuple:
        """What the pack `save` writes depends on, in a form that changes whenever it does (entries
        are only added, and a paragraph set again counts in `fresh`)."""
        return (len(self.used), len(self.old), len(self.fresh), len(self.records), len(self.ahead), self.dirty)

    def staged(self, owner: int) -> tuple[str, int] | None:
        """In a helper process of this render (`owner`: its process): the whole new pack `save` would
        write, written to a temporary for `save` to put in place (packs.stage_data); None when it would
        write nothing, or add to the pack this process read (only it can)."""
        data = self.whole()
        return stage_data(self.path, data, owner) if data is not None and self.path is not None else None

    def whole(self) -> list[bytes] | None:
        """The pieces of the whole new pack `save` would write (packs.pack_parts), or None when it
        would write nothing, or add to the pack this process read (only it can)."""
        if self.path is None or not (self.dirty or len(self.used) != len(self.old)) or known_pack(self.path):
            return None
        try:
            if self.records or self.ahead:
                return pack_parts(MAGIC, self.fingerprint, self._own(), self.records + self.ahead)
            return pack_parts(MAGIC, self.fingerprint, self.used)
        except ValueError:
            return None

    def _own(self) -> dict:
        """The entries a new pack holds besides the helper's records (those it set, or set again here)
        and this process's made ahead. (A pass over the keys, each entry read only when kept: a pass
        over every entry wrote each one's reference count, which in the drawing helper, a forked
        process, was a copy-on-write fault per page of the helper's entries too.)"""
        adopted, fresh, ahead, used = (
            {k for _, keys in self.records for k in keys},
            set(self.fresh),
            self._ahead_keys,
            self.used,
        )
        return {k: used[k] for k in used if (k not in adopted or k in fresh) and k not in ahead}

    def save(self, made: object = None) -> None:
        """Keep the entries this render used in the pack (only those it lacks are added, when it is
        the file this process read or wrote: see packs.keep_pack); a failure to write is not an error.
        `made`: what `staged` gave in another process of this render, from this very state: put in place."""
        if self.path is None or not (self.dirty or len(self.used) != len(self.old)):
            return
        if made is not None and keep_staged(self.path, made):
            return
        if (self.records or self.ahead) and not known_pack(self.path):  # a new pack: the records as made
            try:
                write_pack(self.path, MAGIC, self.fingerprint, self._own(), self.records + self.ahead)
                return
            except ValueError:
                pass
        try:
            keep_pack(self.path, MAGIC, self.fingerprint, self.used, self.fresh)
        except ValueError:  # a field that is not plain data: those paragraphs are simply not kept
            self.used = {k: v for k, v in self.used.items() if _plain(v)}
            keep_pack(self.path, MAGIC, self.fingerprint, self.used, self.fresh)


def _plain(entry: tuple) -> bool:
    try:
        marshal.dumps(entry)
    except ValueError:
        return False
    return True
