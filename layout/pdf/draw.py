"""The PDF exporter: draws composed pages with ReportLab, writing text operators
directly (one positioned TJ per run of a font) so that kerning, tracking and glyph
scaling come out exactly as the typesetter measured them."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab import rl_config

rl_config.useA85 = 0  # binary streams: smaller and faster than ASCII85
rl_config.invariant = 1  # same input, same bytes

from reportlab.lib.utils import ImageReader, TimeStamp  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

from .. import __version__  # noqa: E402
from ..manifest.files import Renaming, atomic_write  # noqa: E402
from ..page.frames import Composed, ImageItem, Page, RuleItem, TextItem  # noqa: E402
from ..text.fonts import Face, register_all  # noqa: E402
from .images import ImagePlacer  # noqa: E402
from .pagecache import PageCache, page_key  # noqa: E402
from .photocopies import PhotoCopies, Placed, Ready  # noqa: E402
from .predrawn import Predrawn  # noqa: E402
from .stream import save_streaming  # noqa: E402
from .subsets import KEEP as _KEEP  # noqa: E402, F401  (font subsets made once per face and glyph set)
from .textops import TextWriter as _TextWriter  # noqa: E402
from .textops import _n  # noqa: E402

if TYPE_CHECKING:
    from .pardraw import TextHelper

try:  # ReportLab's C accelerator: escapes and width sums 3-4x faster
    import _rl_accel  # noqa: F401

    ACCELERATED = True
except ImportError:  # pragma: no cover
    ACCELERATED = False


class Screen:
    """The default rendition: RGB colour operators and photos as they are, on pages the size
    composed. A print rendition (layout/print) overrides these to write CMYK onto bigger sheets."""

    def fill(self, color: str) -> str:
        return f"{_rgb(color)} rg"

    def stroke(self, color: str) -> str:
        return f"{_rgb(color)} RG"

    def image(self, path: Path) -> Path | ImageReader:
        """The photo to draw: its file, passed through (a print rendition converts it instead)."""
        return path

    def page_size(self, page: Page) -> tuple[float, float]:
        return page.width, page.height

    def begin_page(self, c: canvas.Canvas, page: Page) -> None:
        """Called before the page's items are drawn (e.g. to move the origin to the trim)."""

    def end_page(self, c: canvas.Canvas, page: Page) -> None:
        """Called after the page's items are drawn (e.g. for marks outside the trim)."""


SCREEN = Screen()


def _rgb(hexcolor: str) -> str:
    h = hexcolor.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return f"{r:.3f} {g:.3f} {b:.3f}"


def draw(
    composed: Composed,
    path: Path | str,
    author: str = "",
    keywords: str = "",
    tick: Callable[[], None] | None = None,
    decorate: Callable[[canvas.Canvas, Page], None] | None = None,
    mode: Screen = SCREEN,
    pages: PageCache | None = None,
    helper: TextHelper | None = None,
    prepared: Ready | None = None,
    placed: list[Placed] | None = None,
) -> None:
    """Write the PDF to `path` (overwritten in place; see write_pdf for the safe route).
    `tick` is called as each page is written (for a progress bar); `decorate` may draw
    over each finished page (proof marks), after its content and before the next page;
    `mode` says how colours, photos and the sheet around the page are written (RGB on the
    page size by default); `pages` keeps drawn pages between renders (screen mode only);
    `helper` (pdf.pardraw, started with the same `pages`) has drawn the later pages' text
    in another process (screen mode without `decorate` only; the same bytes either way);
    `prepared` and `placed`: see stream.save_streaming."""
    if helper is not None and (mode is not SCREEN or decorate is not None):
        helper.abandon()  # a print or proof rendition draws its own text
        helper = None
    c = new_canvas(composed, path, mode, author, keywords)
    tw = _TextWriter(c, mode)
    images = ImagePlacer(c)
    cache = pages if mode is SCREEN else None
    for i, page in enumerate(composed.pages):
        c.setPageSize(mode.page_size(page))
        mode.begin_page(c, page)
        text = helper.text(i, tw, page, cache) if helper is not None else None  # None: draw it here
        c._code.append(text if text is not None else _page_text(tw, page, mode, cache))
        finish_page(c, images, page, mode, decorate)
        if tick:
            tick()
    streams = pages.streams() if pages is not None and mode is SCREEN else None
    save_streaming(c, streams, helper.streams if helper is not None else None, prepared, placed)


