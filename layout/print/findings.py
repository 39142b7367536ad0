"""Preflight findings: what was found, how bad, and where (page, story, element, manifest line).

Produces `Finding`s from the checks in preflight.py and preflight_pdf.py, and renders a list of them
for people (one line each, errors first) or as JSON for other tools.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"

# The checks by name (the names are what scripts and tests match on).
CHECKS = {
    "low-ppi": "photo below the effective-resolution limits",
    "rgb-image": "RGB image in a print file",
    "rgb-colour": "RGB colour operator in a print file",
    "rich-black": "text or rule in four-colour (rich) black",
    "small-text": "text under 6 pt",
    "thin-rule": "rule thinner than 0.25 pt",
    "ink-limit": "total ink over the limit",
    "font-not-embedded": "font not embedded",
    "missing-glyph": "character no configured font can draw",
    "missing-file": "missing or unreadable file",
    "overset": "copy that does not fit",
    "overfull": "line wider than its column",
    "pdfx": "PDF/X identification missing (boxes, output intent, version)",
    "white-overprint": "white set to overprint (it disappears on press)",
    "transparency": "live transparency in a PDF/X-1a print file",
    "invalid-input": "the issue cannot be laid out as given",
    "print-settings": "invalid print settings",
}


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" or "warning"
    check: str  # a key of CHECKS
    message: str
    page: int | None = None
    story: str | None = None
    element: str | None = None  # e.g. "photo photos/x.jpg", "byline", "rule"
    location: str | None = None  # file:line:col in the manifest or a body file

    def __str__(self) -> str:
        where = []
        if self.location:
            where.append(self.location)
        if self.page is not None:
            where.append(f"page {self.page}")
        if self.story:
            where.append(f"story '{self.story}'")
        if self.element:
            where.append(self.element)
        prefix = ", ".join(where)
        return f"{prefix + ': ' if prefix else ''}{self.severity} {self.check}: {self.message}"


def failed(findings: list[Finding], strict: bool) -> bool:
    return any(f.severity == ERROR or (strict and f.severity == WARNING) for f in findings)


def ordered(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.severity != ERROR, f.page or 0, f.story or "", f.check))


def to_json(target: str, findings: list[Finding], strict: bool) -> str:
    errors = sum(f.severity == ERROR for f in findings)
    warnings = sum(f.severity == WARNING for f in findings)
    return json.dumps(
        {
            "target": target,
            "clean": not failed(findings, strict),
            "errors": errors,
            "warnings": warnings,
            "findings": [asdict(f) for f in ordered(findings)],
        },
        indent=2,
        ensure_ascii=False,
    )


def summary(target: str, findings: list[Finding], strict: bool) -> str:
    errors = sum(f.severity == ERROR for f in findings)
    warnings = sum(f.severity == WARNING for f in findings)
    status = "problems found" if failed(findings, strict) else "clean"
    counts = f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
    return f"{target}: {counts}: {status}"
