"""What a page-cache key is hashed from, in C (layout.pdf._pagekey): the same for the same values
(whatever objects hold them), different when any value the page's operators are made of differs
(every field of a span, a line, a rule; an int from a float), declined for what it does not know
(the Python code then keys the page), and a pack keyed one way is never read by the other.
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest
from leaks import growth

from layout.page.frames import ImageItem, Page, RuleItem, TextItem
from layout.pdf import pagecache
from layout.text.fonts import Shaped
from layout.text.line import Span

needs_accel = pytest.mark.skipif(pagecache._kernel is None, reason="the C extension is not built")


def _data(page: Page) -> bytes:
    d = pagecache._kernel.page_data(page.width, page.height, page.items, TextItem, RuleItem)
    assert d is not None, "the C code declined an ordinary page"
    return d


def _with(page: Page, items: list) -> Page:
    return dataclasses.replace(page, items=items)


@pytest.fixture(scope="module")
def page(sample_built) -> Page:
    return max(sample_built.composed.pages, key=lambda p: len(p.items))


@needs_accel
def test_the_same_values_give_the_same_bytes(page: Page) -> None:
    faces = {id(sp.face): sp.face for it in page.items if isinstance(it, TextItem) for sp in it.line.spans}
    twin = copy.deepcopy(page, memo=dict(faces))  # every line, span and value copied; the faces shared
    assert twin.items[5] is not page.items[5]
    assert _data(page) == _data(page) == _data(twin)
    assert pagecache.page_data(page) == _data(page)


def _first_line(page: Page) -> tuple[int, TextItem]:
    return next((i, it) for i, it in enumerate(page.items) if isinstance(it, TextItem) and len(it.line.spans) > 1)


def _span_variants(sp: Span, other_face) -> list[Span]:
    sh = sp.shaped
    kerns = (1.0,) * len(sh.text) if sh.kerns is None else None
    return [
        dataclasses.replace(sp, face=other_face),
        dataclasses.replace(sp, size=sp.size + 0.25),
        dataclasses.replace(sp, size=int(sp.size) if sp.size != int(sp.size) else float(sp.size) + 1e-9),
        dataclasses.replace(sp, shaped=Shaped(sh.text + "x", sh.kerns and (*sh.kerns, 0.0), sh.width, sh.glyphs)),
        dataclasses.replace(sp, shaped=Shaped(sh.text, kerns, sh.width, sh.glyphs)),
        dataclasses.replace(sp, shaped=Shaped(sh.text, sh.kerns, sh.width + 1e-6, sh.glyphs)),
        dataclasses.replace(sp, shaped=Shaped(sh.text, sh.kerns, sh.width, sh.glyphs + 1)),
        dataclasses.replace(sp, x=sp.x + 1e-9),
        dataclasses.replace(sp, space_before=not sp.space_before),
        dataclasses.replace(sp, color="#c0392b" if sp.color != "#c0392b" else "#000000"),
    ]


@needs_accel
def test_every_value_of_a_line_changes_the_bytes(page: Page, sample_built) -> None:
    i, it = _first_line(page)
    faces = {sp.face.name: sp.face for p in sample_built.composed.pages for t in p.items
             if isinstance(t, TextItem) for sp in t.line.spans}  # fmt: skip
    sp = it.line.spans[1]
    other = next(f for n, f in faces.items() if n != sp.face.name)
    base = _data(page)
    seen = {base}
    variants = []
    for v in _span_variants(sp, other):
        spans = [it.line.spans[0], v, *it.line.spans[2:]]
        variants.append(dataclasses.replace(it, line=dataclasses.replace(it.line, spans=spans)))
    ln = it.line
    variants += [
        dataclasses.replace(it, x=it.x + 0.5),
        dataclasses.replace(it, baseline=it.baseline + 0.5),
        dataclasses.replace(it, line=dataclasses.replace(ln, tracking=ln.tracking + 0.01)),
        dataclasses.replace(it, line=dataclasses.replace(ln, scale=ln.scale * 1.01)),
        dataclasses.replace(it, line=dataclasses.replace(ln, spans=ln.spans[:-1])),
    ]
    for v in variants:
        d = _data(_with(page, [*page.items[:i], v, *page.items[i + 1 :]]))
        assert d not in seen, v
        seen.add(d)


@needs_accel
def test_rules_count_and_photos_do_not(page: Page) -> None:
    rule = RuleItem(10.0, 20.0, 300.0, 20.0, 0.5, "#000000")
    base = _data(_with(page, [*page.items, rule]))
    seen = {base, _data(page)}
    for field, value in (("x0", 11.0), ("y0", 21.0), ("x1", 301.0), ("y1", 19), ("width", 0.75), ("color", "#111111")):
        d = _data(_with(page, [*page.items, dataclasses.replace(rule, **{field: value})]))
        assert d not in seen, field
        seen.add(d)
    photo = ImageItem(0.0, 0.0, 10.0, 10.0, Path("x.jpg"))
    assert _data(_with(page, [*page.items, photo])) == _data(page)  # no text: not in the key


@needs_accel
def test_what_the_c_code_declines_is_keyed_by_python(page: Page) -> None:
    class Marked(TextItem):
        __slots__ = ()

    i, it = _first_line(page)
    sp = it.line.spans[1]
    odd = [
        Marked(it.x, it.baseline, it.top, it.bottom, it.line, it.role),
        dataclasses.replace(it, x=True),
        dataclasses.replace(it, line=dataclasses.replace(it.line, spans=tuple(it.line.spans))),
        dataclasses.replace(it, line=dataclasses.replace(it.line, spans=[dataclasses.replace(sp, space_before=1)])),
        dataclasses.replace(it, line=dataclasses.replace(it.line, spans=[dataclasses.replace(sp, color=None)])),
        dataclasses.replace(it, line=dataclasses.replace(it.line, spans=[dataclasses.replace(sp, size=2**70)])),
        dataclasses.replace(it, line=dataclasses.replace(it.line, spans=[dataclasses.replace(sp, color="\ud800")])),
    ]
    for v in odd:
        p = _with(page, [*page.items[:i], v, *page.items[i + 1 :]])
        assert pagecache._kernel.page_data(p.width, p.height, p.items, TextItem, RuleItem) is None, v
        assert pagecache.page_data(p) == b"m" + pagecache.page_data_python(p)


@needs_accel
def test_packs_keyed_in_c_and_in_python_are_kept_apart(monkeypatch) -> None:
    c = pagecache.fingerprint("base")
    monkeypatch.setattr(pagecache, "_kernel", None)
    assert pagecache.fingerprint("base") != c


@needs_accel
def test_repeated_keys_do_not_leak(page: Page) -> None:
    grown = growth(lambda: _data(page), 1, 20)
    assert grown < 4096, grown


def test_a_line_in_any_number_type_keys_in_python(page: Page) -> None:
    """The Python keys (LAYOUT_PURE_PYTHON, or no compiler) tell an int from a float too."""
    i, it = _first_line(page)
    a = dataclasses.replace(it, x=31)
    b = dataclasses.replace(it, x=31.0)
    pa = pagecache.page_data_python(_with(page, [*page.items[:i], a, *page.items[i + 1 :]]))
    pb = pagecache.page_data_python(_with(page, [*page.items[:i], b, *page.items[i + 1 :]]))
    assert pa != pb
