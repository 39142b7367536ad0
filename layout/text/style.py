"""The style in use: the validated style sheet with every role's face loaded.

Reads a `StyleSheet` (from `manifest.stylesheet`); produces `Style`, which the typesetter and the
page composer ask for faces, sizes, colours and rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..manifest.fontinfo import FontCache
from ..manifest.stylesheet import ROLES, RoleSpec, StyleSheet, read_style_sheet
from .fallback import Fallbacks
from .fonts import Face, FontBook


@dataclass(frozen=True, slots=True)
class Role:
    """A role resolved to a loaded face."""

    name: str
    face: Face
    size: float
    leading: float
    align: str
    upper: bool
    color: str
    spec: RoleSpec


class Style:
    """A validated style sheet with every face loaded."""

    def __init__(self, sheet: StyleSheet, font_dirs: list[Path]):
        self.sheet = sheet
        self.grid = sheet.grid
        self.text = sheet.text
        self.font_dirs = font_dirs
        # Faces for characters the role's fonts lack, in order; and the entries that did not load.
        self.fallbacks = Fallbacks(sheet.fallback_fonts, font_dirs)  # loaded when a face lacks a character
        self.roles: dict[str, Role] = {}
        for name in ROLES:
            spec = sheet.roles[name]
            self.roles[name] = Role(
                name,
                self.face(spec.font, spec.variant),
                spec.size,
                spec.leading,
                spec.align,
                spec.upper,
                spec.color,
                spec,
            )

    @property
    def fallbacks_skipped(self) -> list[str]:
        """The fallback entries that did not load, and why (loads the fallbacks)."""
        return self.fallbacks.skipped

    def face(self, family: str, variant: str = "regular") -> Face:
        fam = self.sheet.fonts[family]
        rel = (
            fam.get(variant)
            or fam.get({"bold_italic": "bold", "semibold": "bold", "black": "bold"}.get(variant, "regular"))
            or fam["regular"]
        )
        for d in self.font_dirs:
            p = d / rel
            if p.is_file():
                return FontBook.face(p)
        raise FileNotFoundError(rel)

    def headline_size(self, span: int) -> float:
        sizes = self.sheet.headline_sizes
        best = max((k for k in sizes if k <= span), default=min(sizes))
        return sizes[best]

    def color(self, key: str, default: str = "#000000") -> str:
        return self.sheet.colors.get(key, default)

    def rule(self, key: str, default: float = 0.5) -> float:
        return self.sheet.rules.get(key, default)


def load_style(path: Path | None, root: Path | None = None, fonts: FontCache | None = None) -> Style:
    """The default style sheet, with the issue's own laid over it, its faces loaded. The sheet's
    fonts must lie inside `root` (the issue folder) or the house folders; `fonts` keeps their
    parsed tables between renders."""
    return Style(*read_style_sheet(path, root, fonts))
