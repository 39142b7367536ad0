"""Deliberately awkward issues for the containment tests: fixed heights shorter than a header,
photos wider than their story, stories at the page foot, overlapping column ranges, jumps.

`make(folder, name)` writes one issue folder (manifest, Markdown bodies, photos) and returns it.
The copy is written here for the tests; the photos are Pillow drawings.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from PIL import Image, ImageDraw

SENTENCES = [
    "The harbour board met on Tuesday to hear the engineers' report on the northern breakwater.",
    "Members asked why the repairs, first costed three years ago, had still not begun.",
    "The chief engineer said the contractor had been waiting for calm water since the spring.",
    "A second survey found that the damage had spread along forty metres of the outer wall.",
    "Fishing crews who moor inside the wall say the swell now reaches the slipway at high tide.",
    "The board agreed to seek emergency funding from the regional council before the winter storms.",
]


def copy(words: int) -> str:
    """Paragraphs of plain news copy, about `words` words long."""
    out: list[str] = []
    n = 0
    i = 0
    para: list[str] = []
    while n < words:
        s = SENTENCES[i % len(SENTENCES)]
        para.append(s)
        n += len(s.split())
        i += 1
        if len(para) == 3:
            out.append(" ".join(para))
            para = []
    if para:
        out.append(" ".join(para))
    return "\n\n".join(out) + "\n"


def _photo(path: Path, w: int, h: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    im = Image.new("RGB", (w, h), (90, 120, 150))
    d = ImageDraw.Draw(im)
    d.rectangle([w // 6, h // 3, w * 5 // 6, h * 2 // 3], fill=(200, 180, 120))
    im.save(path, quality=80)


ART = {
    "headline": "Breakwater repairs stall again as winter storms approach the quay",
    "deck": "Engineers say the outer wall cannot wait another season",
    "byline": "By Harbour Staff",
}


def _article(body: str, **extra) -> dict:
    return {**ART, "body": body, **extra}


def _base(pages: list[dict], articles: dict, columns: int = 5) -> dict:
    return {
        "publication": "The Awkward Gazette",
        "date": "2026-12-03",
        "number": 1,
        "page": {"size": "tabloid", "columns": columns, "gutter": "4mm"},
        "pages": pages,
        "articles": articles,
    }


def _cases() -> dict[str, dict]:
    tall = {"file": "photos/tall.jpg", "caption": "A tall photo.", "columns": 2}
    wide = {"file": "photos/wide.jpg", "caption": "A photo three columns wide.", "credit": "Staff", "columns": 3}
    return {
        # A fixed height shorter than the story's own headline and deck.
        "short-height": _base(
            [{"stories": [{"article": "a", "columns": "1-2", "height": "15mm"}, {"article": "b", "columns": "1-5"}]}],
            {"a": _article("articles/a.md"), "b": _article("articles/b.md")},
        ),
        # A photo wider than its one-column story, and a fixed height too short for a photo.
        "wide-photo": _base(
            [
                {
                    "stories": [
                        {"article": "a", "columns": "1"},
                        {"article": "b", "columns": "2-3", "height": "70mm"},
                        {"article": "c", "columns": "4-5"},
                    ]
                }
            ],
            {
                "a": _article("articles/a.md", photos=[wide]),
                "b": _article("articles/b.md", photos=[tall]),
                "c": _article("articles/c.md"),
            },
        ),
        # Stories stacked until the last starts at the page foot, with a photo.
        "page-foot": _base(
            [
                {
                    "masthead": True,
                    "stories": [
                        {"article": "a", "columns": "1-5", "height": "160mm"},
                        {"article": "b", "columns": "1-5", "height": "150mm"},
                        {"article": "c", "columns": "1-3", "photos": None},
                        {"article": "d", "columns": "4-5"},
                    ],
                }
            ],
            {
                "a": _article("articles/a.md"),
                "b": _article("articles/b.md"),
                "c": _article("articles/c.md", photos=[tall]),
                "d": _article("articles/d.md", photos=[wide]),
            },
        ),
        # Column ranges that overlap the stories above them.
        "overlap": _base(
            [
                {
                    "stories": [
                        {"article": "a", "columns": "1-3"},
                        {"article": "b", "columns": "2-5"},
                        {"article": "c", "columns": "1-2"},
                        {"article": "d", "columns": "3-5"},
                    ]
                }
            ],
            {k: _article(f"articles/{k}.md") for k in "abcd"},
        ),
        # One story in columns 1-2 on page 2, and a jump from page 1 that the manifest does not place.
        "jump-auto": _base(
            [
                {"stories": [{"article": "a", "columns": "1-5", "height": "80mm"}]},
                {"stories": [{"article": "b", "columns": "1-2"}]},
            ],
            {"a": _article("articles/long.md", continued_on=2), "b": _article("articles/b.md")},
        ),
        # The same jump placed by the manifest.
        "jump-placed": _base(
            [
                {"stories": [{"article": "a", "columns": "1-5", "height": "80mm"}]},
                {
                    "stories": [
                        {"article": "b", "columns": "1-2"},
                        {"continued": "a", "columns": "3-5", "height": "300mm"},
                    ]
                },
            ],
            {"a": _article("articles/long.md", continued_on=2), "b": _article("articles/b.md")},
        ),
        # Accented capitals under descenders in every header line, nameplate and banner included.
        "accents": {
            **_base(
                [
                    {
                        "masthead": True,
                        "banner": "Jugglers' Gypsy Quay (\u00c9gypte)",
                        "stories": [
                            {"article": k, "columns": c} for k, c in (("a", "1-5"), ("b", "1-3"), ("c", "4-5"))
                        ],
                    }
                ],
                {
                    k: {
                        "kicker": "\u00c9quipe & Quay -- Jury",
                        "headline": "\u00c9ventail of gypsy jugglers, quietly joyful, jump \u00c9\u00c5\u00c7 Qy jpgq",
                        "deck": 'Jolly pygmy quagga jog; yeoman\'s glyphs "quipped" gaily',
                        "byline": "By \u00c1gnes J\u00e9gou-Pyq",
                        "body": f"articles/{k}.md",
                    }
                    for k in "abc"
                },
            ),
            "publication": "\u00dee Jolly Pygmy Gypsy Quagga Gazette, J\u00e1yq",
        },
        # What an editor would circle: a hole beside a short story, an article never placed,
        # a short strip of text under a photo, and a body that names no file.
        "editor": _base(
            [
                {
                    "stories": [
                        {"article": "short", "columns": "1-3"},
                        {"article": "b", "columns": "4-5"},
                        {"article": "strip", "columns": "1-2"},
                        {"article": "quoted", "columns": "3-5"},
                    ]
                }
            ],
            {
                "short": _article("articles/d.md"),
                "b": _article("articles/c.md"),
                "strip": _article("articles/tiny.md", photos=[{**wide, "columns": 2}]),
                "spare": _article("editorial"),
                "quoted": _article(
                    "articles/tiny.md",
                    pull_quotes=[{"text": SENTENCES[0], "columns": 2}],
                ),
            },
        ),
    }


NAMES = [n for n in _cases() if n != "editor"]


def make(folder: Path, name: str) -> Path:
    data = _cases()[name]
    for p in data["pages"]:
        for s in p["stories"]:
            s.pop("photos", None)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "issue.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    arts = folder / "articles"
    arts.mkdir(exist_ok=True)
    for k, words in (("a", 260), ("b", 420), ("c", 300), ("d", 200), ("long", 1500), ("tiny", 50)):
        (arts / f"{k}.md").write_text(copy(words), encoding="utf-8")
    _photo(folder / "photos" / "tall.jpg", 600, 1500)
    _photo(folder / "photos" / "wide.jpg", 1200, 800)
    return folder
