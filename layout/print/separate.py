"""The print rendition's photos, separated before drawing: in two processes on a machine of two cores.

Reads the photos in the order the pages draw them, the print settings and each photo's largest
placed width; produces, for each, its `PrintPhoto` and the file in `folder` its CMYK JPEG waits in
until the PDF is written (None for one stored losslessly, whose pixels stay in the PrintPhoto). A
photo an earlier render separated is taken from those kept (print/photocache) as it is. Of the
rest, a forked child separates every other photo while this process separates the others, each
result spooled as soon as it is made (page.parallel), and all are kept for the next render. A photo
separates to the same bytes in either process, so the PDF is a serial render's. A child that fails
leaves its photos to this process; an interrupt ends and reaps it.
"""

from __future__ import annotations

import os
from dataclasses import replace
from functools import partial
from pathlib import Path

from ..page.forks import fork_streaming, reap, receive
from ..page.parallel import cores
from .photocache import PhotoCache
from .photos import PrintPhoto, prepare
from .settings import PrintSettings

Separated = dict[Path, tuple[PrintPhoto, Path | None]]


def separate(
    paths: list[Path],
    s: PrintSettings,
    widths: dict[Path, float],
    folder: Path,
    parallel: bool | None = None,
    kept: PhotoCache | None = None,
) -> Separated:
    """Every photo of `paths` separated (see the module's note), in their order; in two processes
    on a system of two cores or more (`parallel` None) or when asked (True, where it can fork). Those
    `kept` holds are taken from it; the others are added to it."""
    done: dict[int, tuple[PrintPhoto, Path | None]] = {}
    keys = [kept.key(p, widths.get(p, 0.0)) if kept is not None else None for p in paths]
    for i, p in enumerate(paths):
        note = kept.take(keys[i], _file(folder, i)) if kept is not None else None
        if note is not None:
            done[i] = (PrintPhoto(p, *note, b"", "jpeg"), _file(folder, i))
    missing = [i for i in range(len(paths)) if i not in done]
    # Seconds of work a photo or two: two processes pay even beside other work (one core kept busy by
    # another program, 16 pages: 16.3 s against 18.8 s in one), so a second core is enough.
    two = parallel if parallel is not None else cores() >= 2
    theirs = missing[1::2] if len(missing) > 1 and two and hasattr(os, "fork") else []
    helper = _start(paths, theirs, s, widths, folder)
    try:
        for i in missing:
            if helper is None or i not in theirs:
                done[i] = _separate(i, paths[i], s, widths, folder)
        if helper is not None:
            pid, fd, spool = helper
            for _ in theirs:
                got = receive(fd, spool)
                taken = _taken(got[1] if got is not None else None, paths, folder)
                if taken is None or taken[0] not in theirs or taken[0] in done:
                    break  # the child failed (or sent a photo not its own): the rest are separated below
                done[taken[0]] = taken[1]
        for i, p in enumerate(paths):
            if i not in done:
                done[i] = _separate(i, p, s, widths, folder)
    finally:
        if helper is not None:
            reap(helper[0], helper[1])
            os.close(helper[2])
    if kept is not None:
        for i in missing:
            ph, f = done[i]
            if f is not None:
                kept.add(keys[i], ph, f)
    return {p: done[i] for i, p in enumerate(paths)}


def _start(
    paths: list[Path], theirs: list[int], s: PrintSettings, widths: dict[Path, float], folder: Path
) -> tuple[int, int, int] | None:
    """A child separating the photos at the indexes `theirs`, or None (none to give, no fork)."""
    if not theirs:
        return None
    try:
        return fork_streaming([partial(_in_child, i, paths[i], s, widths, folder) for i in theirs])
    except OSError:  # no spool file, memory or process to fork: all are separated here
        return None


def _separate(i: int, path: Path, s: PrintSettings, widths: dict[Path, float], folder: Path) -> tuple:
    """The photo separated, its JPEG written to `folder` (named by its place in the order)."""
    ph = prepare(path, s.profile, s.ink_limit, widths.get(path, 0.0))
    if ph.encoding != "jpeg":
        return ph, None
    f = _file(folder, i)
    f.write_bytes(ph.data)
    return replace(ph, data=b""), f  # the file holds the bytes now


def _file(folder: Path, i: int) -> Path:
    """Where the `i`th photo's separated JPEG waits (whichever process made it, or the kept one)."""
    return folder / f"{i}.jpg"


def _in_child(i: int, path: Path, s: PrintSettings, widths: dict[Path, float], folder: Path) -> tuple:
    """`_separate` as plain data, to send."""
    ph, f = _separate(i, path, s, widths, folder)
    return (i, ph.source_profile, ph.ink_before, ph.ink_after, ph.data, ph.encoding, f.name if f else "")


def _taken(got: object, paths: list[Path], folder: Path) -> tuple[int, tuple[PrintPhoto, Path | None]] | None:
    """A result the child sent, checked for its shape (and its file for being there); None if not."""
    if not (isinstance(got, tuple) and len(got) == 7):
        return None
    i, source, before, after, data, encoding, name = got
    if not (type(i) is int and 0 <= i < len(paths) and type(source) is str and type(data) is bytes):
        return None
    if not (type(before) is float and type(after) is float and encoding in ("jpeg", "flate")):
        return None
    f = None
    if encoding == "jpeg":
        f = _file(folder, i)
        if name != f.name or not f.is_file():
            return None
    return i, (PrintPhoto(paths[i], source, before, after, data, encoding), f)
