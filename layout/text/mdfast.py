"""Plain article bodies without markdown-it's block parser: the tokens `MarkdownIt.parse` gives for a
body made only of paragraphs and `#` subheads, made directly; and, for a paragraph with no inline
mark at all, its inline tokens too (its lines as text between line breaks). `fast` goes further for
ordinary copy (words, quotes, emphasis): with text.mdinline's inline parse and the punctuation's own
rules, no parser is made and markdown-it is not imported.

Reads Markdown text and the body parser (markdown.py, punctuation.py); produces markdown-it's token
stream, or None for anything else, which markdown-it then parses whole. The core rules after the
inline parse (smart quotes, the house's dashes, apostrophes) run on the tokens as markdown-it runs
them. markdown-it's parse took 31 ms of a 16-page render (split over both processes); most
paragraphs of news copy hold no mark, and its block rules try ten constructs on every line. Tests
hold the blocks equal to markdown-it's on random bodies built from the characters that matter.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .mdinline import Tok, inline, trim

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from .punctuation import Punctuation

# A body the block rules could read as anything but paragraphs and subheads: a line starting (after
# up to three spaces) with a list item's mark (-, +, * or a number and . or ), then a space or the
# line's end), a quote, setext, fence, table, reference or HTML mark, or a line that is a rule (three
# or more -, * or _) or a setext underline (-); four spaces (code), a tab, a carriage return or NUL
# (normalised), a pipe anywhere (a table's row needs no leading pipe), a tilde anywhere (fences,
# strike-through). A line starting "13.4 per cent", "*Nature* reports" or "-5 degrees" is plain.
_NOT_PLAIN_BLOCKS = re.compile(
    r"^ {0,3}(?:[-+*](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|[=>`\[<]|(?:[-*_][ \t]*){3,}$|-+[ \t]*$)|^ {4}|[\t\r\0|~]",
    re.M,
)
# An inline mark: escape, code, emphasis, link or image, autolink, entity.
_MARKS = re.compile(r"[\\`*_\[<&]")
_HEADING = re.compile(r" {0,3}(#{1,6})(?:[ \t]|$)")
_KNOWN_BLOCK_RULES = frozenset(
    ["table", "code", "fence", "blockquote", "hr", "list", "reference", "heading", "lheading", "paragraph"]
)
_KNOWN_INLINE_RULES = frozenset(
    ["text", "newline", "escape", "backticks", "emphasis", "link", "image", "autolink", "entity", "html_inline"]
)
_ready: dict[int, tuple[MarkdownIt, list[Any]] | None] = {}  # per parser: it, and its core rules after the inline parse


def tokens(md: MarkdownIt, text: str) -> list[Any] | None:
    """markdown-it's tokens of `text` as `md.parse(text)` gives them, or None when the text is not
    paragraphs and `#` subheads only (or `md` has rules this does not know)."""
    after = _after_inline(md)
    if after is None or _NOT_PLAIN_BLOCKS.search(text):
        return None
    from markdown_it.common.utils import mdTrim
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

    out = _blocks(text, Token, mdTrim)
    env: dict = {}
    for tok in out:
        if tok.type != "inline":
            continue
        if _MARKS.search(tok.content):
            md.inline.parse(tok.content, md, env, tok.children)
        else:
            tok.children = _plain_inline(tok.content)
    state = StateCore(text, md, env)
    state.tokens = out
    for rule in after:
        rule(state)
    return state.tokens


def fast(text: str, punct: Punctuation | None) -> list[Any] | None:
    """The tokens `tokens` gives with the body parser of `punct` (None: the plain parser), made
    without markdown-it (mdinline), or None when a paragraph holds a mark other than emphasis (or
    the text is not paragraphs and `#` subheads only). Its core rules after the inline parse are
    the punctuation's own, run as that parser runs them: the house's dashes, smart quotes,
    apostrophes."""
    if _NOT_PLAIN_BLOCKS.search(text):
        return None
    out = _blocks(text, Tok, trim)
    for tok in out:
        if tok.type == "inline":
            tok.children = inline(tok.content)
            if tok.children is None:
                return None
    if punct is not None:
        for tok in out:
            if tok.type == "inline":
                punct.set_text_tokens(tok.children, tok.content)
    return out


def _blocks(text: str, token: Callable[..., Any], trim_text: Callable[[str], str]) -> list[Any]:
    """The block tokens of paragraphs and `#` subheads (their inline tokens without children yet)."""
    out: list[Any] = []
    lines = text.split("\n")
    n = len(lines)

    def block(kind: str, tag: str, start: int, end: int, content: str) -> None:
        opening = token(f"{kind}_open", tag, 1, map=[start, end], block=True)
        inline = token("inline", "", 0, map=[start, end], level=1, content=content, children=[], block=True)
        out.extend((opening, inline, token(f"{kind}_close", tag, -1, block=True)))
        if kind == "heading":
            opening.markup = out[-1].markup = "#" * int(tag[1])

    i = 0
    while i < n:
        line = lines[i]
        if not line.strip(" "):  # a blank line (spaces only: tabs were refused)
            i += 1
            continue
        h = _HEADING.match(line) if "#" in line else None
        if h:
            block("heading", f"h{len(h.group(1))}", i, i + 1, _heading_text(line, h.end(1), trim_text))
            i += 1
            continue
        start = i
        i += 1
        while i < n and lines[i].strip(" ") and not ("#" in lines[i] and _HEADING.match(lines[i])):
            i += 1  # the paragraph goes on to a blank line or a subhead (nothing else can end it here)
        block("paragraph", "p", start, i, trim_text("\n".join(lines[start:i])))
    return out


def _heading_text(line: str, pos: int, trim_text: Callable[[str], str]) -> str:
    """An ATX subhead's text as markdown-it's heading rule cuts it: after the marks, without a
    closing run of marks that follows a space, trimmed."""
    end = len(line)
    while end > pos and line[end - 1] in " \t":
        end -= 1
    tmp = end
    while tmp > pos and line[tmp - 1] == "#":
        tmp -= 1
    if tmp > pos and line[tmp - 1] in " \t":
        end = tmp
    return trim_text(line[pos:end])


def _plain_inline(content: str) -> list[Any]:
    """The inline tokens of a paragraph with no mark, as markdown-it's text and newline rules make
    them: each line's text (spaces before it skipped, spaces after it dropped), a hard break after
    two or more spaces, else a soft one."""
    from markdown_it.token import Token

    children = []
    lines = content.split("\n")
    last = len(lines) - 1
    for k, line in enumerate(lines):
        if k:
            line = line.lstrip(" \t")
        brk = None
        if k < last:
            brk = "hardbreak" if line.endswith("  ") else "softbreak"
            line = line.rstrip(" ") if brk == "hardbreak" else line.removesuffix(" ")
        if line:
            children.append(Token("text", "", 0, content=line))
        if brk:
            children.append(Token(brk, "br", 0))
    return children


def _after_inline(md: MarkdownIt) -> list[Any] | None:
    """`md`'s core rules after the inline parse, when the rules before it are markdown-it's own
    three (normalize, block, inline) and its block and inline rules are ones this module knows;
    else None."""
    got = _ready.get(id(md))
    if got is not None and got[0] is md:
        return got[1]
    from markdown_it.rules_core import block, inline, normalize

    rules = md.core.ruler.getRules("")
    known = rules[:3] == [normalize, block, inline] and not md.options.get("linkify")
    known = known and {r.name for r in md.block.ruler.__rules__ if r.enabled} <= _KNOWN_BLOCK_RULES
    known = known and {r.name for r in md.inline.ruler.__rules__ if r.enabled} <= _KNOWN_INLINE_RULES
    after = rules[3:] if known else None
    _ready[id(md)] = (md, after)  # type: ignore[assignment]
    return after
