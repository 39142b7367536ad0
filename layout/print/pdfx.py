"""PDF/X identification stamped onto ReportLab's output with pikepdf.

Reads the PDF ReportLab wrote (pages on sheets of trim + bleed + slug) and the print settings;
rewrites it in place with a TrimBox and BleedBox on every page, the output intent (GTS_PDFX with the
embedded CMYK profile; ReportLab drops an OutputIntents catalog entry, so it is added here), the PDF/X
version in the document info and in XMP, Trapped /False, a trailer /ID derived from the content and
the PDF version the target requires. Same input, same bytes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from xml.sax.saxutils import escape

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from .settings import PrintSettings

REGISTRY = "http://www.color.org"


def stamp(pdf: pikepdf.Pdf, s: PrintSettings, trim: list[tuple[float, float]], title: str, date: dt.date) -> None:
    """Boxes, output intent and identification on an open PDF; `trim` is each page's trim size."""
    m, b = s.margin, s.bleed
    for page, (w, h) in zip(pdf.pages, trim, strict=True):
        page.obj.TrimBox = Array([m, m, m + w, m + h])
        page.obj.BleedBox = Array([m - b, m - b, m + w + b, m + h + b])
    profile = pikepdf.Stream(pdf, s.profile_bytes)
    profile.N = 4
    intent = Dictionary(
        Type=Name.OutputIntent,
        S=Name.GTS_PDFX,
        OutputConditionIdentifier=String(s.output_condition),
        OutputCondition=String(s.output_condition),
        RegistryName=String(REGISTRY),
        Info=String(s.profile.profile.profile_description.strip() or s.output_condition),
        DestOutputProfile=pdf.make_indirect(profile),
    )
    pdf.Root.OutputIntents = Array([pdf.make_indirect(intent)])
    identify(pdf, s, title, date)


def identify(pdf: pikepdf.Pdf, s: PrintSettings, title: str, date: dt.date) -> None:
    """The PDF/X version, title, dates and trapping state, alike in the document info and XMP."""
    info = pdf.docinfo
    info.Title = String(title)
    info.GTS_PDFXVersion = String(s.pdfx_version)
    if s.target == "x1a":
        info.GTS_PDFXConformance = String("PDF/X-1a:2003")
    info.Trapped = Name("/False")
    stamp_date = _pdf_date(date)
    info.CreationDate = String(stamp_date)
    info.ModDate = String(stamp_date)
    pdf.Root.Metadata = pdf.make_indirect(
        pikepdf.Stream(pdf, _xmp(s, title, str(info.get("/Creator", "")), str(info.get("/Producer", "")), date))
    )
    pdf.Root.Metadata.Type = Name.Metadata
    pdf.Root.Metadata.Subtype = Name.XML


def save(pdf: pikepdf.Pdf, path: str, s: PrintSettings) -> None:
    """Uncompressed object streams for X-1a (PDF 1.4 has none); a content-derived /ID."""
    stream_mode = pikepdf.ObjectStreamMode.disable if s.target == "x1a" else pikepdf.ObjectStreamMode.preserve
    pdf.save(
        path,
        force_version=s.pdf_version,
        deterministic_id=True,
        object_stream_mode=stream_mode,
        compress_streams=True,
        fix_metadata_version=False,
    )


def _pdf_date(d: dt.date) -> str:
    return f"D:{d:%Y%m%d}000000+00'00'"


def _xmp(s: PrintSettings, title: str, creator: str, producer: str, date: dt.date) -> bytes:
    iso = f"{date:%Y-%m-%d}T00:00:00+00:00"
    # The same title and date name the same document: reproducible, unlike a random UUID.
    doc_id = uuid.uuid5(uuid.NAMESPACE_URL, f"layout:{title}:{date.isoformat()}:{s.target}")
    conformance = "\n   <pdfx:GTS_PDFXConformance>PDF/X-1a:2003</pdfx:GTS_PDFXConformance>" if s.target == "x1a" else ""
    pdfxid = f"\n   <pdfxid:GTS_PDFXVersion>{s.pdfx_version}</pdfxid:GTS_PDFXVersion>" if s.target == "x4" else ""
    xml = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:pdfx="http://ns.adobe.com/pdfx/1.3/"
    xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>
   <xmp:CreateDate>{iso}</xmp:CreateDate>
   <xmp:ModifyDate>{iso}</xmp:ModifyDate>
   <xmp:MetadataDate>{iso}</xmp:MetadataDate>
   <xmp:CreatorTool>{escape(creator)}</xmp:CreatorTool>
   <pdf:Producer>{escape(producer)}</pdf:Producer>
   <pdf:Trapped>False</pdf:Trapped>
   <xmpMM:DocumentID>uuid:{doc_id}</xmpMM:DocumentID>
   <xmpMM:VersionID>1</xmpMM:VersionID>
   <xmpMM:RenditionClass>default</xmpMM:RenditionClass>
   <pdfx:GTS_PDFXVersion>{s.pdfx_version}</pdfx:GTS_PDFXVersion>{conformance}{pdfxid}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return xml.encode("utf-8")