def finish_page(
    c: canvas.Canvas,
    images: ImagePlacer,
    page: Page,
    mode: Screen = SCREEN,
    decorate: Callable[[canvas.Canvas, Page], None] | None = None,
) -> None:
    """Draw the page's photos (and the rendition's and `decorate`'s marks), name it in the
    outline and show it: everything after its text (a drawing helper shows its pages so too)."""
    H = page.height
    for it in page.items:
        if isinstance(it, ImageItem):
            src = mode.image(it.path)
            y = H - it.top - it.height
            if isinstance(src, Path):
                images.draw(src, it.x, y, it.width, it.height)  # the file's bytes, passed through
            else:
                c.drawImage(src, it.x, y, it.width, it.height)
    mode.end_page(c, page)
    if decorate:
        decorate(c, page)
    c.bookmarkPage(f"p{page.number}")
    c.addOutlineEntry(f"{page.number} {page.section}".strip(), f"p{page.number}", level=0)
    c.showPage()


_EPOCH = 719163  # date(1970, 1, 1).toordinal()


def new_canvas(
    composed: Composed, path: Path | str, mode: Screen = SCREEN, author: str = "", keywords: str = ""
) -> canvas.Canvas:
    """A canvas for the document, its metadata set, nothing drawn yet (a drawing helper makes one
    the same way, so that its font subsets start from the same state)."""
    register_all()  # (faces are registered with ReportLab only when drawing needs them)
    first = _first_face(composed)
    c = canvas.Canvas(
        str(path),
        pagesize=mode.page_size(composed.pages[0]),
        pageCompression=1,
        invariant=1,
        initialFontName=first.name if first else None,
        initialFontSize=9,
    )
    if composed.date is not None:
        # Date the PDF by its issue (UTC midnight) rather than by ReportLab's fixed
        # invariant stamp or the clock: the same issue gives the same bytes, with a true date.
        ts = TimeStamp(invariant=True)
        t = (composed.date.toordinal() - _EPOCH) * 86400  # (calendar.timegm, without importing calendar)
        ts.t, ts.lt = t, time.gmtime(t)
        ts.YMDhms = tuple(ts.lt)[:6]
        c._doc._timeStamp = ts
    c.setTitle(composed.title)
    c.setAuthor(author)
    c.setSubject(composed.subject)
    c.setCreator(f"layout {__version__} (issue render)")
    c.setKeywords(keywords)
    return c


Calls = list[tuple[str, str]]


def lookup(tw: _TextWriter, page: Page, pages: PageCache | None) -> tuple[str | None, str | None, Calls]:
    """The page's key in `pages` and, when it was drawn before from the same subset state, its
    text and subset calls (replayed here); else (key, None, [])."""
    if pages is None:
        return None, None, []
    key = page_key(page, tw.state(), pages.keys())
    hit = pages.get(key)
    if hit is not None:
        text, calls = hit
        faces = page_faces(page, {f for f, _ in calls})
        if all(f in faces for f, _ in calls):
            for f, t in calls:
                tw.encode(faces[f], t)
            return key, text, calls
    return key, None, []


def page_faces(page: Page, names: set[str] | None = None) -> dict[str, Face]:
    """The faces the page's lines are set in, by name (with `names`: those of them, as soon as found)."""
    if names is None:
        return {sp.face.name: sp.face for it in page.items if isinstance(it, TextItem) for sp in it.line.spans}
    found: dict[str, Face] = {}
    if names:
        for it in page.items:
            if isinstance(it, TextItem):
                for sp in it.line.spans:
                    n = sp.face.name
                    if n in names and n not in found:
                        found[n] = sp.face
                        if len(found) == len(names):
                            return found
    return found


