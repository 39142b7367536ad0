"""The proof's machine-readable map: every page's story boxes and lines (with word
positions), every story's text, a hash of the inputs and the tool version. Built from
the composed frames, embedded in the proof as a JSON attachment, and read back by
`diff` and `notes` so they work from the PDF alone."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ContentStream

from .. import __version__
from ..manifest.load import LoadedIssue
from ..page.frames import ImageItem, Page, RuleItem, TextItem, added_hyphen
from ..text.fonts import LIGATURES
from .mapcheck import MAX_BYTES, check_map

MAP_NAME = "layout-proof-map.json"
MARKS_BEGIN = b"/OC /ProofMarks BDC"  # as marks.py opens its block
FORMAT = "layout-proof-map/1"
SKIP_ROLES = ("jump",)  # "Continued on page 4" is furniture, not the story's copy
_SPELL = str.maketrans(LIGATURES)


def input_hash(li: LoadedIssue) -> tuple[str, dict[str, str]]:
    """SHA-256 over the manifest, article bodies, photos and style sheet, and each file's own."""
    files: dict[str, Path] = {"issue.yaml": li.manifest}
    for aid, p in li.body_files.items():
        if p is not None:
            files[f"articles/{aid}"] = p
    for aid, art in li.issue.articles.items():
        for i, ph in enumerate(art.photos):
            files[f"photos/{aid}/{i}"] = li.folder / ph.file
    if li.issue.style:
        files["style"] = li.folder / li.issue.style
    each = {k: hashlib.sha256(Path(v).read_bytes()).hexdigest() for k, v in sorted(files.items())}
    whole = hashlib.sha256(json.dumps(each, sort_keys=True).encode()).hexdigest()
    return whole, each


def word_boxes(it: TextItem) -> list[tuple[str, float, float]]:
    """Each word of the line with its left and right x on the page, from the glyph spans."""
    chars: list[tuple[str, float, float]] = []
    ln = it.line
    for s in ln.spans:
        if s.space_before and chars:
            chars.append((" ", chars[-1][2], it.x + s.x))
        text = s.shaped.text.translate(_SPELL)
        x0 = it.x + s.x
        step = ln.advance(s) / max(1, len(text))
        for k, ch in enumerate(text):
            chars.append((ch, x0 + k * step, x0 + (k + 1) * step))
    words: list[tuple[str, float, float]] = []
    cur: list[tuple[str, float, float]] = []
    for ch in [*chars, (" ", 0.0, 0.0)]:
        if ch[0].isspace():
            if cur:
                words.append(("".join(c[0] for c in cur), cur[0][1], cur[-1][2]))
                cur = []
        else:
            cur.append(ch)
    return words


def _fingerprint(page: Page, photo_hash: dict[str, str]) -> str:
    """What prints on the page, position by position: two renders of the same page agree."""
    h = hashlib.sha256()
    for it in page.items:
        if isinstance(it, TextItem):
            h.update(f"T{it.role}|{it.story}|{it.x:.2f}|{it.baseline:.2f}|{it.text}\n".encode())
        elif isinstance(it, ImageItem):
            ph = photo_hash.get(str(it.path), it.path.name)
            h.update(f"I{ph}|{it.x:.2f}|{it.top:.2f}|{it.width:.2f}|{it.height:.2f}\n".encode())
        elif isinstance(it, RuleItem):
            h.update(f"R{it.x0:.2f}|{it.y0:.2f}|{it.x1:.2f}|{it.y1:.2f}|{it.width:.2f}|{it.color}\n".encode())
    return h.hexdigest()[:16]


def _r(v: float) -> float:
    return round(v, 2)


