"""Preflight of an issue: the composed frames checked against the plant's rules before any file is made.

Reads an issue folder (laid out through the pipeline) and, with `print_`, its print settings; produces
`Finding`s by page, story and element: photos under the ppi limits, text under 6 pt, rules under
0.25 pt, colours that would print as rich black, characters no configured font can draw, missing or
unreadable files, overset copy. Problems that stop the layout (a missing file, an undrawable character)
come back from the pipeline as located problems and are reported as findings too.
"""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image

from ..manifest.errors import InvalidInput, Problem
from ..page.frames import ImageItem, RuleItem, TextItem
from ..pipeline import Built, build
from .colour import Colours
from .findings import ERROR, WARNING, Finding
from .settings import PrintSettings, print_spec, resolve

MIN_TEXT = 6.0  # points
MIN_RULE = 0.25  # points
RICH_K = 0.6  # a colour this dark in black ...
RICH_CMY = 0.05  # ... with more than this of any other ink is rich black

# Located problems from the loader and the glyph check, sorted into the preflight's checks.
_KINDS = [
    (re.compile(r"no glyph"), "missing-glyph"),
    (re.compile(r"file not found|not a readable image|cannot read|leaves the issue folder"), "missing-file"),
]


def preflight_issue(issue: Path, print_: bool = False, icc: Path | None = None) -> list[Finding]:
    """Every finding for the issue; raises InvalidInput only when there is no manifest to read."""
    try:
        b = build(issue)
    except InvalidInput as e:
        if _no_manifest(e):
            raise
        return [_from_problem(p) for p in e.problems]
    findings: list[Finding] = []
    settings = None
    if print_:
        try:
            settings = resolve(b, icc)
        except InvalidInput as e:
            findings += [Finding(ERROR, "print-settings", p.message, location=_loc(p)) for p in e.problems]
    findings += _photos(b, settings)
    findings += _type_and_rules(b)
    if settings is not None:
        findings += _colours(b, settings)
    findings += _fit(b)
    return findings


def _no_manifest(e: InvalidInput) -> bool:
    return len(e.problems) == 1 and e.problems[0].location is None


def _loc(p: Problem) -> str | None:
    return str(p.location) if p.location else None


def _from_problem(p: Problem) -> Finding:
    check = next((c for rx, c in _KINDS if rx.search(p.message)), "invalid-input")
    m = re.search(r"\barticles\.([^.\[:\s]+)", p.message)
    return Finding(ERROR, check, p.message, story=m[1] if m else None, location=_loc(p))


def _photos(b: Built, s: PrintSettings | None) -> list[Finding]:
    spec = s or print_spec(b)
    out = []
    for page in b.composed.pages:
        for it in page.items:
            if not isinstance(it, ImageItem):
                continue
            try:
                with Image.open(it.path) as im:
                    w, h = im.size
            except OSError as e:
                out.append(Finding(ERROR, "missing-file", f"cannot read {it.path.name}: {e}", page.number, it.story))
                continue
            ppi = min(w / (it.width / 72.0), h / (it.height / 72.0))
            el = f"photo {_rel(b, it.path)}"
            size = f"{w}x{h} px over {it.width / 72 * 25.4:.0f}x{it.height / 72 * 25.4:.0f} mm"
            if ppi < spec.ppi_error:
                msg = f"{ppi:.0f} ppi effective ({size}); the plant needs at least {spec.ppi_error:g}"
                out.append(Finding(ERROR, "low-ppi", msg, page.number, it.story, el))
            elif ppi < spec.ppi_warn:
                msg = f"{ppi:.0f} ppi effective ({size}); {spec.ppi_warn:g} or more is wanted"
                out.append(Finding(WARNING, "low-ppi", msg, page.number, it.story, el))
    return out


def _rel(b: Built, p: Path) -> str:
    try:
        return str(p.resolve().relative_to(b.loaded.folder.resolve()))
    except ValueError:
        return str(p)


def _type_and_rules(b: Built) -> list[Finding]:
    out = []
    for page in b.composed.pages:
        small: dict[tuple, float] = {}
        for it in page.items:
            if isinstance(it, TextItem):
                for sp in it.line.spans:
                    if sp.size < MIN_TEXT - 1e-6:
                        key = (it.story, it.role)
                        small[key] = min(small.get(key, sp.size), sp.size)
            elif isinstance(it, RuleItem) and it.width < MIN_RULE - 1e-6:
                msg = f"{it.width:g} pt rule; the plant holds rules of at least {MIN_RULE:g} pt"
                out.append(Finding(WARNING, "thin-rule", msg, page.number, it.story, "rule"))
        for (story, role), size in small.items():
            msg = f"{size:g} pt {role} text; under {MIN_TEXT:g} pt it may break up on newsprint"
            out.append(Finding(WARNING, "small-text", msg, page.number, story, role))
    return out


def _colours(b: Built, s: PrintSettings) -> list[Finding]:
    """Colours as the print rendition will write them: a near-black that is not a neutral grey goes
    through the profile and comes out in four inks, which misregisters on a web press."""
    conv = Colours(s.profile, s.ink_limit)
    out = []
    seen: set[tuple] = set()
    for page in b.composed.pages:
        for it in page.items:
            if isinstance(it, TextItem):
                cols = {(sp.color, it.role) for sp in it.line.spans}
            elif isinstance(it, RuleItem):
                cols = {(it.color, "rule")}
            else:
                continue
            for color, element in cols:
                c, m, y, k = conv.cmyk(color)
                key = (page.number, it.story, element, color)
                if key in seen or not (k >= RICH_K and max(c, m, y) > RICH_CMY):
                    continue
                seen.add(key)
                msg = (
                    f"{color} prints as C{c * 100:.0f} M{m * 100:.0f} Y{y * 100:.0f} K{k * 100:.0f} (rich black); "
                    "use a neutral grey or black so it prints on the black plate alone"
                )
                out.append(Finding(ERROR, "rich-black", msg, page.number, it.story, element))
    return out


def _fit(b: Built) -> list[Finding]:
    out = []
    for f in b.composed.overset:
        msg = f"{f.overset_lines} line{'s' if f.overset_lines != 1 else ''} ({f.overset_words} words) did not fit"
        out.append(Finding(ERROR, "overset", msg, f.page, f.story, "body"))
    for page, it in b.composed.overfull:
        msg = f"{it.role} line {it.text[:40]!r} runs {it.line.overfull:.1f} pt past its measure"
        out.append(Finding(WARNING, "overfull", msg, page, it.story, it.role))
    return out
