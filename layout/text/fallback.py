"""Fallback faces: fonts for characters the style's own fonts lack, found wherever they are installed.

Reads the style sheet's `fallback_fonts` list (file names, `name.ttc#N` for a face in a collection)
and the font folders; produces the faces that could be loaded, in order, and a note for each entry
that could not (not installed, or CFF outlines, which ReportLab cannot embed). `Fallbacks` loads them
only when first asked for a face: most renders never need one, and parsing a CJK font costs 0.2 s.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path

from .fonts import Face, FontBook


def system_font_dirs() -> list[Path]:
    home = Path.home()
    dirs = [home / ".local/share/fonts", home / ".fonts", Path("/usr/local/share/fonts"), Path("/usr/share/fonts")]
    if sys.platform == "darwin":
        dirs += [home / "Library/Fonts", Path("/Library/Fonts"), Path("/System/Library/Fonts")]
    elif sys.platform == "win32":
        dirs.append(Path(os.environ.get("WINDIR", r"C:\\Windows")) / "Fonts")
    extra = os.environ.get("LAYOUT_FONT_PATH")  # for tests and unusual installs
    if extra:
        dirs = [Path(d) for d in extra.split(os.pathsep) if d] + dirs
    return dirs


@cache
def _index(folder: Path) -> dict[str, Path]:
    """Font files under `folder` by lower-cased file name (first found wins)."""
    out: dict[str, Path] = {}
    if not folder.is_dir():
        return out
    for root, _, files in sorted(os.walk(folder)):
        for f in sorted(files):
            if f.lower().endswith((".ttf", ".ttc", ".otf")):
                out.setdefault(f.lower(), Path(root) / f)
    return out


def find_font(name: str, dirs: list[Path]) -> Path | None:
    p = Path(name).expanduser()
    if p.is_absolute():
        return p if p.is_file() else None
    for d in dirs:
        if (d / name).is_file():
            return d / name
    for d in system_font_dirs():
        hit = _index(d).get(Path(name).name.lower())
        if hit is not None:
            return hit
    return None


def load_fallbacks(names: list[str], dirs: list[Path]) -> tuple[list[Face], list[str]]:
    """The faces that load, in order, and why each other entry was skipped."""
    from reportlab.pdfbase.ttfonts import TTFError  # (FontBook.face parses these files with ReportLab)

    faces: list[Face] = []
    skipped: list[str] = []
    for entry in names:
        name, _, idx = entry.partition("#")
        path = find_font(name, dirs)
        if path is None:
            skipped.append(f"{entry}: not installed")
            continue
        try:
            faces.append(FontBook.face(path, int(idx or 0)))
        except (TTFError, ValueError, OSError) as e:
            skipped.append(f"{entry}: cannot embed ({e})")
    return faces, skipped


class Fallbacks(Sequence[Face]):
    """The fallback faces, in order, loaded on first use (iteration, indexing or `len`).

    Truth is cheap: true when the style names any fallback, without loading; code that then asks
    for a face that none of them can load simply finds none."""

    def __init__(self, names: list[str], dirs: list[Path]):
        self._names = list(names)
        self._dirs = dirs
        self._loaded: tuple[list[Face], list[str]] | None = None

    def _load(self) -> tuple[list[Face], list[str]]:
        if self._loaded is None:
            self._loaded = load_fallbacks(self._names, self._dirs)
        return self._loaded

    @property
    def skipped(self) -> list[str]:
        """Why each entry that did not load was skipped."""
        return self._load()[1]

    def __bool__(self) -> bool:
        return bool(self._names)

    def __len__(self) -> int:
        return len(self._load()[0])

    def __getitem__(self, i):  # type: ignore[override]
        return self._load()[0][i]

    def __iter__(self) -> Iterator[Face]:
        return iter(self._load()[0])
