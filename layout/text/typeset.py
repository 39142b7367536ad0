"""The paragraph builder: runs of text into lines of positioned glyph spans.

Lines are measured and drawn with the same shaped widths (kerning and ligatures from
the fonts' own tables), so a justified line is exactly its measure in the PDF.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..manifest.stylesheet import TextSpec
from .fonts import LIGATURES, Face, Shaped
from .hyphenate import Hyphenator
from .linebreak import END, HYPH, JOIN, SPACE, Breaks, Items, Params, first_fit, total_fit
from .markdown import Run
from .style import Role, Style

# Optical margin alignment: the share of a character's width that hangs outside the measure.
HANG_RIGHT = {
    ".": 0.6,
    ",": 0.6,
    "-": 0.6,
    "\u2010": 0.6,
    "\u2013": 0.3,
    "\u2014": 0.2,
    ":": 0.3,
    ";": 0.3,
    "!": 0.2,
    "?": 0.2,
    '"': 0.5,
    "'": 0.6,
    "\u201d": 0.5,
    "\u2019": 0.6,
}
HANG_LEFT = {'"': 0.5, "'": 0.6, "\u201c": 0.5, "\u2018": 0.6, "(": 0.2, "\u2014": 0.2, "\u2013": 0.3}

_SPELL_OUT = str.maketrans(LIGATURES)
_WORD = re.compile(r"[^\s]+")
_URLISH = re.compile(r"(://|^www\.|\w/\w|@\w+\.)")


@dataclass(slots=True)
class Span:
    face: Face
    size: float
    shaped: Shaped
    x: float  # from the line's origin, points
    space_before: bool  # a word space precedes this span (written as a real space)
    color: str

    @property
    def text(self) -> str:
        return self.shaped.text


@dataclass(slots=True)
class Line:
    spans: list[Span]
    width: float  # the measure
    tracking: float  # extra space after each glyph, points (PDF Tc)
    scale: float  # horizontal glyph scaling (PDF Tz / 100)
    justified: bool
    hyphenated: bool  # ends with a hyphen that the breaker added or found
    first: bool  # first line of its paragraph
    last: bool  # last line of its paragraph
    ratio: float  # adjustment ratio chosen by the breaker
    para: int = 0  # paragraph number within its story
    overfull: float = 0.0  # points past the measure (hanging punctuation allowed for)
    breaks_word: bool = False  # ends inside a word (a hyphen, or a break after a dash or slash)

    @property
    def text(self) -> str:
        """The line's text as written (ligatures spelt out)."""
        out = []
        for s in self.spans:
            if s.space_before and out:
                out.append(" ")
            out.append(s.shaped.text)
        return "".join(out).translate(_SPELL_OUT)

    def advance(self, s: Span) -> float:
        return (s.shaped.width * s.size / 1000.0 + self.tracking * s.shaped.glyphs) * self.scale

    @property
    def right(self) -> float:
        """Where the last glyph's advance ends, without its trailing tracking."""
        if not self.spans:
            return 0.0
        s = self.spans[-1]
        return s.x + self.advance(s) - self.tracking * self.scale


@dataclass(slots=True)
class _Box:
    segs: list[tuple[Face, str, str]]  # (face, text, color)
    width: float
    glyphs: int


