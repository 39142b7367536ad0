"""Photos into the PDF: JPEG files passed through untouched, other formats decoded once.

Reads image files named by the composed frames; produces ReportLab image XObjects on a canvas.
A JPEG's bytes go into the PDF as they are (DCTDecode): only its header is read while pages are
drawn, and the file itself is read when its object is written, so no photo is decoded or kept in
memory for the whole document. Each image is named by a hash of its file's bytes, not its path,
so the PDF is the same wherever the issue folder sits, and one file placed twice is stored once.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfdoc, pdfutils
from reportlab.pdfgen import canvas

from .photonames import file_digest, version_of
from .stream import deferring

_JPEG_EXT = (".jpg", ".jpeg", ".jpe", ".jfif")


class _JpegXObject(pdfdoc.PDFImageXObject):
    """A JPEG image XObject whose bytes are read from its file only when the object is written."""

    def __init__(self, name: str, path: Path, width: int, height: int, components: int):
        self.name = name
        self.path = path
        self.width, self.height = width, height
        self.bitsPerComponent = 8
        self.colorSpace = {1: "DeviceGray", 3: "DeviceRGB"}.get(components, "DeviceCMYK")
        self._dotrans = 1 if components == 4 else 0  # Adobe CMYK JPEGs are stored inverted
        self._filters = ("DCTDecode",)
        self.mask = None
        self.streamContent = b""

    def format(self, document) -> bytes:
        streaming = deferring(document)
        self.streamContent = streaming.defer(self.path) if streaming else self.path.read_bytes()
        # Streamed, the object is its dictionary around a stand-in for the file's bytes: the same
        # for every JPEG of one shape, kind and length (a re-render formats each once).
        key = (self.width, self.height, self.colorSpace, self._dotrans, len(self.streamContent)) if streaming else None
        try:
            out = _formatted.get(key) if key is not None else None
            if out is None:
                out = super().format(document)
                if key is not None:
                    if len(_formatted) > 4096:
                        _formatted.clear()
                    _formatted[key] = out
            return out
        finally:
            self.streamContent = b""  # the bytes are in the output now; let them go


_formatted: dict[tuple, bytes] = {}  # streamed JPEG objects as formatted, by what they are made of


_infos: dict[tuple, tuple[int, int, int] | None] = {}  # by file version, as _digests


def _jpeg_info(path: Path) -> tuple[int, int, int] | None:
    """(width, height, components) from a baseline or progressive 8-bit JPEG's header, else None
    (remembered for this version of the file)."""
    if path.suffix.lower() not in _JPEG_EXT:
        return None
    v = version_of(path)
    if v is not None and v in _infos:
        return _infos[v]
    info = _read_jpeg_info(path)
    if v is not None and v == version_of(path):  # the same file before and after: its header as read
        if len(_infos) > 4096:
            _infos.clear()
        _infos[v] = info
    return info


def _read_jpeg_info(path: Path) -> tuple[int, int, int] | None:
    try:
        with open(path, "rb") as f:
            w, h, comps, _ = pdfutils.readJPEGInfo(f)
    except Exception:  # ReportLab raises assorted errors on headers it does not take
        return None
    return (w, h, comps) if comps in (1, 3, 4) else None


class ImagePlacer:
    """Registers each image file once per document and draws it where the frames say."""

    def __init__(self, c: canvas.Canvas):
        self.c = c
        self.names: dict[Path, str] = {}

    def _register(self, path: Path) -> str:
        name = self.names.get(path)
        if name is not None:
            return name
        c, doc = self.c, self.c._doc
        name = "img" + file_digest(path)
        reg = doc.getXObjectName(name)
        if doc.idToObject.get(reg) is None:
            info = _jpeg_info(path)
            if info is not None:
                obj = _JpegXObject(name, path, *info)
            else:
                # Any other format: decoded once, here, and stored compressed.
                obj = pdfdoc.PDFImageXObject(name, ImageReader(str(path)), mask="auto")
                obj.name = name
            c._setXObjects(obj)
            doc.Reference(obj, reg)
            doc.addForm(name, obj)
            smask = getattr(obj, "_smask", None)
            if smask is not None:  # an alpha channel: its soft mask, as ReportLab's drawImage does
                mask_name = doc.getXObjectName(smask.name)  # named by its bytes: two photos may share one
                if doc.idToObject.get(mask_name) is None:
                    obj.smask = doc.Reference(smask, mask_name)
                else:
                    obj.smask = pdfdoc.PDFObjectReference(mask_name)
                del obj._smask
        self.names[path] = name
        return name

    def draw(self, path: Path, x: float, y: float, width: float, height: float) -> None:
        """Draw the image file at `path` into the box with its lower-left corner at (x, y)."""
        name = self._register(path)
        c = self.c
        c._currentPageHasImages = 1
        c.saveState()
        c.translate(x, y)
        c.scale(width, height)
        c._code.append(f"/{c._doc.getXObjectName(name)} Do")
        c.restoreState()
        c._formsinuse.append(name)
