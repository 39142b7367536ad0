"""Font subsets and ToUnicode maps made once per face and characters (pdf/subsets.py) are the bytes
ReportLab makes afresh, for every face of the house style and subsets of any order; each face keeps
its own, and only its last few."""

from __future__ import annotations

from reportlab.pdfbase import ttfonts

from layout.manifest.stylesheet import FONT_DIR
from layout.pdf import subsets
from layout.text import fonts
from layout.text.fonts import FontBook


def test_kept_subsets_and_maps_are_those_made_afresh() -> None:
    assert ttfonts.TTFontFace.makeSubset is subsets.make_subset
    assert ttfonts.makeToUnicodeCMap is subsets.to_unicode_cmap
    faces = [FontBook.face(p) for p in sorted(FONT_DIR.rglob("*.ttf"))[:6]]
    assert len(faces) >= 2
    for face in faces:
        rl = face.rl.face
        codes = sorted(rl.charToGlyph)
        for subset in ([0, *codes[:40]], [0, *codes[-30:]], [0, *reversed(codes[5:60])], [0, 0xFB01, 0xFB02, 65]):
            made = subsets._make_subset(rl, subset)
            assert subsets.make_subset(rl, subset) == made
            assert subsets.make_subset(rl, list(subset)) is subsets.make_subset(rl, subset)  # kept
            name = f"{face.name}+0"
            assert subsets.to_unicode_cmap(name, subset) == fonts._to_unicode_cmap(name, subset)
    a, b = faces[0].rl.face, faces[1].rl.face
    subset = [0, 65, 66]
    assert subsets.make_subset(a, subset) != subsets.make_subset(b, subset)  # by face, not by characters
    for n in range(subsets.KEEP + 5):
        subsets.make_subset(a, [0, 65 + n])
    assert len(subsets._subsets[a]) == subsets.KEEP
