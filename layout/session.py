"""A build session: what one process keeps between builds of an issue (`issue watch`, `issue serve`).

Reads nothing itself; `pipeline.build(..., session=...)` hands it the caches a build makes and it
hands them, filled, to the next build in the same process: the paragraph cache's entries and the
set lines already made from them (so a warm build neither reads paragraphs.bin nor decodes a
paragraph), the parsed fonts (fonts.bin), the drawn pages (pages.bin), each body as set for the
glyph check and each text's glyph check. The disk packs are still written after each render, so a
later fresh process starts warm too.

Everything is kept under the fingerprint the disk packs carry (the typesetting code, the style
sheet, the bytes of every font file it names, the language and breaker): a build with another
fingerprint starts from the packs on disk as a fresh process does. A font file whose bytes change
under a running session is also dropped from the process's font book (`drop_changed_fonts`), so
that it is loaded again. Kept lines are shared between builds, so nothing downstream of the
typesetter may change a set line in place (page/content.py copies the drop cap's before marking it).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import TypeVar

from .manifest.fontinfo import FontCache
from .manifest.reads import KeptReads, version
from .manifest.stylesheet import DEFAULT
from .page.kept import KeptPages, Used
from .page.recheck import PageMemo
from .pdf.pagecache import PageCache
from .pdf.photocopies import PhotoCopies
from .text import fonts
from .text.cache import ParagraphCache, style_fingerprint, style_fonts
from .text.fonts import FontBook
from .text.line import Line
from .text.style import Style, load_style

T = TypeVar("T")


class _Kept:
    """One cache's entries as the last build left them, and the fingerprint they were made under."""

    def __init__(self) -> None:
        self.fingerprint: object = None
        self.cache: ParagraphCache | PageCache | FontCache | None = None

    def carry(self, fingerprint: object) -> dict | None:
        """The entries for a new cache with `fingerprint`, or None (read the pack from disk)."""
        c = self.cache
        if c is None or self.fingerprint != fingerprint:
            return None
        # A build that stopped early (invalid input, overset) used only part of what it had; one
        # that drew nothing (or parsed no font: all checked earlier in this process) used none.
        done = getattr(c, "session_done", True)
        return dict(c.used) if done and c.used else {**c.old, **c.used}

    def keep(self, fingerprint: object, cache: ParagraphCache | PageCache | FontCache) -> None:
        self.fingerprint, self.cache = fingerprint, cache


class _Paragraphs(ParagraphCache):
    """The paragraph cache with its entries (and their set lines) taken from the session."""

    def __init__(self, session: Session, path: Path | None, fingerprint: str, fonts: list[Path]):
        self._session = session
        self.lines: dict[str, list[Line]] = {}  # set lines by key, made or used in this build
        self.session_done = False
        self.recording: list[str] | None = None  # the keys asked for, while a story is set
        super().__init__(path, fingerprint, fonts)
        prev = session._paragraphs.cache
        self._kept_lines = prev.lines if isinstance(prev, _Paragraphs) and prev.fingerprint == fingerprint else {}
        session._paragraphs.keep(fingerprint, self)

    def _read(self, path: Path) -> dict[str, tuple]:
        kept = self._session._paragraphs.carry(self.fingerprint)
        return kept if kept is not None else super()._read(path)

    def get(self, key: str) -> list[Line] | None:
        if self.recording is not None:
            self.recording.append(key)
        lines = self.lines.get(key) or self._kept_lines.get(key)
        if lines is not None:
            entry = self.used.get(key) or self.old.get(key)
            if entry is not None:
                self.used[key] = entry
                self.lines[key] = lines
                self.hits += 1
                return lines
        lines = super().get(key)
        if lines is not None:
            self.lines[key] = lines
        return lines

    def put(self, key: str, lines: list[Line]) -> None:
        if self.recording is not None:
            self.recording.append(key)
        super().put(key, lines)
        if self.fresh and self.fresh[-1] == key:
            self.lines[key] = lines
        else:  # not plain data, so not kept: nor are lines that an earlier entry under this key decoded to
            self.lines.pop(key, None)
            self.used.pop(key, None)

    def reuse(self, keys: tuple[str, ...]) -> bool:
        """Count `keys` as used by this build (a story set earlier is reused whole); False if one
        is no longer kept (then the story is set again)."""
        found = []
        for k in keys:
            entry = self.used.get(k) or self.old.get(k)
            lines = self.lines.get(k) or self._kept_lines.get(k)
            if entry is None or lines is None:
                return False
            found.append((k, entry, lines))
        for k, entry, lines in found:
            self.used[k] = entry
            self.lines[k] = lines
        self.hits += len(found)
        return True

    def vouched(self, key: str) -> bool:
        """Lines this process set, or read and checked against their text in an earlier build."""
        return key in self.lines and self.lines[key] is self._kept_lines.get(key) or super().vouched(key)


