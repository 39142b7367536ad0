"""Saving a ReportLab canvas object by object straight to its file.

ReportLab's own save formats every object into one list and joins it into a single bytes value
before writing, so the whole PDF (every photo included) sits in memory two or three times over.
Here each object is written to the file as it is formatted, with the same bytes and offsets, so
memory holds one object at a time.
"""

from __future__ import annotations

from typing import BinaryIO

from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen import canvas


def _streaming_file(out: BinaryIO) -> type[pdfdoc.PDFFile]:
    class StreamingFile(pdfdoc.PDFFile):
        """ReportLab's output collector, writing through instead of collecting."""

        def __init__(self, pdfVersion=pdfdoc.PDF_VERSION_DEFAULT):
            super().__init__(pdfVersion)  # collects the header
            out.write(b"".join(self.strings))
            self.strings = []
            self.write = out.write

        def format(self, document) -> bytes:
            return b""

    return StreamingFile


def save_streaming(c: canvas.Canvas) -> None:
    """Finish the canvas's last page and write the document to the canvas's file name."""
    if len(c._code):
        c.showPage()
    doc = c._doc
    doc._savedToFile = True
    with open(c._filename, "wb") as out:
        original = pdfdoc.PDFFile
        pdfdoc.PDFFile = _streaming_file(out)  # format() makes its collector by this name
        try:
            rest = doc.GetPDFData(c)
        finally:
            pdfdoc.PDFFile = original
        out.write(rest)