def _page_text(tw: _TextWriter, page: Page, mode: Screen, pages: PageCache | None) -> str:
    """The page's text and rule operators: copied from `pages` when this page was drawn before
    from the same subset state (its subset calls replayed), else drawn (and kept there)."""
    key, text, _ = lookup(tw, page, pages)
    if text is not None:
        return text
    if pages is None:
        return page_text(tw, page, mode)
    tw.calls = []
    text = page_text(tw, page, mode)
    pages.put(key, text, tw.calls)  # type: ignore[arg-type]
    tw.calls = None
    return text


def page_text(tw: _TextWriter, page: Page, mode: Screen) -> str:
    """The page's text and rule operators, drawn."""
    H = page.height
    out = tw.lines(page.items, H)
    for it in page.items:
        if isinstance(it, RuleItem):
            out.append(
                f"{mode.stroke(it.color)} {_n(it.width)} w {_n(it.x0)} {_n(H - it.y0)} m "
                f"{_n(it.x1)} {_n(H - it.y1)} l S"
            )
    return "\n".join(out)


def _first_face(composed: Composed) -> Face | None:
    for page in composed.pages:
        for it in page.items:
            if isinstance(it, TextItem) and it.line.spans:
                return it.line.spans[0].face
    return None


class Withheld(Exception):
    """The PDF was drawn but not put in place: `commit` said no (the findings stop it)."""


def write_pdf(
    composed: Composed,
    out: Path,
    tick: Callable[[], None] | None = None,
    decorate: Callable[[canvas.Canvas, Page], None] | None = None,
    pages: PageCache | None = None,
    helper: TextHelper | None = None,
    commit: Callable[[], bool] | None = None,
    background: list[Renaming] | None = None,
    photos: PhotoCopies | None = None,
    **meta: str,
) -> None:
    """Write to a temporary file beside `out`, then rename: an earlier good PDF is never
    left half-overwritten, and an interrupted or killed render leaves no temporary file.
    `commit`, asked once the PDF is drawn, may withhold it (raises Withheld; nothing written).
    `background`: the rename left to a thread (see manifest.files.Renaming). `photos`: a build
    session's photos (pdf/photocopies.py): the temporary it prepared is written, and where the
    photos went is recorded for the next; a temporary holding this very document, drawn ahead
    (`predraw_pdf`), is put in place as it is."""
    ready = photos.take(out) if photos is not None else None
    ahead = ready.document if ready is not None and helper is None and decorate is None else None
    if not (isinstance(ahead, Predrawn) and ahead.same(composed, meta, pages)):
        ahead = None
    placed: list[Placed] = []
    try:
        with atomic_write(out, background, made=ready.path if ready is not None else None) as tmp:
            if ahead is not None:
                placed = ahead.placed
                for _ in composed.pages if tick else ():
                    tick()  # type: ignore[misc]
            else:
                draw(
                    composed,
                    tmp,
                    tick=tick,
                    decorate=decorate,
                    pages=pages,
                    helper=helper,
                    prepared=ready,
                    placed=placed if photos is not None else None,
                    **meta,
                )
            if commit is not None and not commit():
                raise Withheld
    finally:
        if ready is not None:
            ready.close()  # (unless the save wrote through it)
    if ahead is not None:
        ahead.adopt(pages)
    if photos is not None:
        photos.record(out, placed)


def predraw_pdf(
    composed: Composed, out: Path, photos: PhotoCopies, pages: PageCache | None = None, **meta: str
) -> bool:
    """Draw now, into `photos`' temporary for `out`, the PDF that write_pdf(composed, out,
    pages=pages, photos=photos, **meta) would write (`issue serve`, after an input changed): that
    write_pdf then puts the file in place without drawing it (pdf/predrawn.py). Whether drawn."""

    def whole(tmp: Path, ready: Ready, placed: list[Placed]) -> Predrawn:
        draw(composed, tmp, pages=pages, prepared=ready, placed=placed, **meta)
        return Predrawn(composed, meta, pages, placed)

    return photos.predrawn(out, whole)
