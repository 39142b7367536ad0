"""The payload of an issue's bag: every file under data/, written from one built issue.

Reads a `Built` issue (manifest, bodies, composed frames); writes into a folder (which becomes
the bag's data/): pages/NNNN.pdf (PDF/A-2b), pages/NNNN.xml (ALTO), optionally pages/NNNN.jp2,
issue.pdf (PDF/A-3b with its sources attached), articles/<id>.xml (NewsML-G2 + NITF) and .txt,
photos/ (originals byte for byte), source/ (manifest, article Markdown, style sheet),
metadata.json and mets.xml. Same issue in, same bytes out.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from pathlib import Path
from urllib.parse import quote

from ..manifest.stylesheet import DEFAULT as DEFAULT_STYLE
from ..pdf.draw import draw
from ..pipeline import Built
from .alto import alto_page
from .blocks import Block, page_blocks
from .content import ArticleFacts, articles
from .info import TOOL, IssueInfo
from .mets import FileEntry, mets
from .newsml import mime, news_item
from .pdfa import Attachment, make_pdfa


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _sources(b: Built) -> list[tuple[str, Path]]:
    """(path under source/, file) for the manifest, each article file and the style sheet,
    keeping their places relative to the issue folder."""
    li = b.loaded
    out = [("issue.yaml", li.manifest)]
    for f in li.body_files.values():
        if f is not None:
            out.append((f.resolve().relative_to(li.folder.resolve()).as_posix(), f))
    style = li.issue.style
    out.append((style, li.folder / style) if style else ("default_style.yaml", DEFAULT_STYLE))
    return sorted(set(out))


def _photos(arts: list[ArticleFacts]) -> dict[Path, str]:
    """Each photo file once, named in photos/ by its own name (numbered if two share one)."""
    names: dict[Path, str] = {}
    taken: set[str] = set()
    for a in arts:
        for ph in a.photos:
            if ph.path in names:
                continue
            name, n = ph.path.name, 1
            while name in taken:
                n += 1
                name = f"{ph.path.stem}-{n}{ph.path.suffix}"
            taken.add(name)
            names[ph.path] = name
    return names


def _pdfs(b: Built, info: IssueInfo, data: Path, files: list[FileEntry], attach: list[Attachment]) -> None:
    c = b.composed
    with tempfile.TemporaryDirectory(prefix="layout-archive-") as tmp:
        whole = Path(tmp) / "issue.pdf"
        draw(c, whole, author=info.publication, keywords=", ".join(b.loaded.issue.articles))
        make_pdfa(whole, data / "issue.pdf", info, info.title, "3b", attach)
        files.append(FileEntry("issuePdf", "issue.pdf", "issueFileGrp", "derivative", "application/pdf"))
        for p in c.pages:
            one = Path(tmp) / f"{p.number:04d}.pdf"
            draw(dataclasses.replace(c, pages=[p]), one, author=info.publication)
            out = data / "pages" / one.name
            out.parent.mkdir(parents=True, exist_ok=True)
            make_pdfa(one, out, info, f"{info.title}, page {p.number}", "2b")


def _page_image(pdf: Path, out: Path) -> None:
    """The page at 300 dpi as lossy JPEG 2000, tiled and layered as libraries serve it."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        img = doc[0].render(scale=300 / 72).to_pil().convert("RGB")
    finally:
        doc.close()
    img.save(
        out,
        "JPEG2000",
        irreversible=True,
        num_resolutions=7,
        tile_size=(1024, 1024),
        codeblock_size=(64, 64),
        progression="RLCP",
        quality_mode="rates",
        quality_layers=[32, 16, 8],
    )


def _article_files(arts: list[ArticleFacts], info: IssueInfo, photos: dict[Path, str], data: Path) -> list[FileEntry]:
    files = []
    for a in arts:
        refs = [f"../photos/{quote(photos[ph.path])}" for ph in a.photos]
        _write(data / "articles" / f"{a.key}.xml", news_item(a, info, refs))
        _write(data / "articles" / f"{a.key}.txt", a.text(info.publication, info.date.isoformat()).encode("utf-8"))
        grp = "articleFileGrp"
        files.append(FileEntry(f"newsmlFile_{a.key}", f"articles/{a.key}.xml", grp, "text", "application/xml"))
        files.append(FileEntry(f"textFile_{a.key}", f"articles/{a.key}.txt", grp, "text", "text/plain"))
    return files


