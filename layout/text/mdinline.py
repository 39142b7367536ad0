"""The inline parse of ordinary copy without markdown-it: text, line breaks and emphasis (`*` and `_`),
then the house's dashes, smart quotes and apostrophes, as the body parser's rules make them.

Reads a paragraph's (or a field's) text and the punctuation switches; produces tokens with the fields
markdown-it's tokens have, the same ones field by field (tests hold them equal on random copy), or
None for text with any other inline mark (a code span, link, autolink, entity or escape), which
markdown-it then parses. Importing markdown-it and making its parser took 20-25 ms in each process
of a render (both the body helper and this one set bodies), for copy that is nearly always words,
apostrophes, quotes and the odd italic.

Emphasis follows CommonMark: a run of `*` or `_` may open or close by what stands either side of it
(white space, punctuation or symbols, anything else); closers are matched with the nearest opener of
the same mark before them (never one of their own run), skipping pairs where the "rule of three"
forbids it; what lies between a matched pair can no longer be matched outside it. Each mark is a
token of its own until then: two adjacent pairs become strong, one emphasis, the rest stays text.
Quotes follow markdown-it's typographer: a quote opens or closes by the characters either side of it
(looking across emphasis into the neighbouring text, not across a line break), a closing quote pairs
with the last open one of its kind at its level of emphasis, and a single quote that does neither is
an apostrophe.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# markdown-it's white space: these, no others (not U+0085, U+2028...).
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_WHITE = frozenset("\t\n\x0b\x0c\r " + _SPACES)
_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# What markdown-it trims paragraphs and subheads of: its white space and the two line separators.
_TRIM = "\t\n\x0b\x0c\r " + _SPACES + "\u2028\u2029"
OTHER_MARKS = ("\\", "`", "[", "<")  # an escape, code span, link or image, autolink
# What may be an entity (markdown-it's rule then makes a token of its own); any other `&` (S&T, AT&T,
# "R & D") is text.
_ENTITY = re.compile("&(?:#|[A-Za-z][A-Za-z0-9]*;)")
MAX_DELIMITERS = 256  # more (hostile copy): markdown-it's parse, which bounds its searches
APOSTROPHE = "\u2019"
_SPECIAL = re.compile("[\n*_]")


class Tok:
    """A token as markdown-it's Token holds one (type, tag, nesting, map, level, content, markup...)."""

    __slots__ = ("type", "tag", "nesting", "attrs", "map", "level", "children", "content", "markup", "info", "meta",
                 "block", "hidden")  # fmt: skip

    def __init__(
        self,
        type: str,  # noqa: A002 (markdown-it's name)
        tag: str,
        nesting: int,
        content: str = "",
        markup: str = "",
        map: list[int] | None = None,  # noqa: A002
        level: int = 0,
        children: list[Tok] | None = None,
        block: bool = False,
    ) -> None:
        self.type, self.tag, self.nesting, self.content, self.markup = type, tag, nesting, content, markup
        self.map, self.level, self.children, self.block = map, level, children, block
        self.attrs: dict = {}
        self.info = ""
        self.meta: dict = {}
        self.hidden = False

    def __repr__(self) -> str:
        return f"Tok({self.type!r}, {self.content!r})"


def trim(s: str) -> str:
    return s.strip(_TRIM)


def _punct(ch: str) -> bool:
    return ch in _ASCII_PUNCT or unicodedata.category(ch)[0] in "PS"


