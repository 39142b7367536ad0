"""Line breaking, hyphenation, grid and spacing: unit tests on hand-made paragraphs, and
the sample issue measured from its PDF."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import sys

import pytest
import yaml

from layout.page.grid import BASELINE, page_geometry
from layout.pdf.measure import quality, read_lines
from layout.text.linebreak import END, SPACE, Items, Params, first_fit, total_fit
from layout.text.markdown import Run
from layout.text.style import load_style
from layout.text.typeset import HANG_RIGHT, Typesetter


@pytest.fixture(scope="module")
def style():
    return load_style(None)


def _words_items(widths: list[float], space: float = 3.0, stretch: float = 1.5, shrink: float = 1.0) -> Items:
    it = Items()
    for i, w in enumerate(widths):
        last = i == len(widths) - 1
        it.widths.append(w)
        it.flex.append(0.0)
        it.sep.append(END if last else SPACE)
        it.gw.append(0.0 if last else space)
        it.gy.append(0.0 if last else stretch)
        it.gz.append(0.0 if last else shrink)
        it.hw.append(0.0)
        it.pen.append(0.0)
        it.flag.append(False)
    return it


def _brute_force(it: Items, measure: float, p: Params) -> list[int]:
    """Every way to break the paragraph; the one with the least demerits."""
    n = len(it.widths)
    best, best_ends = float("inf"), None
    for k in range(n):
        for cut in itertools.combinations(range(n - 1), k):
            ends = [*cut, n - 1]
            total, s, ok = 0.0, 0, True
            for e in ends:
                nat = sum(it.widths[s : e + 1]) + sum(it.gw[s:e])
                need = measure - nat
                if e == n - 1 and need >= 0:
                    r = 0.0
                else:
                    cap = sum(it.gy[s:e]) if need >= 0 else sum(it.gz[s:e])
                    r = need / cap if cap else (0.0 if abs(need) < 1e-9 else float("inf") * (1 if need > 0 else -1))
                if r < -1 or r > p.tolerance:
                    ok = False
                    break
                total += (p.line_penalty + 100 * abs(r) ** 3) ** 2
                s = e + 1
            if ok and total < best:
                best, best_ends = total, ends
    return best_ends


@pytest.mark.parametrize(
    "widths,measure",
    [
        ([10] * 9, 36.0),  # three words a line exactly
        ([12, 12, 5, 5, 12, 12, 7, 3, 9, 14], 36.0),
        ([20, 4, 4, 4, 20, 6, 9, 11, 3, 15, 8], 40.0),
        ([7, 3, 11, 6, 2, 9, 14, 5, 5, 8, 12], 30.0),
    ],
)
def test_total_fit_finds_the_optimal_breaks(widths, measure):
    it = _words_items(widths)
    p = Params(tolerance=10.0, adjacent_demerits=0.0)
    got = total_fit(it, lambda _: measure, 0, p).ends
    assert got == _brute_force(it, measure, p)


def test_total_fit_is_never_worse_than_first_fit():
    import random

    rng = random.Random(3)
    better = 0
    for _ in range(60):
        it = _words_items([rng.choice([4, 6, 8, 10, 13, 17]) for _ in range(24)], space=3, stretch=2, shrink=1)
        p = Params(tolerance=10.0, adjacent_demerits=0.0)
        tf = total_fit(it, lambda _: 50.0, 0, p)
        ff = first_fit(it, lambda _: 50.0, 0, p)

        def cost(b):
            return sum((10 + 100 * abs(r) ** 3) ** 2 for r in b.ratios[:-1])

        assert cost(tf) <= cost(ff) + 1e-6
        better += cost(tf) < cost(ff) - 1e-6
    assert better > 10


def _set(style, text, measure, lang="en-US", **kw):
    ts = Typesetter(style, lang)
    return ts.set([Run(text)], style.roles["body"], measure, **kw)


def test_a_word_longer_than_the_column_never_overflows(style):
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis"
    lines = _set(style, f"The word {word} is long.", 60.0)
    for ln in lines:
        assert ln.right <= 60.0 + 3.0, ln.text
    joined = "".join(ln.text[:-1] if ln.hyphenated and ln.text.endswith("-") else ln.text + " " for ln in lines)
    assert word in joined.replace(" ", "")


def test_a_paragraph_of_one_word(style):
    lines = _set(style, "Hello", 120.0)
    assert len(lines) == 1 and lines[0].text == "Hello" and not lines[0].justified
    assert lines[0].spans[0].x == 0.0


def test_a_url_breaks_at_its_slashes_without_hyphens(style):
    url = "https://data.example.org/archive/2026/tide-tables/harbour-east.csv"
    lines = _set(style, f"The tables are at {url} for anyone.", 90.0)
    assert len(lines) > 1
    assert all(ln.right <= 93.0 for ln in lines)
    joined = "".join(ln.text for ln in lines)
    assert url in joined.replace(" ", "")  # no hyphen was added inside the address


def test_second_language_uses_its_own_dictionary(style):
    text = (
        "Die Donaudampfschifffahrtsgesellschaft veröffentlichte gestern die "
        "Jahresabschlussberichte der Hafenverwaltungsbehörde."
    )
    de = _set(style, text, 80.0, lang="de")
    assert any(ln.hyphenated for ln in de)
    joined = "".join(ln.text[:-1] if ln.hyphenated else ln.text + " " for ln in de).strip()
    assert joined == text


def test_existing_hyphens_are_break_points_without_another(style):
    lines = _set(style, "the long-awaited harbour self-reliance programme began " * 6, 70.0)
    texts = [ln.text for ln in lines]
    assert not any("--" in t for t in texts)
    assert any(t.endswith(("self-", "long-")) for t in texts)


def test_hyphenation_rules(style):
    text = (
        "Extraordinarily comprehensive international negotiations concerning "
        "Mediterranean hydroelectricity infrastructure continued throughout "
        "the unprecedented parliamentary investigation into telecommunications. "
    ) * 4
    lines = _set(style, text, 110.0)
    run = 0
    for i, ln in enumerate(lines):
        run = run + 1 if ln.hyphenated else 0
        assert run <= 2
        if ln.hyphenated:
            frag = ln.text.split()[-1].rstrip("-")
            nxt = lines[i + 1].text.split()[0]
            assert len(frag + nxt.strip(".,")) >= 6  # no word under 6 letters broken
    assert not lines[-2].hyphenated  # the last full line never ends in a hyphen


def test_justified_lines_fill_the_measure_exactly(style):
    text = "Engineers at the station switched on the first of twelve reversible pump-turbines. " * 8
    lines = _set(style, text, 136.0, indent=8.5)
    for ln in lines[:-1]:
        last = ln.spans[-1].text[-1]
        assert abs(ln.right - 136.0 - HANG_RIGHT.get(last, 0) * ln.spans[-1].face.width(last, ln.spans[-1].size)) < 0.01


def test_kerning_and_ligatures_come_from_the_font(style):
    face = style.roles["body"].face
    assert face.shape("AVATAR").kerns is not None
    assert face.shape("office").text == "o\ufb03ce"  # drawn with the ffi ligature
    assert face.shape("office").width < sum(face.shape(c).width for c in "office")


# -- the sample issue, measured from its PDF ---------------------------------------------


def test_sample_quality_measured_from_the_pdf(sample_built, sample_pdf):
    st = sample_built.style
    body = st.roles["body"]
    area, cols = page_geometry(sample_built.loaded, 1, st.grid)
    q = quality(sample_pdf, body.face.path.stem, body.size, st.grid, area.top, BASELINE * st.grid)
    assert q.lines > 300
    assert q.p95_space <= 1.6
    assert q.loose_15 <= 0.10
    assert q.hyphens_per_100 <= 20
    assert q.max_hyphen_run <= 2
    assert q.on_grid == 1.0
    assert (q.widows, q.orphans) == (0, 0)


def test_sample_lines_end_flush_or_short_in_the_pdf(sample_built, sample_pdf):
    """Every body line in the PDF ends at its column's edge (hanging punctuation aside),
    or well short of it (a paragraph's last line): nothing nearly justified."""
    st = sample_built.style
    body = st.roles["body"]
    for ln in read_lines(sample_pdf):
        if body.face.path.stem not in ln.font or abs(ln.size - body.size) > 0.01:
            continue
        _, cols = page_geometry(sample_built.loaded, ln.page, st.grid)
        right = min((x + w for x, w in cols if x - 4 <= ln.x0 <= x + w), default=None)
        assert right is not None
        d = ln.x1 - right
        hang = HANG_RIGHT.get(ln.text[-1], 0) * 0.6 * body.size
        assert abs(d) < 0.02 or (0 < d <= hang + 0.02) or d < -1.0, (ln.page, ln.text, d)


def _frame_widows_orphans(composed) -> tuple[list[str], list[str], list[str]]:
    """Widows, orphans and subheads at a column foot, read from the composed frames."""
    widows, orphans, subheads = [], [], []
    for page in composed.pages:
        by_col: dict[tuple, list] = {}
        for it in page.items:
            if getattr(it, "column", None) is not None and it.role in ("body", "subhead"):
                by_col.setdefault((it.story, it.column), []).append(it)
        for items in by_col.values():
            items.sort(key=lambda i: i.baseline)
            segs, cur = [], [items[0]]
            for a, b in zip(items, items[1:], strict=False):
                if b.top - a.bottom > 0.5:
                    segs.append(cur)
                    cur = []
                cur.append(b)
            segs.append(cur)
            for seg in segs:
                head, foot = seg[0], seg[-1]
                if head.role == "body" and head.line.last and not head.line.first:
                    widows.append(head.text)
                if foot.role == "body" and foot.line.first and not foot.line.last:
                    orphans.append(foot.text)
                if foot.role == "subhead":
                    subheads.append(foot.text)
    return widows, orphans, subheads


def test_no_widows_or_orphans_and_no_subhead_at_a_column_foot(sample_built):
    assert _frame_widows_orphans(sample_built.composed) == ([], [], [])


def test_widows_and_orphans_read_from_the_pdf_match_the_frames(tmp_path):
    """With the rules relaxed the flow leaves orphans; the PDF reading finds the same ones
    the composed frames record, and none once the rules are back."""
    from layout.pdf.draw import write_pdf
    from layout.pipeline import build

    src = tmp_path / "issue"
    shutil.copytree("issues/2026-12-03", src)
    style = src / "styles" / "lodestar.yaml"
    sheet = yaml.safe_load(style.read_text())
    sheet.setdefault("text", {}).update(widows=1, orphans=1)
    style.write_text(yaml.safe_dump(sheet))
    b = build(src)
    write_pdf(b.composed, tmp_path / "relaxed.pdf")
    st = b.style
    body = st.roles["body"]
    area, _ = page_geometry(b.loaded, 1, st.grid)
    q = quality(tmp_path / "relaxed.pdf", body.face.path.stem, body.size, st.grid, area.top, BASELINE * st.grid)
    widows, orphans, _ = _frame_widows_orphans(b.composed)
    assert q.widows + q.orphans > 0
    assert (q.widows, q.orphans) == (len(widows), len(orphans))


def test_greedy_and_total_fit_both_render(tmp_path):
    exe = [sys.executable, "-c", "from layout.cli import main; main()"]
    src = tmp_path / "issue"
    shutil.copytree("issues/2026-12-03", src)
    r = subprocess.run(
        [*exe, "render", str(src), "-o", str(tmp_path / "g.pdf"), "--greedy", "--allow-overset"],
        capture_output=True,
        text=True,
    )
    assert r.returncode in (0, 1), r.stderr  # greedy lines are looser and may not fit the page
    assert (tmp_path / "g.pdf").exists() and "Traceback" not in r.stderr


def test_no_line_ever_leaves_its_measure(style):
    """Random paragraphs, many measures: no line, last lines included, passes the measure
    by more than its hanging punctuation."""
    import random

    rng = random.Random(11)
    words = (
        "the harbour council agreed plan rebuild dredging spring market stays open throughout "
        "engineers said reinforcement, hydroelectricity. “quoted” self-reliance 7,439 S&T"
    ).split()
    ts = Typesetter(style, "en-US")
    for _ in range(300):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 45)))
        measure = rng.choice([70.0, 100.0, 136.0, 170.0])
        for ln in ts.set([Run(text)], style.roles["body"], measure, indent=8.5):
            assert ln.right <= measure + 0.6 * style.roles["body"].size * 0.6 + 0.01, (measure, ln.text)


