"""Corrections to a unified diff against the articles' Markdown sources, for an editor to
review and apply (`git apply`, `patch -p1`); nothing is ever applied here. The story's
words (from the proof's map) are aligned with the source's words, so a strike-out,
insertion or replacement lands on the characters it marked even when the source carries
Markdown emphasis or line breaks. Reads corrections, the map and the sources; produces
the diff text and a list of what could not be placed."""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from pathlib import Path

from .notes import Correction

BODY_ROLES = ("body", "subhead", "overset", "drop_cap")
PUNCT = ".,;:!?"
_TOKEN = re.compile(r"\S+")


def _norm(w: str) -> str:
    return "".join(ch for ch in w.lower() if ch.isalnum())


def _body_words(pmap: dict, story: str) -> list[int]:
    """Story word numbers set as body copy (headline, captions, quotes left out)."""
    seen: dict[int, None] = {}
    for p in pmap["pages"]:
        for ln in p["lines"]:
            if ln["story"] == story and ln["role"] in BODY_ROLES:
                for k in range(len(ln["words"])):
                    seen[ln["w0"] + k] = None
    return list(seen)


def _align(words: list[str], body: list[int], source: str) -> tuple[dict[int, tuple[int, int]], list[str]]:
    """Story word number -> (start, end) of that word in the source."""
    toks = [(m.start(), m.end()) for m in _TOKEN.finditer(source)]
    a = [(i, _norm(words[i])) for i in body if _norm(words[i])]
    b = [(t, _norm(source[s:e])) for t, (s, e) in enumerate(toks) if _norm(source[s:e])]
    sm = difflib.SequenceMatcher(a=[x for _, x in a], b=[x for _, x in b], autojunk=False)
    out: dict[int, tuple[int, int]] = {}
    for blk in sm.get_matching_blocks():
        for k in range(blk.size):
            wi = a[blk.a + k][0]
            s, e = toks[b[blk.b + k][0]]
            out[wi] = _core(words[wi], source, s, e)
    return out, [source[s:e] for s, e in toks]


def _core(word: str, source: str, s: int, e: int) -> tuple[int, int]:
    """The characters of the source token that print as `word` (Markdown markup left out)."""
    tok = source[s:e]
    i = tok.find(word)
    if i >= 0:
        return s + i, s + i + len(word)
    alnum = [k for k, ch in enumerate(tok) if ch.isalnum()]
    a, b = alnum[0], alnum[-1] + 1
    while b < len(tok) and tok[b] in PUNCT:
        b += 1
    return s + a, s + b


def _edit(c: Correction, where: dict[int, tuple[int, int]], source: str) -> tuple[int, int, str] | None:
    if c.first is None or c.last is None:
        return None
    if c.kind == "insert":
        text = c.note.strip()
        if not text:
            return None
        if c.first - 1 in where:
            e = where[c.first - 1][1]
            return e, e, " " + text
        if c.first in where:
            s = where[c.first][0]
            return s, s, text + " "
        return None
    if any(i not in where for i in range(c.first, c.last)):
        return None
    s, e = where[c.first][0], where[c.last - 1][1]
    if c.kind == "delete":
        if e < len(source) and source[e] == " ":
            e += 1
        elif s > 0 and source[s - 1] == " ":
            s -= 1
        return s, e, ""
    new = c.note.strip()
    old = source[s:e]
    if old and old[-1] in PUNCT and (not new or new[-1] not in PUNCT):
        new += old[-1]  # the strike took the comma with the word; the replacement keeps it
    return s, e, new


def make_patch(corrections: list[Correction], pmap: dict, folder: Path) -> tuple[str, list[str]]:
    """The unified diff for every strike-out, insertion and replacement in the body copy,
    with paths relative to the current folder; and the corrections it could not place."""
    words = {k: v["text"].split() for k, v in pmap["stories"].items()}
    problems: list[str] = []
    edits: dict[str, list[tuple[int, int, str]]] = {}
    sources: dict[str, str] = {}
    for c in corrections:
        if c.kind not in ("delete", "insert", "replace"):
            continue
        if c.story is None or c.story not in pmap["stories"]:
            problems.append(f"not in the patch: {c.line()}: not on a story")
            continue
        if c.role not in BODY_ROLES:
            problems.append(f"not in the patch: {c.line()}: in the {c.role}, not the body; correct issue.yaml by hand")
            continue
        rel = pmap["stories"][c.story].get("source")
        if not rel:
            problems.append(f"not in the patch: {c.line()}: the body is written in issue.yaml; correct it there")
            continue
        if rel not in sources:
            path = folder / rel
            if not path.is_file():
                problems.append(f"not in the patch: {c.line()}: {path} not found")
                continue
            try:
                sources[rel] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as e:
                problems.append(f"not in the patch: {c.line()}: cannot read {path} ({e})")
                continue
            proofed = pmap["inputs"]["files"].get(f"articles/{c.story}")
            if proofed and hashlib.sha256(path.read_bytes()).hexdigest() != proofed:
                problems.append(f"warning: {rel} has changed since the proof was made: read the patch with care")
        where, _ = _align(words[c.story], _body_words(pmap, c.story), sources[rel])
        e = _edit(c, where, sources[rel])
        if e is None:
            problems.append(f"not in the patch: {c.line()}: could not find the marked words in {rel}")
            continue
        edits.setdefault(rel, []).append(e)
    out = []
    for rel, es in sorted(edits.items()):
        text = sources[rel]
        last = len(text) + 1
        for s, e, new in sorted(es, key=lambda x: (x[0], x[1]), reverse=True):
            if e > last:
                problems.append(f"not in the patch: {rel}: two corrections overlap at character {s}; one is left out")
                continue
            text = text[:s] + new + text[e:]
            last = s
        name = os.path.relpath(folder / rel).replace(os.sep, "/")
        for line in difflib.unified_diff(
            sources[rel].splitlines(keepends=True), text.splitlines(keepends=True), f"a/{name}", f"b/{name}"
        ):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out), problems
