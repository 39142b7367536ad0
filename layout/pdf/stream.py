"""Saving a ReportLab canvas object by object straight to its file.

ReportLab's own save formats every object into one list and joins it into a single bytes value
before writing, so the whole PDF (every photo included) sits in memory two or three times over.
Here each object is written to the file as it is formatted, with the same bytes and offsets, so
memory holds one object at a time.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import threading
import zlib
from pathlib import Path
from typing import BinaryIO

from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen import canvas

from ..manifest.files import copy_range, file_version
from ..manifest.renaming import start_write_back
from . import pagecache
from .photocopies import Placed, Ready

_COLLECTING = pdfdoc.PDFFile  # ReportLab's own collector
_local = threading.local()  # the file this thread's save streams to, if any


class _Deferred(bytes):
    """What a photo's stream content is formatted with while streaming: a marker that the
    streaming file replaces by the file's bytes, measuring as long as the file (the stream's
    /Length is taken from it)."""

    size: int

    def __len__(self) -> int:
        return self.size


_MARK = b"\x00layout: photo bytes here\x00"


class _StreamingFile(_COLLECTING):
    """ReportLab's output collector, writing through to a file instead of collecting; a photo's
    bytes (`defer`) are copied from its file to this one by the kernel (`_Copier`), never read into
    memory."""

    def __init__(self, out: BinaryIO, pdfVersion=pdfdoc.PDF_VERSION_DEFAULT):
        # The deferred photo: its open file, size, path (absolute) and file version.
        self.pending: tuple[BinaryIO, int, str, tuple] | None = None
        super().__init__(pdfVersion)  # collects the header
        out.write(b"".join(self.strings))
        self.strings = []
        self.out = out
        self.write = out.write

    def format(self, document) -> bytes:
        return b""

    def defer(self, path: Path) -> bytes:
        """The stand-in for the bytes of the file at `path` in the object formatted next."""
        if self.pending is not None:  # an object formatted and never added: not ours to keep
            self.pending[0].close()
        src = open(path, "rb")
        st = os.fstat(src.fileno())
        size = st.st_size
        self.pending = (src, size, os.path.abspath(path), file_version(st))
        mark = _Deferred(_MARK)
        mark.size = size
        return mark

    def add(self, s) -> int:
        if self.pending is None:
            return super().add(s)
        src, size, path, version = self.pending
        self.pending = None
        i = s.index(_MARK)
        result = self.offset
        self.write(s[:i])
        placed = Placed(path, version, result + i, size)
        if _local.copied.get(placed.at) == placed:  # already there, whole (a build session's temporary)
            src.close()
            self.out.seek(size, os.SEEK_CUR)
        else:
            _local.copier.copy(src, self.out, size)  # (which closes `src`)
        if _local.placed is not None:
            _local.placed.append(placed)
        self.write(s[i + len(_MARK) :])
        self.offset = result + len(s) - len(_MARK) + size
        return result


class _Copier:
    """Copies the photos' bytes into the PDF by a thread of its own while the document goes on
    being written after them: each photo's place is left (the file position moved past it) and
    filled at its offset (copy_file_range, or pread/pwrite, neither of which moves the position),
    in the kernel and without the interpreter lock. 29 MiB of photos took 15-17 ms of a 16-page
    render copied in line. `finish` waits for every copy and raises the first failure (the PDF is
    then not put in place); `abandon` stops it. The thread writes through a duplicate of the file's
    descriptor, its own to close: a copy still running when the file is closed cannot write into
    another file given the same number."""

    def __init__(self) -> None:
        self.jobs: list[tuple[BinaryIO, int, int] | None] = []
        self.ready = threading.Condition()
        self.error: BaseException | None = None
        self.stopped = False
        self.fd = -1
        self.thread: threading.Thread | None = None

    def copy(self, src: BinaryIO, out: BinaryIO, size: int) -> None:
        """Leave `size` bytes at `out`'s position for the copy of `src` (whose file it closes)."""
        if not hasattr(os, "pwrite"):  # (Windows) copied here, through memory
            with src:
                _copy_through(src, out, size)
            return
        try:
            out.flush()
            at = out.tell()
            if self.thread is None:
                self.fd = os.dup(out.fileno())
                self.thread = threading.Thread(target=self._run, name="layout-photo-copy", daemon=True)
                self.thread.start()
        except BaseException:
            src.close()
            raise
        with self.ready:
            self.jobs.append((src, at, size))
            self.ready.notify()
        out.seek(size, os.SEEK_CUR)

    def _run(self) -> None:
        try:
            while True:
                with self.ready:
                    while not self.jobs:
                        self.ready.wait()
                    job = self.jobs.pop(0)
                if job is None:
                    return
                src, at, size = job
                with src:
                    if self.error is None and not self.stopped:
                        try:
                            _copy_at(src, self.fd, at, size)
                        except BaseException as e:  # handed to `finish`
                            self.error = e
                        else:  # handed to the disk while the rest is made: the whole file's write-back,
                            start_write_back(self.fd, at, size)  # started once in place, took 10-19 ms at the end
        finally:
            os.close(self.fd)

    def _end(self) -> None:
        if self.thread is not None:
            with self.ready:
                self.jobs.append(None)
                self.ready.notify()
            self.thread.join()
            self.thread = None

    def finish(self) -> None:
        """Wait for every copy; raise the first failure."""
        self._end()
        if self.error is not None:
            raise self.error

    def abandon(self) -> None:
        """The document failed or was interrupted: copy nothing more (the file is removed)."""
        self.stopped = True
        self._end()


