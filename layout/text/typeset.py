"""The paragraph builder: runs of text into lines of positioned glyph spans.

Reads Markdown runs, a role and a measure; produces `Line`s. Items come from `items`, the breaks
from `linebreak` (total fit, or first fit for comparison), the positioned lines from `justify`.
Lines are measured and drawn with the same shaped widths (kerning and ligatures from the fonts' own
tables), so a justified line is exactly its measure in the PDF.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..manifest.stylesheet import TextSpec
from .cache import ParagraphCache, paragraph_key
from .fonts import Face
from .hyphenate import Hyphenator
from .items import Box, ItemBuilder
from .justify import HANG_LEFT, HANG_RIGHT, build_lines
from .line import Line, Span
from .linebreak import SPACE, Breaks, Items, Params, first_fit, total_fit
from .markdown import Run
from .style import Role, Style

__all__ = ["HANG_LEFT", "HANG_RIGHT", "Line", "Span", "Typesetter"]


class Typesetter:
    """Sets paragraphs for one style and language, with total-fit or greedy breaking."""

    def __init__(
        self,
        style: Style,
        language: str,
        breaker: str = "total",
        spec: TextSpec | None = None,
        cache: ParagraphCache | None = None,
    ):
        self.cache = cache
        self._key_base = (language, breaker, spec.model_dump_json() if spec else None)
        self.style = style
        self.spec = spec or style.text
        self.hyph = Hyphenator(language, self.spec)
        self.breaker = breaker
        self.params = Params(hyphen_limit=self.spec.hyphen_limit)
        self.builder = ItemBuilder(style, self.spec, self.hyph, self.params)
        # Headlines and quotes: lines of even length, the last one included.
        self.ragged = Params(hyphen_limit=self.spec.hyphen_limit, fill_last=False)

    def set(
        self,
        runs: list[Run],
        role: Role,
        measure: float | list[float],
        *,
        size: float | None = None,
        align: str | None = None,
        hyphenate: bool = True,
        color: str | None = None,
        indent: float = 0.0,
        para: int = 0,
        ragged_balance: bool = False,
        extra_faces: dict[str, Face] | None = None,
    ) -> list[Line]:
        """Break one paragraph into lines. `measure` may list the widths of its first lines
        (a drop cap); the last width holds for the rest. Set paragraphs come from the cache
        when it has them."""
        if self.cache is None:
            return self._set(
                runs, role, measure, size, align, hyphenate, color, indent, para, ragged_balance, extra_faces
            )
        key = paragraph_key(
            (
                self._key_base,
                tuple(tuple(getattr(r, f) for f in r.__slots__) for r in runs),
                role.name,
                measure,
                size,
                align,
                hyphenate,
                color,
                indent,
                para,
                ragged_balance,
                tuple(sorted((k, str(f.path)) for k, f in extra_faces.items())) if extra_faces else None,
            )
        )
        lines = self.cache.get(key)
        if (
            lines is not None
            and not self.cache.vouched(key)
            and _letters(sp.shaped.text for ln in lines for sp in ln.spans) != _letters(r.text for r in runs)
        ):
            lines = None  # a forged cache file (its checksum is no secret) setting other words: set afresh
        if lines is None:
            lines = self._set(
                runs, role, measure, size, align, hyphenate, color, indent, para, ragged_balance, extra_faces
            )
            self.cache.put(key, lines)
        return lines

    def _set(
        self,
        runs: list[Run],
        role: Role,
        measure: float | list[float],
        size: float | None,
        align: str | None,
        hyphenate: bool,
        color: str | None,
        indent: float,
        para: int,
        ragged_balance: bool,
        extra_faces: dict[str, Face] | None,
    ) -> list[Line]:
        size = size or role.size
        align = align or role.align
        justify = align == "justify" and self.spec.justify
        widths = list(measure) if isinstance(measure, list) else [measure]
        if indent:
            widths = [widths[0] - indent] + widths[1:] if len(widths) > 1 else [widths[0] - indent, widths[0]]
        varying = len(widths) - 1

        def width(line: int) -> float:
            return widths[line] if line < len(widths) else widths[-1]

        hyphenate = hyphenate and self.spec.hyphenate

        def items(capitalized: bool = False) -> tuple[Items, list[Box]]:
            return self.builder.items(
                runs,
                role,
                size,
                min(widths),
                justify=justify,
                hyphenate=hyphenate,
                color=color,
                extra_faces=extra_faces,
                capitalized=capitalized,
            )

        it, boxes = items()
        if not boxes:
            return []
        if not justify:
            # Ragged text: give every space a generous stretch so total-fit evens the lines.
            it.gy = [w * 6 if s == SPACE else 0.0 for w, s in zip(it.gw, it.sep, strict=True)]
            it.gz = [0.0] * len(it.gw)
        if self.breaker == "greedy" or (not justify and not ragged_balance):
            br = first_fit(it, width, varying, self.params)
        elif not justify:
            br = total_fit(it, width, varying, self.ragged)
        else:
            br = total_fit(it, width, varying, self.params)
            if br.emergency and hyphenate and self.spec.hyphenate_capitalized == "fallback":
                # Before opening the spaces, try hyphenating capitalised words too.
                it2, boxes2 = items(capitalized=True)
                br2 = total_fit(it2, width, varying, self.params)
                if _loosest(br2) < _loosest(br):
                    it, boxes, br = it2, boxes2, br2
        return build_lines(it, boxes, br, width, size, justify, align, indent, para, self.spec)


def _loosest(br: Breaks) -> float:
    """The adjustment ratio of the loosest line that is justified (the last line is not)."""
    return max((abs(r) for r in br.ratios[:-1]), default=0.0)


_NOT_ALNUM = re.compile(r"[\W_]+")  # \w is exactly isalnum() and the underscore


def _letters(texts: Iterable[str]) -> str:
    """The letters and digits of some text, case folded: what a cached setting must agree on
    (at C speed: a warm render checks every paragraph read from the file). Spans' texts may be given
    for a line's: the spaces between spans are not letters, and case folding spells out the
    ligatures (U+FB00-FB04) as `Line.text` does."""
    return _NOT_ALNUM.sub("", "".join(texts)).casefold()