def inline(content: str) -> list[Tok] | None:
    """The inline tokens of `content` (a paragraph's text, trimmed), or None if it holds a mark
    other than emphasis (or too many of those)."""
    if any(m in content for m in OTHER_MARKS) or ("&" in content and _ENTITY.search(content)):
        return None
    toks: list[Tok] = []
    delims: list[list] = []  # [mark, run length, token index, partner or -1, can open, can close]
    n = len(content)
    pos = start = 0
    while True:
        m = _SPECIAL.search(content, pos)  # (the text between: taken whole, as markdown-it's text rule does)
        if m is None:
            break
        pos = m.start()
        ch = content[pos]
        if ch == "\n":  # a line break: hard after two spaces or more (they go), else soft (one space goes)
            text = content[start:pos]
            kind = "softbreak"
            if text.endswith(" "):
                if text.endswith("  "):
                    kind, text = "hardbreak", text.rstrip(" ")
                else:
                    text = text[:-1]
            if text:
                toks.append(Tok("text", "", 0, text))
            toks.append(Tok(kind, "br", 0))
            pos += 1
            while pos < n and content[pos] in " \t":
                pos += 1
            start = pos
        elif ch == "*" or ch == "_":
            end = pos
            while end < n and content[end] == ch:
                end += 1
            if pos > start:
                toks.append(Tok("text", "", 0, content[start:pos]))
            before = content[pos - 1] if pos else " "
            after = content[end] if end < n else " "
            b_white, a_white = before in _WHITE, after in _WHITE
            b_punct, a_punct = _punct(before), _punct(after)
            left = not a_white and (not a_punct or b_white or b_punct)
            right = not b_white and (not b_punct or a_white or a_punct)
            if ch == "*":
                can_open, can_close = left, right
            else:  # `_` opens or closes inside a word only next to punctuation
                can_open = left and (not right or b_punct)
                can_close = right and (not left or a_punct)
            for _ in range(end - pos):
                toks.append(Tok("text", "", 0, ch))
                delims.append([ch, end - pos, len(toks) - 1, -1, can_open, can_close])
            pos = start = end
            if len(delims) > MAX_DELIMITERS:
                return None
    if n > start:
        toks.append(Tok("text", "", 0, content[start:n]))
    if delims:
        _match(delims)
        _emphasis(toks, delims)
    return _joined(toks)


def _match(delims: list[list]) -> None:
    """Pair closers with openers (each delimiter's partner index; a used closer opens no more)."""
    gone = [False] * len(delims)  # between a matched pair: out of reach of later closers
    run_start = 0
    for c, closer in enumerate(delims):
        mark, length, tok = closer[0], closer[1], closer[2]
        if not (c and delims[c - 1][0] == mark and delims[c - 1][2] == tok - 1):
            run_start = c  # the first mark of this run: no closer matches within its own run
        if not closer[5]:
            continue
        for o in range(run_start - 1, -1, -1):
            opener = delims[o]
            if gone[o] or opener[0] != mark or not opener[4] or opener[3] >= 0:
                continue
            # The rule of three: a run that can both open and close pairs with one whose lengths sum
            # to a multiple of three only if both are.
            both = opener[5] or closer[4]
            if both and (opener[1] + length) % 3 == 0 and not (opener[1] % 3 == 0 and length % 3 == 0):
                continue
            opener[3] = c
            closer[4] = False
            for k in range(o + 1, c):
                gone[k] = True
            break


def _emphasis(toks: list[Tok], delims: list[list]) -> None:
    """Matched pairs into em or strong tokens, from the last opener back; two adjacent pairs of one
    mark are strong (the outer pair's tokens emptied)."""
    i = len(delims) - 1
    while i >= 0:
        d = delims[i]
        c = d[3]
        if c < 0:
            i -= 1
            continue
        end = delims[c]
        prev = delims[i - 1] if i else None
        strong = (
            prev is not None
            and prev[3] == c + 1
            and prev[0] == d[0]
            and prev[2] == d[2] - 1
            and delims[c + 1][2] == end[2] + 1
        )
        tag, markup = ("strong", d[0] * 2) if strong else ("em", d[0])
        t = toks[d[2]]
        t.type, t.tag, t.nesting, t.markup, t.content = f"{tag}_open", tag, 1, markup, ""
        t = toks[end[2]]
        t.type, t.tag, t.nesting, t.markup, t.content = f"{tag}_close", tag, -1, markup, ""
        if strong:
            assert prev is not None
            toks[prev[2]].content = ""
            toks[delims[c + 1][2]].content = ""
            i -= 1
        i -= 1


def _joined(toks: list[Tok]) -> list[Tok]:
    """Adjacent text tokens as one, and every token's level set by the emphasis around it."""
    out: list[Tok] = []
    level = 0
    for k, t in enumerate(toks):
        if t.nesting < 0:
            level -= 1
        t.level = level
        if t.nesting > 0:
            level += 1
        if t.type == "text" and k + 1 < len(toks) and toks[k + 1].type == "text":
            toks[k + 1].content = t.content + toks[k + 1].content
        else:
            out.append(t)
    return out


