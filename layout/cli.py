"""The `issue` command: thin typer wrappers over the pipeline and the output packages. Reads
command-line arguments; prints one-line summaries and located problems (bytes of file names that
are not UTF-8 as \\xNN); exits 0 (done), 1 (problems found) or 2 (invalid input), never a traceback."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from . import __version__
from .manifest.errors import EXIT_INVALID, EXIT_OK, EXIT_PROBLEMS, InvalidInput
from .manifest.files import Terminated, printable, stop_signals_raise

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help and usage errors: importing rich cost 0.2 s of `issue --help`
    help="Lay out a newspaper issue from its YAML manifest.",
)


# Arguments and options several commands share.
IssueArg = Annotated[Path, typer.Argument(help="The issue folder or its issue.yaml")]
PdfOut = Annotated[Path | None, typer.Option("-o", "--output", help="The PDF to write")]
AllowOverset = Annotated[bool, typer.Option("--allow-overset", help="Write the PDF even if copy is overset")]


def _err(msg: str) -> None:
    typer.echo(printable(msg), err=True)


def _out(msg: str) -> None:
    typer.echo(printable(msg))


def _invalid(e: InvalidInput) -> None:
    from .render import report_invalid

    report_invalid(e, _err)


@app.command()
def render(
    issue: IssueArg,
    output: PdfOut = None,
    allow_overset: AllowOverset = False,
    greedy: Annotated[bool, typer.Option("--greedy", help="Break lines greedily (for comparison)")] = False,
    print_: Annotated[
        bool, typer.Option("--print", help="The plant's rendition: CMYK PDF/X with boxes and marks")
    ] = False,
    icc: Annotated[Path | None, typer.Option("--icc", help="The plant's CMYK output profile (with --print)")] = None,
    split: Annotated[bool, typer.Option("--split", help="Also one PDF per page (with --print)")] = False,
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
            help=(
                "Processes to set story bodies, draw pages and separate print photos in"
                " (default: 2 for a large issue if a core is free)"
            ),
        ),
    ] = None,
) -> None:
    """Render ISSUE to a PDF (default: ISSUE/build/<publication>-<date>.pdf; with --print,
    ISSUE/build/print/). Answered by `issue serve ISSUE` when one is running."""
    from .pipeline import no_collection
    from .render import Progress, run_render

    bar = Progress() if sys.stderr is not None and sys.stderr.isatty() else None
    opts = {"greedy": greedy, "print_": print_, "icc": icc, "split": split, "no_cache": no_cache, "jobs": jobs}
    with no_collection():
        code = run_render(issue, output, allow_overset, _err, _out, bar=bar, **opts)
    raise typer.Exit(code)


@app.command()
def check(
    issue: IssueArg,
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
        _out(str(f))
    c = b.composed
    status = (
        "problems found" if errs else (f"{len(warns)} warning{'s' if len(warns) != 1 else ''}" if warns else "clean")
    )
    _out(f"{b.loaded.manifest}: {len(c.pages)} pages, {c.stories} stories, {c.words:,} words: {status}")
    raise typer.Exit(EXIT_PROBLEMS if errs or (strict and warns) else EXIT_OK)


@app.command()
def preflight(
    target: Annotated[Path, typer.Argument(help="An issue folder (its issue.yaml) or a PDF")],
    print_: Annotated[bool, typer.Option("--print", help="Check against the plant's rules (CMYK, PDF/X)")] = False,
    icc: Annotated[Path | None, typer.Option("--icc", help="The plant's CMYK output profile (an issue)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Findings as JSON on standard output")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too")] = False,
) -> None:
    """Check ISSUE or a PDF for what the printing plant would reject; exit 1 on errors."""
    from .print.commands import run_preflight

    raise typer.Exit(run_preflight(target, print_, icc, as_json, strict, _err, _out))


@app.command()
def proof(
    issue: IssueArg,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="The proof PDF to write")] = None,
) -> None:
    """Write an editors' proof of ISSUE, overset and all (default: ISSUE/build/<publication>-<date>-proof.pdf)."""
    from .proof.commands import run_proof

    raise typer.Exit(run_proof(issue, output, _err, _out))


@app.command()
def fit(
    issue: IssueArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print the table as JSON")] = False,
) -> None:
    """The copyfit table: lines available and used, over or short, words to cut or add, jumps."""
    from .proof.commands import run_fit

    raise typer.Exit(run_fit(issue, as_json, _err, _out))


@app.command()
def preview(
    source: Annotated[Path, typer.Argument(help="An issue folder, its issue.yaml, or a PDF")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="The folder for the PNGs")] = None,
    dpi: Annotated[int, typer.Option("--dpi", min=10, max=600, help="Resolution of the page images")] = 100,
) -> None:
    """One PNG per page and a contact sheet of all pages."""
    from .proof.commands import run_preview

    raise typer.Exit(run_preview(source, output, dpi, _err, _out))


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier proof or render (or issue folder)")],
    new: Annotated[Path, typer.Argument(help="The later proof or render (or issue folder)")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="The report folder to write")] = None,
) -> None:
    """Words added and removed per story, pages changed; exit 1 if anything changed."""
    from .proof.commands import run_diff

    raise typer.Exit(run_diff(old, new, output, _err, _out))


