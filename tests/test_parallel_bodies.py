"""Story bodies set in two processes (page.parallel): this process lays out the first pages while the
helper sets the later pages' stories and sends each as it is set; whatever the helper does (dies
part way, sends what cannot be read, is interrupted), the PDF is a serial render's bytes, and no
process or file descriptor is left behind."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from layout.page import parallel
from layout.page.compose import Composer
from layout.pdf.draw import write_pdf
from layout.pdf.imports import Stepwise
from layout.pipeline import build


@pytest.fixture()
def serial(issue: Path, tmp_path: Path) -> bytes:
    b = build(issue, cache=False, parallel=False)
    write_pdf(b.composed, tmp_path / "serial.pdf")
    return (tmp_path / "serial.pdf").read_bytes()


def _pdf(issue: Path, tmp_path: Path, name: str) -> bytes:
    b = build(issue, cache=False, parallel=True)
    write_pdf(b.composed, tmp_path / name)
    return (tmp_path / name).read_bytes()


def _no_child_left() -> None:
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child of this process is left, running or dead


def test_the_first_pages_are_laid_out_while_the_helper_sets_the_rest(issue: Path, monkeypatch) -> None:
    """This process sets the first pages' stories and lays out those pages before it waits for the
    helper's paragraphs (the helper takes the later pages' stories, and sends each when it is set)."""
    pages_done, real_page, real_take = [], Composer._page, parallel.Helper.take
    at_take = []

    def page(self, pi):  # type: ignore[no-untyped-def]
        r = real_page(self, pi)
        pages_done.append(pi)
        return r

    def take(self, upto=None):  # type: ignore[no-untyped-def]
        at_take.append(len(pages_done))
        return real_take(self, upto)

    monkeypatch.setattr(Composer, "_page", page)
    monkeypatch.setattr(parallel.Helper, "take", take)
    b = build(issue, cache=False, parallel=True)
    assert at_take and at_take[0] >= 1, "no page was laid out before the helper's share was taken"
    assert at_take[0] < len(b.composed.pages)


def test_an_interrupt_while_laying_out_pages_ends_the_helper(issue: Path, monkeypatch) -> None:
    """Ctrl-C while the first pages are laid out, the helper still at work: it is ended and reaped."""

    def page(self, pi):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(Composer, "_page", page)
    with pytest.raises(KeyboardInterrupt):
        build(issue, parallel=True)
    _no_child_left()


def test_the_helper_sends_each_story_as_it_is_set(issue: Path, tmp_path: Path, serial: bytes, monkeypatch) -> None:
    """Composition takes the helper's stories one by one (not all at once at the end), and the PDF
    is the serial render's."""
    asked: list = []
    real = parallel.Helper.take

    def take(self, upto=None):  # type: ignore[no-untyped-def]
        asked.append(upto)
        return real(self, upto)

    monkeypatch.setattr(parallel.Helper, "take", take)
    assert _pdf(issue, tmp_path, "streamed.pdf") == serial
    steps = [u for u in asked if u is not None]
    assert len(steps) >= 2 and steps == sorted(steps), asked
    assert asked[-1] is None  # then the rest, and the child reaped
    _no_child_left()


def test_a_helper_that_dies_part_way_leaves_the_rest_to_this_process(
    issue: Path, tmp_path: Path, serial: bytes, monkeypatch
) -> None:
    parent, real, done = os.getpid(), Composer.content, []

    def content(self, aid, colw):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            done.append(aid)  # the child's own copy of the list
            if len(done) > 1:
                os._exit(3)  # as a crash or a kill would leave it, one story sent
        return real(self, aid, colw)

    monkeypatch.setattr(Composer, "content", content)
    got: list = []
    real_receive = parallel.receive

    def receive(fd, spool):  # type: ignore[no-untyped-def]
        r = real_receive(fd, spool)
        got.append(r is not None)
        return r

    monkeypatch.setattr(parallel, "receive", receive)
    assert _pdf(issue, tmp_path, "rescued.pdf") == serial
    # (its first word: the issue's checks passed; then one story, then nothing)
    assert got[:3] == [True, True, False], "the helper should have sent one story, then nothing"
    _no_child_left()


def test_what_cannot_be_read_is_set_here(issue: Path, tmp_path: Path, serial: bytes, monkeypatch) -> None:
    """A story the helper sent that cannot be read: the helper is ended and the rest set here."""
    calls = []
    real_receive = parallel.receive

    def receive(fd, spool):  # type: ignore[no-untyped-def]
        calls.append(1)
        return (b"not marshal", None) if len(calls) == 2 else real_receive(fd, spool)

    monkeypatch.setattr(parallel, "receive", receive)
    assert _pdf(issue, tmp_path, "unread.pdf") == serial
    assert len(calls) == 2
    _no_child_left()


