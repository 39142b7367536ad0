"""Helpers for the archive tests: the `issue` command in-process, the vendored schemas, bag files."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import xmlschema
from hostile import Run, cli  # noqa: F401  (the archive tests import cli from here)

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "assets" / "schemas"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"


@cache
def schema(name: str) -> xmlschema.XMLSchema:
    """A vendored schema, loaded offline (xlink and xml: from assets/schemas, never the network)."""
    locations = {XLINK_NS: str(SCHEMAS / "xlink.xsd"), XML_NS: str(SCHEMAS / "newsml" / "xml.xsd")}
    return xmlschema.XMLSchema(str(SCHEMAS / name), locations=locations)


def payload_hashes(bag: Path) -> dict[str, str]:
    """SHA-256 of every payload file, by its path under data/."""
    data = bag / "data"
    return {
        p.relative_to(data).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(data.rglob("*"))
        if p.is_file()
    }
