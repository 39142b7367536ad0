"""`Face.missing`, the question behind the glyph check and the fallback faces: which printable
characters of a text a face cannot draw. White space and the invisible marks are never reported;
the face's set of characters includes them, so a whole body passes at C speed."""

from __future__ import annotations

import random
import sys

from layout.manifest.files import house_dir
from layout.text.fonts import SPACES, FontBook

INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"


def test_spaces_are_every_character_python_calls_space() -> None:
    assert SPACES == "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())


def _face():  # type: ignore[no-untyped-def]
    return FontBook.face(next(house_dir("fonts").rglob("SourceSerif4SmText-Regular.ttf")))


def test_missing_reports_what_the_face_cannot_draw_and_nothing_else() -> None:
    face = _face()
    c2g = face.rl.face.charToGlyph
    drawn = sorted(chr(c) for c in c2g if chr(c).isprintable())
    pool = [*SPACES, *INVISIBLE, "\u4eca", "\u0416", "\U0001f600", "\x07", "\x00", "\u0301"]
    pool += [chr(c) for c in random.Random(7).sample(range(0x20, 0x3000), 100)] + drawn * 3
    rng = random.Random(11)
    for _ in range(2000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        want = {ch for ch in set(text) if ord(ch) not in c2g and not ch.isspace() and ch not in INVISIBLE}
        assert face.missing(text) == want, repr(text)
    assert face.missing("a\n\u2003b\u00ad") == set()
    assert face.missing("\u4eca") == {"\u4eca"}
    assert face.missing("a\x07") == {"\x07"}  # a control character is no space
