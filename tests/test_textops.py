"""The PDF text operators' fast paths give exactly what their reference gives.

The C kernel (layout.pdf._textops) against `TextWriter.line_python`: the same operators and the same
font-subset numbering for every line of the sample issue and of a generated issue, for random lines
(tracking, scaling, colour and font changes, tiny and large gaps, int and float numbers, words
spread over two subsets), and for lines it declines (odd number types: the Python code takes them).
Its number formatting against `_n`. The writer's shortcut for words whose characters are all
numbered against ReportLab's own splitString. Photos copied file to file while saving: the same
bytes through the kernel's copy and through memory, and a photo cut short is an error, not a PDF.
"""

from __future__ import annotations

import marshal
import math
import os
import random
import sys
from pathlib import Path

import generator
import pytest
from leaks import growth

from layout.page.frames import TextItem
from layout.pdf import stream, textops
from layout.pdf.draw import SCREEN, new_canvas
from layout.pdf.textops import TextWriter, _n
from layout.text.fonts import Shaped
from layout.text.line import Line, Span

ROOT = Path(__file__).resolve().parents[1]
needs_accel = pytest.mark.skipif(not textops.ACCELERATED, reason="the C extension is not built")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A generated 3-page issue, built (lines in faces, sizes and measures the sample lacks)."""
    synthetic = generator.synthetic()
    from layout.pipeline import build

    folder = tmp_path_factory.mktemp("generated")
    synthetic.make_issue(folder, pages=3, seed=11)
    return build(folder, cache=False, parallel=False)


def _writers(composed) -> tuple[TextWriter, TextWriter]:
    return TextWriter(new_canvas(composed, "/dev/null"), SCREEN), TextWriter(new_canvas(composed, "/dev/null"), SCREEN)


def _both(composed, items: list[tuple[TextItem, float]]) -> TextWriter:
    """Each line through the kernel on one writer and through Python on another: the same
    operators line by line, and the same subset numbering at the end."""
    fast, slow = _writers(composed)
    for it, h in items:
        want: list[str] = []
        slow.line_python(it, h, want)
        got = textops._kernel.line(
            it.line.spans, it.x, h - it.baseline, it.line.tracking, it.line.scale,
            fast.entries, fast.spaces, fast.colors, fast.entry, fast.space, fast.color,
        )  # fmt: skip
        if not it.line.spans:
            assert got == [] and want == []
            continue
        assert got == want, (it.line.text, got, want)
    assert fast.state() == slow.state()
    return fast


def _items(composed) -> list[tuple[TextItem, float]]:
    return [(it, p.height) for p in composed.pages for it in p.items if isinstance(it, TextItem)]


@needs_accel
def test_kernel_equals_python_on_the_sample(sample_built) -> None:
    items = _items(sample_built.composed)
    assert len(items) > 300
    _both(sample_built.composed, items)


@needs_accel
def test_kernel_equals_python_on_a_generated_issue(generated) -> None:
    items = _items(generated.composed)
    assert len(items) > 1000
    _both(generated.composed, items)


def _random_lines(composed, rng: random.Random, n: int) -> list[tuple[TextItem, float]]:
    """Lines of random words in the issue's faces: random sizes (int or float), tracking, scaling,
    colours, gaps and word spaces; some words in characters past a face's first 256 (a second subset)."""
    faces = list(
        {sp.face.name: sp.face for it, _ in _items(composed) for sp in it.line.spans}.values()
    )  # fmt: skip
    alphabets = {f.name: sorted(c for c in f.rl.face.charToGlyph if 0x21 <= c < 0x3000) for f in faces}
    out = []
    for _ in range(n):
        spans = []
        x = rng.choice([0, 0.0, rng.uniform(-3, 3)])
        for _ in range(rng.randint(0, 9)):
            face = rng.choice(faces)
            chars = alphabets[face.name]
            word = "".join(
                chr(rng.choice(chars[:60] if rng.random() < 0.7 else chars)) for _ in range(rng.randint(1, 7))
            )
            shaped = face.shape(word)
            if rng.random() < 0.3:  # kerning of every sort, whatever the shaper said
                shaped = Shaped(
                    word, tuple(rng.choice([0, 0.0, 5, -12.5, 33.3335, 1e-9]) for _ in word), shaped.width, len(word)
                )
            size = rng.choice([9, 9.5, 12, 28, 8.5, 100.25, rng.uniform(4, 40)])
            color = rng.choice(["#000000", "#000000", "#000000", "#c0392b", "#1f4e79"])
            spans.append(Span(face, size, shaped, x, rng.random() < 0.7, color))
            x += shaped.width * size / 1000.0 + rng.choice(
                [0, 0.0, 0.0004, -0.0004, 0.0006, 2.5, rng.uniform(0, 5), -1.25]
            )
        tracking = rng.choice([0, 0.0, 0.0, 0.05, -0.013, rng.uniform(-0.2, 0.2)])
        scale = rng.choice([1, 1.0, 1.0, 0.98, 1.00381, rng.uniform(0.9, 1.1)])
        line = Line(spans, 200.0, tracking, scale, True, False, False, False, 0.0)
        it = TextItem(rng.choice([31.181, 0, 100.5, 1e-7]), rng.uniform(0, 1500), 0.0, 0.0, line, "body")
        out.append((it, rng.choice([1587.4, 792, 841.89])))
    return out


