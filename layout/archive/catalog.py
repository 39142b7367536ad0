"""The catalogue beside the bags: ARCHIVE/catalog.sqlite, searchable with SQLite's FTS5.

Reads bags (their metadata.json, ALTO pages and article text, nothing else); produces rows of
issues, pages and articles, and one full-text row per article per page it is printed on, so
a search names the page a word is on. `rebuild` makes the whole catalogue again from the bags.
"""

from __future__ import annotations

import json
import os
import sqlite3
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass
from pathlib import Path

from ..manifest.files import atomic_write
from .alto import NS as ALTO

NAME = "catalog.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS issues (
    id INTEGER PRIMARY KEY, bag TEXT UNIQUE NOT NULL, identifier TEXT, publication TEXT, date TEXT,
    number INTEGER, volume INTEGER, edition TEXT, version INTEGER, title TEXT, tool TEXT);
CREATE TABLE IF NOT EXISTS pages (
    issue INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE, number INTEGER, section TEXT,
    pdf TEXT, alto TEXT, PRIMARY KEY (issue, number));
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY, issue INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    article TEXT, headline TEXT, byline TEXT, section TEXT, page INTEGER, pages TEXT, words INTEGER,
    text TEXT);
CREATE VIRTUAL TABLE IF NOT EXISTS printed USING fts5(
    headline, byline, body, article UNINDEXED, page UNINDEXED, tokenize = 'unicode61 remove_diacritics 2');
"""


class CatalogError(Exception):
    """A catalogue that cannot be read, or a query it cannot run."""


@dataclass
class Hit:
    publication: str
    date: str
    edition: str | None
    version: int
    page: int
    section: str
    article: str
    headline: str
    byline: str | None
    snippet: str
    bag: str

    def as_dict(self) -> dict:
        return asdict(self)


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=60)
    db.execute("PRAGMA foreign_keys = ON")
    db.executescript(SCHEMA)
    return db


def _alto_words(alto: Path, block_ids: list[str]) -> str:
    """The words of some ALTO blocks in order; a broken word once, whole."""
    wanted = set(block_ids)
    out: list[str] = []
    for tb in ET.parse(alto).getroot().iter(f"{{{ALTO}}}TextBlock"):
        if tb.get("ID") not in wanted:
            continue
        for s in tb.iter(f"{{{ALTO}}}String"):
            kind = s.get("SUBS_TYPE")
            if kind == "HypPart2":
                continue
            out.append(s.get("SUBS_CONTENT") if kind == "HypPart1" else s.get("CONTENT", ""))
    return " ".join(out)


def _bag_info(bag: Path) -> dict[str, str]:
    out = {}
    for line in (bag / "bag-info.txt").read_text(encoding="utf-8").splitlines():
        k, sep, v = line.partition(":")
        if sep and not line[:1].isspace():
            out[k.strip()] = v.strip()
    return out


def index_bag(db: sqlite3.Connection, root: Path, bag: Path) -> None:
    """(Re)catalogue one bag, read from its files alone."""
    data = bag / "data"
    meta = json.loads((data / "metadata.json").read_text(encoding="utf-8"))
    rel = bag.resolve().relative_to(root.resolve()).as_posix()
    iss = meta["issue"]
    version = int(_bag_info(bag).get("Issue-Version", "1"))
    db.execute(
        "DELETE FROM printed WHERE article IN (SELECT a.id FROM articles a JOIN issues i ON a.issue = i.id"
        " WHERE i.bag = ?)",
        (rel,),
    )
    db.execute("DELETE FROM issues WHERE bag = ?", (rel,))
    cur = db.execute(
        "INSERT INTO issues (bag, identifier, publication, date, number, volume, edition, version, title, tool)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            rel,
            iss["identifier"],
            iss["publication"],
            iss["date"],
            iss["number"],
            iss["volume"],
            iss["edition"],
            version,
            iss["title"],
            meta["tool"],
        ),
    )
    issue_id = cur.lastrowid
    for p in meta["pages"]:
        row = (issue_id, p["number"], p["section"], p["pdf"], p["alto"])
        db.execute("INSERT INTO pages VALUES (?, ?, ?, ?, ?)", row)
    alto = {p["number"]: data / p["alto"] for p in meta["pages"]}
    for a in meta["articles"]:
        text = (data / a["text"]).read_text(encoding="utf-8")
        cur = db.execute(
            "INSERT INTO articles (issue, article, headline, byline, section, page, pages, words, text)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                issue_id,
                a["id"],
                a["headline"],
                a["byline"],
                a["section"],
                a["page"],
                ",".join(map(str, a["pages"])),
                a["words"],
                text,
            ),
        )
        for page, blocks in sorted(a["blocks"].items(), key=lambda kv: int(kv[0])):
            db.execute(
                "INSERT INTO printed (headline, byline, body, article, page) VALUES (?, ?, ?, ?, ?)",
                (a["headline"], a["byline"] or "", _alto_words(alto[int(page)], blocks), cur.lastrowid, int(page)),
            )


def add(archive: Path, bag: Path) -> None:
    """Catalogue one new bag in ARCHIVE/catalog.sqlite (made if missing), in one transaction."""
    db = _connect(archive / NAME)
    try:
        with db:
            index_bag(db, archive, bag)
    finally:
        db.close()


def bags(archive: Path) -> list[Path]:
    """Every finished bag under the archive; hidden folders (bags being made) are skipped."""
    out = []
    for dirpath, dirnames, filenames in os.walk(archive):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        if "bagit.txt" in filenames:
            out.append(Path(dirpath))
            dirnames[:] = []
    return sorted(out)


def rebuild(archive: Path) -> tuple[int, list[str]]:
    """Make the catalogue again from the bags alone, then swap it in; returns (bags
    catalogued, problems with bags that could not be read)."""
    problems: list[str] = []
    n = 0
    with atomic_write(archive / NAME) as tmp:
        db = _connect(tmp)
        try:
            for bag in bags(archive):
                try:
                    with db:
                        index_bag(db, archive, bag)
                    n += 1
                except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError, ET.ParseError) as e:
                    problems.append(f"{bag}: cannot catalogue this bag: {e}")
        finally:
            db.close()
    return n, problems


def find(archive: Path, query: str, limit: int = 50) -> list[Hit]:
    """Articles matching an FTS5 query, best first, one hit per page an article is printed on."""
    path = archive / NAME
    if not path.is_file():
        raise CatalogError(f"{path}: no catalogue here (archive an issue there, or run `issue catalog rebuild`)")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "SELECT i.publication, i.date, i.edition, i.version, p.page, a.section, a.article, a.headline,"
            " a.byline, snippet(printed, 2, '[', ']', '...', 12), i.bag"
            " FROM printed p JOIN articles a ON a.id = p.article JOIN issues i ON i.id = a.issue"
            " WHERE printed MATCH ? ORDER BY rank, i.date, p.page LIMIT ?",
            (query, limit),
        ).fetchall()
    except sqlite3.OperationalError as e:
        raise CatalogError(f"cannot search for {query!r}: {e}") from None
    except sqlite3.DatabaseError as e:
        raise CatalogError(f"{path}: not a readable catalogue: {e}") from None
    finally:
        db.close()
    return [Hit(*r) for r in rows]
