"""BagIt 1.0 bags (RFC 8493), made beside their final place and renamed into it whole.

Reads a folder holding a payload; produces a bag in place (data/, SHA-256 and SHA-512
manifests and tag manifests, bag-info.txt) with bagit-python, which writes BagIt 0.97:
bagit.txt is rewritten to 1.0 and the tag manifests recomputed. The bag is made in a hidden
folder beside its place and renamed to its name whole (manifest.files.atomic_folder), never
over a bag already there.
"""

from __future__ import annotations

import threading
from pathlib import Path

import bagit

from .info import TOOL, IssueInfo

ALGORITHMS = ["sha256", "sha512"]
# bagit-python changes the working directory while it hashes (make_bag, save): one bag at a
# time per process, or threaded workers (a Dask worker's threads) would hash each other's files.
_CWD = threading.Lock()


class Refused(Exception):
    """An archive already holds this issue where it would go; nothing was written."""


def make_bag(folder: Path, info: IssueInfo, version: int) -> None:
    """Turn `folder` (its files become the payload) into a valid BagIt 1.0 bag."""
    bag_info = {
        "Source-Organization": info.publication,
        "External-Identifier": info.identifier,
        "External-Description": info.title,
        "Bag-Group-Identifier": info.pub_slug,
        "Issue-Version": str(version),
        "Bag-Software-Agent": f"{TOOL} with bagit-python {bagit.VERSION}",
    }
    folder = folder.resolve()
    with _CWD:
        bagit.make_bag(str(folder), bag_info=bag_info, checksums=ALGORITHMS, processes=1)
        (folder / "bagit.txt").write_text("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n", encoding="utf-8")
        bag = bagit.Bag(str(folder))
        bag.save(processes=1)  # the tag manifests again, now over the 1.0 bagit.txt
        bag.validate(processes=1)


def free_name(folder: Path, name: str, new_version: bool) -> tuple[str, int]:
    """The bag's folder name and version: `name` if free; else, with `new_version`, the next
    `name-vN` not taken; else Refused."""
    if not (folder / name).exists():
        return name, 1
    if not new_version:
        raise Refused(
            f"{folder / name} already holds an archive of this issue; an archive is never overwritten "
            "(pass --new-version to keep both)"
        )
    n = 2
    while (folder / f"{name}-v{n}").exists():
        n += 1
    return f"{name}-v{n}", n
