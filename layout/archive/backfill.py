"""Archiving many issues at once: in this process, on a local process pool, or on a Dask cluster.

Reads issue folders; each is archived by `archive_one` wherever it runs (one task per issue),
and this process, the only writer of the catalogue, catalogues each bag as its result comes back.
With a Dask scheduler the workers must see the same archive folder (a shared filesystem).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from ..manifest.errors import EXIT_INVALID, EXIT_OK, EXIT_PROBLEMS
from . import catalog
from .archive import Outcome, archive_one


def _local(issues: list[str], archive: str, jobs: int, new_version: bool, page_images: bool) -> Iterator[Outcome]:
    if jobs <= 1 or len(issues) == 1:
        for i in issues:
            yield archive_one(i, archive, new_version, page_images)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(archive_one, i, archive, new_version, page_images): i for i in issues}
        for fut in as_completed(futures):
            try:
                yield fut.result()
            except Exception as e:  # a worker that died: report it with the others
                yield Outcome(futures[fut], EXIT_INVALID, messages=[f"archiving failed: {e!r}"])


def _dask(
    issues: list[str], archive: str, address: str, new_version: bool, page_images: bool, timeout: float
) -> Iterator[Outcome]:
    from dask.distributed import Client
    from dask.distributed import as_completed as dask_completed

    try:
        client = Client(address, timeout=f"{timeout}s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as e:
        raise ConnectionError(f"cannot reach the Dask scheduler at {address}: {e}") from None
    try:
        futures = {
            client.submit(archive_one, i, archive, new_version, page_images, key=f"archive-{n}-{i}", pure=False): i
            for n, i in enumerate(issues)
        }
        for fut in dask_completed(futures, loop=client.loop):
            try:
                yield fut.result()
            except Exception as e:
                yield Outcome(futures[fut], EXIT_INVALID, messages=[f"archiving failed on the cluster: {e!r}"])
    finally:
        client.close()


def archive_many(
    issues: list[Path],
    archive: Path,
    jobs: int = 1,
    scheduler: str | None = None,
    new_version: bool = False,
    page_images: bool = False,
    on_result: Callable[[Outcome], None] | None = None,
    connect_timeout: float = 20.0,
) -> list[Outcome]:
    """Archive every issue, cataloguing each bag as it arrives; returns every outcome."""
    archive.mkdir(parents=True, exist_ok=True)
    paths = [str(p.resolve()) for p in issues]
    where = str(archive.resolve())
    if scheduler:
        results = _dask(paths, where, scheduler, new_version, page_images, connect_timeout)
    else:
        results = _local(paths, where, jobs, new_version, page_images)
    out = []
    for r in results:
        if r.code == EXIT_OK and r.bag:
            try:
                catalog.add(archive, Path(r.bag))
            except (sqlite3.Error, OSError, ValueError, KeyError) as e:
                r.code = EXIT_PROBLEMS  # the bag stands; only its catalogue entry is missing
                r.messages.append(f"archived, but not catalogued ({e}): run `issue catalog rebuild {archive}`")
        out.append(r)
        if on_result:
            on_result(r)
    return out
