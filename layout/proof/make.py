"""`issue proof`: the edition's pages exactly as they print (drawn by layout.pdf.draw),
with proof marks over them on their own optional-content layer, proof sheets after them
(problems, overset copy), and the JSON map attached. Reads a built issue; writes one PDF
through a temporary file renamed into place."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from .. import __version__
from ..manifest.files import atomic_write
from ..page.frames import Composed, Page, TextItem
from ..pdf.draw import write_pdf
from ..pipeline import Built
from .findings import Finding, findings
from .fit import fit_rows
from .marks import OC_NAME, Marks
from .proofmap import MAP_NAME, build_map
from .sheets import proof_sheets


@dataclass
class Proof:
    path: Path
    pages: int  # edition pages
    sheets: int  # proof sheets after them
    findings: list[Finding]
    map: dict


def _story_boxes(page: Page, composed: Composed) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Each story's region on the page: its columns, from its top to its last item."""
    out = []
    for f in composed.fits:
        if f.page != page.number or not f.lines and not page.text(story=f.story):
            continue
        a = page.columns[f.columns[0] - 1]
        b = page.columns[min(f.columns[1], len(page.columns)) - 1]
        bottoms = [it.bottom for it in page.items if getattr(it, "story", None) == f.story and hasattr(it, "bottom")]
        out.append((f.story, (a[0], f.top, b[0] + b[1], max([f.bottom, *bottoms]))))
    return out


def make_proof(built: Built, out: Path, now: dt.datetime | None = None) -> Proof:
    li, style, composed = built.loaded, built.style, built.composed
    made = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    found = findings(composed, li)
    sheets = proof_sheets(li, style, composed, found)
    pages = composed.pages + sheets.pages
    boxes = {i: _story_boxes(p, composed) for i, p in enumerate(composed.pages)}
    boxes.update(sheets.boxes)
    overset = {f.story: f.overset_text for f in composed.overset}
    pmap = build_map(
        li,
        pages,
        len(composed.pages),
        boxes,
        overset,
        [
            {
                "page": f.page,
                "box": list(f.box) if f.box else None,
                "severity": f.severity,
                "note": f.note,
                "message": f.message,
                "kind": f.kind,
                "story": f.story,
            }
            for f in found
        ],
        made,
    )
    words: dict[tuple[str, int], int] = {}
    for p in composed.pages:
        for it in p.items:
            if isinstance(it, TextItem) and it.story and it.role != "jump":
                words[(it.story, p.number)] = words.get((it.story, p.number), 0) + len(it.text.split())
    iss = li.issue
    marks = Marks(
        style.roles["folio"].face,
        style.roles["kicker"].face,
        f"{iss.publication}  \u00b7  {iss.date.isoformat()}  \u00b7  No. {iss.number}  \u00b7  proofed {made}"
        f"  \u00b7  inputs {pmap['inputs']['short']}  \u00b7  layout {__version__}",
        len(pages),
        len(composed.pages),
    )
    for f in found:
        if f.page is not None and f.box is not None:  # the rest are on the problem sheet only
            marks.findings.setdefault(f.page, []).append(f)
    for r in fit_rows(composed):
        marks.fits.setdefault(r.page, []).append(r)
    marks.words = words
    proof = replace(composed, pages=pages, title=f"PROOF: {composed.title}")
    _write(proof, out, marks, pmap, iss.publication)
    return Proof(out, len(composed.pages), len(sheets.pages), found, pmap)


def _write(proof: Composed, out: Path, marks: Marks, pmap: dict, author: str) -> None:
    with atomic_write(out) as tmp:
        drawn = tmp.with_name(tmp.name + ".drawn")  # ReportLab's file, before the layer and the map
        try:
            write_pdf(proof, drawn, decorate=marks, author=author, keywords="proof")
            _finish(drawn, tmp, pmap)
        finally:
            drawn.unlink(missing_ok=True)


def _finish(src: Path, dst: Path, pmap: dict) -> None:
    """Declare the marks' layer (on by default, listed as "Proof marks" in a viewer's layers)
    on every page and in the catalog, and attach the map."""
    w = PdfWriter(clone_from=str(src))
    ocg = w._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/OCG"),
                NameObject("/Name"): TextStringObject("Proof marks"),
            }
        )
    )
    for page in w.pages:
        res = page[NameObject("/Resources")].get_object()
        props = res.get("/Properties")
        props = props.get_object() if props is not None else DictionaryObject()
        props[NameObject(f"/{OC_NAME}")] = ocg
        res[NameObject("/Properties")] = props
    w._root_object[NameObject("/OCProperties")] = DictionaryObject(
        {
            NameObject("/OCGs"): ArrayObject([ocg]),
            NameObject("/D"): DictionaryObject(
                {
                    NameObject("/Name"): TextStringObject("Proof"),
                    NameObject("/Order"): ArrayObject([ocg]),
                    NameObject("/ON"): ArrayObject([ocg]),
                    NameObject("/OFF"): ArrayObject([]),
                }
            ),
        }
    )
    data = json.dumps(pmap, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    w.add_attachment(MAP_NAME, data)
    names = w._root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    for k in range(0, len(names) - 1, 2):
        if names[k] == MAP_NAME:
            ef = names[k + 1].get_object()["/EF"]
            # The map is mostly numbers: compressed, it adds a tenth of its size to the proof.
            ef[NameObject("/F")] = w._add_object(ef["/F"].get_object().flate_encode())
    w.add_metadata({"/Creator": f"layout {__version__} (issue proof)"})
    with open(dst, "wb") as fh:
        w.write(fh)