class _Pages(PageCache):
    """The drawn-page cache from the session, with the compressed streams of the last render."""

    def __init__(self, session: Session, path: Path | None, fingerprint: str):
        self._session = session
        super().__init__(path, fingerprint)
        prev = session._pages.cache
        if isinstance(prev, _Pages) and session._pages.fingerprint == fingerprint:
            self.streams_before = prev.streams_now or prev.streams_before
            self.streams_made = prev.streams_now or prev.streams_made  # compressed or checked here
            self.keys_before = prev.keys_now or prev.keys_before
        self.streams_now, self.keys_now = {}, {}
        session._pages.keep(fingerprint, self)

    def _read(self, path: Path) -> dict[str, tuple]:
        kept = self._session._pages.carry(self.fingerprint)
        return kept if kept is not None else super()._read(path)


class _Fonts(FontCache):
    def __init__(self, session: Session, path: Path | None, house: Path | None = None):
        self._session = session
        super().__init__(path, house)
        session._fonts.keep(_resolved(path), self)

    def _read(self, path: Path) -> dict[str, dict]:
        kept = self._session._fonts.carry(_resolved(path))
        return kept if kept is not None else super()._read(path)


class _Memo(dict):
    """A memo for one build that still finds what the build before it put (and takes it over):
    what no build asks for again is let go after one more build."""

    def __init__(self, before: dict | None = None):
        super().__init__()
        self.before = before or {}

    def get(self, key, default=None):  # type: ignore[no-untyped-def, override]
        value = super().get(key)
        if value is None:
            value = self.before.get(key)
            if value is None:
                return default
            self[key] = value
        return value

    def next(self, done: bool) -> _Memo:
        """The memo for the next build (this one's entries; and the one before's if this build
        stopped early)."""
        return _Memo(dict(self) if done else {**self.before, **self})


class _KeptPages(KeptPages):
    """Kept pages that count the paragraphs they were set from as used by the build that takes them
    (so the packs keep them), and are composed again when one is no longer kept."""

    def __init__(self) -> None:
        super().__init__()
        self._cache: _Paragraphs | None = None

    def start(self, fingerprint: object, cache: _Paragraphs | None = None) -> None:  # type: ignore[override]
        super().start(fingerprint)
        self._cache = cache

    @contextmanager
    def recording(self) -> Iterator[Used]:
        c, used = self._cache, Used()
        if c is None:
            yield used
            return
        outer, before = c.recording, len(c.used)
        c.recording = used.lines
        try:
            yield used
        finally:
            c.recording = outer
            used.lines = list(dict.fromkeys(used.lines))
            if outer is not None:
                outer.extend(used.lines)
            # Entries added to the cache's used ones since the page began (the newest last in a dict).
            added = islice(reversed(c.used), max(0, len(c.used) - before))
            lines = set(used.lines)
            used.other = [k for k in added if k not in lines]

    def reuse(self, used: Used) -> bool:
        c = self._cache
        if c is None:
            return True
        if not c.reuse(tuple(used.lines)):
            return False
        for k in used.other:  # not needed to take the page: still counted as used, if still there
            entry = c.used.get(k) or c.old.get(k)
            if entry is not None:
                c.used[k] = entry
        return True