@needs_accel
@pytest.mark.parametrize("seed", range(4))
def test_kernel_equals_python_on_random_lines(sample_built, seed: int) -> None:
    fast = _both(sample_built.composed, _random_lines(sample_built.composed, random.Random(seed), 400))
    assert any(e[1] is None for e in fast.entries.values()), "no word spread over two subsets"


@needs_accel
def test_lines_the_kernel_declines_are_written_by_python(sample_built) -> None:
    """A number of another type, or a text that is not a str: the kernel says None, and the writer's
    line() gives what Python gives."""

    class Points(float):
        pass

    base = next(it for it, _ in _items(sample_built.composed) if len(it.line.spans) > 2)
    sp = base.line.spans[1]
    odd = [
        Span(sp.face, Points(9.5), sp.shaped, sp.x, sp.space_before, sp.color),
        Span(sp.face, sp.size, sp.shaped, True, sp.space_before, sp.color),
        Span(sp.face, sp.size, sp.shaped, 2**60, sp.space_before, sp.color),
        Span(sp.face, sp.size, sp.shaped, sp.x, 1, sp.color),
    ]
    for bad in odd:
        spans = [base.line.spans[0], bad, *base.line.spans[2:]]
        line = Line(spans, base.line.width, base.line.tracking, base.line.scale, True, False, False, False, 0.0)
        it = TextItem(base.x, base.baseline, 0.0, 0.0, line, "body")
        fast, slow = _writers(sample_built.composed)
        args = (spans, it.x, 700 - it.baseline, line.tracking, line.scale)
        tables = (fast.entries, fast.spaces, fast.colors, fast.entry, fast.space, fast.color)
        assert textops._kernel.line(*args, *tables) is None
        got: list[str] = []
        want: list[str] = []
        fast.line(it, 700, got)
        slow.line_python(it, 700, want)
        assert got == want
        assert fast.state() == slow.state()


