"""Writing output files safely, and the house folders (fonts, shared assets) every issue may use.

`atomic_write(out)` yields a temporary path beside `out`; on success the file gets the mode the
umask gives a new file (0644 under umask 022) and is renamed over `out`; on any failure, Ctrl-C,
SIGTERM or SIGHUP the temporary file is removed, so an earlier good file is never half-overwritten
and no `.tmp` litters the folder. Every layer that writes a file (PDF, proofs, archives, print
files) uses it; it lives here, in the lowest layer, so that all of them may import it.

`atomic_folder(out)` does the same for a whole folder (`issue new`, an archive's bag): it is
filled as a hidden folder beside `out` and renamed into place whole, or removed.

`house_dir("fonts" | "assets")` finds the house folders whether the package runs from a source
checkout (the repository's top-level `fonts/` and `assets/`) or from an installed wheel (the same
folders shipped as package data, `layout/fonts` and `layout/assets`). `resolve_ref` turns a path
written in a manifest or a style sheet into a file, refusing any that leaves its folder.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .leftovers import sweep, temp_prefix
from .renaming import Renaming

HOUSE_PREFIX = "@house/"  # a manifest or style path starting so is inside the house assets/ folder
_PACKAGE = Path(__file__).resolve().parents[1]  # the `layout` package folder
_umask_lock = threading.Lock()


class Terminated(BaseException):
    """The process was asked to stop (SIGTERM, SIGHUP) while writing; cleanup has run."""

    def __init__(self, signum: int):
        super().__init__(f"terminated by {signal.Signals(signum).name}")
        self.signum = signum


def house_dir(name: str) -> Path:
    """The house folder `name` (fonts or assets): package data when installed, else the checkout's."""
    inside = _PACKAGE / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / name


_PROC_FD = hasattr(os, "O_PATH") and os.path.isdir("/proc/self/fd")


def real(p: Path | str) -> str:
    """`str(Path(p).resolve())`, as the kernel names an existing file or folder once opened (an open
    without reading and a readlink: a load resolves hundreds of paths, and pathlib lstat's each
    component of each in Python); pathlib's own walk for a path that cannot be opened so (missing,
    a dangling symlink, a symlink loop: RuntimeError as from pathlib)."""
    if _PROC_FD:
        try:
            fd = os.open(p, os.O_PATH | os.O_CLOEXEC)
        except (OSError, ValueError):
            return str(Path(p).resolve())
        try:
            name = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            name = ""
        finally:
            os.close(fd)
        if name.startswith("/") and not name.endswith(" (deleted)"):  # else removed meanwhile: walk
            return name
    return str(Path(p).resolve())


def inside(base: Path, rel: str) -> Path | None:
    """`base/rel` resolved (symlinks followed), or None if it lands outside `base` (or nowhere: a
    symlink loop)."""
    if "\x00" in rel:
        return None
    root = real(base)
    try:
        p = real(os.path.join(root, rel))
    except RuntimeError:  # pathlib's word for a loop of symlinks
        return None
    if p != root and not p.startswith(root.rstrip("/") + "/"):
        return None
    return Path(p)


def resolve_ref(folder: Path, ref: str) -> Path | None:
    """A path from a manifest or style sheet: `@house/x` inside the house assets folder, anything
    else inside `folder`. None when it would leave that folder (`..`, an absolute path, a symlink out)."""
    ref = ref.strip()
    if ref.startswith(HOUSE_PREFIX):
        return inside(house_dir("assets"), ref[len(HOUSE_PREFIX) :])
    return inside(folder, ref)


def current_umask() -> int:
    with _umask_lock:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


@contextmanager
def stop_signals_raise() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into an exception while a file is being written, so the cleanup
    below runs as it does for Ctrl-C (only the main thread may set signal handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: object) -> None:
        raise Terminated(signum)

    sigs = [s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None]
    old = {s: signal.signal(s, stop) for s in sigs}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


_PROCESS_KEY = os.urandom(32)  # when no key can be kept: packs from this process are trusted by it alone


def read_regular(path: Path, limit: int) -> bytes | None:
    """The bytes of `path` if it is a regular file of at most `limit` bytes; None for anything else
    (a FIFO put where a cache file belongs would otherwise block forever, a device read on and on)."""
    return read_regular_stat(path, limit)[0]


def read_regular_stat(path: Path, limit: int) -> tuple[bytes | None, os.stat_result | None]:
    """`read_regular`, with the file's status as it was read (None with no bytes)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None, None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None, None
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = read_at_most(f, st.st_size, limit)
        return (data, st) if len(data) <= limit else (None, None)
    except OSError:
        return None, None
    finally:
        os.close(fd)


def read_at_most(f: BinaryIO, size: int, limit: int) -> bytes:
    """At most `limit` + 1 bytes of `f` from where it stands (one more than `limit` says it is
    longer), read in one piece of the `size` it had when looked at, and the rest only if it grew
    since. (A read of `limit` + 1 bytes made a buffer that large first, 1 GiB for a pack, and cut it
    down: 80 us a file, 20 packs and 48 articles before a render can fork.)"""
    want = min(limit, max(size, 0)) + 1
    data = f.read(want)
    if len(data) == want and want <= limit:
        data += f.read(limit + 1 - want)
    return data


def user_cache_dir() -> Path:
    """This user's cache folder for the tool ($XDG_CACHE_HOME/layout, else ~/.cache/layout): the
    packs' signing key and the house packs (parsed fonts, hyphenation patterns) every issue shares."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "layout"


_keys: dict[str, tuple[tuple, bytes]] = {}  # pack.key files read in this process, with their identity


