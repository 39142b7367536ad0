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


@app.command()
def render(
    issue: Annotated[Path, typer.Argument(help="The issue folder or its issue.yaml")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="The PDF to write")] = None,
    allow_overset: Annotated[
        bool, typer.Option("--allow-overset", help="Write the PDF even if copy is overset")
    ] = False,
    greedy: Annotated[bool, typer.Option("--greedy", help="Break lines greedily (for comparison)")] = False,
) -> None:
    """Render ISSUE to a PDF (default: ISSUE/build/<publication>-<date>.pdf)."""
    from .page.findings import errors
    from .pdf.draw import write_pdf
    from .pipeline import build, default_output

    t0 = time.perf_counter()
    bar = _Bar() if sys.stderr.isatty() else None
    try:
        with bar or nullcontext():
            b = build(
                issue,
                "greedy" if greedy else "total",
                on_loaded=bar.loaded if bar else None,
                tick=bar.tick if bar else None,
            )
    except InvalidInput as e:
        _invalid(e)
        raise typer.Exit(EXIT_INVALID) from None
    report = [str(f) for f in errors(b.composed)]
    for line in report:
        _err(line)
    if report and not allow_overset:
        _err(
            "error: copy or a story's parts do not fit; no PDF written (cut copy, change the layout or the style, "
            "or pass --allow-overset to proof it with what does not fit left out)"
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
    c = b.composed
    dt = time.perf_counter() - t0
    typer.echo(f"{out}: {len(c.pages)} pages, {c.stories} stories, {c.words:,} words, {dt:.2f} s")
    raise typer.Exit(EXIT_PROBLEMS if report else EXIT_OK)


@app.command()
def check(
    issue: Annotated[Path, typer.Argument(help="The issue folder or its issue.yaml")],
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too")] = False,
) -> None:
    """Validate and lay out ISSUE without writing; report every problem and warning at once."""
    from .page.findings import errors, warnings
    from .pipeline import build

    try:
        b = build(issue)
    except InvalidInput as e:
        _invalid(e)
        raise typer.Exit(EXIT_INVALID) from None
    errs, warns = errors(b.composed), warnings(b.composed, b.loaded)
    for f in errs + warns:
        typer.echo(str(f))
    c = b.composed
    status = (
        "problems found" if errs else (f"{len(warns)} warning{'s' if len(warns) != 1 else ''}" if warns else "clean")
    )
    typer.echo(f"{b.loaded.manifest}: {len(c.pages)} pages, {c.stories} stories, {c.words:,} words: {status}")
    raise typer.Exit(EXIT_PROBLEMS if errs or (strict and warns) else EXIT_OK)


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
