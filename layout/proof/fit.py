"""The copyfit table: for each story on each page, the lines it has, the lines it uses,
how far over or short it runs (in lines, and in words as an estimate of what to cut or
add) and where it jumps. Reads the composed frames (StoryFit and the page items)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..page.frames import Composed, ImageItem, Page, StoryFit, TextItem

BODY_ROLES = ("body", "subhead", "source", "bio")


@dataclass
class FitRow:
    story: str
    page: int
    columns: str  # "1-2"
    available: int  # grid lines the story's body could fill here
    used: int  # body lines set here
    over: int  # lines that fit nowhere (0 if none)
    free: int  # empty grid lines at the foot of its columns
    words: int  # estimate: words to cut (over) or to add (short)
    jumps: str  # "to p4", "from p1", ""
    fixed: bool = False
    feet: dict[int, tuple[float, int]] = field(default_factory=dict)  # page column -> (top y, empty rows)

    @property
    def label(self) -> str:
        """'fits', 'over 12 lines', 'short 3 lines', 'jumps to p4'."""
        parts = []
        if self.over:
            parts.append(f"over {self.over} line{'s' if self.over != 1 else ''}")
        elif self.free:
            parts.append(f"short {self.free} line{'s' if self.free != 1 else ''}")
        if self.jumps.startswith("to"):
            parts.append(f"jumps {self.jumps}")
        elif self.jumps:
            parts.append(f"continued {self.jumps}")
        return ", ".join(parts) or "fits"

    def as_dict(self) -> dict:
        d = asdict(self)
        d.pop("feet")
        d["fit"] = self.label
        return d


def _left(it: TextItem | ImageItem) -> float:
    return it.x0 if isinstance(it, TextItem) else it.x


def _right(it: TextItem | ImageItem) -> float:
    return it.x1 if isinstance(it, TextItem) else it.x + it.width


def _feet(page: Page, f: StoryFit, others: list[StoryFit]) -> dict[int, tuple[float, int]]:
    """Empty grid rows below the story's last line in each of its columns, down to what
    stands below it (the next story, or the row of air above the folio)."""
    g = page.grid
    out = {}
    for c in range(f.columns[0] - 1, min(f.columns[1], len(page.columns))):
        x, w = page.columns[c]
        # Anything of the story's that reaches into this column: lines, and photos spanning it.
        mine = [
            it.bottom
            for it in page.items
            if isinstance(it, TextItem | ImageItem)
            and it.story == f.story
            and it.top >= f.top - 0.5
            and _left(it) < x + w - 1
            and _right(it) > x + 1
        ]
        last = max(mine, default=f.top)
        below = [o.top - g for o in others if o is not f and o.columns[0] - 1 <= c < o.columns[1] and o.top > f.top]
        floor = page.area.bottom - 2 * g  # the folio's row and its row of air
        if f.fixed_height:
            floor = f.bottom
        elif below:
            floor = min(floor, *below)
        rows = int((floor - last) / g + 1e-6)
        out[c] = (last, max(0, rows))
    return out


def fit_rows(composed: Composed) -> list[FitRow]:
    rows = []
    for f in composed.fits:
        page = composed.pages[f.page - 1]
        here = [o for o in composed.fits if o.page == f.page]
        lines = [it for it in page.text(story=f.story) if it.role in BODY_ROLES]
        per_line = sum(len(it.text.split()) for it in lines) / len(lines) if lines else 0.0
        feet = _feet(page, f, here) if f.lines else {}
        free = f.free_lines if f.fixed_height else sum(r for _, r in feet.values())
        if f.continued_to:
            free = 0  # a story that jumps fills what it has by definition
        over = f.overset_lines
        words = f.overset_words if over else round(free * per_line)
        jumps = f"to p{f.continued_to}" if f.continued_to else (f"from p{f.continued_from}" if f.continued_from else "")
        rows.append(
            FitRow(
                f.story,
                f.page,
                f"{f.columns[0]}-{f.columns[1]}" if f.columns[0] != f.columns[1] else str(f.columns[0]),
                f.lines + free,
                f.lines,
                over,
                free,
                words,
                jumps,
                f.fixed_height,
                feet,
            )
        )
    return rows


def fit_table(rows: list[FitRow]) -> str:
    head = ("story", "page", "cols", "avail", "used", "over/under", "words", "jumps", "fit")
    body = []
    for r in rows:
        delta = f"+{r.over}" if r.over else (f"-{r.free}" if r.free else "0")
        words = f"cut {r.words}" if r.over else (f"add {r.words}" if r.free else "")
        body.append((r.story, str(r.page), r.columns, str(r.available), str(r.used), delta, words, r.jumps, r.label))
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=False)]
    fmt = "  ".join(f"{{:{'>' if i in (1, 3, 4, 5) else '<'}{w}}}" for i, w in enumerate(widths))
    return "\n".join(fmt.format(*r).rstrip() for r in [head, *body])
