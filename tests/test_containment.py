"""Pages that never lie: every element inside its story's box and nothing over anything else, on
the frames and on the PDF read back; what does not fit is reported by story and place; jumps are
placed like stories; `issue check` circles holes, short strips and articles never placed."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import awkward
import pytest
from typer.testing import CliRunner

from layout.cli import app
from layout.page import containment, findings
from layout.page.frames import RuleItem, TextItem
from layout.pdf.measure import read_lines
from layout.pipeline import build

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))


def run(*args: object) -> tuple[int, str]:
    r = CliRunner().invoke(app, [str(a) for a in args])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.stdout + r.stderr


@pytest.fixture(scope="module")
def awkward_issues(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("awkward")
    return {n: awkward.make(root / n, n) for n in [*awkward.NAMES, "editor"]}


@pytest.fixture(scope="module")
def awkward_built(awkward_issues):
    return {n: build(p) for n, p in awkward_issues.items()}


@pytest.fixture(scope="module")
def synthetic_built(tmp_path_factory):
    from synthetic import make_issue

    return build(make_issue(tmp_path_factory.mktemp("syn") / "syn", pages=2))


def test_sample_frames_are_contained_and_check_is_clean(sample_built):
    assert containment.check(sample_built.composed) == []
    assert findings.findings(sample_built.composed, sample_built.loaded) == []


def test_synthetic_issue_frames_are_contained(tmp_path):
    from synthetic import make_issue

    b = build(make_issue(tmp_path / "syn", pages=3))
    assert containment.check(b.composed) == []
    assert findings.errors(b.composed) == []


@pytest.mark.parametrize("name", awkward.NAMES)
def test_awkward_frames_never_draw_one_thing_over_another(awkward_built, name):
    c = awkward_built[name].composed
    assert containment.check(c) == [], name
    for page in c.pages:
        area = page.stories_area
        for f in (f for f in c.fits if f.page == page.number):
            b = f.box
            assert area.top - 0.01 <= b.top and b.bottom <= area.bottom + 0.01, (name, f)


@pytest.mark.parametrize("name", awkward.NAMES)
def test_awkward_issues_render_or_report_the_story(awkward_issues, awkward_built, name, tmp_path):
    errs = findings.errors(awkward_built[name].composed)
    out = tmp_path / "out.pdf"
    code, text = run("render", awkward_issues[name], "-o", out)
    if not errs:
        assert code == 0 and out.exists(), text
    else:
        assert code == 1 and not out.exists(), text
        for e in errs:
            assert f"story '{e.story}' on page {e.page}" in text, text
        code, text = run("render", awkward_issues[name], "-o", out, "--allow-overset")
        assert code == 1 and out.exists(), text
    _pdf_lines_never_overlap(out, awkward_built[name].composed)


def _pdf_lines_never_overlap(pdf: Path, composed) -> None:
    """Read the PDF back: every line inside the text area, no two lines' glyph boxes crossing."""
    lines = read_lines(pdf)
    assert lines
    for pn, page in enumerate(composed.pages, 1):
        a = page.area
        boxes = []
        for ln in (x for x in lines if x.page == pn and x.text.strip()):
            top, bottom = ln.y - 0.68 * ln.size, ln.y + 0.2 * ln.size
            assert a.x - 4 <= ln.x0 and ln.x1 <= a.right + 4, (pn, ln.text)
            assert a.top - 0.5 <= top and bottom <= a.bottom + 0.5, (pn, ln.text)
            boxes.append((top, bottom, ln.x0, ln.x1, ln.text))
        boxes.sort()
        for i, b in enumerate(boxes):
            for c in boxes[i + 1 :]:
                if c[0] >= b[1]:
                    break
                assert min(b[3], c[3]) - max(b[2], c[2]) <= 0.01, (pn, b[4], c[4])