@needs_accel
def test_kernel_numbers_are_python_numbers() -> None:
    rng = random.Random(5)
    values = [0, 0.0, -0.0, 1, -1, 2**53, -(2**53), 0.0005, -0.0005, 0.0015, 2.675, 1.0005, -1.0005, 1e-9, -1e-9]
    values += [1e15, -1e15, 1e300, math.inf, -math.inf, math.nan, 123456.7895, 0.1 + 0.2]
    values += [rng.uniform(-2000, 2000) for _ in range(20000)]
    values += [round(rng.uniform(-100, 100), 3) + 0.0005 for _ in range(5000)]  # ties, near enough
    values += [rng.randint(-(10**6), 10**6) / 1000 for _ in range(5000)]
    # The C code's own rounding (away from ties, under 1e9): every magnitude, and next to the ties
    # and the thousandths, where it must hand over to CPython's formatting or agree with it.
    values += [rng.uniform(-1e9, 1e9) for _ in range(5000)] + [rng.uniform(-1e-3, 1e-3) for _ in range(5000)]
    values += [rng.uniform(-1e15, 1e15) for _ in range(2000)] + [rng.uniform(1e9, 1e12) for _ in range(2000)]
    values += [999_999_999.9995, -999_999_999.9995, 1e9, -1e9, 1e9 - 1e-6, 0.0004999999, -0.0005000001]
    for _ in range(5000):
        t = (rng.randint(-(10**7), 10**7) + 0.5) / 1000
        values += [t, math.nextafter(t, math.inf), math.nextafter(t, -math.inf), t + 1e-10, t - 1e-10]
    for v in values:
        got = textops._kernel.num(v)
        assert got is None or got == _n(v), (v, got, _n(v))
    assert textops._kernel.num(1e300) is None  # 300 digits: Python writes those
    assert textops._kernel.num(2**60) is None and textops._kernel.num(True) is None


@needs_accel
def test_repeated_lines_do_not_leak(sample_built) -> None:
    items = _items(sample_built.composed)[:200]
    fast, _ = _writers(sample_built.composed)

    page = sample_built.composed.pages[1]

    def run() -> None:
        for it, h in items:
            fast.line(it, h, [])
        fast.lines(page.items, page.height)

    grown = growth(run, 2, 5)
    assert grown < 4096, grown


def test_numbered_words_are_split_as_reportlab_splits_them(sample_built) -> None:
    """The shortcut for words whose characters are all numbered: what splitString gives, for words
    in one subset and in two, and for characters never numbered (a no-break space, a missing glyph)."""
    composed = sample_built.composed
    tw = TextWriter(new_canvas(composed, "/dev/null"), SCREEN)
    ref = TextWriter(new_canvas(composed, "/dev/null"), SCREEN)
    face = next(it.line.spans[0].face for it, _ in _items(composed) if it.line.spans)
    chars = sorted(c for c in face.rl.face.charToGlyph if 0x21 <= c < 0x3000)
    rng = random.Random(3)
    words = ["".join(chr(rng.choice(chars[:300])) for _ in range(rng.randint(1, 8))) for _ in range(3000)]
    words += ["a\u00a0b", "\u00a0", "x\U0001f600y", ""]
    for w in words:
        got = tw.encode(face, w)
        want = [(face.rl.getSubsetInternalName(s, ref.doc), b) for s, b in face.rl.splitString(w, ref.doc)]
        assert got == want, w
    assert tw.state() != b"" and face.name in tw.numbered


def _copied(out: Path, photos: list[tuple[Path, int]]) -> None:
    """`out` written as the streaming save writes it: a head, each photo's place left for the
    copier between the writes, a tail; then the copies waited for."""
    copier = stream._Copier()
    with open(out, "wb") as o:
        try:
            o.write(b"head")
            for i, (p, size) in enumerate(photos):
                copier.copy(open(p, "rb"), o, size)
                o.write(b"<%d>" % i)
            o.write(b"tail")
        except BaseException:
            copier.abandon()
            raise
        copier.finish()


def test_photo_copy_through_memory_is_the_same(tmp_path: Path, monkeypatch) -> None:
    """The photos' bytes, copied by the copier's thread at the places left for them while the
    document goes on, come out where a copy in line would put them, through the kernel or through
    memory; no descriptor is left open."""
    rng = random.Random(1)
    photos = []
    for i, n in enumerate((3_000_017, 1, 65_536, 1_048_577)):
        p = tmp_path / f"photo{i}.jpg"
        p.write_bytes(rng.randbytes(n))
        photos.append((p, n))
    want = b"head" + b"".join(p.read_bytes() + b"<%d>" % i for i, (p, _) in enumerate(photos)) + b"tail"
    fds = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    real = getattr(os, "copy_file_range", None)
    for how in ("kernel", "kernel, a piece at a time", "memory", "in line (no pwrite: Windows)"):
        if how.startswith("in line"):
            monkeypatch.delattr(stream.os, "pwrite", raising=False)
        elif how == "memory":
            monkeypatch.setattr(stream.os, "copy_file_range", _refuse, raising=False)
        elif how != "kernel" and real is not None:  # as the kernel may: fewer bytes than asked
            monkeypatch.setattr(stream.os, "copy_file_range", lambda a, b, n, *o: real(a, b, min(n, 4096), *o))
        out = tmp_path / f"out-{how}.bin"
        _copied(out, photos)
        assert out.read_bytes() == want, how
    if fds is not None:
        assert len(os.listdir("/proc/self/fd")) == fds


