"""One PDF per page for the plant, cut from the stamped whole-issue PDF.

Reads the print PDF of the whole issue and a file name per page; writes each page as its own PDF/X
file (same output intent, boxes and identification; the issue's bookmarks, which point at other
pages, are dropped), each through a temporary file renamed into place.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pikepdf

from ..manifest.files import atomic_write
from . import pdfx
from .settings import PrintSettings


def split(
    whole: Path, names: list[str], folder: Path, s: PrintSettings, titles: list[str], date: dt.date
) -> list[Path]:
    out = []
    for i, name in enumerate(names):
        with pikepdf.open(whole) as pdf:
            for j in reversed(range(len(pdf.pages))):
                if j != i:
                    del pdf.pages[j]
            for key in ("/Outlines", "/PageLabels"):
                if key in pdf.Root:
                    del pdf.Root[key]
            if "/PageMode" in pdf.Root:
                del pdf.Root["/PageMode"]
            pdfx.identify(pdf, s, titles[i], date)
            target = folder / name
            with atomic_write(target) as tmp:
                pdfx.save(pdf, str(tmp), s)
        out.append(target)
    return out