def file_version(st: os.stat_result) -> tuple:
    """A file version as its status tells it (a rewrite in place changes the change time, which no
    one can set back)."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def pack_key() -> bytes:
    """The secret that signs the build caches (paragraphs.bin, fonts.bin, pages.bin): 32 random
    bytes kept outside any issue folder ($XDG_CACHE_HOME/layout/pack.key, mode 0600). A pack that
    came with an issue from elsewhere fails its check and is rebuilt: an unkeyed checksum can be
    forged, and a forged pack could change the printed words."""
    folder = user_cache_dir()
    path = folder / "pack.key"
    known = _keys.get(str(path))
    if known is not None:  # read before in this process: again only if the file is another now
        try:
            if file_version(os.stat(path)) == known[0]:
                return known[1]
        except OSError:
            pass
    for _ in range(2):
        try:
            key, st = read_regular_stat(path, 64)
            if key is not None and st is not None and len(key) == 32:
                _keys[str(path)] = (file_version(st), key)
                return key
        except OSError:
            pass
        try:  # made whole under another name, then linked: a reader never sees half a key
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".pack.key.")
            try:
                os.write(fd, os.urandom(32))
                os.close(fd)
                os.link(tmp, path)
            except FileExistsError:
                pass  # another process made it first: read theirs
            finally:
                os.unlink(tmp)
        except OSError:
            break
    return _PROCESS_KEY


def pack_digest(payload: bytes, key: bytes | None = None) -> bytes:
    """The keyed BLAKE2 checksum a build cache is written and read with (`key`: `pack_key()`)."""
    import hashlib  # here: `issue --help` and a served render need no OpenSSL

    return hashlib.blake2b(payload, digest_size=32, key=key or pack_key()).digest()


def printable(msg: str) -> str:
    """Text as it can be printed: a file name's bytes that are not UTF-8 (kept by the file system
    as surrogates) shown as \\xNN escapes instead of stopping the command with a traceback."""
    try:
        return msg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that is no escaped byte (from a PDF string, say)
        return msg.encode("utf-8", "backslashreplace").decode("utf-8")


def check_target(out: Path) -> None:
    """Raise OSError unless `out` is a regular file or does not exist yet: renaming a finished
    file over a device or a pipe (-o /dev/null, as root) would replace the device itself."""
    out = Path(out)
    if out.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder; name the file to write", str(out))
    if out.exists() and not out.is_file():
        raise OSError(errno.EINVAL, "not a regular file (a device or a pipe); it is left alone", str(out))


@contextmanager
def atomic_write(out: Path, background: list[Renaming] | None = None, made: Path | None = None) -> Iterator[Path]:
    """Yield a temporary path in `out`'s folder to write; rename it to `out` when the block ends
    without error, otherwise delete it. The folder is created if missing; `out` must be a
    regular file or not exist (see check_target). With `background`, the rename is left to a
    thread (a `Renaming` appended there) that the caller waits for before it says it is done.
    `made`: a temporary of this process's already beside `out` (a build session's, prepared with
    photos in it), yielded instead of a new one."""
    out = Path(out)
    try:
        check_target(out)
        out.parent.mkdir(parents=True, exist_ok=True)
    except BaseException:
        if made is not None:
            made.unlink(missing_ok=True)
        raise
    with stop_signals_raise():
        sweep(out.parent, out.name)  # what a killed render of this file left
        if made is None:
            fd, name = tempfile.mkstemp(prefix=temp_prefix(out.name), suffix=".tmp", dir=out.parent)
            os.close(fd)
        tmp = Path(name) if made is None else made
        try:
            yield tmp
            os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes 0600; a new file gets the umask's mode
            if background is None:
                os.replace(tmp, out)
            else:
                background.append(Renaming(tmp, out))
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


def _umask_modes(root: Path) -> None:
    """Give `root` and everything in it the modes the umask gives new folders and files
    (mkdtemp and mkstemp make them private)."""
    mode = 0o777 & ~current_umask()
    for p in [root, *root.rglob("*")]:
        if not p.is_symlink():
            os.chmod(p, mode if p.is_dir() else mode & 0o666)


@contextmanager
def atomic_folder(out: Path, suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a new hidden folder beside `out` to fill; when the block ends without error, give it
    the umask's modes and rename it to `out`, otherwise (an error, Ctrl-C, SIGTERM, SIGHUP) remove
    it. A folder with anything in it is never replaced: FileExistsError names `out` then."""
    out = Path(out)
    parent = out.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    with stop_signals_raise():
        sweep(parent, out.name)
        tmp = Path(tempfile.mkdtemp(prefix=temp_prefix(out.name), suffix=suffix, dir=parent))
        try:
            yield tmp
            _umask_modes(tmp)
            try:
                os.rename(tmp, out)  # fails on a folder that is not empty, or a file
            except OSError as e:
                raise FileExistsError(e.errno, f"cannot put it there ({e.strerror})", str(out)) from None
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def copy_range(src: int, fd: int, at: int, size: int) -> int:
    """Copy `size` bytes from the start of the file open as `src` to offset `at` of the file open
    as `fd`, in the kernel where it can (copy_file_range), else through memory (pread/pwrite; neither
    moves a file position); how many were copied (fewer only if `src` is shorter)."""
    done = 0
    fast = getattr(os, "copy_file_range", None)
    while done < size and fast is not None:
        try:
            n = fast(src, fd, size - done, done, at + done)
        except OSError:  # not between these files: copied through memory instead
            break
        if n == 0:
            return done
        done += n
    while done < size:
        chunk = os.pread(src, min(size - done, 1 << 20), done)
        if not chunk:
            return done
        view = memoryview(chunk)
        while view:
            view = view[os.pwrite(fd, view, at + done) :]
        done += len(chunk)
    return done
