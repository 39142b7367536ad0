"""Separated photos kept between print renders (ISSUE/build/.cache/print/).

Reads and writes a signed pack (manifest.packs) naming, for each photo as separated, its CMYK JPEG
kept beside it (`KEY.jpg`) with that file's hash and the separation's note (source profile, total
ink before and after). The key is a hash of what the separation depends on: the photo's bytes, the
output profile's bytes, the ink limit and the photo's largest placed width; the pack's fingerprint
is a hash of the code and library versions that make the JPEG (the separation, lcms, libjpeg,
numpy), so a print re-render after a correction separates only the photos that changed (about
0.34 s of CPU a photo), and the PDF is the bytes it would be without the cache.

Nothing is trusted until it verifies: a JPEG whose bytes do not hash to the pack's entry, a pack
signed elsewhere or made by other code reads as missing, and the photo is separated again. A kept
file is given a second name in the render's own folder (a copy across file systems) and checked
there: a later render, which replaces kept files and never writes into them, cannot change it. The
pack is written only once the print PDF is; it then lists this render's photos and the last render's
under one other condition (output profile and ink limit: a paper printed at two plants, or proofed
on another press, alternates them), and the kept files it no longer names are removed (never a
photo of the issue's).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

from ..manifest.errors import InvalidInput
from ..manifest.files import atomic_write, read_regular, real
from ..manifest.packs import read_pack, write_pack
from ..pdf.photonames import file_digest
from . import colour, photos
from .photos import PrintPhoto
from .settings import PrintSettings

MAGIC = b"layout-print-photos 2\n"
KEPT = re.compile(r"[0-9a-f]{32}\.jpg")  # the only files ever removed from the folder
MAX_JPEG = 256 << 20  # bytes a kept separation may have (a 1600x1000 photo's is about 2.3 MB)

CONDITIONS = 2  # the conditions whose separations are kept: this render's and the latest other one
Note = tuple[str, float, float]  # source profile, total ink before and after (per cent)


def fingerprint() -> str:
    """What a separation's bytes depend on besides its inputs: our code and the libraries' versions."""
    import numpy
    import PIL
    from PIL import features

    h = hashlib.blake2b(digest_size=16)
    for mod in (photos, colour):
        h.update(Path(mod.__file__ or "").read_bytes())
    libs = (PIL.__version__, features.version("jpg"), features.version("littlecms2"), numpy.__version__)
    h.update(repr(libs).encode())
    return h.hexdigest()


class PhotoCache:
    """The separations kept in `folder` for print settings `s` (`folder` None: none are kept; the
    caller gives none that leads out of the issue folder: pipeline.cache_folder). No file the issue
    is made from (`inputs`) is ever written or removed there."""

    def __init__(self, folder: Path | None, s: PrintSettings, inputs: Iterable[Path] = ()):
        self.folder = folder
        self._inputs = {_real(p) for p in inputs} - {None}
        self._fp = fingerprint() if folder is not None else ""
        self._entries: dict = read_pack(self._pack, MAGIC, self._fp) if folder is not None else {}
        self._used: dict[str, tuple] = {}  # this render's entries (taken or added)
        self._staged: list[Path] = []  # files added by this render, not yet named by the pack
        self._settings = b""
        if folder is not None:
            try:
                profile = hashlib.blake2b(s.profile_path.read_bytes(), digest_size=16).hexdigest()
            except OSError:
                self.folder = None  # the profile was readable when the settings were resolved; not now
            else:
                self._settings = repr((profile, float(s.ink_limit))).encode()
        self._condition = hashlib.blake2b(self._settings, digest_size=16).hexdigest()

    @property
    def _pack(self) -> Path:
        assert self.folder is not None
        return self.folder / "photos.bin"

    def key(self, path: Path, width: float) -> str | None:
        """The key of `path` separated at its largest placed `width` (None: not kept, or unreadable)."""
        if self.folder is None:
            return None
        try:
            digest = file_digest(path)
        except OSError:
            return None  # separating it reports the problem
        return hashlib.blake2b(self._settings + repr((digest, float(width))).encode(), digest_size=16).hexdigest()

    def take(self, key: str | None, dest: Path) -> Note | None:
        """The kept separation for `key` put at `dest` (a new file) and its note, or None if there is
        none that verifies (nothing is left at `dest` then)."""
        entry = self._entries.get(key) if key is not None else None
        if not _entry_ok(entry):
            return None
        assert self.folder is not None and key is not None
        source, before, after, digest, size = entry[:5]
        if not _placed(self.folder / f"{key}.jpg", dest, size, digest):
            dest.unlink(missing_ok=True)
            return None  # missing, damaged or replaced: separated again
        self._used[key] = entry
        return source, before, after

    def add(self, key: str | None, ph: PrintPhoto, file: Path) -> None:
        """Keep the separation `ph`, whose JPEG is `file`, under `key` (named by the pack once
        `save` writes it); a failure to keep it is not an error."""
        if key is None or self.folder is None or ph.encoding != "jpeg":
            return
        target = self.folder / f"{key}.jpg"
        if _real(target) in self._inputs:
            return
        try:
            data = file.read_bytes()
            with atomic_write(target) as tmp:
                tmp.write_bytes(data)
        except (OSError, InvalidInput):
            return
        self._staged.append(target)
        digest = hashlib.blake2b(data, digest_size=16).hexdigest()
        self._used[key] = (ph.source_profile, ph.ink_before, ph.ink_after, digest, len(data), self._condition, 0)

    def _kept(self) -> dict[str, tuple]:
        """What the pack names after this render: its separations (marked with this condition and a
        number above every other's) and, of the other conditions, the latest one's."""
        latest: dict[str, int] = {}
        for entry in self._entries.values():
            if _entry_ok(entry) and entry[5] != self._condition:
                latest[entry[5]] = max(latest.get(entry[5], 0), entry[6])
        others = sorted(latest, key=latest.__getitem__, reverse=True)[: CONDITIONS - 1]
        kept = {k: e for k, e in self._entries.items() if _entry_ok(e) and e[5] in others}
        stamp = 1 + max(latest.values(), default=0)
        kept.update({k: (*e[:5], self._condition, stamp) for k, e in self._used.items()})
        return kept

    def save(self) -> None:
        """Name the kept separations in the pack (`_kept`) and remove the files it no longer names."""
        if self.folder is None or not (self._used or self._pack.exists()):
            return
        kept = self._kept()
        write_pack(self._pack, MAGIC, self._fp, kept)
        self._staged.clear()
        try:
            old = [f for f in self.folder.glob("*.jpg") if KEPT.fullmatch(f.name) and f.stem not in kept]
        except OSError:
            return
        for f in old:
            if _real(f) in self._inputs:
                continue  # a photo of the issue's own (named like a kept one): never removed
            try:
                f.unlink(missing_ok=True)
            except OSError:
                pass  # a failure to tidy is not an error (a folder where a file was is left alone)

    def discard(self) -> None:
        """Remove the files this render added (the print PDF was not written)."""
        for f in self._staged:
            if f.stem not in self._entries:  # an entry the pack still names stays
                f.unlink(missing_ok=True)
        self._staged.clear()


def _entry_ok(entry: object) -> bool:
    """An entry of the pack has the shape `add` gives it (the pack verified; this is its content)."""
    if not (isinstance(entry, tuple) and len(entry) == 7):
        return False
    source, before, after, digest, size, condition, stamp = entry
    return (
        type(source) is str
        and type(before) is float
        and type(after) is float
        and type(digest) is str
        and len(digest) == 32
        and type(size) is int
        and 0 < size <= MAX_JPEG
        and type(condition) is str
        and type(stamp) is int
    )


def _placed(kept: Path, dest: Path, size: int, digest: str) -> bool:
    """Put the kept file at `dest` (a new name for it, else a copy) and check what `dest` holds."""
    try:
        os.link(kept, dest, follow_symlinks=False)
    except OSError:
        data = read_regular(kept, MAX_JPEG)  # another file system: copy the bytes that verify
        if data is None or not _holds(data, size, digest):
            return False
        try:
            dest.write_bytes(data)
        except OSError:
            return False
        return True
    # A link names the kept file's own bytes: read them through it (never through a symbolic link).
    try:
        fd = os.open(dest, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            return False
        return _holds(f.read(MAX_JPEG + 1), size, digest)


def _holds(data: bytes, size: int, digest: str) -> bool:
    return len(data) == size and hashlib.blake2b(data, digest_size=16).hexdigest() == digest


def _real(p: Path) -> str | None:
    """The path resolved (None for a symlink loop or a name the system refuses)."""
    try:
        return real(p)
    except (OSError, ValueError, RuntimeError):
        return None