def test_a_header_taller_than_the_fixed_height_is_reported_and_left_out(awkward_issues, awkward_built):
    c = awkward_built["short-height"].composed
    errs = [p for p in c.problems if p.severity == "error"]
    assert len(errs) == 1 and errs[0].story == "a" and errs[0].page == 1
    assert re.search(r"header needs [\d.]+ mm, its height gives [\d.]+ mm", errs[0].message)
    assert not [i for i in c.pages[0].items if getattr(i, "story", None) == "a"]
    code, text = run("check", awkward_issues["short-height"])
    assert code == 1 and "story 'a' on page 1: does not fit: its header needs" in text


def test_a_photo_that_does_not_fit_its_story_is_left_out_and_reported(awkward_built):
    c = awkward_built["wide-photo"].composed
    errs = [p for p in c.problems if p.severity == "error"]
    assert [(p.story, p.page) for p in errs] == [("b", 1)]
    assert "photo 1 (photos/tall.jpg) needs" in errs[0].message
    b_images = [i for i in c.pages[0].items if getattr(i, "story", None) == "b" and not isinstance(i, TextItem)]
    assert not [i for i in b_images if not isinstance(i, RuleItem)]
    # The three-column photo in a one-column story is set one column wide, inside its box, and said so.
    narrowed = [p for p in c.problems if p.severity == "warning" and p.story == "a"]
    assert any("asks for 3 columns; the story has 1: set 1 column wide" in p.message for p in narrowed), narrowed
    a = next(f for f in c.fits if f.story == "a")
    img = next(i for i in c.pages[0].items if getattr(i, "story", None) == "a" and hasattr(i, "path"))
    assert abs(img.width - a.width) < 0.01


def test_stories_at_the_page_foot_stay_above_the_folio(awkward_built):
    c = awkward_built["page-foot"].composed
    page = c.pages[0]
    assert {p.story for p in c.problems if p.severity == "error"} == {"c", "d"}
    for it in page.items:
        if getattr(it, "story", None):
            assert getattr(it, "bottom", getattr(it, "y1", 0)) <= page.stories_area.bottom + 0.01


def test_overlapping_column_ranges_go_below_and_the_hole_is_reported(awkward_built):
    b = awkward_built["overlap"]
    fits = {f.story: f for f in b.composed.fits}
    assert fits["b"].top >= fits["a"].bottom - 0.01
    holes = [f for f in findings.warnings(b.composed, b.loaded) if f.kind == "hole"]
    assert any("above story 'b'" in h.message and "columns 4-5" in h.message for h in holes), holes


def test_an_unplaced_jump_takes_the_highest_free_place(awkward_built):
    c = awkward_built["jump-auto"].composed
    cont = [f for f in c.fits if f.story == "a" and f.page == 2]
    assert len(cont) == 1 and cont[0].columns == (3, 5)
    assert abs(cont[0].top - c.pages[1].stories_area.top) < 0.01
    assert not c.overset


def test_a_placed_continuation_goes_where_the_manifest_says(awkward_built):
    c = awkward_built["jump-placed"].composed
    cont = [f for f in c.fits if f.story == "a" and f.page == 2]
    assert len(cont) == 1 and cont[0].columns == (3, 5) and cont[0].continued_from == 1
    assert abs(cont[0].top - c.pages[1].stories_area.top) < 0.01
    assert " ".join(i.text for i in c.pages[1].text(role="jump", story="a")) == "Continued from page 1"


def test_check_circles_a_hole_an_unplaced_article_a_short_strip_and_a_bare_word_body(awkward_issues):
    code, text = run("check", awkward_issues["editor"])
    assert code == 0, text
    assert re.search(r"hole: on page 1: empty band \d+ mm wide and \d+ mm tall .* in columns? [\d-]+", text), text
    assert re.search(r"strip: story 'strip' on page 1: a strip of [1-5] lines? under photo wide\.jpg", text), text
    assert re.search(r"unplaced: story 'spare': .*issue\.yaml:\d+:\d+: article 'spare' is defined but never", text)
    assert "the body is the single word 'editorial'" in text
    assert re.search(r"quote: story 'quoted' on page 1: the pull quote .* stands beside the sentence it quotes", text)
    code, _ = run("check", awkward_issues["editor"], "--strict")
    assert code == 1


