"""Font subsets and their ToUnicode maps kept in the process: a re-render (`issue watch`, `issue serve`)
whose pages draw the same characters does not build them again.

Reads what ReportLab asks for when it writes a document's fonts: a face and the characters of one
of its subsets, in subset order; produces the subset font's bytes (`TTFontFace.makeSubset`) and the
ToUnicode CMap text (`ttfonts.makeToUnicodeCMap`, as text/fonts.py rewrites it for ligatures),
each made once per face and subset and then given again: both are functions of those inputs alone,
so the bytes are those made afresh. A face loaded again (a font file changed) is another object,
with subsets of its own. Each face keeps its last `KEEP` subsets (a document uses one or two).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from reportlab.pdfbase import ttfonts

from ..text import fonts  # sets ttfonts.makeToUnicodeCMap first: the one kept here is that one

KEEP = 16

_subsets: weakref.WeakKeyDictionary[object, dict[tuple[int, ...], bytes]] = weakref.WeakKeyDictionary()
_make_subset: Callable[[ttfonts.TTFontFace, list[int]], bytes] = ttfonts.TTFontFace.makeSubset
_make_cmap: Callable[[str, list[int]], str] = fonts._to_unicode_cmap
_cmaps: dict[tuple[str, tuple[int, ...]], str] = {}


def _keep(memo: dict, key: object, value: object) -> None:
    memo[key] = value
    if len(memo) > KEEP:
        del memo[next(iter(memo))]  # the oldest


def make_subset(face: ttfonts.TTFontFace, subset: list[int]) -> bytes:
    """`face.makeSubset(subset)`, made once per face and subset."""
    memo = _subsets.get(face)
    if memo is None:
        memo = _subsets[face] = {}
    key = tuple(subset)
    data = memo.get(key)
    if data is None:
        data = _make_subset(face, subset)
        _keep(memo, key, data)
    return data


def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """The ToUnicode CMap of a subset, made once per subset name and characters."""
    key = (fontname, tuple(subset))
    text = _cmaps.get(key)
    if text is None:
        text = _make_cmap(fontname, subset)
        _cmaps[key] = text
        if len(_cmaps) > KEEP * 8:
            del _cmaps[next(iter(_cmaps))]
    return text


if getattr(ttfonts.TTFontFace.makeSubset, "__name__", "") != "make_subset":
    ttfonts.TTFontFace.makeSubset = make_subset
    ttfonts.makeToUnicodeCMap = to_unicode_cmap