def _copy_at(src: BinaryIO, fd: int, at: int, size: int) -> None:
    """Copy `size` bytes from the start of `src` to offset `at` of the file open as `fd`."""
    if copy_range(src.fileno(), fd, at, size) < size:
        raise OSError(f"{src.name} became shorter while it was being written into the PDF")


def _copy_through(src: BinaryIO, out: BinaryIO, size: int) -> None:
    """Copy `size` bytes from the start of `src` to `out`'s position, through memory."""
    done = 0
    src.seek(0)
    while done < size:
        chunk = src.read(min(size - done, 1 << 20))
        if not chunk:
            raise OSError(f"{src.name} became shorter while it was being written into the PDF")
        out.write(chunk)
        done += len(chunk)


def deferring(document) -> _StreamingFile | None:
    """The streaming file `document` is being saved to, when a photo's bytes can be left to it
    (no encryption: the bytes go in as they are)."""
    accum = getattr(document, "__accum__", None)
    if isinstance(accum, _StreamingFile) and type(document.encrypt) is pdfdoc.NoEncryption:
        return accum
    return None


def _pdf_file(pdfVersion=pdfdoc.PDF_VERSION_DEFAULT):
    """What ReportLab's document formatter makes its collector with: a streaming one only on a
    thread that is saving through `save_streaming` (one module name serves every thread, so the
    choice is per thread, not a swapped global that another thread could see)."""
    out = getattr(_local, "out", None)
    return _COLLECTING(pdfVersion) if out is None else _StreamingFile(out, pdfVersion)


if getattr(pdfdoc.PDFFile, "__name__", "") != "_pdf_file":
    pdfdoc.PDFFile = _pdf_file  # format() looks its collector up by this name


def _deflate(text: str | bytes) -> bytes:
    """ReportLab's Flate filter at pagecache.LEVEL."""
    return zlib.compress(_bytes(text), pagecache.LEVEL)


def _remembered_deflate(text: str | bytes) -> bytes:
    """The filter, taking a stream compressed elsewhere (`save_streaming(ready=...)`, by a hash of
    its bytes) and remembering what it compressed (by the same hash) for the next render when the
    thread's save was given somewhere to keep it (`save_streaming(streams=...)`: the page cache,
    which keeps them in its pack; one read back is used only if it inflates to the stream): zlib
    gives the same bytes for the same input, and an unchanged page need not be compressed again.
    Streams this process compressed or checked in an earlier render (a build session's) are not
    checked again."""
    memo = getattr(_local, "streams", None)
    ready = getattr(_local, "ready", None)
    if memo is None and not ready:
        return _deflate(text)
    digest = _digest(text)
    z = ready.pop(digest, None) if ready else None  # the helper process's (made in this render)
    if z is None and memo is not None:
        z = memo[1].get(digest) or memo[2].get(digest)
        if z is None:
            z = memo[0].get(digest)
            if z is not None and not _inflates_to(z, _bytes(text)):  # kept by an earlier render: never trusted blindly
                z = None
    if z is None:
        z = _deflate(_bytes(text))
    if memo is not None:
        memo[1][digest] = z
    return z


_digests: dict[int, tuple[str | bytes, bytes]] = {}  # by the id of a stream's text, held: a kept page's, a subset's