def test_render_prints_the_warnings_on_stderr_and_still_exits_0(awkward_issues, tmp_path):
    """On deadline the desk sees holes and unplaced articles from `render` too, as `check` lists them."""
    d = awkward_issues["editor"]
    checked = CliRunner().invoke(app, ["check", str(d)])
    listed = checked.stdout.splitlines()[:-1]
    assert any(line.startswith("unplaced:") for line in listed), listed
    out = tmp_path / "editor.pdf"
    r = CliRunner().invoke(app, ["render", str(d), "-o", str(out)])
    assert r.exit_code == 0 and out.read_bytes().startswith(b"%PDF-"), r.output
    assert r.stderr.splitlines() == listed
    assert "unplaced" not in r.stdout and "hole" not in r.stdout


def test_findings_carry_a_place_on_the_page(awkward_built):
    b = awkward_built["editor"]
    ws = findings.warnings(b.composed, b.loaded)
    for f in ws:
        assert f.severity == "warning"
        if f.kind in ("hole", "strip"):
            assert f.page == 1 and f.box is not None and f.box[2] > 0 and f.box[3] > 0


def test_continued_entries_are_validated_with_their_line(tmp_path):
    d = awkward.make(tmp_path / "j", "jump-placed")
    y = d / "issue.yaml"
    y.write_text(
        y.read_text().replace("continued_on: 2", "continued_on: 1").replace("- continued: a", "- continued: zz")
    )
    code, text = run("check", d)
    assert code == 2, text
    assert re.search(r"issue\.yaml:\d+:\d+: pages\[1\]\.stories\[1\]\.continued: no article 'zz'", text), text
    y.write_text(y.read_text().replace("- continued: zz", "- continued: a"))
    code, text = run("check", d)
    assert code == 2 and re.search(r"issue\.yaml:\d+:\d+: .*article 'a' does not jump to page 2", text), text
    y.write_text(y.read_text().replace("- continued: a", "- continued: b"))
    code, text = run("check", d)
    assert code == 2 and re.search(r"issue\.yaml:\d+:\d+: .*continuation of 'b' must be on a page after page 2", text)
    y.write_text(y.read_text().replace("- continued: b", "- article: b\n    continued: a"))
    code, text = run("check", d)
    assert code == 2 and re.search(r"issue\.yaml:\d+:\d+: .*either article: .* or continued:", text), text


def test_long_nameplate_with_descenders_touches_nothing(tmp_path):
    d = awkward.make(tmp_path / "n", "jump-auto")
    y = d / "issue.yaml"
    y.write_text(
        y.read_text()
        .replace("The Awkward Gazette", "The Jolly Pygmy Gypsy-Quay Gazette of Yesterday, Jersey")
        .replace("pages:\n- stories:", "pages:\n- masthead: true\n  banner: Quietly Querying Jetty Piers\n  stories:")
    )
    b = build(d)
    page = b.composed.pages[0]
    assert containment.check(b.composed) == []
    furniture = [k for k in map(containment.ink, page.items) if k and getattr(k.item, "story", None) is None]
    for i, a in enumerate(furniture):
        for c in furniture[i + 1 :]:
            gap_y = max(c.top - a.bottom, a.top - c.bottom)
            gap_x = max(c.x0 - a.x1, a.x0 - c.x1)
            assert gap_y > 0.3 or gap_x > 0.3, (containment.describe(a.item), containment.describe(c.item))


def test_check_circles_an_inline_photo_with_nothing_above_it(tmp_path):
    d = awkward.make(tmp_path / "e", "editor")
    y = d / "issue.yaml"
    text = y.read_text()
    y.write_text(text.replace("caption: A photo three", "placement: inline\n      caption: A photo three"))
    code, out = run("check", d)
    assert code == 0, out
    assert re.search(r"inline: story 'strip' on page 1: inline photo wide\.jpg has no text above it", out), out


