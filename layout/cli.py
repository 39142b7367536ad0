"""The `issue` command: render, check and scaffold newspaper issues."""

from __future__ import annotations

import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from .manifest.errors import EXIT_INVALID, EXIT_OK, EXIT_PROBLEMS, InvalidInput

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Lay out a newspaper issue from its YAML manifest.",
)


class _Bar:
    """A progress bar on standard error while a terminal watches: pages laid out, then written."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.task = self.progress.add_task("reading", total=None)

    def __enter__(self) -> _Bar:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def loaded(self, li) -> None:
        self.progress.update(self.task, description="laying out", total=len(li.issue.pages), completed=0)

    def writing(self, pages: int) -> None:
        self.progress.update(self.task, description="writing", total=pages, completed=0)

    def tick(self) -> None:
        self.progress.advance(self.task)


def _err(msg: str) -> None:
    typer.echo(msg, err=True)


def _invalid(e: InvalidInput) -> None:
    for p in e.problems:
        _err(str(p))
    n = len(e.problems)
    _err(f"error: {n} problem{'s' if n != 1 else ''} in the issue; nothing was written")


def _overset_report(composed) -> list[str]:
    """Everything that did not fit: overset copy, and lines wider than their column."""
    out = []
    for f in composed.overset:
        out.append(
            f"overset: story '{f.story}' on page {f.page}: {f.overset_lines} line"
            f"{'s' if f.overset_lines != 1 else ''} ({f.overset_words} words) did not fit"
        )
    for page, it in composed.overfull:
        where = f"story '{it.story}'" if it.story else "page furniture"
        out.append(
            f"overfull: {where} on page {page}: {it.role} line {it.text[:40]!r} runs "
            f"{it.line.overfull:.1f} pt past its measure"
        )
    return out


@app.command()
def render(
    issue: Annotated[Path, typer.Argument(help="The issue folder or its issue.yaml")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="The PDF to write")] = None,
    allow_overset: Annotated[
        bool, typer.Option("--allow-overset", help="Write the PDF even if copy is overset")
    ] = False,
    greedy: Annotated[bool, typer.Option("--greedy", help="Break lines greedily (for comparison)")] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Set every paragraph afresh; neither read nor write ISSUE/build/.cache")
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            max=2,
            help="Processes to set story bodies in (default: 2 for a large issue if a core is free)",
        ),
    ] = None,
) -> None:
    """Render ISSUE to a PDF (default: ISSUE/build/<publication>-<date>.pdf)."""
    from .pdf.draw import write_pdf
    from .pipeline import build, default_output, tune_gc

    tune_gc()
    t0 = time.perf_counter()
    bar = _Bar() if sys.stderr.isatty() else None
    try:
        with bar or nullcontext():
            b = build(
                issue,
                "greedy" if greedy else "total",
                on_loaded=bar.loaded if bar else None,
                tick=bar.tick if bar else None,
                cache=not no_cache,
                parallel=None if jobs is None else jobs > 1,
            )
    except InvalidInput as e:
        _invalid(e)
        raise typer.Exit(EXIT_INVALID) from None
    report = _overset_report(b.composed)
    for line in report:
        _err(line)
    if report and not allow_overset:
        _err(
            "error: copy does not fit; no PDF written (cut copy or change the style, "
            "or pass --allow-overset to proof it)"
        )
        raise typer.Exit(EXIT_PROBLEMS)
    out = output or default_output(b.loaded)
    try:
        with bar or nullcontext():
            if bar:
                bar.writing(len(b.composed.pages))
            write_pdf(
                b.composed,
                out,
                tick=bar.tick if bar else None,
                author=b.loaded.issue.publication,
                keywords=", ".join(b.loaded.issue.articles),
            )
    except OSError as e:
        _err(f"error: cannot write {out}: {e}")
        raise typer.Exit(EXIT_INVALID) from None
    b.keep_cache()
    c = b.composed
    dt = time.perf_counter() - t0
    typer.echo(f"{out}: {len(c.pages)} pages, {c.stories} stories, {c.words:,} words, {dt:.2f} s")
    raise typer.Exit(EXIT_PROBLEMS if report else EXIT_OK)


@app.command()
def check(issue: Annotated[Path, typer.Argument(help="The issue folder or its issue.yaml")]) -> None:
    """Validate and lay out ISSUE without writing; report every problem at once."""
    from .pipeline import build

    try:
        b = build(issue)
    except InvalidInput as e:
        _invalid(e)
        raise typer.Exit(EXIT_INVALID) from None
    report = _overset_report(b.composed)
    for line in report:
        typer.echo(line)
    c = b.composed
    for f in c.fits:
        if f.fixed_height and f.free_lines:
            typer.echo(f"underset: story '{f.story}' on page {f.page}: {f.free_lines} empty lines in its fixed height")
    status = "problems found" if report else "clean"
    typer.echo(f"{b.loaded.manifest}: {len(c.pages)} pages, {c.stories} stories, {c.words:,} words: {status}")
    raise typer.Exit(EXIT_PROBLEMS if report else EXIT_OK)


@app.command()
def watch(
    issue: Annotated[Path, typer.Argument(help="The issue folder or its issue.yaml")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="The PDF to write")] = None,
    allow_overset: Annotated[
        bool, typer.Option("--allow-overset", help="Write the PDF even if copy is overset")
    ] = False,
) -> None:
    """Render ISSUE now and again whenever one of its files changes; a bad edit keeps the last good PDF."""
    from .manifest.load import resolve_manifest
    from .watch import watch as run_watch

    if not resolve_manifest(issue).is_file():
        _err(f"error: {resolve_manifest(issue)}: no such issue manifest (expected an issue folder or its issue.yaml)")
        raise typer.Exit(EXIT_INVALID)
    run_watch(issue, output, allow_overset)


@app.command()
def new(directory: Annotated[Path, typer.Argument(help="The folder to create")]) -> None:
    """Scaffold an issue folder that renders as it is."""
    from .scaffold import scaffold

    if directory.exists() and any(directory.iterdir()):
        _err(f"error: {directory} exists and is not empty; nothing was written")
        raise typer.Exit(EXIT_INVALID)
    scaffold(directory)
    typer.echo(f"created {directory}: render it with `issue render {directory}`")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