def _digest(text: str | bytes) -> bytes:
    """`stream_digest` of the stream, remembered for the very text object (immutable, and held
    here so that no other takes its id): a page kept between renders is not hashed again."""
    known = _digests.get(id(text))
    if known is not None and known[0] is text:
        return known[1]
    digest = stream_digest(_bytes(text))
    if len(_digests) > 1024:
        _digests.clear()
    _digests[id(text)] = (text, digest)
    return digest


def _bytes(text: str | bytes) -> bytes:
    return text.encode("utf8") if isinstance(text, str) else text


def _inflates_to(z: bytes, data: bytes) -> bool:
    """Whether `z` decompresses to `data` (5x cheaper than compressing `data` again)."""
    try:
        return zlib.decompress(z) == data
    except zlib.error:
        return False


def stream_digest(data: bytes) -> bytes:
    """What names a stream compressed by another process (no need to send its bytes back)."""
    return hashlib.blake2b(data, digest_size=20).digest()


def deflate(text: str) -> tuple[bytes, bytes]:
    """A stream as the filter would compress it, and its digest (for `save_streaming(ready=...)`)."""
    data = text.encode("utf8")
    return stream_digest(data), _deflate(data)


if getattr(pdfdoc.PDFZCompress.encode, "__name__", "") != "_remembered_deflate":
    pdfdoc.PDFZCompress.encode = _remembered_deflate


def _open_empty(name: str) -> BinaryIO:
    """`name` opened for writing from its start, and cut to nothing only if it holds anything: the
    temporary a render writes is new and empty. On ext4 truncating a file, even an empty one, marks
    it to have its blocks allocated and written back when closed (auto_da_alloc): the close of a
    31 MB PDF then took 9-12 ms of the render. Its write-back is started once it is in place, by the
    thread that puts it there (manifest/renaming.py), or later by the kernel."""
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0), 0o666)
    try:
        if os.fstat(fd).st_size:
            os.ftruncate(fd, 0)
        return open(fd, "wb")
    except BaseException:
        os.close(fd)
        raise


def save_streaming(
    c: canvas.Canvas,
    streams: tuple[dict, dict, dict] | None = None,
    ready: dict[bytes, bytes] | None = None,
    prepared: Ready | None = None,
    placed: list[Placed] | None = None,
) -> None:
    """Finish the canvas's last page and write the document to the canvas's file name. With
    `streams` (earlier renders' compressed streams, this render's, and those of earlier renders in
    this process), unchanged streams are copied;
    `ready` holds streams compressed elsewhere, by digest (see `deflate`). `prepared`: the file is a
    build session's temporary with photos already copied in (pdf/photocopies.py), written over
    and cut to length; `placed` is given where each photo's bytes went."""
    if len(c._code):
        c.showPage()
    doc = c._doc
    doc._savedToFile = True
    out, copied = _open_for(c._filename, prepared)
    with out:
        copier = _Copier()
        _local.out, _local.streams, _local.ready, _local.copier = out, streams, ready, copier
        _local.copied, _local.placed = copied, placed
        try:
            rest = doc.GetPDFData(c)
            out.write(rest)
        except BaseException:
            copier.abandon()
            raise
        finally:
            _local.out = _local.streams = _local.ready = _local.copier = _local.placed = None
            _local.copied = {}
        copier.finish()  # every photo in its place (or its failure raised) before the file is closed
        if prepared is not None:
            out.flush()
            if os.fstat(out.fileno()).st_size > out.tell():
                os.ftruncate(out.fileno(), out.tell())  # the prepared file was longer


def _open_for(name: str, prepared: Ready | None) -> tuple[BinaryIO, dict[int, Placed]]:
    """The file to write (see `_open_empty`) and the photos already in it, by offset: a prepared
    temporary is written through the descriptor it was made with (its photos trusted only if
    nothing wrote to it since); if another file was put under its name meanwhile, that is left
    alone (OSError)."""
    if prepared is None or os.path.abspath(name) != os.path.abspath(prepared.path):
        return _open_empty(name), {}
    fd = prepared.release()
    try:
        st, named = os.fstat(fd), os.lstat(name)
        if not stat.S_ISREG(named.st_mode) or (named.st_dev, named.st_ino) != (st.st_dev, st.st_ino):
            raise OSError(errno.EEXIST, "another file was put under the temporary's name", name)
        os.lseek(fd, 0, os.SEEK_SET)
        return open(fd, "wb"), prepared.copied if file_version(st) == prepared.version else {}
    except BaseException:
        os.close(fd)
        raise
