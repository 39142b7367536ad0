"""Article bodies: Markdown to paragraphs of styled runs. Raw HTML is off, so `<` and `&`
come through as text; nothing the writer typed is dropped."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt

if TYPE_CHECKING:
    from .punctuation import Punctuation

_MD = MarkdownIt("commonmark", {"html": False, "typographer": False}).disable(["html_block", "html_inline"])


@dataclass(slots=True)
class Run:
    text: str
    variant: str = "regular"  # regular | italic | bold | bold_italic


@dataclass(slots=True)
class Block:
    kind: str  # "para" | "subhead"
    runs: list[Run] = field(default_factory=list)
    line: int = 0  # line in the Markdown source, 1-based

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


def _variant(bold: int, italic: int) -> str:
    if bold and italic:
        return "bold_italic"
    if bold:
        return "bold"
    if italic:
        return "italic"
    return "regular"


def parse(markdown: str, punct: Punctuation | None = None) -> list[Block]:
    """Paragraphs and subheads; list items and quotes become paragraphs of their own.
    With `punct`, quotes, dashes and ellipses are set as the style asks (code as typed)."""
    blocks: list[Block] = []
    kind = "para"
    prefix = ""
    for tok in (punct.md if punct else _MD).parse(markdown):
        if tok.type == "heading_open":
            kind = "subhead"
        elif tok.type == "heading_close":
            kind = "para"
        elif tok.type == "list_item_open":
            prefix = f"{tok.info}{tok.markup} " if tok.info else "\u2022 "
        elif tok.type in ("fence", "code_block"):
            for ln in tok.content.rstrip("\n").split("\n"):
                blocks.append(Block("para", [Run(ln)], (tok.map[0] + 1) if tok.map else 0))
        elif tok.type == "inline":
            runs = _inline(tok.children or [])
            if prefix:
                runs.insert(0, Run(prefix))
                prefix = ""
            if any(r.text.strip() for r in runs):
                blocks.append(Block(kind, runs, (tok.map[0] + 1) if tok.map else 0))
    return blocks


def _inline(children) -> list[Run]:
    runs: list[Run] = []
    bold = italic = 0

    def add(text: str) -> None:
        v = _variant(bold, italic)
        if runs and runs[-1].variant == v:
            runs[-1].text += text
        else:
            runs.append(Run(text, v))

    for c in children:
        t = c.type
        if t == "text" or t == "code_inline":
            add(c.content)
        elif t in ("softbreak", "hardbreak"):
            add(" ")
        elif t == "strong_open":
            bold += 1
        elif t == "strong_close":
            bold -= 1
        elif t == "em_open":
            italic += 1
        elif t == "em_close":
            italic -= 1
        elif t == "image":
            add(c.content)
        elif t == "link_close":
            href = ""  # link text is kept; the address is not printed in body copy
            add(href)
        elif c.content:
            add(c.content)
    return runs