def _metadata(
    b: Built, info: IssueInfo, arts: list[ArticleFacts], blocks: list[list[Block]], files: list[FileEntry]
) -> bytes:
    """What is in the bag and what made it: what a catalogue is rebuilt from."""
    pages = []
    for p in b.composed.pages:
        entry = {"number": p.number, "section": p.section, "pdf": f"pages/{p.number:04d}.pdf"}
        entry["alto"] = f"pages/{p.number:04d}.xml"
        pages.append(entry)
    doc = {
        "tool": TOOL,
        "issue": {
            "publication": info.publication,
            "date": info.date.isoformat(),
            "number": info.number,
            "volume": info.volume,
            "edition": info.edition,
            "language": info.language,
            "identifier": info.identifier,
            "title": info.title,
        },
        "pages": pages,
        "articles": [
            {
                "id": a.id,
                "headline": a.headline,
                "byline": a.byline,
                "section": a.section,
                "page": a.page,
                "pages": list(a.pages),
                "words": a.words,
                "newsml": f"articles/{a.key}.xml",
                "text": f"articles/{a.key}.txt",
                # ALTO blocks the article occupies on each page, in reading order
                "blocks": {str(n): [bl.id for bl in blocks[n - 1] if bl.story == a.id] for n in a.pages},
            }
            for a in arts
        ],
        "contents": sorted([f.path for f in files] + ["metadata.json", "mets.xml"]),
    }
    return (json.dumps(doc, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def write_payload(b: Built, data: Path, page_images: bool = False) -> dict:
    """Write the whole payload into `data`; returns the parsed metadata.json."""
    info = IssueInfo.of(b.loaded.issue)
    arts = articles(b)
    blocks = page_blocks(b.composed, b.style.roles["credit"].face.name)
    files: list[FileEntry] = []
    attach = []
    for rel, src in _sources(b):
        raw = src.read_bytes()
        _write(data / "source" / rel, raw)
        files.append(FileEntry(f"sourceFile{len(files) + 1}", f"source/{rel}", "sourceFileGrp", "source", mime(rel)))
        what = "issue manifest" if rel == "issue.yaml" else ("style sheet" if rel.endswith(".yaml") else "article")
        attach.append(Attachment(f"source/{rel}", raw, mime(rel), f"The {what} this issue was made from"))
    photos = _photos(arts)
    for src, name in photos.items():
        _write(data / "photos" / name, src.read_bytes())
        files.append(FileEntry(f"photoFile{len(files) + 1}", f"photos/{name}", "photoFileGrp", "master", mime(name)))
    _pdfs(b, info, data, files, attach)
    for p, bl in zip(b.composed.pages, blocks, strict=True):
        n = f"{p.number:04d}"
        refs = {src: f"../photos/{quote(name)}" for src, name in photos.items()}
        _write(data / "pages" / f"{n}.xml", alto_page(p, bl, f"{n}.pdf", refs))
        grp = f"pageFileGrp{p.number}"
        files.append(FileEntry(f"pdfFile{p.number}", f"pages/{n}.pdf", grp, "derivative", "application/pdf"))
        files.append(FileEntry(f"altoFile{p.number}", f"pages/{n}.xml", grp, "ocr", "text/xml"))
        if page_images:
            _page_image(data / "pages" / f"{n}.pdf", data / "pages" / f"{n}.jp2")
            files.append(FileEntry(f"jp2File{p.number}", f"pages/{n}.jp2", grp, "service", "image/jp2"))
    files += _article_files(arts, info, photos, data)
    meta = _metadata(b, info, arts, blocks, files)
    _write(data / "metadata.json", meta)
    files.append(FileEntry("metadataFile", "metadata.json", "sourceFileGrp", "metadata", "application/json"))
    _write(data / "mets.xml", mets(info, b.composed.pages, blocks, arts, data, files))
    return json.loads(meta)
