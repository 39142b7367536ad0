"""Each article as an IPTC NewsML-G2 2.35 newsItem with its body in NITF 3.6.

Reads `ArticleFacts` and `IssueInfo`; produces the newsItem XML bytes: item and content
metadata (headline, byline, language, section, the issue it ran in) and the NITF document
(hedline, byline, dateline, paragraphs and subheads with emphasis, photos with caption and
credit, closing source and biography lines) inline in its contentSet.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import PurePosixPath

from ..text.markdown import Run
from .content import ArticleFacts
from .info import TOOL, IssueInfo
from .xmlout import serialize

G2 = "http://iptc.org/std/nar/2006-10-01/"
NITF = "http://iptc.org/std/NITF/2006-10-18/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CATALOG = "http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_38.xml"


def _g(tag: str) -> str:
    return f"{{{G2}}}{tag}"


def _n(tag: str) -> str:
    return f"{{{NITF}}}{tag}"


def guid(info: IssueInfo, key: str) -> str:
    return f"urn:newspaper:{info.identifier}:{key}".replace("/", ":")


# A fixed table rather than the system's mime.types, so that bags made anywhere are identical.
_MIME = {
    ".pdf": "application/pdf",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".json": "application/json",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".jp2": "image/jp2",
}


def mime(name: str) -> str:
    return _MIME.get(PurePosixPath(name).suffix.lower(), "application/octet-stream")


def _runs(parent: ET.Element, runs: list[Run]) -> None:
    """Text with emphasis: italic as <em>, bold as <em class="bold">."""
    last: ET.Element | None = None
    for r in runs:
        if r.variant == "regular":
            if last is None:
                parent.text = (parent.text or "") + r.text
            else:
                last.tail = (last.tail or "") + r.text
            continue
        last = ET.SubElement(parent, _n("em"))
        if "bold" in r.variant:
            last.set("class", r.variant.replace("_", "-"))
        last.text = r.text


def nitf(a: ArticleFacts, info: IssueInfo, photo_names: list[str]) -> ET.Element:
    """The NITF 3.6 document of one article; photos are referred to by their file in the bag."""
    root = ET.Element(_n("nitf"), version="-//IPTC//DTD NITF 3.6//EN")
    head = ET.SubElement(root, _n("head"))
    ET.SubElement(head, _n("title")).text = a.headline
    docdata = ET.SubElement(head, _n("docdata"))
    ET.SubElement(docdata, _n("doc-id"), {"id-string": a.id})
    ET.SubElement(docdata, _n("date.issue"), norm=f"{info.date:%Y%m%d}T000000")
    pub = ET.SubElement(head, _n("pubdata"), type="print", name=info.publication)
    pub.set("date.publication", f"{info.date:%Y%m%d}T000000")
    pub.set("issue", str(info.number))
    if info.volume is not None:
        pub.set("volume", str(info.volume))
    if info.edition:
        pub.set("edition.name", info.edition)
    pub.set("position.section", a.section)
    pub.set("position.sequence", str(a.page))
    body = ET.SubElement(root, _n("body"))
    bh = ET.SubElement(body, _n("body.head"))
    hed = ET.SubElement(bh, _n("hedline"))
    ET.SubElement(hed, _n("hl1")).text = a.headline
    if a.deck:
        ET.SubElement(hed, _n("hl2")).text = a.deck
    if a.kicker:
        ET.SubElement(hed, _n("hl2"), {"class": "kicker"}).text = a.kicker
    if a.byline:
        ET.SubElement(bh, _n("byline")).text = a.byline
    dl = ET.SubElement(bh, _n("dateline"))
    dl.text = f"{info.publication}, "
    sd = ET.SubElement(dl, _n("story.date"), norm=f"{info.date:%Y%m%d}T000000")
    sd.text = info.date.strftime("%-d %B %Y")
    content = ET.SubElement(body, _n("body.content"))
    for ph, name in zip(a.photos, photo_names, strict=True):
        media = ET.SubElement(content, _n("media"), {"media-type": "image"})
        ET.SubElement(media, _n("media-reference"), {"source": name, "mime-type": mime(name)})
        if ph.caption:
            ET.SubElement(media, _n("media-caption")).text = ph.caption
        if ph.credit:
            ET.SubElement(media, _n("media-producer")).text = ph.credit
    for b in a.blocks:
        el = ET.SubElement(content, _n("hl2" if b.kind == "subhead" else "p"))
        _runs(el, b.runs)
    if a.source or a.bio:
        end = ET.SubElement(body, _n("body.end"))
        if a.source:
            ET.SubElement(end, _n("tagline"), {"type": "std"}).text = f"Source: {a.source}"
        if a.bio:
            ET.SubElement(end, _n("tagline"), {"class": "bio"}).text = a.bio
    return root


def news_item(a: ArticleFacts, info: IssueInfo, photo_names: list[str]) -> bytes:
    """The NewsML-G2 newsItem of one article, its NITF body inline."""
    when = f"{info.date.isoformat()}T00:00:00Z"
    item = ET.Element(
        _g("newsItem"),
        {
            "guid": guid(info, a.key),
            "version": "1",
            "standard": "NewsML-G2",
            "standardversion": "2.35",
            "conformance": "power",
            "{http://www.w3.org/XML/1998/namespace}lang": a.language,
        },
    )
    ET.SubElement(item, _g("catalogRef"), href=CATALOG)
    meta = ET.SubElement(item, _g("itemMeta"))
    ET.SubElement(meta, _g("itemClass"), qcode="ninat:text")
    ET.SubElement(ET.SubElement(meta, _g("provider"), literal=info.pub_slug), _g("name")).text = info.publication
    ET.SubElement(meta, _g("versionCreated")).text = when
    ET.SubElement(meta, _g("firstCreated")).text = when
    ET.SubElement(meta, _g("pubStatus"), qcode="stat:usable")
    ET.SubElement(meta, _g("generator"), versioninfo=TOOL.split()[1]).text = TOOL.split()[0]
    cm = ET.SubElement(item, _g("contentMeta"))  # children in the schema's order
    ET.SubElement(cm, _g("contentCreated")).text = when
    ET.SubElement(cm, _g("language"), tag=a.language)
    if a.section:  # the newspaper section it ran in, as a subject of the publication's own
        subject = ET.SubElement(cm, _g("subject"), type="cpnat:abstract", literal=f"section:{a.section}")
        subject.append(_name(a.section))
    ET.SubElement(cm, _g("slugline")).text = a.id
    ET.SubElement(cm, _g("headline")).text = a.headline
    ET.SubElement(cm, _g("dateline")).text = f"{info.publication}, {info.date.isoformat()}, page {a.page}"
    if a.byline:
        ET.SubElement(cm, _g("by")).text = a.byline
        ET.SubElement(cm, _g("creditline")).text = a.byline
    if a.deck:
        ET.SubElement(cm, _g("description"), role="drol:summary").text = a.deck
    cs = ET.SubElement(item, _g("contentSet"))
    inline = ET.SubElement(cs, _g("inlineXML"), contenttype="application/nitf+xml")
    inline.set("wordcount", str(a.words))
    inline.append(nitf(a, info, photo_names))
    return serialize(item, G2, {"nitf": NITF, "xsi": XSI})


def _name(text: str) -> ET.Element:
    el = ET.Element(_g("name"))
    el.text = text
    return el
