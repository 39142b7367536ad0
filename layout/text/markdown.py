"""Article bodies: Markdown to paragraphs of styled runs, simple tables and footnotes. Raw HTML is
off, so `<` and `&` come through as text; nothing the writer typed is dropped in silence: what a
newspaper column does not set (images, code blocks, a footnote never defined) is listed by
`unsupported` with its line, for the pipeline to refuse.

Reads Markdown text (and a `Punctuation` for quotes and dashes); produces `Block`s: paragraphs,
subheads, tables (rows of cells of runs, with each column's alignment) and notes (the footnotes,
numbered in order of first reference, for the story's end).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from . import mdfast

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from .punctuation import Punctuation


def new_parser(options: dict | None = None) -> MarkdownIt:
    """CommonMark with tables, without raw HTML."""
    from markdown_it import MarkdownIt  # imported when first parsing: a warm render parses nothing

    md = MarkdownIt("commonmark", {"html": False, "typographer": False, **(options or {})})
    return md.disable(["html_block", "html_inline"]).enable("table")


@cache
def _plain() -> MarkdownIt:
    """The parser without punctuation (for the checks), made once."""
    return new_parser()


_FOOTDEF = re.compile(r"^\[\^([^\]\s]+)\]:[ \t]*(.*)$")
_FOOTREF = re.compile(r"\[\^([^\]\s]+)\]")
# What any construct `unsupported` refuses needs: a fence, an image, a footnote mark, or four columns
# of indentation (a code block; container markers take at most one space, so the columns are a tab
# or four spaces in a row). Copy with none of these is settable as written, with no parse. (`in` finds
# each at C speed; a regex alternation of them took 6 ms over the 205 KB of a 16-page issue's copy.)
_MAY_REFUSE = ("```", "~~~", "![", "[^", "\t", "    ")
SUPERSCRIPT = str.maketrans("0123456789", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


@dataclass(slots=True)
class Run:
    text: str
    variant: str = "regular"  # regular | italic | bold | bold_italic


@dataclass(slots=True)
class Block:
    kind: str  # "para" | "subhead" | "table" | "note" | "break"
    runs: list[Run] = field(default_factory=list)
    line: int = 0  # line in the Markdown source, 1-based
    rows: list[list[list[Run]]] = field(default_factory=list)  # a table's rows of cells; the first is the head
    align: list[str] = field(default_factory=list)  # a table's columns: left | right | center

    @property
    def text(self) -> str:
        if self.kind == "table":
            return " ".join("".join(r.text for r in cell) for row in self.rows for cell in row)
        return "".join(r.text for r in self.runs)


def _variant(bold: int, italic: int) -> str:
    if bold and italic:
        return "bold_italic"
    if bold:
        return "bold"
    if italic:
        return "italic"
    return "regular"


@dataclass
class _Notes:
    """Footnote definitions taken out of the source, and the numbers of the references."""

    text: str  # the source with definition lines blanked (line numbers kept)
    defs: dict[str, tuple[int, str]]  # label -> (line, text)
    numbers: dict[str, int] = field(default_factory=dict)

    def number(self, label: str) -> str:
        n = self.numbers.setdefault(label, len(self.numbers) + 1)
        return str(n).translate(SUPERSCRIPT)


def _footnotes(markdown: str) -> _Notes:
    lines = markdown.split("\n")
    defs: dict[str, tuple[int, str]] = {}
    i = 0
    while i < len(lines):
        m = _FOOTDEF.match(lines[i])
        if not m:
            i += 1
            continue
        start, parts = i, [m.group(2)]
        lines[i] = ""
        i += 1
        while i < len(lines) and lines[i].startswith(("  ", "\t")) and lines[i].strip():
            parts.append(lines[i].strip())
            lines[i] = ""
            i += 1
        defs[m.group(1)] = (start + 1, " ".join(parts))
    return _Notes("\n".join(lines), defs)


def parse(markdown: str, punct: Punctuation | None = None) -> list[Block]:
    """Paragraphs and subheads; list items and quotes become paragraphs of their own; tables
    stay tables; footnotes become notes after the rest. With `punct`, quotes, dashes and
    ellipses are set as the style asks (code as typed)."""
    notes = _footnotes(markdown)
    blocks: list[Block] = []
    kind = "para"
    prefix = ""
    table: Block | None = None
    toks = mdfast.fast(notes.text, punct)  # ordinary copy: no parser made (nor markdown-it imported)
    if toks is None:
        md = punct.md if punct else _plain()
        toks = mdfast.tokens(md, notes.text)
        if toks is None:
            toks = md.parse(notes.text)
    for tok in toks:
        if tok.type == "heading_open":
            kind = "subhead"
        elif tok.type == "heading_close":
            kind = "para"
        elif tok.type == "list_item_open":
            prefix = f"{tok.info}{tok.markup} " if tok.info else "\u2022 "
        elif tok.type == "table_open":
            table = Block("table", line=(tok.map[0] + 1) if tok.map else 0)
        elif tok.type == "table_close" and table is not None:
            blocks.append(table)
            table = None
        elif tok.type == "tr_open" and table is not None:
            table.rows.append([])
        elif tok.type in ("th_open", "td_open") and table is not None and len(table.rows) == 1:
            style = str(tok.attrs.get("style", ""))
            table.align.append(style.removeprefix("text-align:") or "left")
        elif tok.type == "hr":
            # A thematic break (a line of ---, *** or ___) between sections: set as an asterism.
            blocks.append(Block("break", [Run("*\u2003*\u2003*")], (tok.map[0] + 1) if tok.map else 0))
        elif tok.type in ("fence", "code_block"):
            for ln in tok.content.rstrip("\n").split("\n"):
                blocks.append(Block("para", [Run(ln)], (tok.map[0] + 1) if tok.map else 0))
        elif tok.type == "inline":
            runs = _inline(tok.children or [], notes)
            if table is not None:
                table.rows[-1].append(runs)
                continue
            if prefix:
                runs.insert(0, Run(prefix))
                prefix = ""
            if any(r.text.strip() for r in runs):
                blocks.append(Block(kind, runs, (tok.map[0] + 1) if tok.map else 0))
    for label, n in sorted(notes.numbers.items(), key=lambda x: x[1]):
        line, text = notes.defs.get(label, (0, ""))
        md = punct.md if punct else _plain()
        inline = md.parseInline(text)
        runs = _inline(inline[0].children or [], notes) if inline else []
        blocks.append(Block("note", [Run(str(n).translate(SUPERSCRIPT) + " "), *runs], line))
    return blocks


def _inline(children, notes: _Notes | None = None) -> list[Run]:
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
        if t == "text":
            if notes is not None and "[^" in c.content:  # (a reference starts so)
                add(
                    _FOOTREF.sub(
                        lambda m: notes.number(m.group(1)) if m.group(1) in notes.defs else m.group(0), c.content
                    )
                )
            else:
                add(c.content)
        elif t == "code_inline":
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


def unsupported(markdown: str) -> list[tuple[int, str]]:
    """(line, message) for what a newspaper column does not set: images, code blocks,
    footnote references with no definition. Empty when the body can be set as written."""
    if not any(mark in markdown for mark in _MAY_REFUSE):
        return []
    notes = _footnotes(markdown)
    out: list[tuple[int, str]] = []
    for tok in _plain().parse(notes.text):
        line = (tok.map[0] + 1) if tok.map else 0
        if tok.type in ("fence", "code_block"):
            what = "a fenced code block" if tok.type == "fence" else "lines indented by four spaces (a code block)"
            out.append((line, f"{what} is not set in a newspaper column; remove the fence or the indentation"))
        elif tok.type == "inline":
            for c in tok.children or []:
                if c.type == "image":
                    out.append(
                        (line, f"an image ({c.attrs.get('src', '')}) in the body is not set; put photos under the "
                         "article's photos: in the manifest")
                    )  # fmt: skip
                elif c.type == "text":
                    for m in _FOOTREF.finditer(c.content):
                        if m.group(1) not in notes.defs:
                            out.append((line, f"footnote [^{m.group(1)}] has no definition ([^{m.group(1)}]: ...)"))
    referenced = {m.group(1) for m in _FOOTREF.finditer(notes.text)}
    for label, (line, _) in notes.defs.items():
        if label not in referenced:
            out.append((line, f"footnote [^{label}] is defined but never referenced in the text"))
    return sorted(out)