def build_map(
    li: LoadedIssue,
    pages: list[Page],
    edition_pages: int,
    boxes: dict[int, list[tuple[str, tuple[float, float, float, float]]]],
    overset: dict[str, str],
    findings: list[dict],
    made: str,
) -> dict:
    """The map of `pages` (the edition's pages, then the proof's own sheets)."""
    whole, each = input_hash(li)
    photo_hash = {
        str((li.folder / ph.file).resolve()): each.get(f"photos/{aid}/{i}", "")
        for aid, art in li.issue.articles.items()
        for i, ph in enumerate(art.photos)
    }
    stories: dict[str, dict] = {
        aid: {"words": [], "overset": overset.get(aid, ""), "source": _source(li, aid)} for aid in li.issue.articles
    }
    glue: dict[str, bool] = {}  # the story's last word continues on its next line
    out_pages = []
    for idx, page in enumerate(pages):
        lines = []
        for it in page.items:
            if not isinstance(it, TextItem) or it.story not in stories or it.role in SKIP_ROLES:
                continue
            words = stories[it.story]["words"]
            wb = word_boxes(it)
            w0 = len(words)
            if glue.get(it.story) and words and wb:
                w0 -= 1
                words[-1] += wb[0][0]
                rest = wb[1:]
            else:
                rest = wb
            words.extend(w for w, _, _ in rest)
            if added_hyphen(it.line) and words:
                words[-1] = words[-1][:-1]
            glue[it.story] = (it.line.hyphenated and bool(words)) or it.role == "drop_cap"
            lines.append(
                {
                    "story": it.story,
                    "role": it.role,
                    "box": [_r(it.x0), _r(it.top), _r(it.x1), _r(it.bottom)],
                    "text": it.text,
                    "w0": w0,
                    "words": [[_r(a), _r(b)] for _, a, b in wb],
                }
            )
        out_pages.append(
            {
                "number": idx + 1,
                "kind": "page" if idx < edition_pages else "sheet",
                "section": page.section,
                "width": page.width,
                "height": page.height,
                "fingerprint": _fingerprint(page, photo_hash),
                "boxes": [{"story": s, "box": [_r(v) for v in b]} for s, b in boxes.get(idx, [])],
                "lines": lines,
            }
        )
    for s in stories.values():
        s["text"] = " ".join(s.pop("words"))
    iss = li.issue
    return {
        "format": FORMAT,
        "tool": f"layout {__version__}",
        "inputs": {"hash": whole, "short": whole[:10], "files": each},
        "made": made,
        "folder": str(li.folder.resolve()),  # where the article sources were, for `notes --patch`
        "publication": iss.publication,
        "date": iss.date.isoformat(),
        "number": iss.number,
        "edition_pages": edition_pages,
        "pages": out_pages,
        "stories": stories,
        "findings": findings,
    }


def _source(li: LoadedIssue, aid: str) -> str | None:
    p = li.body_files.get(aid)
    if p is None:
        return None
    try:
        return str(Path(p).resolve().relative_to(li.folder.resolve()))
    except ValueError:
        return str(p)


def open_unencrypted(pdf: Path) -> PdfReader:
    """A reader for the PDF; an encrypted one is refused before anything in it is decrypted (a proof is
    never encrypted, and decrypting AES needs a library this tool does not require)."""
    from pypdf.errors import DependencyError

    refused = ValueError("the PDF is encrypted (password-protected); proofs made by `issue proof` never are")
    try:
        reader = PdfReader(str(pdf))  # tries the empty password, which for AES needs `cryptography`
    except DependencyError:
        raise refused from None
    if reader.is_encrypted:
        raise refused
    return reader


def read_map(pdf: Path) -> dict | None:
    """The map embedded in a proof, or None for a PDF without one (a plain render)."""
    reader = open_unencrypted(pdf)
    att = reader.attachments.get(MAP_NAME)
    if not att:
        return None
    if len(att[0]) > MAX_BYTES:
        raise ValueError(f"the proof map is damaged: {len(att[0]):,} bytes, more than any proof's")
    try:
        data = json.loads(att[0].decode("utf-8"))
    except RecursionError:  # hostile nesting: json's recursion, not ours, runs out
        raise ValueError("the proof map is damaged: nested too deeply") from None
    except ValueError as e:  # not JSON, not UTF-8
        raise ValueError(f"the proof map is damaged: {e}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    return check_map(data)  # a proof is editable: its map is checked before anything trusts it


def unmarked(pdf: Path, out: Path, pages: int | None = None) -> Path:
    """A copy of a proof without its marks (the marks' block cut from each page's content)
    and without its proof sheets: the pages exactly as they print, for comparing."""
    w = PdfWriter(clone_from=str(pdf))
    while pages is not None and len(w.pages) > pages:
        w.remove_page(len(w.pages) - 1)
    for page in w.pages:
        contents = page.get_contents()
        if contents is None:
            continue
        data = contents.get_data()
        i = data.find(MARKS_BEGIN)
        if i < 0:
            continue
        j = data.find(b"EMC", i)
        cs = ContentStream(None, w)
        cs.set_data(data[:i] + data[j + 3 :] if j >= 0 else data[:i])
        page.replace_contents(cs)
    with open(out, "wb") as fh:
        w.write(fh)
    return out
