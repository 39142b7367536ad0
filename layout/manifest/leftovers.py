"""Temporary names that say whose they are, and the sweep of those a killed process left behind.

Every file or folder we write is first made under a hidden temporary name beside its place
(`files.atomic_write`, `files.atomic_folder`, a cache pack, the print rendition's separated photos)
and removed however the process stops, but for SIGKILL, an out-of-memory kill or a power cut: then
it stays, 31 MB for a 16-page screen PDF, 110 MB more for the print rendition's photos, and
nothing would ever remove it. So each temporary name carries its owner: `.NAME.PID-HOST.XXXXXXXX`
and a suffix, HOST a hash of this machine's name and pid namespace. Before a process makes one for
NAME, it removes those for the same NAME whose owner is gone: made on this machine and namespace (a
process on another machine or in another container sharing the folder cannot be asked) by a
process that no longer exists. A running render's
temporaries are never touched (its process exists), nor anything not of exactly that form:
symbolic links, other names, another user's files.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

SUFFIXES = ("tmp", "tmp.raw", "photos", "partial")  # what our writers append to a temporary name
_NAME_MAX = 255  # bytes: a longer temporary name could not be made where the output can
_host: list[str] = []


def host_tag() -> str:
    """Eight hex digits naming where this process's pids mean something: the machine's node name
    and its pid namespace (two containers sharing a folder and a host name number their processes
    apart; one must never take the other's live work for a dead process's), hashed."""
    if not _host:
        try:
            space = os.readlink("/proc/self/ns/pid")
        except OSError:  # no /proc (not Linux): the node name alone
            space = ""
        where = f"{os.uname().nodename}\0{space}".encode("utf-8", "surrogateescape")
        _host.append(hashlib.blake2b(where, digest_size=4).hexdigest())
    return _host[0]


def _stem(name: str) -> str:
    """`name` cut (at a character) so that the longest temporary name for it fits in NAME_MAX."""
    room = _NAME_MAX - len(f"..{9999999}-{host_tag()}.XXXXXXXX.tmp.raw")
    while len(name.encode("utf-8", "surrogateescape")) > room:
        name = name[:-1]
    return name


def temp_prefix(name: str, pid: int | None = None) -> str:
    """The prefix for mkstemp/mkdtemp of a temporary for the file or folder `name`: it names this
    process (or `pid`, the process whose work it is) and machine, so a later process can tell a dead
    one's leftovers from live work."""
    return f".{_stem(name)}.{os.getpid() if pid is None else pid}-{host_tag()}."


def _pattern(name: str) -> re.Pattern[str]:
    ends = "|".join(re.escape(s) for s in SUFFIXES)
    return re.compile(rf"\.{re.escape(_stem(name))}\.([0-9]{{1,7}})-([0-9a-f]{{8}})\.[a-z0-9_]{{8}}\.(?:{ends})")


def _gone(pid: int) -> bool:
    """Whether process `pid` has ended on this machine: it does not exist, or is a zombie (killed,
    not yet reaped by its parent: it writes nothing more). One of another user's exists."""
    if pid < 1 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # EPERM: it exists, someone else's
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rpartition(b")")[2].split()[:1] == [b"Z"]  # the state follows the name's ")"
    except OSError:
        return False


def sweep(folder: Path, name: str) -> int:
    """Remove from `folder` the temporaries for `name` that a process on this machine left when it
    was killed; how many were removed. Never raises: a sweep that cannot look or remove leaves it."""
    pattern = _pattern(name)
    me = os.getuid() if hasattr(os, "getuid") else None
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for e in entries:
        m = pattern.fullmatch(e.name)
        if m is None or m.group(2) != host_tag() or not _gone(int(m.group(1))):
            continue
        try:
            st = e.stat(follow_symlinks=False)
            if me is not None and st.st_uid != me:
                continue
            if e.is_dir(follow_symlinks=False):
                shutil.rmtree(e.path)  # removes links inside, never what they lead to
            elif e.is_file(follow_symlinks=False):
                os.unlink(e.path)
            else:
                continue  # a symbolic link, a pipe: not ours to remove
            removed += 1
        except OSError:
            continue
    return removed
