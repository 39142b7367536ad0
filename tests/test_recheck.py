"""Findings kept between builds in one process (page/recheck.py): an unchanged page is not checked
again, and anything its findings are made from (an item's place, a line, a fit, a photo file, the
article set on it) changing makes it checked again, so the kept findings are never stale."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PIL import Image

from layout.page import containment, findings
from layout.page.findings import errors, warnings
from layout.page.frames import ImageItem, TextItem
from layout.page.recheck import PageMemo
from layout.pipeline import build


@pytest.fixture()
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    calls = {"contained": 0, "warned": 0}
    check_page, page_warnings = containment.check_page, findings._page_warnings

    def check(*a):  # type: ignore[no-untyped-def]
        calls["contained"] += 1
        return check_page(*a)

    def warn(*a):  # type: ignore[no-untyped-def]
        calls["warned"] += 1
        return page_warnings(*a)

    monkeypatch.setattr(containment, "check_page", check)
    monkeypatch.setattr(findings, "_page_warnings", warn)
    return calls


def test_kept_findings_equal_fresh_ones_and_unchanged_pages_are_not_checked_again(
    issue: Path, counted: dict[str, int]
) -> None:
    b = build(issue, cache=False)
    c, li = b.composed, b.loaded
    memo = PageMemo()
    start = dict(counted)  # (the tests' own safety net checks every composition too)
    assert errors(c, memo) == errors(c) and warnings(c, li, memo) == warnings(c, li)
    n = len(c.pages)
    assert counted == {k: v + 2 * n for k, v in start.items()}  # with the memo, then without
    again = build(issue, cache=False)  # new frames, equal values
    start = dict(counted)
    assert errors(again.composed, memo) == errors(c) and warnings(again.composed, again.loaded, memo) == warnings(c, li)
    assert counted == {k: v + n for k, v in start.items()}, "an unchanged page was checked again"  # (the fresh ones)


def test_an_item_moved_off_its_story_is_found_through_the_memo(issue: Path) -> None:
    b = build(issue, cache=False)
    c = b.composed
    memo = PageMemo()
    assert errors(c, memo) == []
    page = c.pages[0]
    k = next(i for i, it in enumerate(page.items) if isinstance(it, TextItem) and it.story)
    page.items[k] = dataclasses.replace(page.items[k], x=page.items[k].x + 2000)
    found = errors(c, memo)
    assert any(f.page == 1 and "outside" in f.message for f in found), found


def test_a_changed_line_under_the_same_place_is_checked_again(issue: Path, counted: dict[str, int]) -> None:
    b = build(issue, cache=False)
    c = b.composed
    memo = PageMemo()
    errors(c, memo)
    before = counted["contained"]
    page = c.pages[1]
    k = next(i for i, it in enumerate(page.items) if isinstance(it, TextItem) and it.role == "body")
    line = page.items[k].line
    far = dataclasses.replace(line.spans[-1], x=line.spans[-1].x + 2000)
    wider = dataclasses.replace(line, spans=[*line.spans[:-1], far])  # same place, far wider ink
    page.items[k] = dataclasses.replace(page.items[k], line=wider)
    c2 = dataclasses.replace(c)  # another build's frames
    found = errors(c2, memo)
    assert counted["contained"] == before + 1, "only the changed page is checked again"
    assert any(f.page == 2 for f in found), found


def test_a_photo_replaced_in_place_and_an_edited_article_are_checked_again(issue: Path) -> None:
    b = build(issue, cache=False)
    c, li = b.composed, b.loaded
    memo = PageMemo()
    base = warnings(c, li, memo)
    img = next(it for p in c.pages for it in p.items if isinstance(it, ImageItem))
    with Image.open(img.path) as im:
        small = im.convert("RGB").resize((60, 40))
    small.save(img.path, format="JPEG")  # same name, a tenth of the pixels
    after = warnings(dataclasses.replace(c), li, memo)
    assert any(f.kind == "resolution" and img.path.name in f.message for f in after), after
    assert not any(f.kind == "resolution" and img.path.name in f.message for f in base)
    # The article set on a page is part of what its warnings read (its photos' placement, quotes).
    aid = next(f.story for f in c.fits if f.page == 1)
    art = li.issue.articles[aid]
    li.issue.articles[aid] = art.model_copy(update={"pull_quotes": []})
    calls = []
    real = findings._page_warnings
    findings._page_warnings = lambda *a: calls.append(a[1].number) or real(*a)  # type: ignore[assignment]
    try:
        warnings(dataclasses.replace(c), li, memo)
    finally:
        findings._page_warnings = real  # type: ignore[assignment]
    assert 1 in calls, "the page whose article changed kept its old warnings"


def test_pages_dropped_from_the_issue_are_forgotten(issue: Path) -> None:
    b = build(issue, cache=False)
    c = b.composed
    memo = PageMemo()
    errors(c, memo)
    errors(dataclasses.replace(c, pages=c.pages[:1]), memo)
    assert {k[1] for k in memo._kept} == {1}


def test_errors_and_warnings_together_sign_each_page_once(issue: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    b = build(issue, cache=False)
    c, li = b.composed, b.loaded
    signed: list[int] = []
    real = PageMemo.signature
    monkeypatch.setattr(PageMemo, "signature", lambda self, c, p: signed.append(p.number) or real(self, c, p))
    assert findings.checked(c, li, PageMemo()) == (errors(c), warnings(c, li))
    assert sorted(signed) == [p.number for p in c.pages]
    again = build(issue, cache=False)  # kept findings, through the same memo
    memo = PageMemo()
    findings.checked(c, li, memo)
    assert findings.checked(again.composed, again.loaded, memo) == (errors(c), warnings(c, li))
    assert findings.checked(c, li) == (errors(c), warnings(c, li))
