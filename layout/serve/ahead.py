"""Drawing the next PDF ahead: what `issue serve` does once an input changed, before the render is asked for.

Reads the last render a client asked for (its folder, issue, output and umask) and the server's
build session; produces, in the session's prepared temporary beside that output, the whole PDF that
render would write now (built, checked and drawn as render.py does), named by its document
(pdf/predrawn.py): the render asked for next, finding the very same document, puts that file in
place instead of drawing it, so that an edit saved a moment before `issue render` costs that
render little more than its checks. Nothing is put in place, no pack written; what the render
would say it says itself.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from pathlib import Path

from ..manifest.errors import InvalidInput
from ..manifest.files import Terminated
from ..session import Session

Say = Callable[[str], None]


def predraw(issue: Path, output: Path | None, session: Session) -> bool:
    """Build, check (each page's findings kept for the render) and draw into the session's prepared
    temporary what `issue render ISSUE [-o OUTPUT]` would write; whether a PDF was drawn (not for
    an invalid issue: its render says what is wrong)."""
    from ..page.findings import checked
    from ..pdf.draw import predraw_pdf
    from ..pipeline import build, default_output
    from ..render import pdf_meta

    try:
        b = build(issue, "total", cache=True, parallel=False, session=session)
    except InvalidInput:
        return False
    checked(b.composed, b.loaded, session.checked)
    target = output or default_output(b.loaded)
    return predraw_pdf(b.composed, target, session.photos, pages=b.pages, **pdf_meta(b))


class Ahead:
    """The last render asked for, and the drawing ahead of its next PDF."""

    def __init__(self, out: Say):
        self.out = out
        self.last: tuple[str, str, str | None, int] | None = None  # cwd, issue, -o, umask

    def asked(self, req: dict) -> None:
        """A render was answered for `req` (a render with --no-cache keeps no session: not drawn ahead)."""
        opts = req["options"]
        if not opts["no_cache"]:
            self.last = (req["cwd"], opts["issue"], opts["output"], req["umask"])

    def draw(self, session: Session, home: str, err: Say) -> bool:
        """Draw ahead what the last render asked for would write now, from its folder and with its
        umask (back in `home` after); whether anything ran. Never raises but for stop signals: a
        failure is said and costs only the head start."""
        if self.last is None:
            return False
        cwd, issue, output, umask = self.last
        t = time.perf_counter()
        drawn = False
        mask = os.umask(umask)
        try:
            os.chdir(cwd)
            drawn = predraw(Path(issue), Path(output) if output is not None else None, session)
        except (KeyboardInterrupt, Terminated):
            raise
        except Exception as e:  # noqa: BLE001 - the render asked for next does it all itself
            with contextlib.suppress(Exception):
                err(f"{time.strftime('%H:%M:%S')} drawing ahead failed: {type(e).__name__}: {e}")
        finally:
            os.umask(mask)
            os.chdir(home)
        if drawn:
            self.out(f"{time.strftime('%H:%M:%S')} drawn ahead after a change in {time.perf_counter() - t:.2f} s")
        return True