class Session:
    """What a process keeps between builds of one issue; pass it to every `build` of that issue."""

    def __init__(self) -> None:
        self._paragraphs = _Kept()
        self._pages = _Kept()
        self._fonts = _Kept()
        self.glyphs = _Memo()  # a glyph check's inputs (or a body) -> its finding (as set)
        self._glyph_fp: object = None
        self._style_key: object = None
        self._style_fp = ""
        self._style_obj: Style | None = None  # the style the fingerprint was last taken of
        self._kept_style: tuple | None = None  # ((sheet, issue folder), [(file, version)], the Style)
        self._style_rest: object = None
        self._glyphs_done = False
        self._font_stats: dict[tuple[Path, int], tuple[int, ...] | None] = {}
        self._stories: dict[tuple, tuple] = {}  # stories kept from the last build: key -> (story, paragraph keys)
        self._stories_now: dict[tuple, tuple] = {}  # and those this build set or took
        self._stories_fp: object = None
        self._stories_done = False
        self.reads = KeptReads()  # the manifest parsed and the bodies read, by their files' versions
        self.kept_pages = _KeptPages()  # each page as last composed (page/kept.py)
        self.builds = 0
        self.checked = PageMemo()  # each page's findings, for pages that come out unchanged
        self.written: str | None = None  # the PDF the last render wrote (absolute), for `issue serve`
        # `issue serve` answers as soon as the PDF is in place and writes the disk packs after
        # (they serve a later fresh process, not its client): `pending` holds that write till then.
        self.defer_packs = False
        self.pending: Callable[[], None] | None = None
        self.photos = PhotoCopies()  # the last PDF's photos, copied ahead into the next one's temporary

    def write_pending(self) -> None:
        """Write the disk packs a render left pending (nothing if none)."""
        keep, self.pending = self.pending, None
        if keep is not None:
            keep()

    def paragraph_cache(self, path: Path | None, fingerprint: str, fonts: list[Path]) -> ParagraphCache:
        return _Paragraphs(self, path, fingerprint, fonts)

    def page_cache(self, path: Path, fingerprint: str) -> PageCache:
        return _Pages(self, path, fingerprint)

    def font_cache(self, path: Path, house: Path | None = None) -> FontCache:
        return _Fonts(self, path, house)

    def style(self, path: Path | None, root: Path, fonts: FontCache) -> Style:
        """text.style.load_style, again only when the issue's style sheet (or the house default) or a
        font file it names is another version of its file (or one too recent to tell): the sheet
        read, validated and its fonts checked took 3-5 ms of each re-render."""
        sheet = str(path if path is not None else DEFAULT)
        kept = self._kept_style
        if kept is not None and kept[0] == (sheet, str(root)):
            if all(v is not None and version(f) == v for f, v in kept[1]):
                return kept[2]
        before = version(sheet)  # (taken before the sheet is read: a later write is another version)
        style = load_style(path, root, fonts)
        files = [(sheet, before), *((f, version(f)) for fam in style.sheet.fonts.values() for f in fam.values())]
        self._kept_style = ((sheet, str(root)), files, style)
        return style

    def style_fingerprint(self, style: Style, language: str, breaker: str) -> str:
        """text.cache.style_fingerprint (which reads and hashes every font file the style names),
        again only when the sheet, the language, the breaker or a font file's version changed."""
        files = tuple((name, str(p), _stat(p)) for name, p in style_fonts(style).items())
        rest = (language, breaker, files)
        if style is self._style_obj and rest == self._style_rest:  # (the sheet kept: its JSON unchanged)
            return self._style_fp
        key = (style.sheet.model_dump_json(), *rest)
        if key != self._style_key:  # the versions are taken before the bytes are read: never stale
            self._style_fp, self._style_key = style_fingerprint(style, language, breaker), key
        self._style_obj, self._style_rest = style, rest
        return self._style_fp

    def glyph_memo(self, fingerprint: object) -> dict[tuple, object]:
        """The glyph checks made under `fingerprint` (the style and its fonts); dropped on a change."""
        self.glyphs = self.glyphs.next(self._glyphs_done) if fingerprint == self._glyph_fp else _Memo()
        self._glyph_fp, self._glyphs_done = fingerprint, False
        return self.glyphs

    def story_memo(self, cache: ParagraphCache | None) -> Callable[[tuple, Callable[[], T]], T] | None:
        """For the composer: an article set at a column width (its units of set lines), kept
        between builds by everything that sets it, under the paragraph cache's fingerprint (style,
        fonts, code). A kept story counts its paragraphs as used, so the pack keeps them."""
        if not isinstance(cache, _Paragraphs):
            return None
        if cache.fingerprint != self._stories_fp:
            self._stories, self._stories_now, self._stories_fp = {}, {}, cache.fingerprint
        else:  # a build that stopped early set only some stories: keep the others too
            self._stories = self._stories_now if self._stories_done else {**self._stories, **self._stories_now}
            self._stories_now = {}
        self._stories_done = False
        kept, now = self._stories, self._stories_now

        def story(key: tuple, make: Callable[[], T]) -> T:
            outer = cache.recording  # a page being composed gathers its stories' paragraphs too
            hit = now.get(key) or kept.get(key)
            if hit is not None and cache.reuse(hit[1]):
                now[key] = hit
                if outer is not None:
                    outer.extend(hit[1])
                return hit[0]
            cache.recording = []
            try:
                value = make()
            finally:
                keys, cache.recording = tuple(cache.recording), outer
            if outer is not None:
                outer.extend(keys)
            now[key] = (value, keys)
            return value

        return story

    def page_memo(self, cache: ParagraphCache | None) -> KeptPages | None:
        """For the composer: each page as the last build composed it, under everything that composes
        it (page/kept.py), kept while the paragraph cache's fingerprint (style, fonts, code) holds."""
        if not isinstance(cache, _Paragraphs):
            return None
        self.kept_pages.start(cache.fingerprint, cache)
        return self.kept_pages

    def composed(self, cache: ParagraphCache | None) -> None:
        """The build laid out every page: what it used is all the next build needs."""
        if isinstance(cache, _Paragraphs):
            cache.session_done = True
            self._stories_done = self._glyphs_done = True
            self._kept_prune(cache)
        self.builds += 1

    def _kept_prune(self, cache: _Paragraphs) -> None:
        cache._kept_lines = {}  # the earlier build's lines are no longer needed: let them go

    def fonts_mark(self) -> tuple[int, int]:
        """Faces loaded so far in this process, and how many were renamed (see fonts_ambiguous)."""
        return len(FontBook._faces), fonts.renamed

    def fonts_ambiguous(self, mark: tuple[int, int]) -> bool:
        """Whether a build since `mark` gave a face a made-unique name (`Name-2`) while faces from
        earlier builds were loaded: which face got the plain name then depends on the process's
        history, and a fresh process might name them otherwise."""
        loaded_before, renamed_before = mark
        return loaded_before > 0 and fonts.renamed > renamed_before

    def reset_fonts(self) -> None:
        """Forget every face this process loaded (and all that was made with them), so that the
        next build loads and names them as a fresh process does."""
        FontBook._faces.clear()
        fonts._NAMES.clear()
        self.__init__()  # type: ignore[misc]

    def drop_changed_fonts(self) -> None:
        """Forget every face if a font file changed since the last build looked (a new version of a
        font at the same path): the process loads them again, as a fresh one would."""
        if any(_stat(key[0]) != st for key, st in self._font_stats.items()):
            self.reset_fonts()

    def note_fonts(self) -> None:
        """Remember the version of every font file loaded so far (after a build)."""
        for key in FontBook._faces:
            if key not in self._font_stats:
                self._font_stats[key] = _stat(key[0])


def _stat(p: Path) -> tuple[int, ...] | None:
    try:
        st = os.stat(p)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _resolved(p: Path | None) -> Path | None:
    return p.resolve() if p is not None else None
