"""Lengths and page sizes from manifest text: `pt`, `mm`, `cm`, `in` (a bare number is points),
named sizes (tabloid, broadsheet, ...) or `WIDTHxHEIGHTmm`; produces points."""

from __future__ import annotations

import re

MM = 72 / 25.4
UNITS = {"pt": 1.0, "mm": MM, "cm": MM * 10, "in": 72.0}
_LENGTH = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(pt|mm|cm|in)?\s*$")

# Named page sizes in points (width, height).
PAGE_SIZES: dict[str, tuple[float, float]] = {
    "tabloid": (280 * MM, 430 * MM),
    "broadsheet": (381 * MM, 578 * MM),
    "berliner": (315 * MM, 470 * MM),
    "a3": (297 * MM, 420 * MM),
    "a4": (210 * MM, 297 * MM),
    "letter": (8.5 * 72, 11 * 72),
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*x\s*(\d+(?:\.\d+)?)\s*(pt|mm|cm|in)?\s*$", re.I)


def parse_length(value: object) -> float:
    """Return a length in points, or raise ValueError saying what was expected."""
    if isinstance(value, bool):
        raise ValueError("expected a length such as 12pt, 4mm, 1.5cm or 0.5in")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        m = _LENGTH.match(value)
        if m:
            return float(m.group(1)) * UNITS[m.group(2) or "pt"]
    raise ValueError(f"expected a length such as 12pt, 4mm, 1.5cm or 0.5in, got {value!r}")


def parse_page_size(value: object) -> tuple[float, float]:
    """A named size or `WIDTHxHEIGHT` with a unit, e.g. "289x380mm"."""
    if isinstance(value, str):
        key = value.strip().lower()
        if key in PAGE_SIZES:
            return PAGE_SIZES[key]
        m = _SIZE.match(key)
        if m:
            k = UNITS[m.group(3) or "pt"]
            return float(m.group(1)) * k, float(m.group(2)) * k
    names = " | ".join(PAGE_SIZES)
    raise ValueError(f'expected {names} or "WIDTHxHEIGHTmm" such as "289x380mm", got {value!r}')
