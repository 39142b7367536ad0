"""Preflight of a finished PDF: its content streams walked (pikepdf) against the plant's rules.

Reads a PDF file (ours or anyone's) and the limits to apply; produces `Finding`s by page and element:
RGB colour operators and RGB images (in a print file), rich-black text and rules, text under 6 pt and
rules under 0.25 pt inside the trim, total ink of colours and CMYK images over the limit, images under
the ppi limits, fonts not embedded, and (for a print file) the PDF/X essentials: TrimBox on every page,
an OutputIntent with an embedded CMYK profile, the PDF/X version. Repeated findings of one kind on a
page are reported once, with a count and the first position.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pikepdf
from pikepdf import Name

from .colour import max_ink
from .findings import ERROR, WARNING, Finding
from .pdfwalk import Mark, font_embedded, walk
from .preflight import MIN_RULE, MIN_TEXT, RICH_CMY, RICH_K

NOT_PRINT = {"DeviceRGB", "CalRGB", "Lab"}
MAX_INK_PIXELS = 60_000_000  # a full broadsheet page at 300 ppi is under 40 million


@dataclass(frozen=True)
class Limits:
    ink_limit: float = 240.0
    ppi_warn: float = 170.0
    ppi_error: float = 120.0


def preflight_pdf(path: Path, print_: bool = False, limits: Limits = Limits()) -> list[Finding]:
    try:
        fh = open(path, "rb")  # noqa: SIM115 - a handle, not a name: qpdf takes only UTF-8 file names
    except OSError as e:
        return [Finding(ERROR, "missing-file", f"cannot read {path.name} as a PDF: {e}")]
    with fh:
        return _open_and_check(fh, path, print_, limits)


def _open_and_check(fh, path: Path, print_: bool, limits: Limits) -> list[Finding]:  # type: ignore[no-untyped-def]
    try:
        pdf = pikepdf.open(fh)
    except pikepdf.PasswordError:
        return [Finding(ERROR, "missing-file", f"{path.name} is encrypted with a password; the plant cannot open it")]
    except (pikepdf.PdfError, OSError) as e:
        return [Finding(ERROR, "missing-file", f"cannot read {path.name} as a PDF: {e}")]
    with pdf:
        if not len(pdf.pages):
            return [Finding(ERROR, "missing-file", f"{path.name} has no pages")]
        try:
            return _checks(pdf, print_, limits)
        except (pikepdf.PdfError, AttributeError, TypeError, ValueError, KeyError, IndexError, RecursionError) as e:
            # a damaged file (pikepdf repairs what it can on opening; an object left broken, or of
            # the wrong type, is met only on the walk): the plant's RIP would reject it too
            why = f"{type(e).__name__}: {e}" if not isinstance(e, pikepdf.PdfError) else str(e)
            return [Finding(ERROR, "missing-file", f"{path.name} is damaged and cannot be checked ({why})")]


def _checks(pdf: pikepdf.Pdf, print_: bool, limits: Limits) -> list[Finding]:
    """Every check on an open, readable PDF."""
    trims = [_box(p.obj.get("/TrimBox") or p.mediabox) for p in pdf.pages]
    groups: dict[tuple, list[Mark]] = {}
    out: list[Finding] = []
    inks: dict[tuple, float] = {}
    for m in walk(pdf):
        for key in _classify(m, print_, trims[m.page - 1], limits):
            groups.setdefault((m.page, *key), []).append(m)
        if m.kind == "image" and "xobject" in m.image and m.image["space"] == "DeviceCMYK":
            x = m.image["xobject"]
            if x.objgen not in inks:
                inks[x.objgen] = _image_ink(x)
            if inks[x.objgen] > limits.ink_limit + 0.5:
                msg = f"CMYK image reaches {inks[x.objgen]:.0f}% total ink (limit {limits.ink_limit:g}%)"
                out.append(Finding(ERROR, "ink-limit", msg, m.page, element=f"image {m.image['name']}"))
    out += [_finding(k, ms, limits) for k, ms in groups.items()]
    out += _fonts(pdf)
    if print_:
        out += _pdfx(pdf)
        if str(pdf.docinfo.get("/GTS_PDFXVersion", "")) != "PDF/X-4":  # X-4 allows live transparency
            out += _transparency(pdf)
    return out


def _box(b) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in b)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _inside(m: Mark, trim: tuple[float, float, float, float]) -> bool:
    return trim[0] - 0.5 <= m.x <= trim[2] + 0.5 and trim[1] - 0.5 <= m.y <= trim[3] + 0.5


def _classify(m: Mark, print_: bool, trim, limits: Limits) -> list[tuple[str, str, str]]:
    """(check, severity, element) for each rule the mark breaks."""
    keys = []
    col = m.colour
    if m.kind == "colour" and col is not None:  # the operator itself
        if print_ and col.space in NOT_PRINT:
            keys.append(("rgb-colour", ERROR, f"'{m.op}' operator"))
        if col.space == "DeviceCMYK" and len(col.values) == 4 and sum(col.values) * 100 > limits.ink_limit + 0.5:
            keys.append(("ink-limit", ERROR, "colour"))
    if m.kind in ("text", "stroke", "fill") and col is not None and m.overprint and _white(col):
        keys.append(("white-overprint", ERROR, "rule" if m.kind == "stroke" else m.kind))
    if m.kind in ("text", "stroke") and col is not None:
        if col.space == "DeviceCMYK" and len(col.values) == 4:
            c, mg, y, k = col.values
            if k >= RICH_K and max(c, mg, y) > RICH_CMY:
                keys.append(("rich-black", ERROR, m.kind if m.kind == "text" else "rule"))
        if _inside(m, trim):
            if m.kind == "text" and 0 < m.size < MIN_TEXT - 0.05:  # 0.05: matrix rounding
                keys.append(("small-text", WARNING, "text"))
            if m.kind == "stroke" and m.size < MIN_RULE - 1e-6:
                keys.append(("thin-rule", WARNING, "rule"))
    elif m.kind == "image":
        if print_ and m.image["space"] in NOT_PRINT:
            keys.append(("rgb-image", ERROR, f"image {m.image['name']}"))
        ppi = m.image["ppi"]
        if ppi and ppi < limits.ppi_error:
            keys.append(("low-ppi", ERROR, f"image {m.image['name']}"))
        elif ppi and ppi < limits.ppi_warn:
            keys.append(("low-ppi", WARNING, f"image {m.image['name']}"))
    return keys


def _white(col) -> bool:
    """Paper white: drawn with overprint on, it leaves what is beneath untouched, so it vanishes."""
    if col.space == "DeviceCMYK" and len(col.values) == 4:
        return max(col.values) == 0
    if col.space == "DeviceGray" and len(col.values) == 1:
        return col.values[0] == 1
    return False


def _finding(key: tuple, marks: list[Mark], limits: Limits) -> Finding:
    page, check, severity, element = key
    m = marks[0]
    at = f"at {m.x:.0f},{m.y:.0f} pt"
    n = len(marks)
    if m.kind == "colour":  # an operator has no place of its own; the count says how widespread
        more = f" ({n} on this page)" if n > 1 else ""
    else:
        more = f" ({n} on this page, first {at})" if n > 1 else f" ({at})"
    if check == "rgb-colour":
        vals = " ".join(f"{v:g}" for v in (m.colour.values if m.colour else ()))
        msg = f"RGB colour {vals} {m.op}{more}"
    elif check == "rgb-image":
        msg = f"{m.image['space']} image, {m.image['width']}x{m.image['height']} px{more}"
    elif check == "rich-black":
        c, mg, y, k = m.colour.values if m.colour else (0, 0, 0, 0)
        what = "text" if m.kind == "text" else "rule"
        msg = f"{what} in C{c * 100:.0f} M{mg * 100:.0f} Y{y * 100:.0f} K{k * 100:.0f}{more}"
    elif check == "white-overprint":
        msg = f"white {m.kind} set to overprint: it will not print{more}"
    elif check == "small-text":
        msg = f"{min(x.size for x in marks):.1f} pt text{more}"
    elif check == "thin-rule":
        msg = f"{min(x.size for x in marks):.2f} pt rule{more}"
    elif check == "ink-limit":
        total = sum(m.colour.values) * 100 if m.colour else 0
        msg = f"colour with {total:.0f}% total ink (limit {limits.ink_limit:g}%){more}"
    elif check == "low-ppi":
        need = limits.ppi_error if severity == ERROR else limits.ppi_warn
        msg = f"{m.image['ppi']:.0f} ppi effective, {m.image['width']}x{m.image['height']} px (limit {need:g}){more}"
    else:
        msg = f"{check}{more}"
    return Finding(severity, check, msg, page, element=element)


def _image_ink(x: pikepdf.Stream) -> float:
    try:
        if int(x.get("/Width", 0)) * int(x.get("/Height", 0)) > MAX_INK_PIXELS:
            return 0.0  # a hostile size would need gigabytes to decode; its ppi is still checked
        im = pikepdf.PdfImage(x).as_pil_image()
    except Exception:  # noqa: BLE001 - an image pikepdf cannot decode is not measurable, not fatal
        return 0.0
    if im.mode != "CMYK":
        return 0.0
    return max_ink(np.asarray(im))


def _fonts(pdf: pikepdf.Pdf) -> list[Finding]:
    out = []
    seen: set = set()
    for n, page in enumerate(pdf.pages, 1):
        for res in _resources(page.obj.get("/Resources"), set()):
            for _, font in res.get("/Font", {}).items():
                if font.objgen in seen:
                    continue
                seen.add(font.objgen)
                if not font_embedded(font):
                    name = str(font.get("/BaseFont", "?"))[1:]
                    out.append(Finding(ERROR, "font-not-embedded", f"font {name} is not embedded", n, element="font"))
    return out


def _transparency(pdf: pikepdf.Pdf) -> list[Finding]:
    """Soft masks, constant alpha under 1 or blend modes: not allowed in PDF/X-1a (flatten first)."""
    out = []
    for n, page in enumerate(pdf.pages, 1):
        why: set[str] = set()
        for res in _resources(page.obj.get("/Resources"), set()):
            for _, gs in res.get("/ExtGState", {}).items():
                if float(gs.get("/CA", 1)) < 1 or float(gs.get("/ca", 1)) < 1:
                    why.add("alpha under 1")
                if gs.get("/SMask", Name.None_) != Name.None_:
                    why.add("a soft mask")
                if gs.get("/BM", Name.Normal) not in (Name.Normal, Name.Compatible):
                    why.add(f"blend mode {str(gs.BM)[1:]}")
            for _, x in res.get("/XObject", {}).items():
                if x.get("/Subtype") == Name.Image and "/SMask" in x:
                    why.add("an image with a soft mask")
        if why:
            msg = f"transparency ({', '.join(sorted(why))}); PDF/X-1a needs it flattened"
            out.append(Finding(ERROR, "transparency", msg, n))
    return out


def _resources(res, seen: set):
    if res is None:
        return
    yield res
    for _, x in res.get("/XObject", {}).items():
        if x.get("/Subtype") == Name.Form and x.objgen not in seen:
            seen.add(x.objgen)
            yield from _resources(x.get("/Resources"), seen)


def _pdfx(pdf: pikepdf.Pdf) -> list[Finding]:
    out = []
    missing = [n for n, p in enumerate(pdf.pages, 1) if "/TrimBox" not in p.obj]
    if missing:
        pages = ", ".join(map(str, missing))
        out.append(Finding(ERROR, "pdfx", f"no TrimBox on page{'s' if len(missing) > 1 else ''} {pages}"))
    intents = pdf.Root.get("/OutputIntents", [])
    ok = [
        i
        for i in intents
        if i.get("/S") == Name.GTS_PDFX and "/DestOutputProfile" in i and int(i.DestOutputProfile.get("/N", 0)) == 4
    ]
    if not ok:
        out.append(Finding(ERROR, "pdfx", "no GTS_PDFX output intent with an embedded CMYK profile"))
    if "/GTS_PDFXVersion" not in pdf.docinfo:
        out.append(Finding(ERROR, "pdfx", "no GTS_PDFXVersion in the document info"))
    if pdf.docinfo.get("/Trapped") not in (Name("/True"), Name("/False")):
        out.append(Finding(ERROR, "pdfx", "Trapped is not set to True or False"))
    return out
