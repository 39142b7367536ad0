"""Corrections from a proof's annotations: sticky notes, free text, highlights,
underlines, strike-outs, carets (insertions) and replacements (a strike-out with a caret
carrying the new text). Each is placed through the proof's embedded map: its page, story,
the words under it (by their positions) and where in the story's words it applies.
Reads an annotated proof PDF; produces a list of Correction."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from .proofmap import open_unencrypted

KINDS = {
    "/Text": "note",
    "/FreeText": "note",
    "/Highlight": "highlight",
    "/Underline": "underline",
    "/Squiggly": "underline",
    "/StrikeOut": "delete",
    "/Caret": "insert",
}
Rect = tuple[float, float, float, float]  # x0, top, x1, bottom, from the page's top-left


@dataclass
class Correction:
    page: int
    kind: str  # note | highlight | underline | delete | insert | replace
    story: str | None
    marked: str  # the words under the mark (or either side of a caret)
    note: str  # the note's text; for insert and replace, the new text
    author: str
    time: str
    first: int | None = None  # first story word marked (index into the story's words)
    last: int | None = None  # one past the last word marked; for an insert, first == last
    role: str | None = None  # the role of the marked line (body, headline, overset...)

    def line(self) -> str:
        who = f" {self.story}" if self.story else ""
        by = f" ({self.author}{', ' + self.time if self.time else ''})" if self.author or self.time else ""
        what = {
            "delete": f"delete \u201c{self.marked}\u201d",
            "insert": f"insert \u201c{self.note}\u201d {self.marked}",
            "replace": f"replace \u201c{self.marked}\u201d with \u201c{self.note}\u201d",
        }.get(
            self.kind,
            f"{self.kind}"
            + (f" \u201c{self.marked}\u201d" if self.marked else "")
            + (f": {self.note}" if self.note else ""),
        )
        return f"p{self.page}{who}: {what}{by}"

    def as_dict(self) -> dict:
        return asdict(self)


def _s(v: object) -> str:
    return str(v) if v is not None else ""


def _time(a: dict) -> str:
    raw = _s(a.get("/M") or a.get("/CreationDate"))
    if raw.startswith("D:") and len(raw) >= 14:
        r = raw[2:]
        return f"{r[0:4]}-{r[4:6]}-{r[6:8]} {r[8:10]}:{r[10:12]}"
    return raw


def _quads(a: dict, height: float) -> list[Rect]:
    q = a.get("/QuadPoints")
    if q:
        v = [float(x) for x in q]
        out = []
        for i in range(0, len(v) - 7, 8):
            xs, ys = v[i : i + 8 : 2], v[i + 1 : i + 8 : 2]
            out.append((min(xs), height - max(ys), max(xs), height - min(ys)))
        if out:
            return out
    r = [float(x) for x in a.get("/Rect", [0, 0, 0, 0])]
    return [(min(r[0], r[2]), height - max(r[1], r[3]), max(r[0], r[2]), height - min(r[1], r[3]))]


class _Page:
    """The map's lines and story boxes of one page, for looking up marks."""

    def __init__(self, pmap: dict, story_words: dict[str, list[str]]):
        self.lines = pmap["lines"]
        self.boxes = pmap["boxes"]
        self.words = story_words

    def story_at(self, x: float, y: float) -> str | None:
        for b in self.boxes:
            x0, t, x1, bt = b["box"]
            if x0 - 2 <= x <= x1 + 2 and t - 2 <= y <= bt + 2:
                return b["story"]
        return None

    def under(self, quads: list[Rect]) -> list[tuple[dict, int]]:
        """(line, word number in the line) for each word whose centre is inside a quad."""
        out = []
        for ln in self.lines:
            _, top, _, bottom = ln["box"]
            cy = (top + bottom) / 2
            for k, (a, b) in enumerate(ln["words"]):
                cx = (a + b) / 2
                if any(q[0] <= cx <= q[2] and q[1] - 1 <= cy <= q[3] + 1 for q in quads):
                    out.append((ln, k))
        return out

    def caret(self, r: Rect) -> tuple[dict, int] | None:
        """The line a caret stands on and the word number it goes before."""
        cx, cy = (r[0] + r[2]) / 2, (r[1] + r[3]) / 2
        best = None
        for ln in self.lines:
            x0, top, x1, bottom = ln["box"]
            if x0 - 6 <= cx <= x1 + 6:
                d = 0.0 if top <= cy <= bottom else min(abs(cy - top), abs(cy - bottom))
                if best is None or d < best[0]:
                    best = (d, ln)
        if best is None or best[0] > 6:
            return None
        ln = best[1]
        k = sum(1 for a, b in ln["words"] if (a + b) / 2 < cx)
        return ln, k


