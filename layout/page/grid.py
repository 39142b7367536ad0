"""The page grid: the text area inside the margins (a whole number of baseline rows) and its columns.

Reads the manifest's page spec and a page number (facing pages swap inside and outside margins);
produces the text area box and the (x, width) of each column.
"""

from __future__ import annotations

import math

from ..manifest.load import LoadedIssue
from .frames import Box

BASELINE = 0.78  # a body baseline sits this far down its grid row


def page_geometry(li: LoadedIssue, number: int, grid: float) -> tuple[Box, list[tuple[float, float]]]:
    spec = li.issue.page
    w, h = spec.size
    m = spec.margins
    recto = number % 2 == 1  # odd pages are right-hand pages: the inside margin is on the left
    left = m.inside if recto else m.outside
    right = m.outside if recto else m.inside
    aw = w - left - right
    # The text area holds a whole number of grid rows, so the foot of every column is on the grid.
    ah = math.floor((h - m.top - m.bottom) / grid + 1e-6) * grid
    n = spec.columns
    colw = (aw - (n - 1) * spec.gutter) / n
    cols = [(left + i * (colw + spec.gutter), colw) for i in range(n)]
    return Box(left, m.top, aw, ah), cols
