"""Overset copy jumps to a later page; drop caps hang beside the first lines."""

from __future__ import annotations

import shutil

from conftest import SAMPLE

from layout.pipeline import build


def _copy(tmp_path):
    dst = tmp_path / "issue"
    shutil.copytree(SAMPLE, dst)
    return dst


def test_continued_on_carries_overset_copy_to_the_later_page(tmp_path):
    d = _copy(tmp_path)
    md = d / "articles" / "quantum-fibre-link.md"
    md.write_text(md.read_text() * 4)
    y = d / "issue.yaml"
    text = y.read_text()
    text = text.replace(
        "    body: articles/quantum-fibre-link.md", "    body: articles/quantum-fibre-link.md\n    continued_on: 4"
    )
    text = text.replace("articles:\n", "  - section: Science\n    stories: []\narticles:\n", 1)
    y.write_text(text)
    b = build(d)
    c = b.composed
    assert not c.overset
    fits = [f for f in c.fits if f.story == "quantum-fibre-link"]
    assert fits[0].page == 1 and fits[0].continued_to == 4
    assert fits[1].page == 4 and fits[1].continued_from == 1
    p1 = " ".join(i.text for i in c.pages[0].text(role="jump"))
    p4 = " ".join(i.text for i in c.pages[3].text(role="jump"))
    assert "Continued on page 4" in p1 and "Continued from page 1" in p4
    # Every line of the story is set once, across both pages.
    lines = [i for p in c.pages for i in p.text(role="body", story="quantum-fibre-link")]
    assert len(lines) == fits[0].lines + fits[1].lines


def test_drop_cap_hangs_beside_the_first_lines(tmp_path):
    d = _copy(tmp_path)
    y = d / "issue.yaml"
    y.write_text(
        y.read_text().replace(
            "    body: articles/replication-column.md", "    body: articles/replication-column.md\n    drop_cap: true"
        )
    )
    b = build(d)
    page = b.composed.pages[2]
    caps = page.text(role="drop_cap", story="replication-column")
    assert len(caps) == 1 and caps[0].text == "I"
    body = page.text(role="body", story="replication-column")
    first = sorted(body, key=lambda i: (i.column, i.baseline))[:4]
    n = b.style.text.drop_cap_lines
    assert all(i.x0 > caps[0].x1 for i in first[:n])  # beside the letter
    assert first[n].x0 < caps[0].x1  # and back to full measure below it
    assert abs(caps[0].baseline - first[n - 1].baseline) < 0.01  # the letter sits on the nth baseline


def test_a_story_with_no_room_left_is_overset_not_drawn_past_the_folio(tmp_path):
    d = _copy(tmp_path)
    y = d / "issue.yaml"
    text = y.read_text()
    text = text.replace("  - section: Honours\n", "      - article: late-item\n  - section: Honours\n", 1)
    text += (
        "  late-item:\n    headline: A Late Item With Nowhere to Go\n    body: Two short sentences. They do not fit.\n"
    )
    y.write_text(text)
    b = build(d)
    late = [f for f in b.composed.fits if f.story == "late-item"]
    assert late and late[0].overset_lines > 0 and late[0].overset_words == 7
    page = b.composed.pages[0]
    assert not [i for i in page.items if getattr(i, "story", None) == "late-item"]
    for it in page.items:
        bottom = getattr(it, "bottom", getattr(it, "y1", 0))
        assert bottom <= page.area.bottom + 0.01
