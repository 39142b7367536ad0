"""What `issue archive | verify | find | catalog rebuild` do, behind their thin typer wrappers:
run the package, print one line per result, and turn bad input into a clear message and an
exit code (never a traceback). Each returns the exit code."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..manifest.errors import EXIT_INVALID, EXIT_OK, EXIT_PROBLEMS

Say = Callable[[str], None]


@dataclass(frozen=True)
class ArchiveOptions:
    new_version: bool = False
    page_images: bool = False
    jobs: int = 1
    scheduler: str | None = None
    connect_timeout: float = 20.0


def run_archive(issues: list[Path], to: Path, opt: ArchiveOptions, err: Say, out: Say) -> int:
    from .archive import Outcome
    from .backfill import archive_many

    def report(r: Outcome) -> None:
        if r.bag:
            out(f"{r.issue}: archived as {r.bag}")
        for m in r.messages:
            err(f"{r.issue}: {m}" if len(issues) > 1 else m)

    try:
        results = archive_many(
            issues, to, opt.jobs, opt.scheduler, opt.new_version, opt.page_images, report, opt.connect_timeout
        )
    except (ConnectionError, OSError) as e:
        err(f"error: {e}")
        return EXIT_INVALID
    failed = [r for r in results if r.code != EXIT_OK and not r.bag]
    if failed:
        err(f"error: {len(failed)} of {len(results)} issues not archived; nothing was written for them")
    return max((r.code for r in results), default=EXIT_OK)


def run_verify(bag: Path, err: Say, out: Say) -> int:
    from .verify import NotABag, shown, verify

    name = shown(str(bag))
    try:
        v = verify(bag)
    except NotABag as e:
        err(f"error: {shown(str(e))}")
        return EXIT_INVALID
    for line in v.lines():
        out(f"{name}: {line}")
    if not v.ok:
        err(f"error: {name} does not verify: {len(v.lines())} problem(s)")
        return EXIT_PROBLEMS
    out(f"{name}: valid BagIt {v.version} bag, {v.files} payload files, every checksum matches")
    return EXIT_OK


def run_find(archive: Path, query: str, as_json: bool, limit: int, err: Say, out: Say) -> int:
    from .catalog import CatalogError, find

    try:
        hits = find(archive, query, limit)
    except CatalogError as e:
        err(f"error: {e}")
        return EXIT_INVALID
    if as_json:
        out(json.dumps([h.as_dict() for h in hits], indent=1, ensure_ascii=False))
        return EXIT_OK
    for h in hits:
        ed = (f" ({h.edition})" if h.edition else "") + (f" v{h.version}" if h.version > 1 else "")
        out(f"{h.date}{ed} p.{h.page} {h.section}: {h.headline} [{h.article}]\n    {h.snippet}\n    {h.bag}")
    out(f"{len(hits)} hit{'s' if len(hits) != 1 else ''}")
    return EXIT_OK


def run_rebuild(archive: Path, err: Say, out: Say) -> int:
    from .catalog import NAME, rebuild

    if not archive.is_dir():
        err(f"error: {archive}: no such archive folder")
        return EXIT_INVALID
    try:
        n, problems = rebuild(archive)
    except OSError as e:  # catalog.sqlite is a folder or a pipe, or the archive is read-only
        err(f"error: cannot write {archive / NAME}: {e.strerror or e}; nothing was changed")
        return EXIT_INVALID
    for p in problems:
        err(p)
    out(f"{archive / NAME}: {n} bag{'s' if n != 1 else ''} catalogued")
    return EXIT_PROBLEMS if problems else EXIT_OK
