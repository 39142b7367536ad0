"""A simple Markdown table (results, tide times) set within the column: one line per row, cells
in columns an em apart, aligned as the table's divider row says, the head row in bold.

Reads a table `Block`, the style, a typesetter and the column width; produces one `Unit` per row
for the column flow, or a message saying how much too wide the table is for the column.
"""

from __future__ import annotations

from ..text.line import Line, Span
from ..text.markdown import Block, Run
from ..text.style import Style
from ..text.typeset import Typesetter
from .content import Unit

KEEP_WHOLE = 8  # a table of up to this many rows is kept in one column


def set_table(b: Block, style: Style, ts: Typesetter, colw: float, para: int) -> tuple[list[Unit], str | None]:
    """The table's rows as units, or no units and why it cannot be set in the column."""
    body = style.roles["body"]
    rows: list[list[Line]] = []
    for ri, row in enumerate(b.rows):
        cells = []
        for cell in row:
            runs = [Run(r.text, "bold" if ri == 0 else r.variant) for r in cell] or [Run("")]
            lines = ts.set(runs, body, colw * 20, align="left", hyphenate=False, para=para)
            cells.append(lines[0] if lines else None)
        rows.append(cells)
    ncols = max((len(r) for r in rows), default=0)
    widths = [max((r[c].right for r in rows if c < len(r) and r[c] is not None), default=0.0) for c in range(ncols)]
    gap = body.size
    need = sum(widths) + gap * max(0, ncols - 1)
    if need > colw + 0.01:
        return [], (
            f"the table at line {b.line} needs {need * 25.4 / 72:.1f} mm, the column is "
            f"{colw * 25.4 / 72:.1f} mm wide; shorten its cells or drop a column"
        )
    units: list[Unit] = []
    for ri, cells in enumerate(rows):
        spans: list[Span] = []
        x = 0.0
        for c in range(ncols):
            cell = cells[c] if c < len(cells) else None
            if cell is not None and cell.spans:
                align = b.align[c] if c < len(b.align) else "left"
                off = {"right": widths[c] - cell.right, "center": (widths[c] - cell.right) / 2}.get(align, 0.0)
                for k, sp in enumerate(cell.spans):
                    spans.append(
                        Span(sp.face, sp.size, sp.shaped, x + off + sp.x, sp.space_before or (k == 0 and bool(spans)),
                             sp.color)
                    )  # fmt: skip
            x += widths[c] + gap
        if not spans:
            continue
        line = Line(spans, colw, 0.0, 1.0, False, False, ri == 0, ri == len(rows) - 1, 0.0, para)
        keep = ri == 0 or len(rows) <= KEEP_WHOLE
        units.append(Unit([(line, "table")], 1, keep_next=keep and ri < len(rows) - 1, words=len(line.text.split())))
    if units:
        units[0].gap = 1
    return units, None
