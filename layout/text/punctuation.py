"""Newspaper punctuation: curly quotes and apostrophes by language, en and em dashes, the ellipsis
and (if the style asks) en dashes in number ranges, made from what the writer typed.

Reads the style's `text.punctuation` switches and a language tag; produces a `Punctuation` that
gives the Markdown parser for bodies (markdown-it-py's typographer: its smartquotes with the
language's quote marks, and a rule of our own for dashes, since its replacements also turn "(c)"
into a copyright sign) and sets plain fields (headlines, decks, captions, pull quotes, bylines) the
same way. Code spans and backslash-escaped characters are left as typed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..manifest.model import Article
from ..manifest.stylesheet import PunctuationSpec
from .markdown import new_parser
from .mdinline import Tok, apostrophes, smartquotes

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore

    from .cache import ParagraphCache

NNBSP = "\u202f"  # the thin no-break space French sets inside guillemets
# Primary open, primary close, secondary open, secondary close, by language.
QUOTES: dict[str, tuple[str, str, str, str]] = {
    "en": ("\u201c", "\u201d", "\u2018", "\u2019"),
    "de": ("\u201e", "\u201c", "\u201a", "\u2018"),
    "fr": ("\u00ab" + NNBSP, NNBSP + "\u00bb", "\u2039" + NNBSP, NNBSP + "\u203a"),
    "es": ("\u00ab", "\u00bb", "\u201c", "\u201d"),
    "it": ("\u00ab", "\u00bb", "\u201c", "\u201d"),
    "pt": ("\u00ab", "\u00bb", "\u201c", "\u201d"),
    "nl": ("\u201c", "\u201d", "\u2018", "\u2019"),
    "pl": ("\u201e", "\u201d", "\u00ab", "\u00bb"),
    "cs": ("\u201e", "\u201c", "\u201a", "\u2018"),
    "da": ("\u00bb", "\u00ab", "\u203a", "\u2039"),
    "sv": ("\u201d", "\u201d", "\u2019", "\u2019"),
    "fi": ("\u201d", "\u201d", "\u2019", "\u2019"),
    "nb": ("\u00ab", "\u00bb", "\u2018", "\u2019"),
    "ru": ("\u00ab", "\u00bb", "\u201e", "\u201c"),
}
STRAIGHT = ('"', '"', "'", "'")
# Inline Markdown syntax in a plain field is text: escape it so only quotes and dashes change.
_ESCAPE = re.compile(r"([\\`*_\[\]<>&!~|])")
# What can make markdown-it's inline parse of a field more than one text token with the text as
# written: a line break, NUL, a mark `_ESCAPE` escapes (its escape comes back as a token of its own,
# which the dash rule does not see across) or a quote (smartquotes, apostrophes). A field with none
# of these parses to exactly one text token, which the dash rule sets: `dashes` alone does the same.
_NOT_PLAIN = re.compile(r"[\n\r\x00\\`*_\[\]<>&!~|'\"]")
# The same but quotes: a field with quotes and none of these is one text token too, which the dash
# rule, smart quotes and the apostrophe rule set (`_quoted`: no parser needed).
_NOT_QUOTED = re.compile(r"[\n\r\x00\\`*_\[\]<>&!~|]")
_SPACED_HYPHEN = re.compile(r"(?<=\S) - (?=\S)")
_RANGE = re.compile(r"(?<![\d\-\u2013./])(\d{1,4})-(\d{1,4})(?![\d\-./])")


def quotes_for(language: str) -> tuple[str, str, str, str]:
    lang = language.replace("_", "-").split("-")[0].lower()
    return QUOTES.get(lang, QUOTES["en"])


class Punctuation:
    """Sets punctuation for one language under the style's switches."""

    def __init__(self, spec: PunctuationSpec, language: str, cache: ParagraphCache | None = None):
        self.spec = spec
        self.quotes = quotes_for(language) if spec.quotes else STRAIGHT
        self.cache = cache  # remembers punctuated fields between renders
        self._md: MarkdownIt | None = None

    @property
    def md(self) -> MarkdownIt:
        """The body parser, made when first needed (a warm render may need none)."""
        if self._md is None:
            self._md = self._parser()
        return self._md

    def _parser(self, markdown_its: bool = False) -> MarkdownIt:
        """The body parser; with `markdown_its`, with markdown-it's own smart quotes (the reference
        tests hold ours against) rather than mdinline's, which set the same quotes in linear time
        (markdown-it's scan every open quote for each closing one: minutes on a hostile paragraph)."""
        spec = self.spec
        md = new_parser({"typographer": True, "quotes": list(self.quotes)})
        if spec.quotes:
            md.enable("smartquotes")  # not in the commonmark preset's rules
            if not markdown_its:
                md.core.ruler.at("smartquotes", self._smartquotes)
        md.core.ruler.before("smartquotes" if spec.quotes else "text_join", "newspaper_dashes", self._rule)
        if spec.quotes:
            # A single quote smartquotes leaves unpaired ('90s, rock 'n' roll) is an apostrophe.
            md.core.ruler.after("smartquotes", "apostrophes", _apostrophes)
        return md

    def dashes(self, text: str) -> str:
        """Dashes, the ellipsis and number ranges in a run of plain text."""
        s = self.spec
        # (Each regex only where its literal is: a scan for a match that cannot be there costs more.)
        if s.dashes:
            text = text.replace("---", "\u2014").replace("--", "\u2013")
            if " - " in text:
                text = _SPACED_HYPHEN.sub(" \u2013 ", text)
        if s.ellipsis:
            text = text.replace("...", "\u2026")
        if s.number_ranges and "-" in text:
            text = _RANGE.sub("\\1\u2013\\2", text)
        return text

    def _rule(self, state: StateCore) -> None:
        for tok in state.tokens:
            if tok.type == "inline" and tok.children:
                self._dash(tok.children)

    def _dash(self, children: list) -> None:
        for c in children:
            if c.type == "text":
                c.content = self.dashes(c.content)

    def _smartquotes(self, state: StateCore) -> None:
        for tok in state.tokens:
            if tok.type == "inline" and tok.children and ("'" in tok.content or '"' in tok.content):
                smartquotes(tok.children, self.quotes)

    def set_text_tokens(self, children: list, content: str) -> None:
        """The body parser's rules after its inline parse, on one inline token's `children` (whose
        text is `content`), in its order: dashes, smart quotes (only where the text holds a quote, as
        markdown-it looks), apostrophes. For tokens made without the parser (mdfast.fast)."""
        self._dash(children)
        if self.spec.quotes:
            if "'" in content or '"' in content:
                smartquotes(children, self.quotes)
            apostrophes(children)

    def text(self, text: str) -> str:
        """A plain field (headline, caption, byline...) with the body's punctuation."""
        if not text:
            return text
        if self.cache is not None:
            from .parsed import punctuated

            return punctuated(self.cache, self, text)
        return self.punctuate(text)

    def punctuate(self, text: str) -> str:
        """`text` punctuated: by `dashes` alone when the parse could do nothing else (most fields
        are so: 318 of a 16-page issue's 345), else by parsing it."""
        if _NOT_PLAIN.search(text) is None:
            return self.dashes(text)
        if _NOT_QUOTED.search(text) is None:
            return self._quoted(text)
        return self.parsed(text)

    def _quoted(self, text: str) -> str:
        """A field whose only marks are quotes, as `parsed` sets it (one text token), without the parser."""
        tok = Tok("text", "", 0, text)
        self.set_text_tokens([tok], text)
        return tok.content

    def parsed(self, text: str) -> str:
        """`text` punctuated by markdown-it's inline parse, always."""
        out = []
        for tok in self.md.parseInline(_ESCAPE.sub(r"\\\1", text)):
            for c in tok.children or []:
                out.append(" " if c.type in ("softbreak", "hardbreak") else c.content)
        return "".join(out)

    def article(self, art: Article) -> Article:
        """The article with every field that is set as text punctuated."""
        t = self.text
        fields = ("headline", "kicker", "deck", "byline", "source", "bio")
        upd: dict = {f: t(getattr(art, f)) for f in fields if getattr(art, f)}
        upd["photos"] = [
            p.model_copy(update={"caption": t(p.caption), "credit": t(p.credit) if p.credit else p.credit})
            for p in art.photos
        ]
        upd["pull_quotes"] = [
            q.model_copy(update={"text": t(q.text), "attribution": t(q.attribution) if q.attribution else None})
            for q in art.pull_quotes
        ]
        return art.model_copy(update=upd)


def _apostrophes(state: StateCore) -> None:
    for tok in state.tokens:
        if tok.type == "inline" and tok.children:
            apostrophes(tok.children)