class Typesetter:
    """Sets paragraphs for one style and language, with total-fit or greedy breaking."""

    def __init__(self, style: Style, language: str, breaker: str = "total", spec: TextSpec | None = None):
        self.style = style
        self.spec = spec or style.text
        self.hyph = Hyphenator(language, self.spec)
        self.breaker = breaker
        self.params = Params(hyphen_limit=self.spec.hyphen_limit)
        self._face_cache: dict[str, dict[str, Face]] = {}
        self._frag_cache: dict[tuple, tuple] = {}  # a word's fragments by role, size, pieces, rules
        # Headlines and quotes: lines of even length, the last one included.
        self.ragged = Params(hyphen_limit=self.spec.hyphen_limit, fill_last=False)

    # -- items -------------------------------------------------------------------------

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
            text = r.text.upper() if upper else r.text
            pos = 0
            for m in re.finditer(r"[ \t\n\r\f\v\u2002-\u200a\u3000]+", text):
                if m.start() > pos:
                    cur.append((r.variant, text[pos : m.start()]))
                if cur:
                    words.append(tuple(cur))
                    cur = []
                pos = m.end()
            if pos < len(text):
                cur.append((r.variant, text[pos:]))
        if cur:
            words.append(tuple(cur))
        return words

    def _breaks_in(self, word: str, hyphenate: bool, capitalized: bool) -> list[tuple[int, int, bool, float]]:
        """(offset, kind, flagged, penalty) break opportunities inside a word."""
        out: list[tuple[int, int, bool, float]] = []
        n = len(word)
        if _URLISH.search(word):
            for i, ch in enumerate(word[:-1]):
                if ch in "/.-_?&=#" and 2 <= i + 1 <= n - 2 and word[i + 1] not in "/":
                    out.append((i + 1, JOIN, False, 100.0))
            return out
        for i, ch in enumerate(word[:-1]):
            if ch in "-\u2010" and i > 0 and word[i - 1].isalnum() and word[i + 1].isalnum():
                out.append((i + 1, JOIN, True, self.params.hyphen_penalty))
            elif ch in "\u2013\u2014/" and i > 0 and i + 1 < n - 1:
                out.append((i + 1, JOIN, False, 50.0))
        if out or not hyphenate:
            return out
        # Letters only: strip leading and trailing punctuation, hyphenate the core.
        a = 0
        while a < n and not word[a].isalpha():
            a += 1
        b = n
        while b > a and not word[b - 1].isalpha():
            b -= 1
        core = word[a:b]
        for p in self.hyph.points(core, capitalized):
            out.append((a + p, HYPH, True, self.params.hyphen_penalty))
        return out

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
    ) -> tuple[Items, list[_Box]]:
        faces = self._faces(role)
        extra_key: tuple = ()
        if extra_faces:
            faces = {**faces, **extra_faces}
            extra_key = tuple(sorted((k, f.name) for k, f in extra_faces.items()))
        spec = self.spec
        ws = spec.word_space
        ls = spec.letter_spacing * size if justify else 0.0
        sc = (spec.glyph_scaling[1] - 1.0) if justify else 0.0
        col = color or role.color
        k = size / 1000.0
        hyph = hyphenate and justify
        it = Items()
        boxes: list[_Box] = []
        words = self._words(runs, role.upper)
        cache = self._frag_cache
        last_word = len(words) - 1
        for wi, pieces in enumerate(words):
            key = (role.name, extra_key, col, size, pieces, hyph, capitalized)
            frags = cache.get(key)
            if frags is None:
                frags = cache[key] = self._fragments(pieces, faces, col, size, hyph, capitalized)
            nf = len(frags) - 1
            for fi, (segs, width, glyphs, kind, hw, pen, flagged, sp) in enumerate(frags):
                gw = gy = gz = 0.0
                if fi == nf:
                    if wi == last_word:
                        kind = END
                    else:
                        kind = SPACE
                        gw, gy, gz = sp * ws.ideal, sp * (ws.max - ws.ideal), sp * (ws.ideal - ws.min)
                if width > measure:
                    # Only a word longer than a whole line: split it at characters.
                    for psegs, pw, pg in _fit_pieces([(segs, width, glyphs)], measure, k):
                        self._append(
                            it,
                            boxes,
                            psegs,
                            pw,
                            pg,
                            ls,
                            sc,
                            HYPH,
                            0.0,
                            0.0,
                            0.0,
                            psegs[-1][0].width("-", size),
                            1000.0,
                            True,
                        )
                    it.sep[-1], it.hw[-1], it.pen[-1], it.flag[-1] = kind, hw, pen, flagged
                    it.gw[-1], it.gy[-1], it.gz[-1] = gw, gy, gz
                else:
                    self._append(it, boxes, segs, width, glyphs, ls, sc, kind, gw, gy, gz, hw, pen, flagged)
        return it, boxes

    def _fragments(
        self, pieces: tuple, faces: dict[str, Face], col: str, size: float, hyph: bool, capitalized: bool
    ) -> tuple:
        """A word cut at its break points: (segments, width, glyphs, break kind, hyphen width,
        penalty, flagged, space width after the word) per fragment. The last fragment's kind
        is decided by the caller (a space or the paragraph's end)."""
        k = size / 1000.0
        text = "".join(t for _, t in pieces)
        brk = self._breaks_in(text, hyph, capitalized)
        cuts = [0] + [b[0] for b in brk] + [len(text)]
        out = []
        for fi in range(len(cuts) - 1):
            segs = _slice(pieces, cuts[fi], cuts[fi + 1], faces, col)
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
        boxes: list[_Box],
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
        boxes.append(_Box(segs, width, glyphs))
        it.widths.append(width)
        it.flex.append(ls * glyphs + width * sc)
        it.sep.append(kind)
        it.gw.append(gw)
        it.gy.append(gy)
        it.gz.append(gz)
        it.hw.append(hw)
        it.pen.append(pen)
        it.flag.append(flagged)

    # -- lines -------------------------------------------------------------------------

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
        (a drop cap); the last width holds for the rest."""
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

        def items(capitalized: bool = False) -> tuple[Items, list[_Box]]:
            return self.items(
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
        return self._lines(it, boxes, br, width, size, justify, align, indent, para)

    def _lines(
        self,
        it: Items,
        boxes: list[_Box],
        br: Breaks,
        width,
        size: float,
        justify: bool,
        align: str,
        indent: float,
        para: int,
    ) -> list[Line]:
        lines: list[Line] = []
        s = 0
        k = size / 1000.0
        spec = self.spec
        nlines = len(br.ends)
        for li, e in enumerate(br.ends):
            last = li == nlines - 1
            L = width(li)
            x0 = indent if li == 0 else 0.0
            spans: list[Span] = []
            gaps: list[float] = []  # natural width of the space before each box (0 if none)
            stretch: list[float] = []
            shrink: list[float] = []
            for bi in range(s, e + 1):
                box = boxes[bi]
                prev_sep = it.sep[bi - 1] if bi > s else None
                sp_before = prev_sep == SPACE
                gaps.append(it.gw[bi - 1] if sp_before else 0.0)
                stretch.append(it.gy[bi - 1] if sp_before else 0.0)
                shrink.append(it.gz[bi - 1] if sp_before else 0.0)
                for si, (face, t, col) in enumerate(box.segs):
                    spans.append(Span(face, size, face.shape(t), 0.0, sp_before and si == 0, col))
                    if si:
                        gaps.append(0.0)
                        stretch.append(0.0)
                        shrink.append(0.0)
            hyphenated = False
            if not last and it.sep[e] == HYPH:
                f = spans[-1].face
                spans.append(Span(f, size, f.shape("-"), 0.0, False, spans[-1].color))
                gaps.append(0.0)
                stretch.append(0.0)
                shrink.append(0.0)
                hyphenated = True
            elif not last and it.sep[e] == JOIN and it.flag[e]:
                hyphenated = True
            line = Line(
                spans,
                L,
                0.0,
                1.0,
                justify and not last,
                hyphenated,
                li == 0,
                last,
                br.ratios[li] if li < len(br.ratios) else 0.0,
                para,
            )
            line.breaks_word = not last and it.sep[e] in (HYPH, JOIN)
            # Optical margins: punctuation at either end hangs partly outside the measure.
            hang_l = hang_r = 0.0
            if spec.optical_margins and justify:
                first_ch = spans[0].shaped.text[:1]
                if li > 0 or not indent:
                    hang_l = HANG_LEFT.get(first_ch, 0.0) * spans[0].face.width(first_ch, size) if first_ch else 0.0
                if not last:
                    last_ch = spans[-1].shaped.text[-1:]
                    hang_r = HANG_RIGHT.get(last_ch, 0.0) * spans[-1].face.width(last_ch, size) if last_ch else 0.0
            target = L + hang_l + hang_r
            nat_boxes = sum(sp.shaped.width * k for sp in spans)
            glyphs = sum(sp.shaped.glyphs for sp in spans)
            nat_gaps = sum(gaps)
            if last and justify and nat_boxes + nat_gaps > target + 0.01:
                line.justified = True  # a last line that fits only with its spaces tightened
            if line.justified:
                need = target - nat_boxes - nat_gaps
                Y = sum(stretch) if need >= 0 else sum(shrink)
                take = max(-Y, min(need, Y)) if Y > 0 else 0.0
                rem = need - take
                if rem and glyphs > 1:
                    # Letters next: tracking and glyph scaling share the rest by their limits.
                    fl = spec.letter_spacing * size * (glyphs - 1)
                    fs = (spec.glyph_scaling[1] - 1.0 if rem > 0 else 1.0 - spec.glyph_scaling[0]) * nat_boxes
                    cap = fl + fs
                    t = max(-1.0, min(1.0, rem / cap)) if cap > 0 else 0.0
                    line.scale = 1.0 + t * fs / nat_boxes if nat_boxes else 1.0
                    line.tracking = t * fl / (glyphs - 1) / line.scale if glyphs > 1 else 0.0
                # Fill the measure exactly: spaces take whatever is left after the letters.
                adv = sum(line.advance(sp) for sp in spans) - line.tracking * line.scale
                room = target - adv
                total_gap = nat_gaps
                if total_gap > 0:
                    # Never closer than the minimum word space: a line that cannot fit
                    # overflows (and is reported) rather than run its words together.
                    factor = max(room / total_gap, spec.word_space.min / spec.word_space.ideal)
                    gaps = [g * factor for g in gaps]
                elif glyphs > 1 and len(spans) >= 1:
                    # One word alone on a line: letter-space it to the measure.
                    line.tracking = max(line.tracking + room / ((glyphs - 1) * line.scale), -spec.letter_spacing * size)
            x = x0 - hang_l
            if not line.justified:
                natural = nat_boxes + nat_gaps
                if align == "center":
                    x = x0 + (L - natural) / 2
                elif align == "right":
                    x = x0 + L - natural + hang_r
            for sp, g in zip(spans, gaps, strict=True):
                x += g
                sp.x = x
                x += line.advance(sp)
            over = max(line.right - (x0 + L + hang_r), (x0 - hang_l) - spans[0].x)
            if over > 0.01:
                line.overfull = over
            lines.append(line)
            s = e + 1
        return lines


def _loosest(br: Breaks) -> float:
    """The adjustment ratio of the loosest line that is justified (the last line is not)."""
    return max((abs(r) for r in br.ratios[:-1]), default=0.0)


def _slice(
    pieces: list[tuple[str, str]], a: int, b: int, faces: dict[str, Face], color: str
) -> list[tuple[Face, str, str]]:
    out = []
    pos = 0
    for variant, t in pieces:
        lo, hi = max(a, pos), min(b, pos + len(t))
        if lo < hi:
            out.append((faces.get(variant, faces["regular"]), t[lo - pos : hi - pos], color))
        pos += len(t)
    return out


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
