"""`issue new`: an issue folder that renders as it is, to be edited by the desk."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw

from .manifest.errors import InvalidInput, Problem
from .manifest.files import atomic_folder

MANIFEST = """\
# The issue manifest: see the README's manifest reference for every field.
publication: The Daily Example
date: {date}
number: 1
edition: City
language: en-US
page:
  size: tabloid
  margins: {{top: 14mm, bottom: 16mm, inside: 13mm, outside: 11mm}}
  columns: 5
  gutter: 4mm
pages:
  - section: Front
    masthead: true
    stories:
      - article: lead
        columns: 1-5
      - article: second
        columns: 1-3
      - article: briefs
        columns: 4-5
articles:
  lead:
    headline: Replace This Headline With the Day's Lead Story
    deck: A deck line under the headline sums the story up
    byline: By Staff Reporters
    body: articles/lead.md
    photos:
      - file: photos/placeholder.jpg
        caption: A caption says what the photo shows.
        credit: Photo Desk
        columns: 3
    pull_quotes:
      - text: A pull quote lifts one sentence out of the story.
        attribution: A Source
  second:
    headline: A Second Story Sits Beside the Briefs
    byline: By A Reporter
    body: articles/second.md
  briefs:
    kicker: In brief
    headline: News in Brief
    body: |
{briefs}
"""

# Placeholder copy, cycled sentence by sentence to the lengths below: enough to fill the page,
# so that `issue check --strict` finds nothing to circle (no hole, no empty column foot) on
# the scaffold as it is. The lengths were found by laying the page out with the house style.
SENTENCES = [
    "Replace this text with the story's copy, written in Markdown.",
    "A blank line starts a new paragraph, and every paragraph after the first is indented.",
    "Words set in *italics* or in **bold** keep their style on the page.",
    "Figures such as 7,439 or 12.5% and signs such as & and < are printed exactly as typed.",
    'Straight quotes become curly ones, "like these", and two hyphens -- an en dash.',
    "Each story flows down its columns from left to right and balances them at its foot.",
    "When the copy runs longer than its place, the check command names the story and the lines that do not fit.",
    "When it runs short, the check points at the empty lines, so the desk can add copy or change the layout.",
    "A proof shows both on the page itself, boxed where they happen, with a note beside them.",
    "Photos keep their proportions and take as many columns as the manifest gives them.",
    "A caption sits under its photo, with the credit after it.",
]
LEAD_WORDS = (60, 50, 440)  # three paragraphs, a subhead before the third
SECOND_WORDS = (45, 675)
BRIEFS = ("Short items", "A second item", "A third item", "A fourth item", "A fifth item")
BRIEF_WORDS = 90  # each, after its bold lead-in


def new_issue(directory: Path) -> None:
    """Create `directory` as a new issue folder, whole or not at all: the files are written into a
    temporary folder beside it, which is then renamed into place. Raises InvalidInput (nothing
    written) if `directory` is a file, a folder that is not empty, or cannot be created."""
    where = f"issue new {directory}"
    try:
        if directory.exists() and not directory.is_dir():
            raise InvalidInput(
                [Problem(f"{where}: {directory} exists and is a file, not a folder; nothing was written")]
            )
        if directory.is_dir() and any(directory.iterdir()):
            raise InvalidInput([Problem(f"{where}: {directory} exists and is not empty; nothing was written")])
        with atomic_folder(directory) as tmp:  # SIGTERM or SIGHUP: the temporary folder is removed too
            scaffold(tmp)
    except OSError as e:
        raise InvalidInput(
            [Problem(f"{where}: cannot create {directory}: {e.strerror or e}; nothing was written")]
        ) from None


def scaffold(directory: Path) -> None:
    (directory / "articles").mkdir(parents=True, exist_ok=True)
    (directory / "photos").mkdir(exist_ok=True)
    copy = _Copy()
    briefs = [f"**{BRIEFS[0]}.** They can be written straight into the manifest as a YAML block. "]
    briefs[0] += copy.take(BRIEF_WORDS - 12)
    briefs += [f"**{name}.** {copy.take(BRIEF_WORDS)}" for name in BRIEFS[1:]]
    block = "\n\n".join(textwrap.fill(b, 92, initial_indent=" " * 6, subsequent_indent=" " * 6) for b in briefs)
    today = dt.date.today().isoformat()
    (directory / "issue.yaml").write_text(MANIFEST.format(date=today, briefs=block), encoding="utf-8")
    copy = _Copy()
    lead = [copy.take(LEAD_WORDS[0]), copy.take(LEAD_WORDS[1]), "### A subhead", copy.take(LEAD_WORDS[2])]
    (directory / "articles" / "lead.md").write_text(_wrap(lead), encoding="utf-8")
    (directory / "articles" / "second.md").write_text(_wrap([copy.take(n) for n in SECOND_WORDS]), encoding="utf-8")
    img = Image.new("RGB", (1200, 800))
    d = ImageDraw.Draw(img)
    for y in range(800):
        d.line([(0, y), (1200, y)], fill=(60 + y // 8, 90 + y // 10, 120 + y // 12))
    d.rectangle([420, 260, 780, 540], outline=(240, 240, 240), width=6)
    img.save(directory / "photos" / "placeholder.jpg", quality=85)


class _Copy:
    """Placeholder sentences, one after another round the list."""

    def __init__(self) -> None:
        self.next = 0

    def take(self, words: int) -> str:
        """Whole sentences, at least `words` words of them."""
        out: list[str] = []
        while sum(len(x.split()) for x in out) < words:
            out.append(SENTENCES[self.next % len(SENTENCES)])
            self.next += 1
        return " ".join(out)


def _wrap(paras: list[str]) -> str:
    return "\n\n".join(textwrap.fill(p, 92) for p in paras) + "\n"