def test_no_descriptor_is_left_open(issue: Path, tmp_path: Path) -> None:
    before = set(os.listdir("/proc/self/fd"))
    _pdf(issue, tmp_path, "a.pdf")
    with pytest.raises(KeyboardInterrupt):
        with pytest.MonkeyPatch.context() as m:
            m.setattr(Composer, "_page", lambda self, pi: (_ for _ in ()).throw(KeyboardInterrupt()))
            build(issue, cache=False, parallel=True)
    assert set(os.listdir("/proc/self/fd")) <= before
    _no_child_left()


def test_a_system_that_cannot_fork_renders_in_one_process(
    issue: Path, tmp_path: Path, serial: bytes, monkeypatch
) -> None:
    """fork() refused (the process limit, no memory: EAGAIN, ENOMEM): the render goes on in this
    process alone, bodies and drawing both, with the same bytes, and leaves no descriptor open."""
    import errno

    from typer.testing import CliRunner

    from layout.cli import app

    def no_fork() -> int:
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    before = set(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(os, "fork", no_fork)
    assert _pdf(issue, tmp_path, "nofork.pdf") == serial
    r = CliRunner().invoke(app, ["render", str(issue), "-o", str(tmp_path / "cli.pdf"), "--jobs", "2", "--no-cache"])
    assert r.exit_code == 0, r.output
    assert "Traceback" not in r.output
    assert set(os.listdir("/proc/self/fd")) <= before


def test_a_parallel_render_keeps_the_pack_a_serial_one_keeps(issue: Path, tmp_path: Path) -> None:
    """The helper's stories go into the paragraph pack as the records it sent: read back, the pack
    holds exactly the entries a serial render's does, and a warm render finds every paragraph."""
    from layout.manifest.packs import read_pack
    from layout.pipeline import cache_path
    from layout.text.cache import MAGIC

    def pack(parallel_: bool) -> dict:
        shutil.rmtree(issue / "build", ignore_errors=True)
        b = build(issue, parallel=parallel_)
        b.keep_cache()
        assert b.cache is not None
        return read_pack(cache_path(b.loaded), MAGIC, b.cache.fingerprint)

    serial_pack = pack(False)
    assert pack(True) == serial_pack and len(serial_pack) > 20
    warm = build(issue, parallel=False)
    assert warm.cache is not None and warm.cache.misses == 0


def test_no_spool_file_renders_in_one_process(issue: Path, tmp_path: Path, serial: bytes, monkeypatch) -> None:
    """No anonymous file to spool to (memfd refused, no writable temporary folder): the bodies are
    set here, with the same bytes, and no child is started."""
    import tempfile

    def refused(*a, **k):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "memfd_create", refused, raising=False)
    monkeypatch.setattr(tempfile, "TemporaryFile", refused)
    forks = []
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())
    assert _pdf(issue, tmp_path, "nospool.pdf") == serial
    assert forks == []
    _no_child_left()


def test_presetting_a_story_sets_what_placing_it_sets_first(issue: Path, monkeypatch) -> None:
    """The helper sets each of its stories' header, captions and pull quotes with the body
    (Composer.preset): by the very calls placing the story makes, so that placing it here sets none
    of them again (only furniture, and what depends on the page: jumps, blocks moved or narrowed)."""
    from collections import Counter

    from layout.text.typeset import Typesetter

    set_when_placed: Counter = Counter()
    real_compose, real_place, real_set = Composer.compose, Composer._place, Typesetter._set
    placing: list[bool] = [False]

    def compose(self):  # type: ignore[no-untyped-def]
        for aid, colw, _, places in parallel._stories(self):
            content = self.content(aid, colw)
            for place in places:
                self.preset(content, *place)
        return real_compose(self)

    def place(self, page, slot, *a):  # type: ignore[no-untyped-def]
        placing[0] = slot.jump is None
        try:
            return real_place(self, page, slot, *a)
        finally:
            placing[0] = False

    def set_(ts, runs, role, *a):  # type: ignore[no-untyped-def]
        if placing[0]:
            set_when_placed[role.name] += 1
        return real_set(ts, runs, role, *a)

    monkeypatch.setattr(Composer, "compose", compose)
    monkeypatch.setattr(Composer, "_place", place)
    monkeypatch.setattr(Typesetter, "_set", set_)
    b = build(issue, parallel=False)
    assert b.composed.stories >= 5
    presettable = {"kicker", "headline", "deck", "byline", "caption", "credit", "pull_quote", "attribution"}
    assert not (set_when_placed.keys() & presettable), set_when_placed