def _refuse(*args):
    raise OSError(18, "Invalid cross-device link")


def test_each_photo_copied_has_its_write_back_started(tmp_path: Path, monkeypatch) -> None:
    """Each photo's bytes, once copied, are handed to the disk (the whole file's write-back at the
    end took 10-19 ms of a render, almost all of it the photos'): a hint for that range only."""
    hints: list[tuple[int, int, int]] = []
    monkeypatch.setattr(stream.os, "posix_fadvise", lambda fd, at, n, how: hints.append((at, n, how)), raising=False)
    photos = []
    for i, n in enumerate((70_000, 5, 4096)):
        p = tmp_path / f"photo{i}.jpg"
        p.write_bytes(bytes([i]) * n)
        photos.append((p, n))
    _copied(tmp_path / "out.bin", photos)
    want, at = [], 4
    for i, (_, n) in enumerate(photos):
        want.append((at, n, os.POSIX_FADV_DONTNEED))
        at += n + len(b"<%d>" % i)
    assert hints == want


def test_a_photo_cut_short_is_an_error(tmp_path: Path, monkeypatch) -> None:
    """A photo shorter than it was when measured fails the save (raised once the copies are waited
    for, so the PDF is not put in place), through the kernel or through memory."""
    src = tmp_path / "photo.jpg"
    src.write_bytes(b"x" * 1000)
    other = tmp_path / "other.jpg"
    other.write_bytes(b"y" * 10)
    for how in ("kernel", "memory", "in line"):
        if how == "memory":
            monkeypatch.setattr(stream.os, "copy_file_range", _refuse, raising=False)
        elif how == "in line":
            monkeypatch.delattr(stream.os, "pwrite", raising=False)
        with pytest.raises(OSError, match="shorter"):
            _copied(tmp_path / "o.bin", [(src, 5000), (other, 10)])


def test_an_abandoned_save_copies_nothing_more(tmp_path: Path) -> None:
    src = tmp_path / "photo.jpg"
    src.write_bytes(b"x" * 100)
    copier = stream._Copier()
    with open(tmp_path / "o.bin", "wb") as o:
        copier.stopped = True  # as `abandon` sets it, before the thread has copied anything
        copier.copy(open(src, "rb"), o, 100)
        copier.abandon()
        assert copier.thread is None and copier.error is None
    assert (tmp_path / "o.bin").read_bytes() == b""


def _python_page(tw: TextWriter, items: list, page_h: float) -> list[str]:
    out: list[str] = []
    for it in items:
        if isinstance(it, TextItem):
            tw.line_python(it, page_h, out)
    return out


@needs_accel
def test_pages_through_the_kernel_equal_python(sample_built, generated) -> None:
    for built in (sample_built, generated):
        fast, slow = _writers(built.composed)
        for page in built.composed.pages:
            assert fast.lines(page.items, page.height) == _python_page(slow, page.items, page.height)
        assert fast.state() == slow.state()


