"""Archiving one issue: build it, write its payload, bag it beside its place, rename it in.

Reads an issue folder; produces ARCHIVE/<publication>/<yyyy>/<yyyy-mm-dd>[-<edition>][-vN]/ as a
BagIt 1.0 bag and returns what the catalogue needs. Refuses (nothing written) an issue that
is invalid, whose copy does not fit, or that is already archived there without `new_version`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..manifest.errors import EXIT_INVALID, EXIT_OK, EXIT_PROBLEMS, InvalidInput
from ..manifest.files import atomic_folder
from ..manifest.load import load_issue
from ..pipeline import build
from .bag import Refused, free_name, make_bag
from .info import IssueInfo
from .payload import write_payload


class NotArchived(Exception):
    """The issue cannot be archived as it is; `code` is the exit status to report."""

    def __init__(self, messages: list[str], code: int):
        super().__init__("\n".join(messages))
        self.messages = messages
        self.code = code


@dataclass
class Outcome:
    """One issue's result, plain data so it travels back from a worker process or a cluster."""

    issue: str
    code: int = EXIT_OK
    bag: str | None = None  # the bag's folder
    messages: list[str] = field(default_factory=list)


def archive_issue(issue: Path, archive: Path, new_version: bool = False, page_images: bool = False) -> Path:
    """Archive one issue; returns the bag's folder. Raises NotArchived."""
    try:
        info = IssueInfo.of(load_issue(issue).issue)
        folder = info.folder(archive)
        name, version = free_name(folder, info.name, new_version)  # refuse before the work
        b = build(issue)
    except InvalidInput as e:
        raise NotArchived([str(p) for p in e.problems], EXIT_INVALID) from None
    except Refused as e:
        raise NotArchived([str(e)], EXIT_INVALID) from None
    over = [
        f"overset: story '{f.story}' on page {f.page}: {f.overset_lines} lines do not fit" for f in b.composed.overset
    ]
    if over:
        over.append("copy does not fit: an issue is archived as it prints (make it render clean first)")
        raise NotArchived(over, EXIT_PROBLEMS)
    # Made in a hidden folder beside its place and renamed in whole (never over another bag);
    # a failure or a kill removes it.
    try:
        with atomic_folder(folder / name, suffix=".partial") as tmp:
            write_payload(b, tmp, page_images)
            make_bag(tmp, info, version)
    except FileExistsError as e:  # another run took the name meanwhile
        msg = f"{folder / name}: {e.strerror}; an archive is never overwritten, so nothing was written"
        raise NotArchived([msg], EXIT_INVALID) from None
    return folder / name


def archive_one(issue: str, archive: str, new_version: bool = False, page_images: bool = False) -> Outcome:
    """archive_issue for a pool or cluster worker: never raises for a bad issue, reports it."""
    try:
        bag = archive_issue(Path(issue), Path(archive), new_version, page_images)
    except NotArchived as e:
        return Outcome(issue, e.code, messages=e.messages)
    except OSError as e:
        return Outcome(issue, EXIT_INVALID, messages=[f"cannot write the archive: {e}"])
    return Outcome(issue, EXIT_OK, str(bag))