def test_capitalised_words_are_hyphenated_only_when_the_style_says(style):
    text = "Engineers from Massachusetts Consolidated Hydroelectricity and Mediterranean Telecommunications met. " * 5

    def setter(setting) -> Typesetter:
        sheet = style.sheet.model_copy(
            update={"text": style.text.model_copy(update={"hyphenate_capitalized": setting})}
        )
        return Typesetter(style.__class__(sheet, style.font_dirs), "en-US")

    assert style.text.hyphenate_capitalized == "fallback"  # the house default
    never = setter(False).set([Run(text)], style.roles["body"], 90.0)
    assert not any(ln.hyphenated and ln.text.split()[-1][:1].isupper() for ln in never)
    lines = setter("fallback").set([Run(text)], style.roles["body"], 90.0)
    assert any(ln.hyphenated and ln.text.split()[-1][:1].isupper() for ln in lines)
    loosest = max(abs(ln.ratio) for ln in lines if not ln.last)
    assert loosest < max(abs(ln.ratio) for ln in never if not ln.last)


def test_a_measure_narrower_than_a_glyph_sets_overfull_lines(style):
    """Nothing can fit: the breaker still sets every word, marks how far each line overflows,
    and never runs words together."""
    text = "Whatever happens the words come out"
    lines = _set(style, text, 4.0)
    assert " ".join(ln.text for ln in lines).replace("- ", "").replace("-", "") == text.replace(" ", " ")
    assert any(ln.overfull > 0 for ln in lines)
    assert all(ln.overfull > 0 for ln in lines if ln.right > 4.0 + 3.0)  # past any hanging punctuation
    for ln in lines:
        for a, b in zip(ln.spans, ln.spans[1:], strict=False):
            assert b.x >= a.x + ln.advance(a) - 1e-6


