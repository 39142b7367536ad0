"""Pillow's Image module loaded on its first use, not when ReportLab is imported.

Reads and changes sys.modules (PIL.Image, and the PIL package's attribute of that name); produces
nothing. ReportLab's lib.utils runs `from PIL import Image` when it is imported and only uses the
module when it is asked to decode a bitmap, which a render of JPEG photos never does: they go into
the PDF as they are, and their headers are read by manifest.images. Loading Pillow's Image module
(its C core, EXIF and TIFF tag tables) cost about 9 ms of a cold render's start (and the JPEG plugin
manifest.images used to open, 6 more). `defer()` puts a standard-library lazy module
(importlib.util.LazyLoader) in its place: the real module is loaded, exactly as an import would, the
first time anything reads one of its attributes.
"""

from __future__ import annotations

import sys

NAME = "PIL.Image"


def defer() -> None:
    """PIL.Image as a lazy module, unless it is imported already (or Pillow is missing: the import
    that needs it fails as it would have)."""
    if NAME in sys.modules:
        return
    import importlib.util

    try:
        spec = importlib.util.find_spec(NAME)  # imports the PIL package itself: its version only
    except ImportError:
        return
    if spec is None or spec.loader is None:
        return
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[NAME] = module
    loader.exec_module(module)
    sys.modules["PIL"].Image = module  # type: ignore[attr-defined]  # as an import sets it on the package


def loaded() -> bool:
    """Whether Pillow's Image module has really been loaded in this process (not only deferred)."""
    module = sys.modules.get(NAME)
    return module is not None and type(module).__name__ != "_LazyModule"
