"""Walking a PDF's content streams (pikepdf): what is painted, in which colour, at what size.

Reads a PDF file; produces `Mark`s, one per painted thing (text show, stroke, fill, image, colour
operator), with its page, position on the page, the colour space and values in force, the text size or
line width, and for images the pixel size, effective resolution and colour space. Form XObjects are
followed with their own resources and matrix. Used by `issue preflight FILE.pdf` and by the tests.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Name

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
RGB_OPS = {"rg", "RG"}
COLOUR_OPS = {"rg", "RG", "k", "K", "g", "G", "sc", "SC", "scn", "SCN", "cs", "CS"}
TEXT_SHOW = {"Tj", "TJ", "'", '"'}


def mul(a: Matrix, b: Matrix) -> Matrix:
    return (
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    )


@dataclass(slots=True)
class Colour:
    space: str = "DeviceGray"  # DeviceGray, DeviceRGB, DeviceCMYK or a named space
    values: tuple[float, ...] = (0.0,)


@dataclass(slots=True)
class Mark:
    page: int  # 1-based
    kind: str  # "text", "stroke", "fill", "image", "colour"
    x: float
    y: float  # points from the page's lower-left corner
    colour: Colour | None = None
    size: float = 0.0  # text size or line width, points (after the CTM)
    op: str = ""
    font: str = ""
    image: dict = field(default_factory=dict)  # width, height, ppi, space, xobject
    overprint: bool = False  # the overprint flag in force for this kind of painting


@dataclass
class _State:
    ctm: Matrix = IDENTITY
    fill: Colour = field(default_factory=Colour)
    stroke: Colour = field(default_factory=Colour)
    width: float = 1.0
    op: bool = False  # overprint for fills (and text)
    OP: bool = False  # overprint for strokes

    def copy(self) -> _State:
        return _State(self.ctm, self.fill, self.stroke, self.width, self.op, self.OP)

    def set_gs(self, gs) -> None:
        """An ExtGState's overprint keys (`/op` defaults to `/OP` when only that is given)."""
        if "/OP" in gs:
            self.OP = bool(gs.OP)
            self.op = bool(gs.get("/op", gs.OP))
        elif "/op" in gs:
            self.op = bool(gs.op)
        if "/LW" in gs:
            self.width = _num(gs.LW)


def _num(o: object) -> float:
    return float(o)  # type: ignore[arg-type]


def _space_name(cs: object, resources: pikepdf.Dictionary | None) -> str:
    """A colour space's family, resolving named spaces and ICCBased ones by their channel count."""
    if isinstance(cs, Name):
        s = str(cs)[1:]
        if s in ("DeviceRGB", "DeviceCMYK", "DeviceGray", "Pattern", "RGB", "CMYK", "G"):
            return {"RGB": "DeviceRGB", "CMYK": "DeviceCMYK", "G": "DeviceGray"}.get(s, s)
        if resources is not None and "/ColorSpace" in resources and cs in resources.ColorSpace:
            return _space_name(resources.ColorSpace[cs], None)
        return s
    if isinstance(cs, pikepdf.Array) and len(cs):
        fam = str(cs[0])[1:]
        if fam == "ICCBased":
            n = int(cs[1].get("/N", 0))
            return {1: "DeviceGray", 3: "DeviceRGB", 4: "DeviceCMYK"}.get(n, "ICCBased")
        if fam == "Indexed":
            return _space_name(cs[1], resources)
        return fam  # Separation, DeviceN, Lab, CalRGB ...
    return "unknown"


def font_embedded(font: pikepdf.Dictionary) -> bool:
    if font.get("/Subtype") == Name.Type3:
        return True
    if font.get("/Subtype") == Name.Type0:
        font = font.DescendantFonts[0]
    fd = font.get("/FontDescriptor")
    return fd is not None and any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def walk(pdf: pikepdf.Pdf) -> Iterator[Mark]:
    for n, page in enumerate(pdf.pages, 1):
        yield from _walk(page.obj, page.obj.get("/Resources"), n, IDENTITY, set())


