"""The METS 1.12.1 issue file, in the style of the Library of Congress's newspaper program (NDNP).

Reads the issue's `IssueInfo`, its pages' `Block`s, the `ArticleFacts` and the files already
written to the bag's payload; produces mets.xml bytes: issue, page and article MODS, a fileSec
with the size and SHA-256 of every file, a physical structMap (issue -> page -> its files) and
a logical one (issue -> article -> its ALTO text blocks and illustrations on each page).
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..page.frames import Page
from .blocks import Block
from .content import ArticleFacts
from .info import TOOL, IssueInfo
from .xmlout import serialize

METS = "http://www.loc.gov/METS/"
MODS = "http://www.loc.gov/mods/v3"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMAS = f"{METS} http://www.loc.gov/standards/mets/version1121/mets.xsd {MODS} http://www.loc.gov/standards/mods/v3/mods-3-8.xsd"


@dataclass(frozen=True)
class FileEntry:
    id: str  # the METS file ID
    path: str  # relative to the payload folder (data/)
    group: str  # fileGrp ID
    use: str  # METS USE: master, service, derivative, ocr, text, source, ...
    mime: str


def _m(tag: str) -> str:
    return f"{{{METS}}}{tag}"


def _mods(tag: str) -> str:
    return f"{{{MODS}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _dmd(root: ET.Element, did: str, label: str) -> ET.Element:
    sec = _sub(root, _m("dmdSec"), ID=did)
    wrap = _sub(sec, _m("mdWrap"), MDTYPE="MODS", LABEL=label)
    return _sub(_sub(wrap, _m("xmlData")), _mods("mods"))


def _detail(part: ET.Element, kind: str, number: str, caption: str | None = None) -> None:
    d = _sub(part, _mods("detail"), type=kind)
    _sub(d, _mods("number"), number)
    if caption:
        _sub(d, _mods("caption"), caption)


def _issue_mods(root: ET.Element, info: IssueInfo) -> None:
    mods = _dmd(root, "issueModsBib", "Issue metadata")
    _sub(_sub(mods, _mods("titleInfo")), _mods("title"), info.title)
    host = _sub(mods, _mods("relatedItem"), type="host")
    _sub(_sub(host, _mods("titleInfo")), _mods("title"), info.publication)
    part = _sub(host, _mods("part"))
    if info.volume is not None:
        _detail(part, "volume", str(info.volume))
    _detail(part, "issue", str(info.number))
    _detail(part, "edition", "1", info.edition)
    origin = _sub(mods, _mods("originInfo"))
    _sub(origin, _mods("publisher"), info.publication)
    _sub(origin, _mods("dateIssued"), info.date.isoformat(), encoding="iso8601")
    lang = _sub(mods, _mods("language"))
    _sub(lang, _mods("languageTerm"), info.language, type="code", authority="rfc5646")
    _sub(mods, _mods("identifier"), info.identifier, type="local")
    _sub(mods, _mods("note"), f"Born digital: made by {TOOL} from the issue's own sources, not scanned.")


def _page_mods(root: ET.Element, page: Page) -> None:
    mods = _dmd(root, f"pageModsBib{page.number}", f"Page {page.number} metadata")
    part = _sub(mods, _mods("part"))
    extent = _sub(part, _mods("extent"), unit="pages")
    _sub(extent, _mods("start"), str(page.number))
    _detail(part, "page number", str(page.number))
    if page.section:
        _detail(part, "section label", page.section)
    phys = _sub(_sub(mods, _mods("relatedItem"), type="original"), _mods("physicalDescription"))
    _sub(phys, _mods("form"), "print", type="print")
    _sub(phys, _mods("extent"), f"{page.width:.2f} x {page.height:.2f} points")


def _article_mods(root: ET.Element, a: ArticleFacts) -> None:
    mods = _dmd(root, f"articleModsBib_{a.key}", a.headline)
    title = _sub(mods, _mods("titleInfo"))
    _sub(title, _mods("title"), a.headline)
    if a.deck:
        _sub(title, _mods("subTitle"), a.deck)
    if a.byline:
        name = _sub(mods, _mods("name"))
        _sub(name, _mods("displayForm"), a.byline)
    _sub(mods, _mods("genre"), "article")
    part = _sub(mods, _mods("part"))
    if a.section:
        _detail(part, "section label", a.section)
    extent = _sub(part, _mods("extent"), unit="pages")
    _sub(extent, _mods("start"), str(a.pages[0]))
    _sub(extent, _mods("end"), str(a.pages[-1]))
    _sub(mods, _mods("identifier"), a.id, type="local")


def _file_sec(root: ET.Element, data: Path, files: list[FileEntry]) -> None:
    fs = _sub(root, _m("fileSec"))
    groups: dict[str, ET.Element] = {}
    for f in files:
        grp = groups.get(f.group)
        if grp is None:
            grp = groups[f.group] = _sub(fs, _m("fileGrp"), ID=f.group)
        raw = (data / f.path).read_bytes()
        el = _sub(grp, _m("file"), ID=f.id, USE=f.use, MIMETYPE=f.mime, SIZE=str(len(raw)))
        el.set("CHECKSUM", hashlib.sha256(raw).hexdigest())
        el.set("CHECKSUMTYPE", "SHA-256")
        _sub(el, _m("FLocat"), LOCTYPE="URL", **{f"{{{XLINK}}}href": quote(f.path)})


def _physical(root: ET.Element, info: IssueInfo, pages: list[Page], files: list[FileEntry]) -> None:
    sm = _sub(root, _m("structMap"), TYPE="physical", LABEL="Issue, pages and their files")
    issue = _sub(sm, _m("div"), TYPE="np:issue", DMDID="issueModsBib", LABEL=info.title)
    for f in files:
        if f.group == "issueFileGrp":
            _sub(issue, _m("fptr"), FILEID=f.id)
    for p in pages:
        label = f"Page {p.number}" + (f": {p.section}" if p.section else "")
        div = _sub(issue, _m("div"), TYPE="np:page", ORDER=str(p.number), ORDERLABEL=str(p.number), LABEL=label)
        div.set("DMDID", f"pageModsBib{p.number}")
        for f in files:
            if f.group == f"pageFileGrp{p.number}":
                _sub(div, _m("fptr"), FILEID=f.id)


def _logical(root: ET.Element, info: IssueInfo, blocks: list[list[Block]], arts: list[ArticleFacts]) -> None:
    sm = _sub(root, _m("structMap"), TYPE="logical", LABEL="Issue and its articles")
    issue = _sub(sm, _m("div"), TYPE="issue", DMDID="issueModsBib", LABEL=info.title)
    for order, a in enumerate(arts, 1):
        div = _sub(issue, _m("div"), TYPE="article", ORDER=str(order), LABEL=a.headline)
        div.set("ID", f"article_{a.key}")
        div.set("DMDID", f"articleModsBib_{a.key}")
        _sub(div, _m("fptr"), FILEID=f"newsmlFile_{a.key}")
        _sub(div, _m("fptr"), FILEID=f"textFile_{a.key}")
        for pno in a.pages:
            mine = [b for b in blocks[pno - 1] if b.story == a.id]
            if not mine:
                continue
            seg = _sub(div, _m("div"), TYPE="article-page", ORDER=str(pno), LABEL=f"Page {pno}")
            seq = _sub(_sub(seg, _m("fptr")), _m("seq"))
            for b in mine:
                area = _sub(seq, _m("area"), FILEID=f"altoFile{pno}", BEGIN=b.id, BETYPE="IDREF")
                area.set("LABEL", b.role)


def mets(
    info: IssueInfo,
    pages: list[Page],
    blocks: list[list[Block]],
    arts: list[ArticleFacts],
    data: Path,
    files: list[FileEntry],
) -> bytes:
    """The METS document; `files` (relative to `data`) are hashed as they are on disk now."""
    root = ET.Element(
        _m("mets"),
        {
            f"{{{XSI}}}schemaLocation": SCHEMAS,
            "TYPE": "urn:library-of-congress:ndnp:mets:newspaper:issue",
            "PROFILE": "urn:library-of-congress:mets:profiles:ndnp:issue:v1.5",
            "OBJID": info.identifier,
            "LABEL": info.title,
        },
    )
    hdr = _sub(root, _m("metsHdr"), CREATEDATE=f"{info.date.isoformat()}T00:00:00")
    _sub(_sub(hdr, _m("agent"), ROLE="CREATOR", TYPE="ORGANIZATION"), _m("name"), info.publication)
    _sub(_sub(hdr, _m("agent"), ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE"), _m("name"), TOOL)
    _issue_mods(root, info)
    for p in pages:
        _page_mods(root, p)
    for a in arts:
        _article_mods(root, a)
    _file_sec(root, data, files)
    _physical(root, info, pages, files)
    _logical(root, info, blocks, arts)
    return serialize(root, METS, {"mods": MODS, "xlink": XLINK, "xsi": XSI})
