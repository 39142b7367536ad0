"""Fixity and completeness of a bag: every file as it was bagged, none gone, none added.

Reads a bag folder (its manifests and tag manifests); produces a `Verdict` naming each file
that changed, vanished or appeared, in the payload or among the tag files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import bagit

from ..manifest.files import printable

# Files a bag has at its top without a tag manifest listing them.
_BAG_FILES = ("bagit.txt",)


@dataclass
class Verdict:
    bag: Path
    files: int = 0  # payload files checked
    version: str = ""
    changed: list[str] = field(default_factory=list)
    vanished: list[str] = field(default_factory=list)
    appeared: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.changed or self.vanished or self.appeared or self.other)

    def lines(self) -> list[str]:
        out = [f"changed: {shown(p)}" for p in self.changed]
        out += [f"vanished: {shown(p)}" for p in self.vanished]
        out += [f"appeared: {shown(p)}" for p in self.appeared]
        return out + [shown(p) for p in self.other]


shown = printable  # a file name's bytes that are not UTF-8 written as \\xNN escapes


class NotABag(Exception):
    pass


def _tag_files(bag: bagit.Bag, root: Path) -> list[str]:
    """Top-level files no manifest lists (bagit-python lets them pass)."""
    listed = set(_BAG_FILES) | set(bag.entries) | {f"tagmanifest-{a}.txt" for a in bag.algorithms}
    out = []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_file() and not rel.startswith("data/") and rel not in listed:
            out.append(rel)
    return out


def _missing_tag_manifests(bag: bagit.Bag, root: Path) -> list[str]:
    """A tag manifest per payload manifest's algorithm (RFC 8493 asks for it, and this tool
    writes them): one gone is a file that vanished, though no other manifest can list it."""
    have = {p.name[len("tagmanifest-") : -len(".txt")] for p in root.glob("tagmanifest-*.txt")}
    ours = bag.info.get("Bag-Software-Agent", "").startswith("layout ")
    if not (have or ours):
        return []  # a bag made elsewhere without tag manifests: optional in BagIt
    return [f"tagmanifest-{a}.txt" for a in sorted(bag.algorithms) if a not in have]


def _digest(path: Path, algs: list[str]) -> dict[str, str]:
    hs = {a: hashlib.new(a) for a in algs}
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            for h in hs.values():
                h.update(chunk)
    return {a: h.hexdigest() for a, h in hs.items()}


def verify(path: Path) -> Verdict:
    """Check every file against every manifest that lists it; raises NotABag if `path` is not
    a bag. Every difference is named (bagit-python stops at the first payload count mismatch)."""
    if not (path / "bagit.txt").is_file():
        raise NotABag(f"{path}: not a bag (no bagit.txt)")
    try:
        bag = bagit.Bag(str(path))
    except (bagit.BagError, ValueError, OSError) as e:  # ValueError: a tag file that is not UTF-8
        return Verdict(path, other=[f"cannot read the bag's own files: {e}"])
    v = Verdict(path, version=".".join(map(str, bag.version_info)))
    vanished, appeared = bag.compare_manifests_with_fs()
    v.vanished = sorted(vanished)
    v.appeared = sorted(appeared)
    for rel, want in sorted(bag.entries.items()):
        f = path / rel
        if rel in vanished or not f.is_file():
            if rel not in vanished and rel not in v.vanished:
                v.vanished.append(rel)  # a tag file a tag manifest lists
            continue
        v.files += rel.startswith("data/")
        if _digest(f, list(want)) != want:
            v.changed.append(rel)
    v.appeared += [p for p in _tag_files(bag, path) if p not in v.appeared]
    v.vanished += _missing_tag_manifests(bag, path)
    if v.ok:
        try:
            bag.validate(processes=1)  # what else bagit checks: bagit.txt, Payload-Oxum, structure
        except (bagit.BagError, ValueError, OSError) as e:
            v.other.append(f"invalid bag: {e}")
    return v