def test_the_helper_hashes_the_photos_once_its_stories_are_sent(issue: Path, monkeypatch) -> None:
    """The photos' names in the PDF (hashes of their bytes) are made by the helper at its idle end
    and taken here with its last story, so that drawing here hashes none; what it sends that is not
    a digest of a photo's version is not taken."""
    import hashlib

    from layout.pdf import photodigests, photonames

    photonames._digests.clear()
    parent, hashed_here, real = os.getpid(), [], photonames.file_digest

    def file_digest(path):  # type: ignore[no-untyped-def]
        if os.getpid() == parent:
            hashed_here.append(path)
        return real(path)

    monkeypatch.setattr(photonames, "file_digest", file_digest)
    b = build(issue, cache=False, parallel=True)
    photos = [p for ps in b.loaded.photo_files.values() for p in ps]
    assert photos and hashed_here == [], "this process hashed photos the helper had hashed"
    for p in photos:
        st = os.stat(p)
        version = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        assert photonames.digest_of(version) == hashlib.sha256(p.read_bytes()).hexdigest()[:32], p
    _no_child_left()
    photonames._digests.clear()
    photodigests.take({(1, 2, 3, 4, 5): "x" * 32, (1, 2): "0" * 32, "k": "0" * 32, (1, 2, 3, 4, True): "0" * 32})
    photodigests.take(["not", "a", "dict"])
    assert photonames._digests == {}