@app.command()
def notes(
    pdf: Annotated[Path, typer.Argument(help="An annotated proof PDF")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the corrections as JSON")] = False,
    patch: Annotated[bool, typer.Option("--patch", help="Print a unified diff against the article sources")] = False,
) -> None:
    """List the corrections editors marked on a proof; --patch turns them into a diff (never applied)."""
    from .proof.commands import run_notes

    raise typer.Exit(run_notes(pdf, as_json, patch, _err, _out))


@app.command()
def watch(
    issue: IssueArg,
    output: PdfOut = None,
    allow_overset: AllowOverset = False,
) -> None:
    """Render ISSUE now and again whenever one of its files changes; a bad edit keeps the last good PDF."""
    from .manifest.load import resolve_manifest
    from .watch import watch as run_watch

    if not resolve_manifest(issue).is_file():
        _err(f"error: {resolve_manifest(issue)}: no such issue manifest (expected an issue folder or its issue.yaml)")
        raise typer.Exit(EXIT_INVALID)
    run_watch(issue, output, allow_overset)


@app.command()
def serve(
    issue: IssueArg,
    idle: Annotated[
        float, typer.Option("--idle", min=0, help="Minutes with no render before it stops (0: never)")
    ] = 30,
) -> None:
    """Keep ISSUE warm in memory: `issue render ISSUE` from any shell is answered here, far faster.
    Stops on Ctrl-C, SIGTERM or after --idle minutes; exits 2 if one already serves ISSUE."""
    from .serve.server import run_serve

    raise typer.Exit(run_serve(issue, idle * 60, _err, _out))


@app.command()
def new(directory: Annotated[Path, typer.Argument(help="The folder to create")]) -> None:
    """Scaffold an issue folder that renders as it is."""
    from .scaffold import new_issue

    try:
        new_issue(directory)
    except InvalidInput as e:
        for p in e.problems:
            _err(f"error: {p}")
        raise typer.Exit(EXIT_INVALID) from None
    _out(f"created {directory}: render it with `issue render {directory}`")


@app.command()
def archive(
    issues: Annotated[list[Path], typer.Argument(help="Issue folders (or their issue.yaml)")],
    to: Annotated[Path, typer.Option("--to", help="The archive folder (bags and catalog.sqlite)")],
    new_version: Annotated[
        bool, typer.Option("--new-version", help="If the issue is archived already, add <date>-vN beside it")
    ] = False,
    page_images: Annotated[bool, typer.Option("--page-images", help="Add a 300 dpi JPEG 2000 of each page")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Issues archived at once on this machine")] = 1,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="A Dask scheduler address (tcp://host:8786): one task per issue")
    ] = None,
    connect_timeout: Annotated[float, typer.Option("--connect-timeout", help="Seconds to reach the scheduler")] = 20.0,
) -> None:
    """Archive ISSUES as BagIt bags under ARCHIVE/<publication>/<yyyy>/<date>[-<edition>]/ and catalogue them."""
    from .archive.commands import ArchiveOptions, run_archive

    opt = ArchiveOptions(new_version, page_images, jobs, scheduler, connect_timeout)
    raise typer.Exit(run_archive(issues, to, opt, _err, _out))


@app.command()
def verify(bags: Annotated[list[Path], typer.Argument(help="Bag folders made by `issue archive`")]) -> None:
    """Check each BAG's fixity and completeness: exit 1 naming every file changed, vanished or appeared."""
    from .archive.commands import run_verify

    raise typer.Exit(max(run_verify(bag, _err, _out) for bag in bags))


@app.command()
def find(
    query: Annotated[str, typer.Argument(help='Words to find (SQLite FTS5: "exact phrase", turb*, a OR b)')],
    archive_dir: Annotated[Path, typer.Option("--archive", help="The archive folder")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the hits as JSON")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many hits")] = 50,
) -> None:
    """List archived articles matching QUERY, with issue, date, page and a snippet."""
    from .archive.commands import run_find

    raise typer.Exit(run_find(archive_dir, query, as_json, limit, _err, _out))


catalog_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="The archive's catalogue (catalog.sqlite).")
app.add_typer(catalog_app, name="catalog")


@catalog_app.command("rebuild")
def catalog_rebuild(archive_dir: Annotated[Path, typer.Argument(help="The archive folder")]) -> None:
    """Rebuild ARCHIVE_DIR/catalog.sqlite from the bags alone."""
    from .archive.commands import run_rebuild

    raise typer.Exit(run_rebuild(archive_dir, _err, _out))


def _version(value: bool) -> None:
    if value:
        _out(f"issue (layout) {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit")
    ] = False,
) -> None:
    """Lay out a newspaper issue from its YAML manifest."""


def main() -> None:
    """The `issue` command (the `issue` script is layout.serve.client:main, which asks a server
    before it imports this module; here the server is asked too, for `python -c ...cli import main`)."""
    from .serve.client import answered

    answered()
    run()


def run() -> None:
    # SIGTERM/SIGHUP raise Terminated (as Ctrl-C raises KeyboardInterrupt): every writer's cleanup runs.
    try:
        with stop_signals_raise():
            app()
    except KeyboardInterrupt:
        _err("interrupted; nothing was written")
        sys.exit(130)
    except Terminated as e:
        _err(f"{e}; any file being written was removed")
        sys.exit(128 + e.signum)


if __name__ == "__main__":
    main()
