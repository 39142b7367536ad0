"""The pipeline up to the frames: manifest -> validated model -> style -> glyph check -> composed pages.

Reads an issue folder; produces `Built` (the loaded issue, the style and the `Composed` frames) that
every output (PDF, proof, print, archive) starts from, or raises `InvalidInput` with every problem.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path

from .manifest.errors import InvalidInput, Location, Problem
from .manifest.files import inside, real, user_cache_dir
from .manifest.fontinfo import FontCache
from .manifest.load import LoadedIssue, load_issue
from .manifest.packs import drop_staged
from .manifest.problems import path_name
from .page.compose import Composer
from .page.frames import Composed, TextItem
from .page.parallel import CHECKS_SHARE, Helper, Refused, look_early, spare_core, worth_it
from .page.parallel import start as start_helper
from .pdf import photodigests
from .pdf.imports import Stepwise
from .pdf.pagecache import PageCache
from .pdf.pagecache import fingerprint as page_fingerprint
from .pdf.photodigests import Hashing
from .text import parsed
from .text.cache import ParagraphCache, code_fingerprint, style_fingerprint, style_fonts
from .text.glyphcheck import check_glyphs
from .text.hyphenate import use_house
from .text.style import Style, load_style

TYPE_CHECKING = False  # as typing's; the session (and what only it uses) is `issue serve`'s, not a plain render's
if TYPE_CHECKING:
    from .session import Session


@dataclass
class Built:
    loaded: LoadedIssue
    style: Style
    composed: Composed
    cache: ParagraphCache | None = None
    fonts: FontCache | None = None
    pages: PageCache | None = None  # drawn pages kept between renders (for the screen PDF)
    # Whether a core was free when the build began, before it forked anything of its own (asked
    # once: asked again at drawing, the build's own children, just ended, can make a core look busy).
    free: Callable[[], bool] = spare_core
    _pages_pack: Callable[[], None] | None = None  # the page pack made ahead (`prepare_packs`)
    owner: int = field(default_factory=os.getpid)  # the process that built it (and puts its packs in place)

    def pack_state(self) -> tuple:
        """What the paragraph and font packs depend on (see `made_packs`)."""
        return (self.cache.state() if self.cache else None, self.fonts.state() if self.fonts else None)

    def keeps_packs(self) -> bool:
        """Whether `keep_cache` writes the paragraph or font pack at all (not with --no-cache)."""
        return any(c is not None and c.path is not None for c in (self.cache, self.fonts))

    def made_packs(self) -> tuple[tuple[str, int] | None, tuple[str, int] | None]:
        """The paragraph and font packs as `keep_cache` would write them whole, written to temporaries
        (None: it would write nothing, or add to a pack this process read): by a helper process forked
        after the build, so that this one only puts them in place (or `drop_staged` removes them)."""
        owner = self.owner
        return (self.cache.staged(owner) if self.cache else None, self.fonts.staged(owner) if self.fonts else None)

    def missing_folders(self) -> list[Path]:
        """The pack folders that do not exist yet (the deepest first): a helper staging the packs
        makes them, and `drop_staged` removes them again if nothing is kept there."""
        paths = {c.path.parent for c in (self.cache, self.fonts) if c is not None and c.path is not None}
        return [d for p in paths for d in (p, p.parent) if not d.exists()]

    def drop_staged(self, made: list[Path]) -> None:
        """Remove the packs a helper staged that `keep_cache` did not put in place, and the folders
        `made` for them (`missing_folders`) if they are empty: a render that writes no PDF leaves
        nothing behind."""
        for c in (self.cache, self.fonts):
            if c is not None and c.path is not None:
                drop_staged(c.path)
        for d in made:
            try:
                d.rmdir()
            except OSError:  # something is kept there (or it was never made)
                pass

    def prepare_packs(self) -> None:
        """Make the page pack's bytes now, for `keep_cache` only to write them: while the output is
        being put in place (a rename over an earlier PDF waits for the new one's blocks, 15-25 ms)."""
        if self.pages is not None:
            self._pages_pack = self.pages.prepare()

    def keep_cache(self, made: object = None) -> None:
        """Write the set paragraphs (and parsed fonts) back for the next build (after the output
        is written: a render that writes nothing leaves nothing behind). `made`: what `made_packs`
        gave in a helper forked in this very `pack_state` (anything else is ignored)."""
        paragraphs, fonts = made if isinstance(made, tuple) and len(made) == 2 else (None, None)
        if self.cache is not None:
            self.cache.save(paragraphs)
        if self.fonts is not None:
            self.fonts.save(fonts)
        if self.pages is not None:
            write, self._pages_pack = self._pages_pack or self.pages.prepare(), None
            write()
            photos = [p for ps in self.loaded.photo_files.values() for p in ps]
            photodigests.keep(cache_path(self.loaded).with_name("photos.bin"), photos)


def build(
    issue_path: Path,
    breaker: str = "total",
    on_loaded: Callable[[LoadedIssue], None] | None = None,
    tick: Callable[[], None] | None = None,
    cache: bool = True,
    parallel: bool | None = None,
    session: Session | None = None,
) -> Built:
    """Validate and lay out an issue; raise InvalidInput with every problem found.
    `on_loaded` hears of the validated manifest; `tick` of each page laid out. With `cache`,
    set paragraphs are read from ISSUE/build/.cache/ (Built.keep_cache writes them back).
    `parallel` sets story bodies in two processes (None: where it pays, see page.parallel).
    `session` keeps, between builds in this process, what the caches would read from disk again
    (with `cache` only: --no-cache sets everything afresh)."""
    session = session if cache else None
    if session is None:
        return _build(issue_path, breaker, on_loaded, tick, cache, parallel, None)
    session.drop_changed_fonts()
    mark = session.fonts_mark()
    try:
        b = _build(issue_path, breaker, on_loaded, tick, cache, parallel, session)
        if session.fonts_ambiguous(mark):
            # Two font files wanted one name, and faces loaded by earlier builds took names first: the
            # PDF would name fonts unlike a fresh process. Once more, with the process's fonts forgotten.
            session.reset_fonts()
            b = _build(issue_path, breaker, on_loaded, tick, cache, parallel, session)
    finally:
        session.note_fonts()  # the version of each font file loaded, to notice a change
    return b


def _build(
    issue_path: Path,
    breaker: str,
    on_loaded: Callable[[LoadedIssue], None] | None,
    tick: Callable[[], None] | None,
    cache: bool,
    parallel: bool | None,
    session: Session | None,
) -> Built:
    if parallel is None:
        look_early()  # whether a core is free is asked later (see `free` below)
    li = load_issue(issue_path, session.reads if session else None)
    local = cache and cache_folder(li) is not None
    placed = dict.fromkeys(s.article for p in li.issue.pages for s in p.stories if s.article is not None)
    photos = [p for a in placed for p in li.photo_files.get(a, [])]
    if local:
        photodigests.load(cache_path(li).with_name("photos.bin"))  # the photos' names, without reading them
    # Whether a core is free, asked once, before this render forks a child of its own (a child
    # hashing photos is runnable when the body helper's turn comes: asked then, a core looks busy).
    free = lru_cache(maxsize=1)(spare_core)
    with photodigests.hashing(photos, parallel, free) as hashing:  # those not named yet, by a child meanwhile
        session = session if local else None
        fonts_path = cache_path(li).with_name("fonts.bin")
        house = user_cache_dir() / "fonts" if cache else None
        use_house(user_cache_dir() if cache else None)  # parsed hyphenation patterns likewise
        fonts = session.font_cache(fonts_path, house) if session else FontCache(fonts_path if local else None, house)
        style = (session.style if session else load_style)(li.style_file, li.folder, fonts)
        pc = None
        if cache or parallel is not False:
            sfp = (session.style_fingerprint if session else style_fingerprint)(style, li.issue.language, breaker)
            fp = f"{code_fingerprint()}:{sfp}"
            faces = list(style_fonts(style).values())
            if session is not None:
                pc = session.paragraph_cache(cache_path(li), fp, faces)
            else:
                pc = ParagraphCache(cache_path(li) if local else None, fp, faces)
        use_parallel = parallel if parallel is not None else worth_it(li, pc.loaded if pc else 0, free)
        if not local and not use_parallel:
            pc = None  # nothing to keep and nothing to pass between processes
        memo = (session.story_memo(pc), session.page_memo(pc)) if session else (None, None)
        comp = Composer(li, style, breaker, tick, pc, *memo)
        # A helper process sets its share of the bodies while this one sets its own, and then (unless a child
        # does already) hashes the placed stories' photos (their names in the PDF), which drawing would do here.
        after = None if hashing else partial(photodigests.made, photos, True)
        glyph_memo = session.glyph_memo(pc.fingerprint) if session and pc else None
        checks = partial(_check_input, li, style, pc, glyph_memo)
        # A cold render has the helper check the bodies and every field's glyphs (8-12 ms) before it
        # sets its stories: it has time to spare, this process has none. Unless the helper says they
        # passed, they are checked here once composition is done (the same problems, raised).
        elsewhere = use_parallel and session is None
        helper = start_helper(comp, CHECKS_SHARE, after, checks if elsewhere else None) if use_parallel else None
        if helper:
            helper.meanwhile(Stepwise())  # the drawing modules, a step at a time
        try:
            if helper is None or not elsewhere:
                checks()
        except BaseException:
            if helper:
                helper.abandon()
            raise
        if on_loaded:
            on_loaded(li)
        if helper:
            try:
                helper.set_mine()  # the child's stories are taken as composition first needs each
            except Refused:  # (the helper is ended)
                checks()  # raises the problems the helper found
        pages = None
        if local and pc:
            pages_path, pages_fp = cache_path(li).with_name("pages.bin"), page_fingerprint(fp)
            pages = session.page_cache(pages_path, pages_fp) if session else PageCache(pages_path, pages_fp)
        composed = _compose(comp, helper, hashing, checks if elsewhere else None)
        if session is not None:
            session.composed(pc)
        return Built(li, style, composed, pc, fonts, pages, free)


def tune_gc() -> None:
    """Garbage collection for a build: a build makes hundreds of thousands of small objects with no
    cycles among them (lines, spans), which the collector would scan again and again (7-10 % of a
    render). Freeze what is loaded so far (modules, schemas) out of its reach and collect rarely."""
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


@contextmanager
def no_collection() -> Iterator[None]:
    """For a process that renders once and exits (`issue render`): tune_gc, and no cycle collection
    at all while the render runs. Even rare passes (32) took 0.04-0.07 s of a 16-page render and
    freed next to nothing (peak memory at 64 pages: 219 MiB collecting, 222 MiB not). The collector
    is on again afterwards if it was before (a caller in a test's process); long-lived processes
    (serve, watch) use tune_gc and collect."""
    was = gc.isenabled()
    tune_gc()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def cache_folder(li: LoadedIssue, sub: str = "") -> Path | None:
    """ISSUE/build/.cache (or `sub` in it) resolved, or None when it leads out of the issue folder (a
    symlinked build/ or .cache/): the issue's packs are read and written only inside its folder."""
    return inside(li.folder, os.path.join("build", ".cache", sub))


def cache_path(li: LoadedIssue) -> Path:
    """Where an issue's set paragraphs are kept between renders."""
    return li.folder / "build" / ".cache" / "paragraphs.bin"


def _compose(
    comp: Composer, helper: Helper | None, hashing: Hashing | None, checks: Callable[[], None] | None
) -> Composed:
    """Lay the pages out, taking the helper's stories and then its photos' names; `checks`, left to
    the helper, are run here unless it said they passed."""
    try:
        composed = comp.compose()
        if helper:
            helper.take()  # its paragraphs go into the cache even if no page asked for them
            photodigests.take(helper.after)
        if hashing:
            hashing.take()
    except Exception:
        if helper:
            helper.abandon()
            if checks is not None and not helper.passed:
                checks()  # input the checks refuse is said as such, whatever composing it raised
        raise
    except BaseException:
        if helper:
            helper.abandon()
        raise
    if helper and checks is not None and not helper.passed:
        checks()  # (raises what the helper found, or finds nothing: it failed otherwise)
    return composed


def _check_input(li: LoadedIssue, style: Style, pc: ParagraphCache | None, memo: dict | None) -> None:
    """The bodies' Markdown and every text's glyphs: InvalidInput with the problems found."""
    _check_markdown(li, pc)
    check_glyphs(li, style, pc, memo)


def _check_markdown(li: LoadedIssue, pc: ParagraphCache | None = None) -> None:
    """Markdown a newspaper column does not set (images, code blocks, undefined footnotes)
    is refused by file and line rather than dropped or printed as typed."""
    problems = []
    for aid, body in li.bodies.items():
        for line, msg in parsed.unsupported(pc, body):
            f = li.body_files.get(aid)
            if f is not None:
                problems.append(Problem(f"articles.{aid}.body: {msg}", Location(f, line, 1)))
            else:
                problems.append(
                    Problem(
                        f"articles.{aid}.body, line {line} of the text: {msg}", li.smap.value(("articles", aid, "body"))
                    )
                )
    if problems:
        raise InvalidInput(problems)


def refuse_input_as_output(out: Path, b: Built) -> None:
    """Raise InvalidInput if `out` is one of the files the issue is made from (the manifest, an
    article, a photo, the style sheet, a font), by any name: symlinks are followed and hard links
    compared by inode. Also refuse a folder as the output."""
    li = b.loaded
    if out.is_dir():
        raise InvalidInput([Problem(f"-o {out}: is a folder; name the PDF to write")])
    if out.exists() and not out.is_file():  # a device or pipe: renaming over it would replace it
        raise InvalidInput([Problem(f"-o {out}: is not a regular file (a device or a pipe); nothing was written")])
    if out == default_output(li):
        refuse_default_outside(out, li)
    try:
        target = out.resolve()
    except RuntimeError:  # pathlib's word for a loop of symlinks
        raise InvalidInput([Problem(f"-o {out}: a loop of symbolic links; nothing was written")]) from None
    named: list[tuple[Path, tuple]] = [(li.manifest, ())]
    named += [(p, ("articles", aid, "body")) for aid, p in li.body_files.items() if p]
    named += [
        (p, ("articles", aid, "photos", i, "file")) for aid, ps in li.photo_files.items() for i, p in enumerate(ps)
    ]
    if li.style_file:
        named.append((li.style_file, ("style",)))
    named += [(Path(f), ("style",)) for fam in b.style.sheet.fonts.values() for f in fam.values()]
    target_name, out_id = str(target), _file_id(out)
    for p, path in named:
        # An output that exists is an input when it is the same file (device and inode: by any name,
        # symbolic or hard link); one that does not yet exist, when an input resolves to its path
        # (an input gone since it was read). Each input is looked at once either way.
        same = _file_id(p) == out_id if out_id is not None else real(p) == target_name
        if same:
            what = "the manifest" if not path else f"an input ({path_name(path)} names it)"
            msg = f"-o {out}: that is {what}; an output never overwrites an input, so nothing was written"
            raise InvalidInput([Problem(msg, li.smap.value(path) if path else Location(li.manifest, 1, 1))])


def _file_id(p: Path) -> tuple[int, int] | None:
    """The file `p` names (device, inode; symlinks followed), or None if there is none."""
    try:
        st = os.stat(p)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def refuse_default_outside(out: Path, li: LoadedIssue) -> None:
    """Raise InvalidInput if a default output (under ISSUE/build/) resolves outside the issue
    folder: a build/ symlinked elsewhere (an issue from a zip) must not aim every command's files."""
    try:
        out_of_it = not out.resolve().is_relative_to(li.folder.resolve())
    except RuntimeError:  # a loop of symlinks (pathlib's word for it) leads nowhere
        out_of_it = True
    if out_of_it:
        msg = f"{out}: the default output leads out of the issue folder (a symlinked build/?); pass -o to say where"
        raise InvalidInput([Problem(msg, Location(li.manifest, 1, 1))])


def default_output(li: LoadedIssue) -> Path:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", li.issue.publication).strip("-").lower() or "issue"
    return li.folder / "build" / f"{slug}-{li.issue.date.isoformat()}.pdf"


def body_lines(composed: Composed) -> list[TextItem]:
    return [it for p in composed.pages for it in p.items if isinstance(it, TextItem) and it.role == "body"]
