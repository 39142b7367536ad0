"""The print rendition: the composed frames drawn in CMYK on sheets with bleed and marks, stamped PDF/X.

Reads a `Built` issue (frames, style, manifest) and `PrintSettings`; writes the whole issue as one
PDF/X file and, when asked, one file per page named by the settings' pattern. The drawing is the
screen PDF's own (layout/pdf/draw.py) with a `PrintMode` strategy: K-only greys, profile-converted
accents, separated photos, a sheet of trim + bleed + slug with crop marks and a slug line.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from ..manifest.errors import InvalidInput, Problem
from ..manifest.files import atomic_write
from ..manifest.leftovers import temp_prefix
from ..page.frames import ImageItem, Page
from ..pdf.draw import Screen, draw
from ..pipeline import Built, cache_folder, refuse_default_outside, refuse_input_as_output
from ..text.fonts import Face
from . import marks, pdfx
from .colour import Colours
from .photocache import PhotoCache
from .photos import PrintPhoto
from .separate import separate
from .settings import PrintSettings, page_file_name
from .split import split as split_pages


class PrintMode(Screen):
    """How the print rendition differs from the screen PDF, for layout/pdf/draw.py."""

    def __init__(self, s: PrintSettings, slug: marks.Slug, slug_face: Face):
        self.s = s
        self.slug = slug
        self.slug_face = slug_face
        self.colours = Colours(s.profile, s.ink_limit)
        self.photos: dict[Path, PrintPhoto] = {}  # as separated before drawing (print/separate.py)
        self.folder: Path | None = None  # where the separated JPEGs wait for the save
        self.files: dict[Path, Path] = {}  # each photo's separated JPEG there
        self.gs: dict[tuple[str, str], str] = {}  # (key, value) -> ExtGState name, alike on every page

    # Solid black text and rules overprint (no white halo where the plates misregister); everything
    # else knocks out, so a light colour can never vanish into what lies beneath it.
    def fill(self, color: str) -> str:
        return f"/{self.gs['op', self._over(color)]} gs {self.colours.fill(color)}"

    def stroke(self, color: str) -> str:
        return f"/{self.gs['OP', self._over(color)]} gs {self.colours.stroke(color)}"

    def _over(self, color: str) -> str:
        return "true" if self.colours.cmyk(color) == (0.0, 0.0, 0.0, 1.0) else "false"

    def image(self, path: Path) -> Path | ImageReader:
        """The photo as separated before drawing: the file its CMYK JPEG waits in, passed through as
        the screen PDF's photos are; a reader only for one stored losslessly. (Given a reader for every
        photo, ReportLab decoded each to name it and held it until the save: 3.2 GB at 64 pages.)"""
        f = self.files.get(path)
        return f if f is not None else self.photos[path].reader()

    def page_size(self, page: Page) -> tuple[float, float]:
        m = self.s.margin
        return page.width + 2 * m, page.height + 2 * m

    def begin_page(self, c: canvas.Canvas, page: Page) -> None:
        c.translate(self.s.margin, self.s.margin)  # the frames' origin is the trim's corner
        # Register the overprint states in the page's resources (ReportLab names them in order, so
        # the names are the same on every page), ending in knockout with overprint mode 1.
        c.setOverprintMask(1)
        for on in (True, False):
            c.setFillOverprint(on)
            c.setStrokeOverprint(on)
        self.gs = dict(c._extgstate._c)

    def end_page(self, c: canvas.Canvas, page: Page) -> None:
        if self.s.crop_marks:
            marks.crop_marks(c, page.width, page.height, self.s.bleed)
        if self.s.slug:
            text = self.slug.text(page.number, page.section)
            # The slug is set in one face: a character it lacks is shown as '?' rather than an empty box.
            text = "".join(ch if ch == " " or self.slug_face.has(ch) else "?" for ch in text)
            marks.slug_line(c, text, self.slug_face.name, self.s.bleed)


@dataclass
class PrintResult:
    whole: Path
    pages: list[Path] = field(default_factory=list)
    photos: list[PrintPhoto] = field(default_factory=list)


def default_print_output(b: Built) -> Path:
    iss = b.loaded.issue
    slug = re.sub(r"[^A-Za-z0-9]+", "-", iss.publication).strip("-").lower() or "issue"
    return b.loaded.folder / "build" / "print" / f"{slug}-{iss.date:%Y%m%d}-print.pdf"


def render_print(
    b: Built,
    s: PrintSettings,
    out: Path | None = None,
    split: bool = False,
    tick: Callable[[], None] | None = None,
    parallel: bool | None = None,
    cache: bool = True,
) -> PrintResult:
    """Write the print PDF of the whole issue (and, with `split`, one per page beside it). Its photos
    are separated first, in two processes on two cores or more (`parallel` None) or asked (True);
    with `cache`, separations are kept in ISSUE/build/.cache/print/ for the next print render."""
    iss = b.loaded.issue
    c = b.composed
    if out is None:
        out = default_print_output(b)
        refuse_default_outside(out, b.loaded)
    names = [page_file_name(s.file_name, b.loaded, p.number, p.section) for p in c.pages] if split else []
    _refuse_inputs(b, s, [out] + [out.parent / n for n in names])
    try:  # qpdf, which stamps the file, takes only file names that are UTF-8
        str(out.resolve()).encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(out).decode("utf-8", "backslashreplace")
        raise InvalidInput([Problem(f"-o {shown}: the path is not valid UTF-8; choose another name")]) from None
    if out.name in names:
        raise InvalidInput([Problem(f"{out}: the whole issue and a page would share this name; choose another -o")])
    slug = marks.Slug(
        iss.publication, iss.date.isoformat(), iss.edition or "", len(c.pages), s.output_condition, s.ink_limit
    )
    widths: dict[Path, float] = {}
    for p in c.pages:
        for it in p.items:
            if isinstance(it, ImageItem):
                widths[it.path] = max(widths.get(it.path, 0.0), it.width)
    mode = PrintMode(s, slug, b.style.roles["folio"].face)
    inputs = [p for ps in b.loaded.photo_files.values() for p in ps]
    kept = PhotoCache(cache_folder(b.loaded, "print") if cache else None, s, inputs)
    try:
        with atomic_write(out) as final:
            raw = final.with_name(final.name + ".raw")  # ReportLab's file, before stamping
            # Named for `out`, as its other temporaries: a later render removes it if this one is killed.
            mode.folder = Path(tempfile.mkdtemp(prefix=temp_prefix(out.name), suffix=".photos", dir=final.parent))
            try:
                # `widths` holds each photo once, in the order the pages draw them (as the report lists them).
                for path, (ph, f) in separate(list(widths), s, widths, mode.folder, parallel, kept).items():
                    mode.photos[path] = ph
                    if f is not None:
                        mode.files[path] = f
                draw(c, raw, author=iss.publication, keywords=", ".join(iss.articles), tick=tick, mode=mode)
                shutil.rmtree(mode.folder, ignore_errors=True)  # the photos are in the raw file now
                with pikepdf.open(raw) as pdf:
                    pdfx.stamp(pdf, s, [(p.width, p.height) for p in c.pages], c.title, iss.date)
                    pdfx.save(pdf, str(final), s)
            finally:
                raw.unlink(missing_ok=True)
                shutil.rmtree(mode.folder, ignore_errors=True)
    except BaseException:
        kept.discard()  # nothing written: nothing kept either
        raise
    kept.save()
    result = PrintResult(out, photos=list(mode.photos.values()))
    if split:
        titles = [f"{c.title}, page {p.number}" for p in c.pages]
        result.pages = split_pages(out, names, out.parent, s, titles, iss.date)
    return result


def _refuse_inputs(b: Built, s: PrintSettings, targets: list[Path]) -> None:
    """Never write over the manifest, an article, a photo, the style sheet, a font (by any name:
    the pipeline's shared check) or the plant's profile; never onto a folder, device or pipe."""
    for t in targets:
        refuse_input_as_output(t, b)
        if t.resolve() == s.profile_path.resolve():
            msg = f"-o {t}: that is the output profile; an output never overwrites an input, so nothing was written"
            raise InvalidInput([Problem(msg)])
