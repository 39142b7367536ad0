"""Setuptools packages: every `layout*` package found, plus the house folders fonts/ and assets/
mapped into the package (see [tool.setuptools.package-dir] in pyproject.toml). Everything else
about the project is declared in pyproject.toml.

Optional C extensions: layout.text._breaker (the line breaker's inner loops), layout.text._setlines
(justify.py's line filling, shaping through HarfBuzz's C API and its glyph loop, cache entries), layout.text._items (a
paragraph's breaker items joined from its words' rows), layout.pdf._textops (a set
line's PDF text operators), layout.pdf._pagekey (what a page-cache key is hashed from),
layout.page._contain (the containment check's answer for a page where nothing is amiss),
layout.manifest._swap (two file names exchanged in one step, for putting a PDF in place) and
layout.serve._arenas (the interpreter's object arenas made resident in one step):
`optional=True`, so a machine without a compiler still installs, and linebreak.py, justify.py,
fonts.py, cache.py, items.py, textops.py, pagecache.py and containment.py then run their Python
code (files.py renames as before, and arenas are faulted in page by page).
FP contraction is off so a*b+c is never fused into one rounding: the C code must round exactly as
the Python code does (its results are compared bit for bit)."""

import sys

from setuptools import Extension, find_packages, setup

_FLAGS = [] if sys.platform == "win32" else ["-ffp-contract=off", "-fno-fast-math"]

setup(
    packages=[*find_packages(include=["layout", "layout.*"]), "layout.fonts", "layout.assets"],
    ext_modules=[
        Extension("layout.text._breaker", ["layout/text/_breaker.c"], extra_compile_args=_FLAGS, optional=True),
        Extension("layout.pdf._textops", ["layout/pdf/_textops.c"], extra_compile_args=_FLAGS, optional=True),
        Extension("layout.pdf._pagekey", ["layout/pdf/_pagekey.c"], extra_compile_args=_FLAGS, optional=True),
        Extension("layout.text._setlines", ["layout/text/_setlines.c"], extra_compile_args=_FLAGS, optional=True),
        Extension("layout.text._items", ["layout/text/_items.c"], extra_compile_args=_FLAGS, optional=True),
        Extension("layout.manifest._swap", ["layout/manifest/_swap.c"], extra_compile_args=_FLAGS, optional=True),
        Extension("layout.page._contain", ["layout/page/_contain.c"], extra_compile_args=_FLAGS, optional=True),
        Extension("layout.serve._arenas", ["layout/serve/_arenas.c"], extra_compile_args=_FLAGS, optional=True),
    ],
)
