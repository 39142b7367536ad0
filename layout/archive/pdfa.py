"""PDF/A renditions for the archive: PDF/A-2b pages and a PDF/A-3b issue with its sources attached.

Reads a PDF that ReportLab wrote (`layout.pdf.draw`) and the issue's `IssueInfo`; produces the
same pages as PDF/A with XMP (Dublin Core title, date, publisher, language, issue number), an
sRGB output intent and PDF 1.7, checked by pikepdf's validator as it is written. Nothing carries
the clock: every date is the issue's, so the same issue gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Dictionary, Name, Stream
from pikepdf import pdfa as pa

from .info import TOOL, IssueInfo

ICC = Path(__file__).resolve().parents[2] / "assets" / "icc" / "sRGB.icc"


@dataclass(frozen=True)
class Attachment:
    name: str  # file name inside the PDF, e.g. source/issue.yaml
    data: bytes
    mime: str
    description: str


def _pdf_date(d: dt.date) -> str:
    return f"D:{d:%Y%m%d}000000Z"


def _output_intent(pdf: pikepdf.Pdf) -> Dictionary:
    icc = Stream(pdf, ICC.read_bytes())
    icc["/N"] = 3
    return pdf.make_indirect(
        Dictionary(
            Type=Name.OutputIntent,
            S=Name.GTS_PDFA1,
            OutputConditionIdentifier="sRGB IEC61966-2.1",
            Info="sRGB IEC61966-2.1",
            DestOutputProfile=pdf.make_indirect(icc),
        )
    )


def _metadata(pdf: pikepdf.Pdf, info: IssueInfo, title: str, part: int) -> None:
    """XMP in the dc, xmp, pdf and pdfaid namespaces only, and the Info dictionary agreeing with it."""
    when = f"{info.date.isoformat()}T00:00:00Z"
    description = f"{info.title}; issue number {info.number}"
    keywords = f"issue {info.number}" + (f"; volume {info.volume}" if info.volume is not None else "")
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as m:
        m["dc:title"] = title
        m["dc:creator"] = [info.publication]
        m["dc:publisher"] = [info.publication]
        m["dc:description"] = description
        m["dc:date"] = [info.date.isoformat()]
        m["dc:language"] = [info.language]
        m["dc:identifier"] = f"{info.identifier}/no-{info.number}"
        m["dc:format"] = "application/pdf"
        m["xmp:CreateDate"] = when
        m["xmp:ModifyDate"] = when
        m["xmp:MetadataDate"] = when
        m["xmp:CreatorTool"] = TOOL
        m["pdf:Producer"] = f"{TOOL} with pikepdf"
        m["pdf:Keywords"] = keywords
        m["pdfaid:part"] = str(part)
        m["pdfaid:conformance"] = "B"
    d = _pdf_date(info.date)
    pdf.trailer.Info = pdf.make_indirect(
        Dictionary(
            Title=title,
            Author=info.publication,
            Subject=description,
            Keywords=keywords,
            Creator=TOOL,
            Producer=f"{TOOL} with pikepdf",
            CreationDate=d,
            ModDate=d,
        )
    )


def _attach(pdf: pikepdf.Pdf, files: list[Attachment], when: dt.date) -> None:
    """Associated files (PDF/A-3): each named in the catalog's /AF as the issue's source."""
    af = pikepdf.Array()
    d = _pdf_date(when)
    for f in files:
        spec = pikepdf.AttachedFileSpec(
            pdf,
            f.data,
            description=f.description,
            filename=f.name,
            mime_type=f.mime,
            creation_date=d,
            mod_date=d,
            relationship=Name.Source,
        )
        pdf.attachments[f.name] = spec
        af.append(spec.obj)
    pdf.Root.AF = af


def make_pdfa(
    src: Path, out: Path, info: IssueInfo, title: str, flavour: str, attachments: list[Attachment] = ()
) -> None:
    """Write `src` as PDF/A (`flavour` "2b" or "3b") to `out`; raise pikepdf.pdfa.PdfaError
    (naming the rule) if the result does not validate."""
    with pikepdf.open(src) as pdf:
        for page in pdf.pages:
            if "/Trans" in page.obj:
                del page.obj["/Trans"]  # ReportLab's empty page transition; PDF/A has no use for it
        pdf.Root.OutputIntents = pikepdf.Array([_output_intent(pdf)])
        _metadata(pdf, info, title, int(flavour[0]))
        if attachments:
            _attach(pdf, list(attachments), info.date)
        pa.save(pdf, out, flavour, repair=False, deterministic_id=True, force_version="1.7")


def validate(path: Path, flavour: str) -> list[str]:
    """Every PDF/A finding for a written file ([] when it passes)."""
    report = pa.validate_written(path, flavour)
    return [] if report.passed else [f"{f.rule} at {f.where}: {f.message}" for f in report.findings]