@needs_accel
def test_a_page_of_odd_items_is_written_as_python_writes_it(sample_built) -> None:
    """Rules, photos, a TextItem subclass, a line whose spans are a tuple, an empty line, a line the
    kernel declines: each line as Python writes it, in order."""
    from layout.page.frames import ImageItem, RuleItem

    class Marked(TextItem):
        __slots__ = ()

    page = sample_built.composed.pages[0]
    lines = [it for it in page.items if isinstance(it, TextItem) and len(it.line.spans) > 2][:6]
    a, b, c, d, e, f = lines
    sp = c.line.spans[1]
    odd_span = Span(sp.face, sp.size, sp.shaped, sp.x, 1, sp.color)  # space_before not a bool: declined
    declined = Line([c.line.spans[0], odd_span], 100.0, 0.0, 1.0, True, False, False, False, 0.0)
    as_tuple = Line(tuple(d.line.spans), 100.0, 0.01, 0.99, True, False, False, False, 0.0)  # type: ignore[arg-type]
    empty = Line([], 100.0, 0.0, 1.0, True, False, False, False, 0.0)
    items = [
        RuleItem(0, 10, 100, 10, 0.5),
        a,
        Marked(b.x, b.baseline, b.top, b.bottom, b.line, b.role),
        ImageItem(0, 0, 10, 10, Path("x.jpg")),
        TextItem(c.x, c.baseline, 0, 0, declined, "body"),
        TextItem(d.x, d.baseline, 0, 0, as_tuple, "body"),
        TextItem(e.x, e.baseline, 0, 0, empty, "body"),
        f,
    ]
    fast, slow = _writers(sample_built.composed)
    got = fast.lines(items, page.height)
    assert got == _python_page(slow, items, page.height)
    assert sum(op == "BT" for op in got) == 5  # the empty line writes nothing
    assert fast.state() == slow.state()


@needs_accel
def test_an_error_in_a_line_is_raised_as_python_raises_it(sample_built) -> None:
    page = sample_built.composed.pages[0]
    good = next(it for it in page.items if isinstance(it, TextItem) and it.line.spans)
    sp = good.line.spans[0]
    broken = Line(
        [Span(object(), sp.size, sp.shaped, sp.x, False, sp.color)], 100.0, 0.0, 1.0, True, False, False, False, 0.0
    )  # type: ignore[arg-type]
    items = [good, TextItem(good.x, good.baseline, 0, 0, broken, "body")]
    fast, slow = _writers(sample_built.composed)
    with pytest.raises(AttributeError):
        _python_page(slow, items, page.height)
    with pytest.raises(AttributeError):
        fast.lines(items, page.height)


def test_the_writer_equals_the_former_writer(sample_built, generated) -> None:
    """line_python, and line (through the kernel where it is built), against the writer as it was
    before any of the fast paths: every line of two issues and random lines, and the subset state."""
    from textref import FormerWriter

    for built, extra in ((sample_built, 300), (generated, 0)):
        items = _items(built.composed) + _random_lines(built.composed, random.Random(9), extra)
        c1, c2, c3 = (new_canvas(built.composed, "/dev/null") for _ in range(3))
        former, py, either = FormerWriter(c1, SCREEN), TextWriter(c2, SCREEN), TextWriter(c3, SCREEN)
        for it, h in items:
            want: list[str] = []
            got_py: list[str] = []
            got: list[str] = []
            former.line(it, h, want)
            py.line_python(it, h, got_py)
            either.line(it, h, got)
            assert got_py == want and got == want, it.line.text
        assert marshal.loads(py.state()) == marshal.loads(former.state()) == marshal.loads(either.state())


@needs_accel
def test_escape_tj_and_codes_equal_python(sample_built) -> None:
    """The C helpers of a word's entry: ReportLab's escapePDF on every byte; a chunk's TJ elements
    with kerning of every sort (ints, floats, zeros, -0.0, NaN, beyond 2**53, too few kerns, a list);
    the codes of characters all numbered, and None where Python's shortcut gives None."""
    tw = TextWriter(new_canvas(sample_built.composed, "/dev/null"), SCREEN)
    assert tw.c_escape
    rng = random.Random(4)
    samples = [bytes([b]) for b in range(256)] + [rng.randbytes(rng.randint(0, 12)) for _ in range(3000)]
    for data in samples:
        assert textops._kernel.escape(data) == tw.esc(data)
    values = [0, 0.0, -0.0, 5, -12, 33.3335, 1e-9, -2.5, math.nan, 2**60, 1e300]
    for _ in range(5000):
        data = rng.randbytes(rng.randint(1, 9))
        pos = rng.randint(0, 3)
        kerns = tuple(rng.choice(values) for _ in range(pos + len(data) + rng.choice([0, 0, 2, -1])))
        kerns = rng.choice([kerns, kerns, None, list(kerns)])
        got = textops._kernel.tj(data, kerns, pos)
        try:
            want = tw._tj(data, kerns, pos)
        except IndexError:
            assert got is None
            continue
        assert got is None or got == want, (data, kerns, pos)
        if type(kerns) is tuple and all(type(k) in (int, float) and abs(k) < 1e15 for k in kerns):
            assert got is not None
    assigned = {c: rng.choice([rng.randint(0, 255), rng.randint(0, 255), 300, -1]) for c in range(32, 400)}
    for _ in range(3000):
        text = "".join(chr(rng.randint(32, 420)) for _ in range(rng.randint(0, 6)))
        try:
            want = bytes([assigned[c] for c in map(ord, text)]) or None
        except (KeyError, ValueError):
            want = None
        assert textops._kernel.codes(text, assigned) == want, text