def test_while_the_next_story_is_not_in_the_jobs_given_run_in_turn(monkeypatch) -> None:
    """While the child's next story is not in, composition runs the jobs it was given, each again and
    again until it says it has nothing left, then the next; a story in is taken at once; a job that
    has said so is not asked again. The render gives the drawing's imports as such a job."""
    calls: list[str] = []
    ready = iter([False, False, False, False, True, False, True])
    monkeypatch.setattr(parallel, "_ready", lambda fd: next(ready))

    class Cache:
        fingerprint = "fp"

        def adopt(self, entries: dict, data: bytes) -> None:
            calls.append("story")

    class Comp:
        cache = Cache()
        awaiting = None

    sent = iter([(b"1", ("fp", {})), (b"2", ("fp", {}))])
    monkeypatch.setattr(parallel, "receive", lambda fd, spool: next(sent))
    h = object.__new__(parallel.Helper)
    h.comp, h.theirs, h.got, h.reaped, h.after, h.fd, h.spool = Comp(), {"a": 0, "b": 1}, 0, False, None, -1, -1
    h.heard = True
    ahead = iter([True, True, False])
    h.idle = [lambda: calls.append("ahead") or next(ahead)]
    h.meanwhile(lambda: calls.append("imports") or False)
    h.take(1)
    assert calls == ["ahead", "ahead", "ahead", "imports", "story"]
    h.take(2)
    assert calls[5:] == ["story"] and h.idle == [], "no job left to ask while the second story was not in"

    import subprocess
    import sys

    from layout import pipeline

    # The drawing modules, a step at a time, in a process that has not imported them: none imported by
    # the pipeline itself (nor ReportLab), all of them once the job says it is done, one module a step.
    code = (
        "import sys, layout.pipeline;"
        "from layout.pdf.imports import STEPS, Stepwise;"
        "names = ['layout.pdf.' + m for m in ('draw', 'pardraw', 'subsets', 'textops')];"
        "assert not any(n in sys.modules for n in names) and 'reportlab.pdfgen.canvas' not in sys.modules;"
        "job = Stepwise(); steps = 0\n"
        "while job(): steps += 1\n"
        "assert steps == len(STEPS) and all(n in sys.modules for n in names) and job() is False;"
        "bad = Stepwise(('no_such_module_here', 'layout.pdf.draw')); assert bad() and bad() and not bad()"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    given: list[object] = []

    class Fake:
        def __init__(self, *a: object) -> None:
            pass

        meanwhile = given.append

        def __getattr__(self, name: str) -> object:
            raise RuntimeError("stop here")

    monkeypatch.setattr(pipeline, "start_helper", Fake)
    with pytest.raises(RuntimeError):
        build(Path(__file__).resolve().parent.parent / "issues" / "2026-12-03", cache=False, parallel=True)
    assert len(given) == 1 and isinstance(given[0], Stepwise)


def _checks_here(monkeypatch: pytest.MonkeyPatch, in_helper: Callable[[], object] | None = None) -> list[bool]:
    """The input's checks, recorded where they run here (True); in the helper, `in_helper` runs first."""
    from layout import pipeline

    parent, ran = os.getpid(), []
    real = pipeline._check_input

    def check_input(*a):  # type: ignore[no-untyped-def]
        if os.getpid() == parent:
            ran.append(True)
        elif in_helper is not None:
            in_helper()
        return real(*a)

    monkeypatch.setattr(pipeline, "_check_input", check_input)
    return ran


def _refuse_glyph(issue: Path, text: str = "The shower &#x4ECA; tonight.\n\n") -> None:
    """No fallback fonts, and a body that starts with `text` (by default a glyph no font has)."""
    style = issue / "styles" / "lodestar.yaml"
    style.write_text(style.read_text(encoding="utf-8") + "\nfallback_fonts: []\n", encoding="utf-8")
    body = issue / "articles" / "geminids.md"
    body.write_text(text + body.read_text(encoding="utf-8"), encoding="utf-8")


def _problems(issue: Path, parallel_: bool) -> list[str]:
    from layout.manifest.errors import InvalidInput

    with pytest.raises(InvalidInput) as e:
        build(issue, cache=False, parallel=parallel_)
    _no_child_left()
    return [str(p) for p in e.value.problems]


def test_the_helper_checks_the_input_and_what_it_refuses_is_said_here(issue: Path, monkeypatch) -> None:
    """A cold render leaves the Markdown and glyph checks to the helper, which runs them before its
    stories: sound input is not checked here again; input they refuse is refused here with the very
    problems a serial render gives (found again here once the helper has said so)."""
    ran = _checks_here(monkeypatch)
    build(issue, cache=False, parallel=True)
    assert ran == [], "the helper's checks passed: none ran here"  # (the child's own list is its copy)
    build(issue, cache=False, parallel=False)
    assert ran == [True]
    body = issue / "articles" / "geminids.md"
    text = body.read_text(encoding="utf-8")
    _refuse_glyph(issue, "")  # (no fallback fonts)
    for bad, said in (("```\ncode\n```\n\n", "code block"), ("The shower &#x4ECA; tonight.\n\n", "U+4ECA")):
        body.write_text(bad + text, encoding="utf-8")
        ran.clear()
        serial = _problems(issue, False)
        assert any(said in p for p in serial), serial
        assert _problems(issue, True) == serial
        assert ran == [True, True], "refused input is checked here again, for its problems"

    def compose(self):  # type: ignore[no-untyped-def]
        raise RuntimeError("what composing such input might raise")

    monkeypatch.setattr(Composer, "compose", compose)
    assert _problems(issue, True) == serial, "the input's problems, not what composing it raised"


def test_a_helper_that_dies_before_its_checks_leaves_them_here(
    issue: Path, tmp_path: Path, serial: bytes, monkeypatch
) -> None:
    ran = _checks_here(monkeypatch, lambda: os._exit(3))  # as a crash would leave it: nothing sent
    assert _pdf(issue, tmp_path, "rescued.pdf") == serial
    assert ran == [True]
    _no_child_left()


def test_input_the_helper_refuses_is_not_set_at_length(issue: Path, tmp_path: Path, monkeypatch) -> None:
    """The helper's word that the input is invalid comes first: it then sets none of its stories,
    and this process stops setting its own as soon as the word is in (a hostile body is refused
    without being set first), raising the problems a serial render raises."""
    import time

    _refuse_glyph(issue)
    serial = _problems(issue, False)
    parent, mine, theirs = os.getpid(), [], tmp_path / "theirs.txt"
    real = Composer.content

    def content(self, aid, colw):  # type: ignore[no-untyped-def]
        if os.getpid() == parent:
            mine.append(aid)
            time.sleep(0.05)  # (slow enough for the helper's word to come in between two stories)
        else:
            with theirs.open("a") as f:
                f.write(aid + "\n")
        return real(self, aid, colw)

    monkeypatch.setattr(Composer, "content", content)
    assert _problems(issue, True) == serial
    assert mine and len(mine) <= 3, f"this process went on setting its stories: {mine}"
    assert not theirs.exists(), "the helper set stories after refusing the input"


def test_checks_that_fail_otherwise_in_the_helper_are_run_here(
    issue: Path, tmp_path: Path, serial: bytes, monkeypatch
) -> None:
    """Checks that raise something else in the helper (not a verdict on the input) are run here at
    the end; the render is a serial one's."""

    def fail() -> None:
        raise RuntimeError("as a bug or a lack of memory would")

    ran = _checks_here(monkeypatch, fail)
    assert _pdf(issue, tmp_path, "checked-here.pdf") == serial
    assert ran == [True]
    _no_child_left()
