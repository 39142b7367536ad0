"""Runs of text into the breaker's items: words cut at their break points, shaped and measured.

Reads Markdown runs and a role; produces `Items` (box widths, glue, penalties) for `linebreak` and the
matching `Box`es (face, shaped run, colour segments) that `justify` turns into spans. A word's
fragments, and the rows of items they make, are kept per role, size and rules: a word set again is
neither cut, hyphenated, shaped nor measured again, and a paragraph's items are its words' rows
joined (at C speed: this runs for every paragraph of an issue).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

from ..manifest.stylesheet import TextSpec
from .breakpoints import breaks_in
from .fonts import Face, Shaped
from .hyphenate import Hyphenator
from .linebreak import END, HYPH, SPACE, Items, Params
from .markdown import Run
from .style import Role, Style

_SPACES = re.compile(r"[ \t\n\r\f\v\u2002-\u200a\u3000]+")
_join = chain.from_iterable
_INF = float("inf")

_accel = None  # the words' rows joined in C (layout/text/_items.c), when it is built
if os.environ.get("LAYOUT_PURE_PYTHON", "") in ("", "0"):  # (=1 before the import: the Python steps)
    try:
        from . import _items as _accel  # type: ignore[attr-defined,no-redef]
    except ImportError:  # not built (no compiler): the Python steps below do the work
        _accel = None
ACCELERATED = _accel is not None


@dataclass(slots=True)
class Box:
    segs: tuple[tuple[Face, Shaped, str], ...]  # (face, shaped text, color)
    width: float
    glyphs: int


class ItemBuilder:
    """Builds items for one style, language and set of typesetting rules."""

    def __init__(self, style: Style, spec: TextSpec, hyph: Hyphenator, params: Params):
        self.style = style
        self.spec = spec
        self.hyph = hyph
        self.params = params
        self._face_cache: dict[str, dict[str, Face]] = {}
        self._frag_cache: dict[tuple, tuple] = {}  # a word's fragments by role, size, pieces, rules
        self._widest: dict[tuple, float] = {}  # and the widest of them (is it longer than a line?)
        self._rows: dict[tuple, dict] = {}  # a word's rows of items by (role, size, rules...), then pieces

    def _faces(self, role: Role) -> dict[str, Face]:
        key = role.name
        cached = self._face_cache.get(key)
        if cached is not None:
            return cached
        out = self._faces_of(role)
        self._face_cache[key] = out
        return out

    def _faces_of(self, role: Role) -> dict[str, Face]:
        fam = role.spec.font
        base = role.spec.variant
        out = {}
        for v in ("regular", "italic", "bold", "bold_italic"):
            if base == "regular":
                out[v] = self.style.face(fam, v)
            elif v == "regular":
                out[v] = role.face
            elif base == "italic" and v == "italic":
                out[v] = self.style.face(fam, "regular")  # emphasis inside italic turns roman
            else:
                out[v] = self.style.face(fam, v if v != "italic" else base)
        return out

    def _words(self, runs: list[Run], upper: bool) -> list[tuple[tuple[str, str], ...]]:
        """Words as lists of (variant, text) pieces."""
        words: list[tuple[tuple[str, str], ...]] = []
        cur: list[tuple[str, str]] = []
        for r in runs:
            parts = _SPACES.split(r.text.upper() if upper else r.text)
            v = r.variant
            if parts[0]:
                cur.append((v, parts[0]))
            if len(parts) == 1:
                continue  # no space in this run: its text goes on the word begun before
            if cur:
                words.append(tuple(cur))
            words += [((v, t),) for t in parts[1:-1]]  # between two spaces: never empty
            cur = [(v, parts[-1])] if parts[-1] else []
        if cur:
            words.append(tuple(cur))
        return words

    def items(
        self,
        runs: list[Run],
        role: Role,
        size: float,
        measure: float,
        *,
        justify: bool,
        hyphenate: bool,
        color: str | None = None,
        extra_faces: dict[str, Face] | None = None,
        capitalized: bool = False,
    ) -> tuple[Items, list[Box]]:
        faces = self._faces(role)
        extra_key: tuple = ()
        if extra_faces:
            faces = {**faces, **extra_faces}
            extra_key = tuple(sorted((k, f.name) for k, f in extra_faces.items()))
        col = color or role.color
        hyph = hyphenate and justify
        rkey = (role.name, extra_key, col, size, hyph, capitalized, justify)
        known = self._rows.get(rkey)
        if known is None:
            known = self._rows[rkey] = {}

        def miss(pieces: tuple) -> tuple:
            """A word not set before at this role, size and rules: its rows (as if a space followed
            it), its widest fragment and its fragments' key."""
            r = None
            if capitalized and not _initial_capital(pieces):
                # Capitalised words hyphenated too: a word that is not has the rows it has without.
                plain = self._rows.get((*rkey[:5], False, justify), {}).get(pieces)
                r = (plain[0], plain[1], (*plain[2][:6], True)) if plain is not None else None
            if r is None:
                key = (role.name, extra_key, col, size, pieces, hyph, capitalized)
                frags = self._frag_cache.get(key)
                if frags is None:
                    frags = self._frag_cache[key] = self._fragments(pieces, faces, col, size, hyph, capitalized)
                    self._widest[key] = max(f[1] for f in frags)
                # Kept unsplit (an infinite measure): a line narrower than the word takes `wide`.
                r = (self._rows_of(frags, size, justify, _INF), self._widest[key], key)
            known[pieces] = r
            return r

        def wide(r: tuple, pieces: tuple) -> tuple:
            """The rows of a word longer than the line: they depend on the measure."""
            frags = self._long_word(r[2], pieces, faces, col, size, hyph, capitalized)
            return self._rows_of(frags, size, justify, measure)

        if _accel is not None:  # the same steps in C (layout/text/_items.c)
            got = _accel.join(runs, role.upper, known, measure, miss, wide, END)
            if got is None:
                return Items(), []
            return Items(*got[1:]), got[0]
        words = self._words(runs, role.upper)
        if not words:
            return Items(), []
        rows = []
        for pieces in words:
            r = known.get(pieces)
            if r is None:
                r = miss(pieces)
            rows.append(wide(r, pieces) if r[1] > measure else r[0])
        # A paragraph's items are its words' rows one after another (row by row, ten values a row;
        # strided slices make the columns); the last word ends the paragraph.
        flat = list(_join(rows))
        sep = flat[3::10]
        gw, gy, gz = flat[4::10], flat[5::10], flat[6::10]
        sep[-1], gw[-1], gy[-1], gz[-1] = END, 0.0, 0.0, 0.0
        it = Items(flat[1::10], flat[2::10], sep, gw, gy, gz, flat[7::10], flat[8::10], flat[9::10])
        return it, flat[0::10]

    def _rows_of(self, frags: tuple, size: float, justify: bool, measure: float) -> tuple:
        """A word's rows of items, one after another, each a box and its width, flex, separator, glue
        width, stretch, shrink, hyphen width, penalty and flag; as if a space followed the word."""
        spec = self.spec
        ws = spec.word_space
        ls = spec.letter_spacing * size if justify else 0.0
        sc = (spec.glyph_scaling[1] - 1.0) if justify else 0.0
        rows: list = []
        nf = len(frags) - 1
        for fi, (segs, width, glyphs, kind, hw, pen, flagged, sp) in enumerate(frags):
            gw = gy = gz = 0.0
            if fi == nf:
                kind = SPACE
                gw, gy, gz = sp * ws.ideal, sp * (ws.max - ws.ideal), sp * (ws.ideal - ws.min)
            if width > measure:
                # Only a word longer than a whole line: split it at characters.
                it = Items()
                boxes: list[Box] = []
                self._append_split(it, boxes, segs, width, glyphs, measure, size, ls, sc)
                it.sep[-1], it.hw[-1], it.pen[-1], it.flag[-1] = kind, hw, pen, flagged
                it.gw[-1], it.gy[-1], it.gz[-1] = gw, gy, gz
                cols = (boxes, it.widths, it.flex, it.sep, it.gw, it.gy, it.gz, it.hw, it.pen, it.flag)
                rows += _join(zip(*cols, strict=True))
            else:
                box = Box(tuple([(face, face.shape(t), c) for face, t, c in segs]), width, glyphs)
                rows += (box, width, ls * glyphs + width * sc, kind, gw, gy, gz, hw, pen, flagged)
        return tuple(rows)

    def _long_word(
        self, key: tuple, pieces: tuple, faces: dict[str, Face], col: str, size: float, hyph: bool, capitalized: bool
    ) -> tuple:
        """A word longer than the line: fragments that break where the line needs, not stretched."""
        lkey = (*key, "anywhere")
        frags = self._frag_cache.get(lkey)
        if frags is None:
            frags = self._frag_cache[lkey] = self._fragments(pieces, faces, col, size, hyph, capitalized, anywhere=True)
        return frags

    def _append_split(
        self,
        it: Items,
        boxes: list[Box],
        segs,
        width: float,
        glyphs: int,
        measure: float,
        size: float,
        ls: float,
        sc: float,
    ) -> None:
        """Append a fragment wider than the measure as pieces that each fit, joined by hyphens."""
        for psegs, pw, pg in _fit_pieces([(segs, width, glyphs)], measure, size / 1000.0):
            hw = psegs[-1][0].width("-", size)
            shaped = tuple((face, face.shape(t), c) for face, t, c in psegs)
            self._append(it, boxes, shaped, pw, pg, ls, sc, HYPH, 0.0, 0.0, 0.0, hw, 1000.0, True)

    def _fragments(
        self,
        pieces: tuple,
        faces: dict[str, Face],
        col: str,
        size: float,
        hyph: bool,
        capitalized: bool,
        anywhere: bool = False,
    ) -> tuple:
        """A word cut at its break points: (segments, width, glyphs, break kind, hyphen width,
        penalty, flagged, space width after the word) per fragment. The last fragment's kind
        is decided by the caller (a space or the paragraph's end)."""
        k = size / 1000.0
        text = pieces[0][1] if len(pieces) == 1 else "".join([t for _, t in pieces])
        brk = breaks_in(text, self.hyph, self.params.hyphen_penalty, hyph, capitalized, anywhere)
        cuts = [0] + [b[0] for b in brk] + [len(text)]
        out = []
        for fi in range(len(cuts) - 1):
            segs = _slice(pieces, cuts[fi], cuts[fi + 1], faces, col, self.style.fallbacks)
            width = 0.0
            glyphs = 0
            for face, t, _ in segs:
                sh = face.shape(t)
                width += sh.width * k
                glyphs += sh.glyphs
            last_face = segs[-1][0]
            if fi < len(brk):
                _, kind, flagged, pen = brk[fi]
                hw = last_face.width("-", size) if kind == HYPH else 0.0
                out.append((segs, width, glyphs, kind, hw, pen, flagged, 0.0))
            else:
                out.append((segs, width, glyphs, SPACE, 0.0, 0.0, False, last_face.space * k))
        return tuple(out)

    @staticmethod
    def _append(
        it: Items,
        boxes: list[Box],
        segs,
        width: float,
        glyphs: int,
        ls: float,
        sc: float,
        kind: int,
        gw: float,
        gy: float,
        gz: float,
        hw: float,
        pen: float,
        flagged: bool,
    ) -> None:
        boxes.append(Box(segs, width, glyphs))
        it.widths.append(width)
        it.flex.append(ls * glyphs + width * sc)
        it.sep.append(kind)
        it.gw.append(gw)
        it.gy.append(gy)
        it.gz.append(gz)
        it.hw.append(hw)
        it.pen.append(pen)
        it.flag.append(flagged)


