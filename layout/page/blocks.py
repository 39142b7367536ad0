"""Photos with their captions and pull quotes between rules, set as blocks of whole grid rows.

Reads a photo's or quote's manifest entry and a width in columns; produces the lines to draw and the
rows the block takes in the column flow (a row of air included).
"""

from __future__ import annotations

import math
from pathlib import Path

from ..manifest.images import image_size
from ..manifest.model import Photo, PullQuote
from ..text.line import Line
from ..text.markdown import Run
from ..text.style import Style
from ..text.typeset import Typesetter


def photo_block(
    ph: Photo, path: Path, width: float, style: Style, ts: Typesetter, grid: float
) -> tuple[float, list[Line], int]:
    """Image height, caption lines and rows for a photo `width` points wide."""
    w, h = image_size(path)
    img_h = width * h / w
    cap = style.roles["caption"]
    runs = [Run(ph.caption)] if ph.caption else []
    if ph.credit:
        runs.append(Run((" " if ph.caption else "") + f"(PHOTO: {ph.credit.upper()})", "credit"))
    lines = (
        ts.set(runs, cap, width, hyphenate=False, extra_faces={"credit": style.roles["credit"].face}) if runs else []
    )
    total = img_h + 3 + len(lines) * cap.leading
    rows = math.ceil(total / grid - 1e-6) + 1  # one row of air before the text
    return img_h, lines, rows


def quote_block(
    q: PullQuote,
    width: float,
    style: Style,
    ts: Typesetter,
    grid: float,
    quotes: tuple[str, str] = ("\u201c", "\u201d"),
) -> tuple[list[Line], list[Line], int]:
    """Quote lines, attribution lines and rows for a pull quote `width` points wide, set
    between the language's `quotes`."""
    width -= 4
    r = style.roles["pull_quote"]
    lines = ts.set([Run(f"{quotes[0]}{q.text}{quotes[1]}")], r, width, hyphenate=False, ragged_balance=True)
    att = []
    if q.attribution:
        a = style.roles["attribution"]
        att = ts.set([Run(f"\u2014 {q.attribution}")], a, width, hyphenate=False)
    h = 8 + len(lines) * r.leading + len(att) * style.roles["attribution"].leading + 8
    rows = math.ceil(h / grid - 1e-6) + 1
    return lines, att, rows