def test_text_ink_in_c_equals_python(sample_built, awkward_built, tmp_path):
    """Where a text line leaves ink (the containment check's, asked of every line) is the same from
    the C code as from the Python, bit for bit, on the sample, every awkward layout and synthetic
    copy; a field of another type is declined (NotImplemented) and reckoned in Python."""
    import dataclasses

    from leaks import growth
    from synthetic import make_issue

    from layout.text import line as line_module

    if line_module._accel is None:
        pytest.skip("the C extension is not built")
    built = [sample_built, *awkward_built.values(), build(make_issue(tmp_path / "syn", pages=2))]
    items = [it for b in built for p in b.composed.pages for it in p.items if isinstance(it, TextItem)]
    assert len(items) > 2000

    def key(k):  # type: ignore[no-untyped-def]
        return None if k is None else (k.x0.hex(), k.top.hex(), k.x1.hex(), k.bottom.hex(), k.item is not None)

    inked = 0
    for it in items:
        got = line_module.text_ink(it)
        assert got is not NotImplemented
        assert key(containment.ink(it)) == key(containment.text_ink_python(it)), it
        inked += got is not None
    assert inked > len(items) * 0.9
    it = next(i for i in items if containment.text_ink_python(i) is not None)
    sp = it.line.spans[-1]
    rep = dataclasses.replace

    def last_span(span):  # type: ignore[no-untyped-def]
        return rep(it, line=rep(it.line, spans=[*it.line.spans[:-1], span]))

    odd = [
        rep(it, x=int(it.x)),  # an int where a float is
        rep(it, line=rep(it.line, tracking=0)),
        last_span(rep(sp, x=1)),
        last_span(rep(sp, shaped=rep(sp.shaped, glyphs=2.0))),
    ]
    for o in odd:
        assert line_module.text_ink(o) is NotImplemented
        assert key(containment.ink(o)) == key(containment.text_ink_python(o))
    assert growth(lambda: [line_module.text_ink(i) for i in items[:500]], 2, 20) < 4096


def test_the_c_check_finds_a_page_clean_exactly_when_the_python_does(sample_built, awkward_built, synthetic_built):
    """The C answer (containment._clean) is True on exactly the pages where the Python check finds
    no element outside its box and no two touching: on the sample, every awkward layout and the
    benchmark's synthetic issue, and on copies with an item moved, a rule laid along another, an image
    pushed out of its story's box or onto a line; a page it declines is still checked in Python."""
    import copy
    import dataclasses
    import random

    from layout.page.frames import ImageItem

    if containment._contain is None:
        pytest.skip("the C extension is not built")
    rnd = random.Random(3)

    def python_clean(c, page) -> bool:  # the element findings alone (story boxes are checked apart)
        saved, containment._contain = containment._contain, None
        try:
            got = containment.check_page(c, page)
        finally:
            containment._contain = saved
        boxes_only = ("story's box overlaps", "is outside the page")
        return not [f for f in got if not any(b in f.message for b in boxes_only)]

    seen = {True: 0, False: 0}
    for b in [sample_built, *awkward_built.values(), synthetic_built]:
        c = b.composed
        for page in c.pages:
            boxes = containment.story_boxes(c, page)
            variants = [page]
            for _ in range(8):
                p = copy.copy(page)
                p.items = list(page.items)
                k = rnd.randrange(len(p.items))
                it = p.items[k]
                if isinstance(it, RuleItem):  # along another rule, or across text
                    p.items.append(dataclasses.replace(it, y0=it.y0 + rnd.choice([0.0, 3.0]), y1=it.y1))
                elif isinstance(it, ImageItem):
                    p.items[k] = dataclasses.replace(it, top=it.top + rnd.choice([-40.0, 12.0, 0.005]))
                else:
                    dy = rnd.choice([0.0, 0.0, 4.0])  # (onto the next line)
                    dx = rnd.choice([-30.0, 30.0, 2.0, 0.004])
                    p.items[k] = dataclasses.replace(it, x=it.x + dx, baseline=it.baseline + dy, top=it.top + dy)
                variants.append(p)
            for v in variants:
                want = python_clean(c, v)
                assert containment._clean(v, boxes) is want, (page.number, want)
                seen[want] += 1
    assert seen[True] > 20 and seen[False] > 20, seen