@needs_accel
def test_pure_python_switches_both_pdf_kernels_off() -> None:
    """LAYOUT_PURE_PYTHON=1 runs the Python references (tests/test_breaker_kernel renders with and
    without it and compares the bytes)."""
    import os
    import subprocess

    probe = "from layout.pdf import textops, pagecache; print(textops.ACCELERATED, pagecache._kernel is None)"
    env = {**os.environ, "LAYOUT_PURE_PYTHON": "1"}
    r = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    assert r.stdout.split() == ["False", "True"], r.stdout + r.stderr


@needs_accel
def test_entries_the_kernel_makes_are_the_writers(sample_built, generated, monkeypatch) -> None:
    """Words whose characters a face has all numbered in its first subset get their TJ entry from the
    kernel (most words after the first lines: the writer's `entry` is called for few), and every
    entry equals the one the writer itself makes; a word it cannot take (kerns not a tuple) is left to
    the writer."""
    for built in (sample_built, generated):
        fast, slow = _writers(built.composed)
        asked: list[str] = []
        real = TextWriter.entry

        def entry(self, face, shaped, fast=fast, asked=asked, real=real):  # type: ignore[no-untyped-def]
            if self is fast:
                asked.append(shaped.text)
            return real(self, face, shaped)

        monkeypatch.setattr(TextWriter, "entry", entry)
        for page in built.composed.pages:
            assert fast.lines(page.items, page.height) == _python_page(slow, page.items, page.height)
        monkeypatch.setattr(TextWriter, "entry", real)
        assert len(asked) * 4 < len(fast.entries), (len(asked), len(fast.entries))
        for (name, text), e in fast.entries.items():
            face = fast.faces.get(name) or slow.faces.get(name)
            shaped = next(
                sp.shaped
                for p in built.composed.pages
                for it in p.items
                if isinstance(it, TextItem)
                for sp in it.line.spans
                if sp.face.name == name and sp.shaped.text == text
            )
            check = TextWriter(new_canvas(built.composed, "/dev/null"), SCREEN)
            check.numbered = fast.numbered
            check.enc, check.faces = dict(fast.enc), dict(fast.faces)
            assert check.entry(face, shaped) == e, (name, text)
    # A run whose kerns are a list (not what the shaper makes) is the writer's to make.
    fast, slow = _writers(sample_built.composed)
    page = sample_built.composed.pages[0]
    fast.lines(page.items, page.height)
    it = next(i for i in page.items if isinstance(i, TextItem) and i.line.spans)
    sp = it.line.spans[0]
    odd = Shaped(sp.shaped.text + "e", [0.0] * (len(sp.shaped.text) + 1), sp.shaped.width, sp.shaped.glyphs + 1)
    from dataclasses import replace

    line = replace(it.line, spans=[Span(sp.face, sp.size, odd, 0.0, False, sp.color)])
    item = TextItem(it.x, it.baseline, it.top, it.bottom, line, "body")
    made = []
    monkeypatch.setattr(TextWriter, "entry", lambda self, f, s: made.append(s.text) or real(self, f, s))
    fast.lines([item], page.height)
    assert made == [odd.text]