def _initial_capital(pieces: tuple) -> bool:
    """Whether the word's first letter is a capital (only then does hyphenating capitalised words
    change its break points: see Hyphenator.points)."""
    for _, t in pieces:
        for ch in t:
            if ch.isalpha():
                return ch.isupper()
    return False


def _slice(
    pieces: list[tuple[str, str]], a: int, b: int, faces: dict[str, Face], color: str, fallbacks: Sequence[Face] = ()
) -> list[tuple[Face, str, str]]:
    out = []
    pos = 0
    for variant, t in pieces:
        end = pos + len(t)
        lo, hi = (a if a > pos else pos), (b if b < end else end)  # max() and min(), without the calls
        if lo < hi:
            face = faces.get(variant, faces["regular"])
            text = t[lo - pos : hi - pos]
            if fallbacks and face.missing(text):
                out.extend((f, part, color) for f, part in _fall_back(face, text, fallbacks))
            else:
                out.append((face, text, color))
        pos = end
    return out


def _fall_back(face: Face, text: str, fallbacks: Sequence[Face]) -> list[tuple[Face, str]]:
    """`text` in runs of one face each: the role's face where it has the character, else the first
    fallback face that has it (a character none has stays with the role's face; the glyph check
    reports it before anything is set)."""
    runs: list[tuple[Face, str]] = []
    for ch in text:
        f = face
        if not face.has(ch) and face.missing(ch):
            f = next((fb for fb in fallbacks if fb.has(ch)), face)
        if runs and runs[-1][0] is f:
            runs[-1] = (f, runs[-1][1] + ch)
        else:
            runs.append((f, ch))
    return runs


def _fit_pieces(parts, measure: float, k: float):
    """Split a fragment wider than the measure at character boundaries, so no line
    overflows its column (only a word longer than a whole line needs it)."""
    out = []
    for segs, width, glyphs in parts:
        if width <= measure or sum(len(t) for _, t, _ in segs) <= 1:
            out.append((segs, width, glyphs))
            continue
        cur: list[tuple[Face, str, str]] = []
        cur_w = 0.0
        for face, t, col in segs:
            hyph = face.width("-", k * 1000)
            i = 0
            while i < len(t):
                j = i
                while j < len(t) and cur_w + face.width(t[i : j + 1], k * 1000) + hyph <= measure:
                    j += 1
                if j == i and not cur:
                    j = i + 1  # a single glyph always goes
                if j > i:
                    cur.append((face, t[i:j], col))
                    cur_w += face.width(t[i:j], k * 1000)
                    i = j
                if i < len(t):
                    out.append((cur, cur_w, sum(len(x) for _, x, _ in cur)))
                    cur, cur_w = [], 0.0
        if cur:
            out.append((cur, cur_w, sum(len(x) for _, x, _ in cur)))
    return out
