"""`issue new`: an issue folder that renders as it is, to be edited by the desk."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

from .manifest.errors import InvalidInput, Problem
from .manifest.files import current_umask, stop_signals_raise

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
      **First brief.** Short items can be written straight into the manifest as a
      YAML block instead of a separate file.

      **Second brief.** Each paragraph is one item; the bold lead-in names it.
"""

PARA = (
    "Write the story here in Markdown. Paragraphs are separated by a blank line; "
    "*emphasis* and **strong** work, and so do subheads written as three hashes. "
    "Numbers such as 7,439 and signs such as & and < come out exactly as typed. "
)


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
        parent = directory.absolute().parent
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", suffix=".tmp", dir=parent))
    except OSError as e:
        raise InvalidInput(
            [Problem(f"{where}: cannot create {directory}: {e.strerror or e}; nothing was written")]
        ) from None
    try:
        with stop_signals_raise():  # SIGTERM or SIGHUP: the temporary folder is removed too
            scaffold(tmp)
            mode = 0o777 & ~current_umask()
            for p in [tmp, *tmp.rglob("*")]:
                os.chmod(p, mode if p.is_dir() else mode & 0o666)
            os.replace(tmp, directory)
    except BaseException as e:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(e, OSError):
            raise InvalidInput(
                [Problem(f"{where}: cannot create {directory}: {e.strerror or e}; nothing was written")]
            ) from None
        raise


def scaffold(directory: Path) -> None:
    (directory / "articles").mkdir(parents=True, exist_ok=True)
    (directory / "photos").mkdir(exist_ok=True)
    (directory / "issue.yaml").write_text(MANIFEST.format(date=dt.date.today().isoformat()), encoding="utf-8")
    lead = "\n\n".join([PARA * 2, PARA, "### A subhead", PARA * 2, PARA])
    (directory / "articles" / "lead.md").write_text(lead + "\n", encoding="utf-8")
    (directory / "articles" / "second.md").write_text("\n\n".join([PARA, PARA]) + "\n", encoding="utf-8")
    img = Image.new("RGB", (1200, 800))
    d = ImageDraw.Draw(img)
    for y in range(800):
        d.line([(0, y), (1200, y)], fill=(60 + y // 8, 90 + y // 10, 120 + y // 12))
    d.rectangle([420, 260, 780, 540], outline=(240, 240, 240), width=6)
    img.save(directory / "photos" / "placeholder.jpg", quality=85)
