"""Who and what an issue is, for every archive file: publication, date, number, edition, names.

Reads the validated manifest (`Issue`); produces `IssueInfo` with the identifiers the bag,
METS, PDF metadata and catalogue share, and the bag's place in an archive folder.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..manifest.model import Issue

TOOL = f"layout {__version__}"


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "issue"


@dataclass(frozen=True)
class IssueInfo:
    publication: str
    date: dt.date
    number: int
    volume: int | None
    edition: str | None
    language: str

    @classmethod
    def of(cls, issue: Issue) -> IssueInfo:
        return cls(issue.publication, issue.date, issue.number, issue.volume, issue.edition, issue.language)

    @property
    def pub_slug(self) -> str:
        return slug(self.publication)

    @property
    def name(self) -> str:
        """The bag's folder name: the date, and the edition if there is one."""
        return self.date.isoformat() + (f"-{slug(self.edition)}" if self.edition else "")

    @property
    def identifier(self) -> str:
        """A stable identifier for the issue (not its version): bag-info's External-Identifier."""
        return f"{self.pub_slug}/{self.name}"

    @property
    def title(self) -> str:
        vol = f"Vol. {self.volume}, " if self.volume is not None else ""
        ed = f", {self.edition} edition" if self.edition else ""
        return f"{self.publication}, {vol}No. {self.number}, {self.date.isoformat()}{ed}"

    def folder(self, archive: Path) -> Path:
        """Where the issue's bags go: ARCHIVE/<publication>/<yyyy>/."""
        return archive / self.pub_slug / f"{self.date.year:04d}"