def test_word_ink_in_c_equals_python(sample_built, synthetic_built):
    """A word's ink reckoned in C from its characters' (when every one was measured before) is the
    one Face._ink_of gives, bit for bit, and remembered as Face.ink remembers it."""
    from layout.text import line as line_module

    if line_module._accel is None:
        pytest.skip("the C extension is not built")
    spans = [
        sp
        for b in (sample_built, synthetic_built)
        for p in b.composed.pages
        for it in p.items
        if isinstance(it, TextItem)
        for sp in it.line.spans
    ]
    faces = {id(sp.face): sp.face for sp in spans}.values()
    kept = {id(f): dict(f._inks) for f in faces}
    try:
        for f in faces:
            f._inks.clear()
        for sp in spans:  # each character measured once, in Python, as a first check does
            for ch in set(sp.shaped.text):
                sp.face.ink(ch)
        for f in faces:
            f._inks.clear()
        for sp in spans:
            line_module._accel.line_ink([sp])
        words = 0
        for f in faces:
            for text, got in f._inks.items():
                want = f._ink_of(text)
                assert (got[0].hex(), got[1].hex()) == (want[0].hex(), want[1].hex()), text
                words += 1
        assert words > 1000

        def again() -> None:  # every word's ink reckoned afresh, in C (and forgotten again)
            for sp in spans[:3000]:
                line_module._accel.line_ink([sp])
            for f in faces:
                f._inks.clear()

        from leaks import growth

        assert growth(again, 2, 10) < 4096
    finally:
        for f in faces:
            f._inks.clear()
            f._inks.update(kept[id(f)])


def test_the_c_check_declines_what_it_does_not_expect_and_keeps_nothing(sample_built):
    """clean() answers NotImplemented for arguments of another shape (the Python check then runs),
    raises TypeError for a wrong count, and holds no memory however often it runs."""
    from leaks import growth

    if containment._contain is None:
        pytest.skip("the C extension is not built")
    from layout.text import line as line_module

    c = sample_built.composed
    page = c.pages[0]
    boxes = containment.story_boxes(c, page)
    lims = {s: containment._limits(b, True) + containment._limits(b, False) for s, (_f, b) in boxes.items()}
    area = containment._limits(page.area, True) + containment._limits(page.area, False)
    mids = containment._mids(page)
    ink = line_module._accel.text_ink if line_module._accel is not None else line_module.text_ink
    kinds = containment._KINDS
    clean = containment._contain.clean
    assert clean(list(page.items), kinds, ink, lims, area, mids, containment.EPS) is True
    odd = [
        (tuple(page.items), kinds, ink, lims, area, mids, containment.EPS),  # not a list
        (list(page.items), kinds[:2], ink, lims, area, mids, containment.EPS),
        (list(page.items), kinds, ink, lims, area[:7], mids, containment.EPS),  # seven limits
        (list(page.items), kinds, ink, lims, (*area[:7], 1), mids, containment.EPS),  # an int among them
        (list(page.items), kinds, ink, {s: "x" for s in lims}, area, mids, containment.EPS),
        (list(page.items), kinds, ink, lims, area, [*mids[:-1], 1], containment.EPS),
        (list(page.items), kinds, ink, lims, area, mids, 1),
        ([*page.items, object()], kinds, ink, lims, area, mids, containment.EPS),  # an item of another class
        (list(page.items), kinds, lambda it: NotImplemented, lims, area, mids, containment.EPS),
    ]
    for args in odd:
        assert clean(*args) is NotImplemented
    with pytest.raises(TypeError):
        clean(list(page.items), kinds, ink, lims, area, mids)

    def raising(it):  # type: ignore[no-untyped-def]
        raise ValueError("a line it cannot read")

    with pytest.raises(ValueError, match="cannot read"):
        clean(list(page.items), kinds, raising, lims, area, mids, containment.EPS)
    items = list(page.items)
    assert growth(lambda: clean(items, kinds, ink, lims, area, mids, containment.EPS), 2, 50) < 4096
