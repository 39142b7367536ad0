"""The persistent typesetting cache: cold, warm and --no-cache renders give the same PDF bytes;
a one-word correction re-sets one paragraph; a corrupt, foreign or hostile cache is ignored and
rebuilt; the PDF does not depend on where the issue folder sits.
"""

from __future__ import annotations

import marshal
import shutil
from pathlib import Path

import generator
import pytest
from typer.testing import CliRunner

from layout.cli import app
from layout.manifest.packs import first_payload, signed_pack  # signs like the tool: the checks behind it run
from layout.pipeline import build, cache_path
from layout.text.cache import MAGIC

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issues" / "2026-12-03"


def render(folder: Path, out: Path, *extra: str) -> bytes:
    r = CliRunner().invoke(app, ["render", str(folder), "-o", str(out), *extra])
    assert r.exit_code == 0, r.output
    return out.read_bytes()


@pytest.fixture()
def issue(tmp_path: Path) -> Path:
    dst = tmp_path / "issue"
    shutil.copytree(SAMPLE, dst, ignore=shutil.ignore_patterns("build"))
    return dst


@pytest.fixture(scope="module")
def bench_issue(tmp_path_factory) -> Path:
    """A two-page issue of the benchmark's kind: every story its own 1600x1000 photo."""
    make_issue = generator.synthetic().make_issue
    folder = tmp_path_factory.mktemp("bench") / "issue"
    make_issue(folder, pages=2, seed=11, own_photos=(1600, 1000))
    return folder


@pytest.fixture(params=["sample", "benchmark"])
def any_issue(request, tmp_path: Path) -> Path:
    src = SAMPLE if request.param == "sample" else request.getfixturevalue("bench_issue")
    dst = tmp_path / "issue"
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("build"))
    return dst


def test_cold_warm_and_no_cache_give_the_same_bytes(any_issue: Path, tmp_path: Path) -> None:
    issue = any_issue
    no_cache = render(issue, tmp_path / "a.pdf", "--no-cache")
    assert not (issue / "build").exists(), "--no-cache wrote a cache"
    cold = render(issue, tmp_path / "b.pdf")
    assert cache_path_of(issue).is_file()
    warm = render(issue, tmp_path / "c.pdf")
    assert no_cache == cold == warm


def cache_path_of(issue: Path) -> Path:
    return issue / "build" / ".cache" / "paragraphs.bin"


def test_warm_build_sets_nothing_and_a_one_word_change_resets_one_paragraph(issue: Path, tmp_path: Path) -> None:
    render(issue, tmp_path / "cold.pdf")
    warm = build(issue)
    assert warm.cache is not None and warm.cache.misses == 0 and warm.cache.hits > 50
    md = issue / "articles" / "geminids.md"
    text = md.read_text(encoding="utf-8")
    word = next(w for w in text.split() if w.isalpha() and len(w) > 6 and text.count(w) == 1)
    md.write_text(text.replace(word, word[::-1], 1), encoding="utf-8")
    edited = build(issue)
    assert edited.cache.misses == 1, f"{edited.cache.misses} paragraphs set again for a one-word change"
    # and the result is what a render without any cache gives
    assert render(issue, tmp_path / "e1.pdf") == render(issue, tmp_path / "e2.pdf", "--no-cache")


def _rewrite(path: Path, payload: bytes) -> None:
    path.write_bytes(signed_pack(MAGIC, payload))


