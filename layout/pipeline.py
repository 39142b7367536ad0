"""manifest -> validated model -> typeset -> compose -> export, in one place."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .compose import compose
from .errors import InvalidInput, Problem
from .frames import Composed, TextItem
from .manifest import LoadedIssue, load_issue
from .styles import Style, load_style


@dataclass
class Built:
    loaded: LoadedIssue
    style: Style
    composed: Composed


def build(issue_path: Path, breaker: str = "total") -> Built:
    """Validate and lay out an issue; raise InvalidInput with every problem found."""
    li = load_issue(issue_path)
    style_path = (li.folder / li.issue.style) if li.issue.style else None
    style = load_style(style_path)
    _check_glyphs(li, style)
    composed = compose(li, style, breaker)
    return Built(li, style, composed)


def _check_glyphs(li: LoadedIssue, style: Style) -> None:
    """A character no font can draw would print as an empty box: refuse it by name."""
    faces = [style.roles[r].face for r in ("body", "headline", "caption")]
    faces += [style.face(style.roles["body"].spec.font, v) for v in ("italic", "bold", "bold_italic")]
    problems = []
    for aid, art in li.issue.articles.items():
        fields = {
            "body": li.bodies.get(aid, ""),
            "headline": art.headline,
            "deck": art.deck or "",
            "byline": art.byline or "",
            "kicker": art.kicker or "",
            "source": art.source or "",
            "bio": art.bio or "",
        }
        for i, ph in enumerate(art.photos):
            fields[f"photos[{i}].caption"] = ph.caption + (ph.credit or "")
        for i, q in enumerate(art.pull_quotes):
            fields[f"pull_quotes[{i}].text"] = q.text + (q.attribution or "")
        for name, text in fields.items():
            missing = sorted(ch for ch in set(text) if not ch.isspace() and ch.isprintable() and not faces[0].has(ch))
            if missing:
                shown = ", ".join(f"'{ch}' (U+{ord(ch):04X})" for ch in missing[:6])
                where = li.body_files.get(aid) if name == "body" else None
                loc = li.smap.value(("articles", aid, name.split("[")[0]))
                msg = f"articles.{aid}.{name}: the fonts have no glyph for {shown}"
                if where is not None:
                    line = _first_line_with(where, missing[0])
                    msg = f"{where.name}:{line}: {msg}" if line else msg
                problems.append(Problem(msg, loc))
    if problems:
        raise InvalidInput(problems)


def _first_line_with(path: Path, ch: str) -> int | None:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if ch in line:
            return n
    return None


def default_output(li: LoadedIssue) -> Path:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", li.issue.publication).strip("-").lower() or "issue"
    return li.folder / "build" / f"{slug}-{li.issue.date.isoformat()}.pdf"


def body_lines(composed: Composed) -> list[TextItem]:
    return [it for p in composed.pages for it in p.items if isinstance(it, TextItem) and it.role == "body"]
