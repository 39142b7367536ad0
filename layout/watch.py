"""`issue watch`: render an issue again whenever one of its files changes.

Reads the issue folder (manifest, articles, photos, style sheet) through `watchfiles`; produces the
PDF, as `issue render` does, after every change, and prints what changed, the time and the result.
An edit that breaks the manifest (or overset copy) prints the problems with their lines and leaves
the last good PDF in place. Renders share a build session (layout/session.py: set lines, fonts,
drawn pages kept in memory), so a correction costs about what re-setting its paragraph, placing
and drawing the pages cost.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .manifest.errors import InvalidInput
from .manifest.files import printable
from .manifest.load import resolve_manifest

if TYPE_CHECKING:
    from .session import Session

Say = Callable[[str], None]


def _say(msg: str) -> None:
    print(printable(msg), flush=True)


class _Inputs:
    """Which changed paths are the issue's inputs: not its build folder, the output or temp files."""

    def __init__(self, folder: Path, output: Path | None):
        from watchfiles import DefaultFilter

        self.default = DefaultFilter()
        self.build = (folder / "build").resolve()
        self.output = output.resolve() if output else None

    def __call__(self, change, path: str) -> bool:
        p = Path(path).resolve()
        if p == self.output or p.name.startswith(".") or p.name.endswith(".tmp"):
            return False
        if p == self.build or self.build in p.parents:
            return False
        return self.default(change, path)


def render_once(
    folder: Path, output: Path | None, allow_overset: bool = False, say: Say = _say, session: Session | None = None
) -> bool:
    """Render the issue; print problems and keep the last good PDF if it cannot. True if written.
    `session` keeps what this build made for the next one (set lines, fonts, drawn pages)."""
    from .pdf.draw import write_pdf
    from .pipeline import build, default_output, refuse_input_as_output, tune_gc

    tune_gc()

    t0 = time.perf_counter()
    try:
        b = build(folder, parallel=False, session=session)  # no fork beside the watcher's thread
    except InvalidInput as e:
        for p in e.problems:
            say(str(p))
        say(f"  not rendered ({len(e.problems)} problem{'s' if len(e.problems) != 1 else ''}); the last good PDF stays")
        return False
    c = b.composed
    over = c.overset
    if over and not allow_overset:
        for f in over:
            say(f"overset: story '{f.story}' on page {f.page}: {f.overset_lines} lines did not fit")
        say("  not rendered (copy does not fit); the last good PDF stays")
        return False
    out = output or default_output(b.loaded)
    try:
        refuse_input_as_output(out, b)  # -o issue.yaml (or a photo, the style sheet ...) is never written over
    except InvalidInput as e:
        for p in e.problems:
            say(str(p))
        say("  not rendered; the last good PDF stays")
        return False
    photos = session.photos if session is not None else None
    meta = {"author": b.loaded.issue.publication, "keywords": ", ".join(b.loaded.issue.articles)}
    write_pdf(c, out, pages=b.pages, photos=photos, **meta)
    b.keep_cache()
    if photos is not None:
        photos.prepare()  # the next render's photos copied while the watcher waits
    dt = time.perf_counter() - t0
    say(f"  {out}: {len(c.pages)} pages, {c.stories} stories, {c.words:,} words, {dt:.2f} s")
    return True


def watch(
    issue: Path,
    output: Path | None = None,
    allow_overset: bool = False,
    say: Say = _say,
    stop: threading.Event | None = None,
) -> None:
    """Render now, then after every change to the issue's files until interrupted (or `stop` is set).

    The watcher is armed before the first render, so an edit made while (or just after) it renders
    is seen: changes are gathered from the moment the folder is watched, not from the first wait."""
    from .session import Session

    manifest = resolve_manifest(issue)
    folder = manifest.parent.resolve()
    session = Session()  # what one render made, kept for the next
    try:
        with _armed(folder) as watcher:
            say(f"{time.strftime('%H:%M:%S')} watching {folder} (Ctrl-C to stop)")
            _guarded(folder, output, allow_overset, say, session)
            for batch in _batches(watcher, _Inputs(folder, output), stop, folder):
                names = _changed(batch, folder) if batch is not None else ["a file whose name is not UTF-8"]
                if not names:
                    continue  # only an editor's temporary files came and went
                shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
                say(f"{time.strftime('%H:%M:%S')} changed: {shown}")
                _guarded(folder, output, allow_overset, say, session)
    except KeyboardInterrupt:
        pass
    finally:
        session.photos.discard()
    say("stopped")


def _armed(folder: Path):
    """A watchfiles notifier on `folder`, recording changes from now on (a context manager)."""
    from watchfiles._rust_notify import RustNotify
    from watchfiles.main import _default_force_polling, _default_poll_delay_ms

    # As watchfiles.watch() makes it (polling where the environment asks for it), but now.
    return RustNotify([str(folder)], False, _default_force_polling(None), _default_poll_delay_ms(300), True, False)


def _batches(watcher, keep: _Inputs, stop: threading.Event | None, folder: Path | None = None):  # type: ignore[no-untyped-def]
    """The changes the notifier gathered, a batch at a time, those `keep` accepts (as watchfiles'
    own `watch` loop does): until `stop` is set; Ctrl-C raises KeyboardInterrupt."""
    from watchfiles import Change

    first = watcher
    try:
        while True:
            try:
                raw = watcher.watch(300, 50, 500, stop)  # debounce, step, timeout (ms)
            except RuntimeError as e:  # watchfiles cannot decode a file name that is not UTF-8 ...
                if "decode" not in str(e) or folder is None:
                    raise
                watcher.close()  # ... and keeps failing on it: a fresh notifier, then render
                watcher = _armed(folder)
                yield None
                continue
            if raw == "signal":
                raise KeyboardInterrupt
            if raw == "stop":
                return
            if raw == "timeout":
                continue
            batch = {(Change(c), p) for c, p in raw if keep(Change(c), p)}
            if batch:
                yield batch
    finally:
        if watcher is not first:
            watcher.close()  # a notifier made here; the caller closes its own


def _guarded(folder: Path, output: Path | None, allow_overset: bool, say: Say, session: Session | None = None) -> None:
    """One render that never ends the watch: any failure is printed and the watch goes on."""
    try:
        render_once(folder, output, allow_overset, say, session)
    except OSError as e:
        say(f"  cannot write the PDF: {e}; the last good PDF stays")
    except Exception as e:  # a watch outlives a bad edit, whatever it breaks
        say(f"  render failed: {type(e).__name__}: {e}; the last good PDF stays")
    # What the render left (a document's objects refer to each other), collected while the watch
    # waits; what survives (the session) frozen out of later collections, which a build makes rare.
    gc.collect()
    gc.freeze()


def _changed(batch, folder: Path) -> list[str]:
    """The changed files by name, without temporary files that were made and removed again."""
    from watchfiles import Change

    added = {p for c, p in batch if c == Change.added}
    return sorted({_rel(Path(p), folder) for _, p in batch if not (p in added and not Path(p).exists())})


def _rel(p: Path, folder: Path) -> str:
    try:
        return str(p.resolve().relative_to(folder))
    except ValueError:
        return str(p)