def _story_word(ln: dict, k: int) -> int:
    return ln["w0"] + k


def _place(c: Correction, hits: list[tuple[dict, int]], words: dict[str, list[str]]) -> None:
    if not hits:
        return
    story = hits[0][0]["story"]
    idx = sorted({_story_word(ln, k) for ln, k in hits if ln["story"] == story})
    c.story, c.role = story, hits[0][0]["role"]
    c.first, c.last = idx[0], idx[-1] + 1
    c.marked = " ".join(words[story][c.first : c.last])


def _read_one(a, page: int, mp: _Page, words: dict[str, list[str]], height: float, carets: list) -> Correction | None:
    kind = KINDS.get(_s(a.get("/Subtype")))
    if kind is None:
        return None
    c = Correction(page, kind, None, "", _s(a.get("/Contents")), _s(a.get("/T")), _time(a))
    quads = _quads(a, height)
    if kind == "insert":
        at = mp.caret(quads[0])
        if at is not None:
            ln, k = at
            c.story, c.role = ln["story"], ln["role"]
            c.first = c.last = _story_word(ln, k)
            w = words[c.story]
            before = w[c.first - 1] if c.first > 0 else ""
            after = w[c.first] if c.first < len(w) else ""
            c.marked = f"between \u201c{before}\u201d and \u201c{after}\u201d"
        carets.append((c, quads[0], a.get("/IRT")))
    elif kind == "note":
        q = quads[0]
        _place(c, mp.under([(q[0] - 4, q[1], q[2] + 4, q[3])])[:12], words)
    else:
        _place(c, mp.under(quads), words)
    if c.story is None:
        q = quads[0]
        c.story = mp.story_at((q[0] + q[2]) / 2, (q[1] + q[3]) / 2)
    return c


def read_notes(pdf, pmap: dict) -> tuple[list[Correction], list[int]]:
    """The corrections, and the pages of annotations too malformed to read."""
    reader = open_unencrypted(pdf)
    words = {k: v["text"].split() for k, v in pmap["stories"].items()}
    out: list[Correction] = []
    refs: dict[int, Correction] = {}  # annotation object number -> correction
    carets: list[tuple[Correction, Rect, object]] = []
    skipped: list[int] = []
    for pi, page in enumerate(reader.pages):
        if pi >= len(pmap["pages"]):
            break
        mp = _Page(pmap["pages"][pi], words)
        height = float(page.mediabox.height)
        annots = page.get("/Annots")
        annots = annots.get_object() if isinstance(annots, IndirectObject) else annots
        for ref in annots if isinstance(annots, ArrayObject) else []:
            try:
                a = ref.get_object() if isinstance(ref, IndirectObject) else ref
                if not isinstance(a, DictionaryObject):
                    raise TypeError("not an annotation")
                c = _read_one(a, pi + 1, mp, words, height, carets)
            except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError):
                skipped.append(pi + 1)  # a malformed annotation: listed as skipped, not fatal
                continue
            if c is None:
                continue
            out.append(c)
            if isinstance(ref, IndirectObject):
                refs[ref.idnum] = c
    return _pair_replacements(out, refs, carets, reader), skipped


def _pair_replacements(out, refs, carets, reader) -> list[Correction]:
    """A caret tied to a strike-out (by /IRT either way, or standing within or at the end of
    it on the same line) turns the pair into one replacement."""
    strikes = [c for c in out if c.kind == "delete"]
    linked: dict[int, set[int]] = {}
    for num, c in refs.items():
        irt = reader.get_object(num).get("/IRT")
        if isinstance(irt, IndirectObject) and irt.idnum in refs:
            other = refs[irt.idnum]
            linked.setdefault(id(c), set()).add(id(other))
            linked.setdefault(id(other), set()).add(id(c))
    used: set[int] = set()  # strikes already paired, and carets folded into them
    for caret, _rect, _irt in carets:
        if not caret.note.strip():
            continue
        free = [s for s in strikes if id(s) not in used]
        partner = next((s for s in free if id(caret) in linked.get(id(s), set())), None)
        if partner is None and caret.first is not None:
            partner = next(
                (
                    s
                    for s in free
                    if s.page == caret.page
                    and s.story == caret.story
                    and s.first is not None
                    and s.first <= caret.first <= s.last
                ),
                None,
            )
        if partner is None:
            continue
        partner.kind = "replace"
        partner.note = caret.note.strip()
        partner.author = partner.author or caret.author
        used |= {id(partner), id(caret)}
    return [c for c in out if not (c.kind == "insert" and id(c) in used)]