def _near(children: list[Any], i: int, step: int) -> str:
    """The character next to token `i` on one side (`step` -1 or 1), looking past empty tokens but
    not across a line break; a space if there is none. (As the tokens were before their quotes
    were set: a quote set since reads as punctuation either way.)"""
    j = i + step
    while 0 <= j < len(children):
        t = children[j]
        if t.type in ("softbreak", "hardbreak"):
            break
        if t.content:
            return t.content[-1] if step < 0 else t.content[0]
        j += step
    return " "


class _Open:
    """The quotes still open, in order, with each kind's at each level indexed, so that a closing
    quote finds its partner at once (a scan of the whole list for each took minutes on a paragraph
    of 100,000 quotes that open and never close). Levels never fall from the first open quote to
    the last (those opened inside emphasis are forgotten when it closes), so a closing quote's
    partner is the last of its kind at its level."""

    def __init__(self) -> None:
        self.items: list[tuple[int, int, bool, int]] = []  # (token, character, single, level)
        self.kinds: dict[tuple[bool, int], list[int]] = {}  # (single, level) -> indices into items

    def push(self, token: int, at: int, single: bool, level: int) -> None:
        self.kinds.setdefault((single, level), []).append(len(self.items))
        self.items.append((token, at, single, level))

    def keep(self, n: int) -> None:
        """Forget every quote from the `n`-th on."""
        if n >= len(self.items):
            return
        for idx in self.kinds.values():
            while idx and idx[-1] >= n:
                idx.pop()
        del self.items[n:]

    def above(self, level: int) -> None:
        """Forget the quotes opened deeper than `level` (inside emphasis that has closed)."""
        n = len(self.items)
        while n and self.items[n - 1][3] > level:
            n -= 1
        self.keep(n)

    def partner(self, single: bool, level: int) -> int | None:
        idx = self.kinds.get((single, level))
        return idx[-1] if idx else None


def smartquotes(children: list[Any], quotes: tuple[str, str, str, str]) -> None:
    """Straight quotes in the text tokens as `quotes` (primary open, close, secondary open, close)
    and apostrophes, in place. A token's characters are held in a list while quotes in it are
    replaced (each quote's place keeps its index, whatever it becomes), and joined at the end.
    The characters either side of a quote are read as typed, where markdown-it reads them as set
    so far: a quote set since reads as punctuation either way (tests hold the results equal)."""
    open_ = _Open()
    parts: dict[int, list[str]] = {}
    for i, tok in enumerate(children):
        level = tok.level
        open_.above(level)
        if tok.type != "text" or ("'" not in tok.content and '"' not in tok.content):
            continue
        text = tok.content
        chars = parts[i] = list(text)
        n = len(text)
        q = -1
        while True:
            a, b = text.find("'", q + 1), text.find('"', q + 1)
            q = a if b < 0 or 0 <= a < b else b
            if q < 0:
                break
            single = text[q] == "'"
            last = text[q - 1] if q else _near(children, i, -1)
            nxt = text[q + 1] if q + 1 < n else _near(children, i, 1)
            l_punct, n_punct = _punct(last), _punct(nxt)
            l_white, n_white = last in _WHITE, nxt in _WHITE
            can_open = not n_white and not (n_punct and not (l_white or l_punct))
            can_close = not l_white and not (l_punct and not (n_white or n_punct))
            if nxt == '"' and not single and "0" <= last <= "9":
                can_open = can_close = False  # 1"" : the first is inches
            if can_open and can_close:  # between two words or two marks: only beside punctuation
                can_open, can_close = l_punct, n_punct
            if not can_open and not can_close:
                if single:
                    chars[q] = APOSTROPHE
                continue
            if can_close:
                j = open_.partner(single, level)
                if j is not None:
                    ti, tq = open_.items[j][:2]
                    op, cl = (quotes[2], quotes[3]) if single else (quotes[0], quotes[1])
                    chars[q] = cl
                    parts[ti][tq] = op
                    open_.keep(j)
                    continue
            if can_open:
                open_.push(i, q, single, level)
            elif can_close and single:
                chars[q] = APOSTROPHE
    for i, chars in parts.items():
        children[i].content = "".join(chars)


def apostrophes(children: list[Any]) -> None:
    """Every straight single quote left in the text tokens as an apostrophe (the house's rule after
    smart quotes: '90s, rock 'n' roll)."""
    for t in children:
        if t.type == "text" and "'" in t.content:
            t.content = t.content.replace("'", APOSTROPHE)