def test_overfull_lines_are_reported_and_block_the_pdf(tmp_path):
    """Twelve narrow columns and 40-point type: some letters are wider than a column."""
    src = tmp_path / "issue"
    src.mkdir()
    (src / "issue.yaml").write_text(
        "publication: Narrow\ndate: 2026-12-01\nnumber: 1\nstyle: big.yaml\n"
        "page: {size: a4, columns: 12, gutter: 2mm, margins: 10mm}\n"
        "pages:\n  - stories:\n      - article: a\n"
        "articles:\n  a:\n    headline: Wim\n    body: Wow mum, what a warm wind.\n"
    )
    (src / "big.yaml").write_text("grid: 44\nroles:\n  body: {font: text, size: 40, leading: 44, align: justify}\n")
    exe = [sys.executable, "-c", "from layout.cli import main; main()"]
    r = subprocess.run([*exe, "render", str(src), "-o", str(tmp_path / "o.pdf")], capture_output=True, text=True)
    assert r.returncode == 1, r.stderr
    assert "overfull: story 'a' on page 1: body line" in r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "o.pdf").exists()


def test_kerning_is_in_the_pdf(sample_pdf):
    """Read back from the PDF: the pair "To" sits closer than the font's plain advances,
    while unkerned letters in the same line sit exactly at them (plus any tracking)."""
    import statistics

    found = 0
    for ln in read_lines(sample_pdf):
        g = ln.glyphs
        gaps = [b.x0 - a.x1 for a, b in zip(g, g[1:], strict=False) if a.ch.isalpha() and b.ch.isalpha()]
        if len(gaps) < 10:
            continue
        usual = statistics.median(gaps)
        for a, b in zip(g, g[1:], strict=False):
            if a.ch == "T" and b.ch == "o":
                assert b.x0 - a.x1 < usual - 0.1, ln.text
                found += 1
    assert found
