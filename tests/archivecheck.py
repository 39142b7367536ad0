"""Helpers for the archive tests: the `issue` command in-process, the vendored schemas, bag files."""

from __future__ import annotations

import hashlib
import traceback
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import xmlschema
from typer.testing import CliRunner

from layout.cli import app

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "assets" / "schemas"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def cli(*args: object) -> Run:
    """`issue ARGS` in-process; an exception escaping the command fails the test with its traceback."""
    r = CliRunner().invoke(app, [str(a) for a in args])
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        tb = "".join(traceback.format_exception(*r.exc_info)) if r.exc_info else repr(r.exception)
        pytest.fail(f"`issue {' '.join(map(str, args))}` raised instead of reporting:\n{tb}")
    return Run(r.exit_code, r.stdout, r.stderr)


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
