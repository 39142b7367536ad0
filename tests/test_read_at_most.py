"""Files read up to a limit (packs, article bodies): what the old `read(limit + 1)` gave, for a file
of any size against the limit, one that grew or shrank since its size was looked at, and one read
from the middle; and no buffer the size of the limit made for a small file."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import pytest

from layout.manifest.files import read_at_most, read_regular_stat


@pytest.mark.parametrize("n", [0, 1, 99, 100, 101, 250])
@pytest.mark.parametrize("seen", [0, 50, 99, 100, 101, 10_000])  # the size looked at, against the true one
def test_the_same_bytes_as_a_read_of_limit_plus_one(n: int, seen: int) -> None:
    data = bytes(range(256))[:n]
    assert read_at_most(io.BytesIO(data), seen, 100) == data[:101]


def test_read_from_where_the_file_stands() -> None:
    f = io.BytesIO(b"x" * 50)
    f.read(10)
    assert read_at_most(f, 50, 100) == b"x" * 40


def test_a_pack_is_read_without_a_buffer_the_size_of_its_limit(tmp_path: Path) -> None:
    p = tmp_path / "pack.bin"
    p.write_bytes(b"p" * 5000)
    tracemalloc.start()
    try:
        data, st = read_regular_stat(p, 1 << 30)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert data == b"p" * 5000 and st is not None and st.st_size == 5000
    assert peak < 1 << 20  # (a read of limit + 1 bytes asked for 1 GiB first)
    assert read_regular_stat(p, 4999) == (None, None)  # over the limit: refused, as before