@pytest.mark.parametrize(
    "damage", ["flip-a-byte", "truncate", "foreign-file", "other-fingerprint", "wrong-shapes", "other-font-file"]
)
def test_a_bad_cache_is_ignored_and_rebuilt(issue: Path, tmp_path: Path, damage: str) -> None:
    good = render(issue, tmp_path / "good.pdf")
    p = cache_path_of(issue)
    data = p.read_bytes()
    if damage == "flip-a-byte":
        i = len(data) // 2
        p.write_bytes(data[:i] + bytes([data[i] ^ 0x40]) + data[i + 1 :])
    elif damage == "truncate":
        p.write_bytes(data[: len(data) // 3])
    elif damage == "foreign-file":
        p.write_bytes(b"\x80\x04\x95 not a cache at all")
    else:
        fp, entries = marshal.loads(first_payload(data, MAGIC))
        if damage == "other-fingerprint":
            _rewrite(p, marshal.dumps(("someone-else", entries)))
        elif damage == "other-font-file":  # well formed and summed, but naming a font the style does not
            font = sorted((ROOT / "fonts").rglob("*.ttf"))[0]
            stray = tmp_path / "stray.ttf"
            shutil.copy(font, stray)
            swapped = {  # the set paragraphs' entries (not the parsed Markdown's, "md:")
                k: v
                if k.startswith("md:")
                else tuple((tuple((str(stray), *sp[1:]) for sp in spans), rest) for spans, rest in v)
                for k, v in entries.items()
            }
            _rewrite(p, marshal.dumps((fp, swapped)))
        else:  # a well-formed, correctly summed file whose entries are not lines
            _rewrite(p, marshal.dumps((fp, {k: ("x", 1, None) for k in entries})))
    b = build(issue)
    assert b.cache.loaded == 0 or damage in ("wrong-shapes", "other-font-file"), "a damaged cache was trusted"
    assert b.cache.misses > 50, "paragraphs came from a damaged cache"
    assert render(issue, tmp_path / "again.pdf") == good
    assert build(issue).cache.misses == 0, "the cache was not rebuilt"


def test_an_unwritable_cache_folder_does_not_fail_the_render(issue: Path, tmp_path: Path) -> None:
    (issue / "build").mkdir()
    (issue / "build" / ".cache").write_text("a file where the cache folder would be")
    good = render(issue, tmp_path / "a.pdf")
    assert good == render(issue, tmp_path / "b.pdf", "--no-cache")


def test_the_cache_is_written_atomically_and_only_after_the_pdf(issue: Path, tmp_path: Path) -> None:
    render(issue, tmp_path / "a.pdf")
    packs = (
        "paragraphs.bin",
        "fonts.bin",
        "pages.bin",
        "photos.bin",
    )  # set paragraphs, fonts, drawn pages, photo names
    leftovers = [p.name for p in (issue / "build" / ".cache").iterdir() if p.name not in packs]
    assert leftovers == []
    b = build(issue)
    assert cache_path(b.loaded) == cache_path_of(issue)


def test_the_pdf_does_not_depend_on_where_the_issue_sits(tmp_path: Path) -> None:
    a, b = tmp_path / "one" / "issue", tmp_path / "two" / "deeper" / "issue"
    for d in (a, b):
        shutil.copytree(SAMPLE, d, ignore=shutil.ignore_patterns("build"))
    assert render(a, tmp_path / "a.pdf") == render(b, tmp_path / "b.pdf")


def test_serial_and_parallel_give_the_same_bytes(any_issue: Path, tmp_path: Path) -> None:
    issue = any_issue
    from layout.pdf.draw import write_pdf

    pdfs = []
    for parallel, cache in ((False, False), (True, False), (True, True), (False, True)):
        b = build(issue, cache=cache, parallel=parallel)
        out = tmp_path / f"p{parallel}-c{cache}.pdf"
        write_pdf(b.composed, out)
        b.keep_cache()
        pdfs.append(out.read_bytes())
    assert all(p == pdfs[0] for p in pdfs)


def test_check_writes_no_cache_and_jobs_2_gives_the_same_bytes(issue: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["check", str(issue)])
    assert r.exit_code == 0, r.output
    assert not (issue / "build").exists(), "`issue check` wrote into the issue folder"
    assert render(issue, tmp_path / "j2.pdf", "--jobs", "2") == render(issue, tmp_path / "j1.pdf", "--jobs", "1")


def test_a_refused_issue_leaves_no_helper_process_behind(issue: Path) -> None:
    """The helper that sets bodies in parallel is started before the checks; when a check refuses
    the issue, it is ended and reaped (no orphan, no zombie)."""
    import os

    from layout.manifest.errors import InvalidInput

    body = next((issue / "articles").glob("*.md"))
    body.write_text(body.read_text(encoding="utf-8") + "\n```\ncode\n```\n", encoding="utf-8")
    with pytest.raises(InvalidInput):
        build(issue, parallel=True)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child of this process is left, running or dead


def test_an_interrupted_build_ends_its_helper_process(issue: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C (or SIGTERM) while this process sets its share of the bodies: the helper is ended
    and reaped too, not left to finish on its own."""
    import os

    from layout.page.compose import Composer

    parent, real = os.getpid(), Composer.content
    calls = []

    def content(self, aid, colw):  # type: ignore[no-untyped-def]
        if os.getpid() == parent:
            calls.append(aid)
            if len(calls) > 1:  # the checks are done, the helper is at work
                raise KeyboardInterrupt
        return real(self, aid, colw)

    monkeypatch.setattr(Composer, "content", content)
    with pytest.raises(KeyboardInterrupt):
        build(issue, parallel=True)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_a_helper_that_fails_leaves_its_share_to_this_process(issue: Path, tmp_path: Path, monkeypatch) -> None:
    """The helper process dies (here: fails on its first story): this process sets the rest itself
    and the PDF is the same bytes as a serial render's."""
    import os

    from layout.page.compose import Composer
    from layout.pdf.draw import write_pdf

    serial = build(issue, cache=False, parallel=False)
    write_pdf(serial.composed, tmp_path / "serial.pdf")
    parent, real = os.getpid(), Composer.content

    def content(self, aid, colw):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            os._exit(3)  # as a crash or a kill would leave it
        return real(self, aid, colw)

    monkeypatch.setattr(Composer, "content", content)
    b = build(issue, cache=False, parallel=True)
    write_pdf(b.composed, tmp_path / "rescued.pdf")
    assert (tmp_path / "rescued.pdf").read_bytes() == (tmp_path / "serial.pdf").read_bytes()
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_entries_marshalled_ahead_make_the_same_pack(tmp_path: Path) -> None:
    """Paragraphs marshalled ahead (while a render waits for its body helper) go into a new pack as
    records of their own, each once; the pack holds the entries a pack made at the end holds, with
    the helper's records, and entries set after them still come."""
    from layout.manifest.packs import read_pack
    from layout.text.cache import ParagraphCache

    def cache(name: str) -> ParagraphCache:
        c = ParagraphCache(tmp_path / name, "fp")
        theirs = {f"h{i}": (("para", i),) for i in range(5)}
        c.adopt(theirs, marshal.dumps(("fp", theirs)))
        for i in range(7):
            c.put(f"k{i}", [])
            c.used[f"k{i}"] = (("own", i),)  # plain data, as _encode makes it
        return c

    plain, ahead = cache("plain.bin"), cache("ahead.bin")
    made = []
    while ahead.make_ahead(3):
        made.append(len(ahead.ahead))
    assert made == [1, 2, 3] and not ahead.make_ahead(3)
    ahead.put("late", [])
    ahead.used["late"] = (("own", "late"),)
    plain.put("late", [])
    plain.used["late"] = (("own", "late"),)
    assert ahead.whole() is not None and len(b"".join(ahead.whole())) >= len(b"".join(plain.whole())) - 100
    plain.save()
    ahead.save()
    want = {**{f"h{i}": (("para", i),) for i in range(5)}, **{f"k{i}": (("own", i),) for i in range(7)}}
    want["late"] = (("own", "late"),)
    assert read_pack(tmp_path / "plain.bin", MAGIC, "fp") == read_pack(tmp_path / "ahead.bin", MAGIC, "fp") == want
    data = (tmp_path / "ahead.bin").read_bytes()
    assert data.count(b"k0") == 1 and data.count(b"late") == 1, "an entry made ahead was written twice"


def test_a_pack_made_ahead_is_written_only_when_asked(tmp_path: Path) -> None:
    """packs.pack_writer makes a pack's bytes at once and writes them when called: whole for a new
    file, one appended record for the file this process last wrote; what is written is the entries
    as they were when it was made. A folder that cannot be written is not an error."""
    from layout.manifest.packs import pack_writer, read_pack

    path = tmp_path / "p.bin"
    entries = {"a": (1, 2.5, "x")}
    write = pack_writer(path, MAGIC, "fp", entries)
    assert not path.exists(), "written before it was asked"
    entries["b"] = ("later",)
    write()
    assert read_pack(path, MAGIC, "fp") == {"a": (1, 2.5, "x")}
    size = path.stat().st_size
    more = pack_writer(path, MAGIC, "fp", {"a": (1, 2.5, "x"), "c": ("new",)})
    assert path.stat().st_size == size
    more()
    assert read_pack(path, MAGIC, "fp") == {"a": (1, 2.5, "x"), "c": ("new",)}
    assert path.read_bytes().count(b"x") == 1, "the pack was written whole, not grown by the new entry"
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro").chmod(0o500)
    try:
        pack_writer(tmp_path / "ro" / "q.bin", MAGIC, "fp", entries)()
    finally:
        (tmp_path / "ro").chmod(0o700)


def test_paragraph_keys_depend_only_on_the_values() -> None:
    """A paragraph's key is the same for equal parts however they were made (strings interned or
    not, objects shared or copied, in another process) and differs for any changed value, 1 and 1.0
    and True and -0.0 among them; parts that are not plain data still get a key."""
    import subprocess
    import sys
    from pathlib import Path as P

    from layout.text.cache import paragraph_key

    text = "".join(["Loch", " ", "Ness"])  # not interned
    shared = ("body", 9.5)
    a = ("base", ((text, "regular"), (text, "italic")), shared, shared, [1.0, 2.0], None, True, 0.0, 3)
    b = ("base", (("Loch Ness", "regular"), ("Loch Ness", "italic")), ("body", 9.5), ("body", 9.5), [1.0, 2.0],
         None, True, 0.0, 3)  # fmt: skip
    assert paragraph_key(a) == paragraph_key(b)
    code = f"from layout.text.cache import paragraph_key; print(paragraph_key({b!r}))"
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip()
    assert there == paragraph_key(a)
    variants = [a[:-1] + (v,) for v in (3.0, True, 4, -0.0)] + [a[:-2] + (-0.0, 3), a[:4] + ((1.0, 2.0),) + a[5:]]
    keys = {paragraph_key(v) for v in variants} | {paragraph_key(a)}
    assert len(keys) == len(variants) + 1
    assert paragraph_key(("x", P("/a"))) != paragraph_key(("x", P("/b")))


def test_a_pack_is_staged_only_for_the_render_that_forked_the_helper(tmp_path: Path) -> None:
    """A helper stages a pack under its render's number (its parent's); once that render has gone
    (killed: the helper is someone else's child now) it writes nothing, so no temporary is left
    under a number that lives on (the init process's) where no sweep would ever take it."""
    import os

    from layout.manifest.leftovers import temp_prefix
    from layout.manifest.packs import stage_data

    path = tmp_path / "cache" / "paragraphs.bin"
    parts = [b"magic\n", b"x" * 10]
    got = stage_data(path, parts, os.getppid())
    assert got is not None and got[1] == 16
    assert Path(got[0]).name.startswith(temp_prefix(path.name, os.getppid()))
    assert Path(got[0]).read_bytes() == b"".join(parts)
    Path(got[0]).unlink()
    assert stage_data(path, parts, os.getpid()) is None  # not this process's parent: its render is gone
    assert stage_data(path, parts, 1) is None or os.getppid() == 1
    assert not list(path.parent.iterdir())