def _walk(obj, resources, page: int, base: Matrix, seen: set, inherited: _State | None = None) -> Iterator[Mark]:
    st = inherited or _State(base)
    stack: list[_State] = []
    tm: Matrix = IDENTITY
    tlm: Matrix = IDENTITY
    font_size = 0.0
    font_name = ""
    leading = 0.0
    for operands, op in pikepdf.parse_content_stream(obj):
        o = str(op)
        if o == "q":
            stack.append(st.copy())
        elif o == "Q" and stack:
            st = stack.pop()
        elif o == "cm":
            st.ctm = mul(tuple(_num(v) for v in operands), st.ctm)  # type: ignore[arg-type]
        elif o == "w":
            st.width = _num(operands[0])
        elif o == "gs" and resources is not None and operands[0] in resources.get("/ExtGState", {}):
            st.set_gs(resources.ExtGState[operands[0]])
        elif o in COLOUR_OPS:
            c = _colour(o, operands, resources, st)
            if c is not None:
                if o in ("rg", "k", "g", "sc", "scn", "cs"):
                    st.fill = c
                else:
                    st.stroke = c
            yield Mark(page, "colour", st.ctm[4], st.ctm[5], c, op=o)
        elif o == "BT":
            tm = tlm = IDENTITY
        elif o == "Tf":
            font_name, font_size = str(operands[0]), _num(operands[1])
        elif o == "TL":
            leading = _num(operands[0])
        elif o == "Tm":
            tm = tlm = tuple(_num(v) for v in operands)  # type: ignore[assignment]
        elif o in ("Td", "TD"):
            tlm = mul((1, 0, 0, 1, _num(operands[0]), _num(operands[1])), tlm)
            tm = tlm
            if o == "TD":
                leading = -_num(operands[1])
        elif o == "T*" or o in ("'", '"'):
            tlm = mul((1, 0, 0, 1, 0, -leading), tlm)
            tm = tlm
        if o in TEXT_SHOW:
            m = mul(tm, st.ctm)
            size = font_size * math.hypot(m[2], m[3])
            yield Mark(page, "text", m[4], m[5], st.fill, size, o, font_name, overprint=st.op)
        elif o in ("S", "s", "b", "B", "b*", "B*"):
            scale = math.sqrt(abs(st.ctm[0] * st.ctm[3] - st.ctm[1] * st.ctm[2])) or 1.0
            yield Mark(page, "stroke", st.ctm[4], st.ctm[5], st.stroke, st.width * scale, o, overprint=st.OP)
        if o in ("f", "F", "f*", "b", "B", "b*", "B*"):
            yield Mark(page, "fill", st.ctm[4], st.ctm[5], st.fill, 0.0, o, overprint=st.op)
        elif o == "Do":
            yield from _xobject(operands[0], resources, page, st, seen)
        elif o == "INLINE IMAGE":
            yield _inline(operands[0], resources, page, st)


def _colour(o: str, operands, resources, st: _State) -> Colour | None:
    vals = tuple(_num(v) for v in operands if not isinstance(v, Name))
    if o in ("rg", "RG"):
        return Colour("DeviceRGB", vals)
    if o in ("k", "K"):
        return Colour("DeviceCMYK", vals)
    if o in ("g", "G"):
        return Colour("DeviceGray", vals)
    if o in ("cs", "CS"):
        return Colour(_space_name(operands[0], resources), ())
    cur = st.fill if o in ("sc", "scn") else st.stroke
    return Colour(cur.space, vals)


def _image_mark(page: int, st: _State, w: int, h: int, space: str, name: str) -> Mark:
    m = st.ctm
    wpt, hpt = math.hypot(m[0], m[1]), math.hypot(m[2], m[3])
    ppi = min(w / (wpt / 72.0) if wpt else 0.0, h / (hpt / 72.0) if hpt else 0.0)
    info = {"width": w, "height": h, "ppi": ppi, "space": space, "name": name, "width_pt": wpt, "height_pt": hpt}
    return Mark(page, "image", m[4], m[5] + hpt, None, 0.0, "Do", image=info)


def _xobject(name, resources, page: int, st: _State, seen: set) -> Iterator[Mark]:
    if resources is None or "/XObject" not in resources or name not in resources.XObject:
        return
    x = resources.XObject[name]
    sub = x.get("/Subtype")
    if sub == Name.Image:
        space = "DeviceGray" if x.get("/ImageMask") else _space_name(x.get("/ColorSpace"), resources)
        mark = _image_mark(page, st, int(x.Width), int(x.Height), space, str(name))
        mark.image["xobject"] = x
        yield mark
    elif sub == Name.Form and x.objgen not in seen:
        matrix = tuple(_num(v) for v in x.get("/Matrix", [1, 0, 0, 1, 0, 0]))
        inner = st.copy()  # a form starts from the graphics state of its caller
        inner.ctm = mul(matrix, st.ctm)  # type: ignore[arg-type]
        yield from _walk(x, x.get("/Resources", resources), page, inner.ctm, seen | {x.objgen}, inner)


def _inline(img, resources, page: int, st: _State) -> Mark:
    d = img.obj if hasattr(img, "obj") else {}
    cs = d.get("/ColorSpace", d.get("/CS"))
    space = _space_name(cs, resources) if cs is not None else "DeviceGray"
    w = int(d.get("/Width", d.get("/W", 0)))
    h = int(d.get("/Height", d.get("/H", 0)))
    return _image_mark(page, st, w, h, space, "inline")
