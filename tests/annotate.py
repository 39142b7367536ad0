"""Helpers that annotate a proof the way a PDF viewer does (with pypdf), to test `issue notes`."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject

from layout.proof.proofmap import read_map


def _arr(vals: list[float]) -> ArrayObject:
    return ArrayObject([FloatObject(v) for v in vals])


def annot(
    subtype: str, box: tuple[float, float, float, float], height: float, contents: str = "", quads=None, author="Desk"
) -> DictionaryObject:
    """An annotation dictionary; `box` and `quads` in points from the page's top-left."""
    x0, top, x1, bottom = box
    d = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject(subtype),
            NameObject("/Rect"): _arr([x0, height - bottom, x1, height - top]),
            NameObject("/Contents"): TextStringObject(contents),
            NameObject("/T"): TextStringObject(author),
            NameObject("/M"): TextStringObject("D:20261202221500Z"),
        }
    )
    if quads:
        q: list[float] = []
        for a, t, b, bt in quads:
            q += [a, height - t, b, height - t, a, height - bt, b, height - bt]  # Acrobat's order
        d[NameObject("/QuadPoints")] = _arr(q)
    return d


def word_box(pmap: dict, story: str, word: str, nth: int = 0, roles=("body",)):
    """(page number, box, line) of the nth body occurrence of `word` in `story`, from the map."""
    for p in pmap["pages"]:
        for ln in p["lines"]:
            if ln["story"] != story or ln["role"] not in roles:
                continue
            for k, w in enumerate(ln["text"].split()):
                if w == word:
                    if nth == 0:
                        a, b = ln["words"][k]
                        return p["number"], (a, ln["box"][1], b, ln["box"][3]), ln
                    nth -= 1
    raise AssertionError(f"test bug: {word!r} not in {story}")


class Annotator:
    def __init__(self, proof: Path):
        self.writer = PdfWriter(clone_from=str(proof))
        self.map = read_map(proof)
        self.height = float(self.writer.pages[0].mediabox.height)

    def add(self, page: int, subtype: str, box, contents: str = "", quads=None) -> None:
        self.writer.add_annotation(page - 1, annot(subtype, box, self.height, contents, quads))

    def save(self, out: Path) -> Path:
        with open(out, "wb") as fh:
            self.writer.write(fh)
        return out
