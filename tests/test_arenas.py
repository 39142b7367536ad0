"""The object arenas made resident in one step (serve/_arenas.c): each new arena's pages are all in
memory as soon as it is made, in this process and in forked children; arenas are still given back;
the render is the same bytes with the hook and without; it is off where asked or impossible."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issues" / "2026-12-03"

try:
    from layout.serve import _arenas
except ImportError:  # no compiler: the hook does not exist, and nothing here applies
    _arenas = None  # type: ignore[assignment]

needs_hook = pytest.mark.skipif(
    _arenas is None or not sys.platform.startswith("linux") or not Path("/proc/self/pagemap").exists(),
    reason="the arena hook needs the C extension and Linux",
)


def _run(code: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def populates() -> None:
    """A kernel before Linux 5.14 has no MADV_POPULATE_WRITE: the hook then stays out (nothing
    changes), and what it would do cannot be tested."""
    if _arenas is None:
        return
    r = _run("from layout.serve import _arenas; print(_arenas.populate_arenas())")
    if r.stdout.strip() != "True":
        pytest.skip(f"this kernel cannot make memory resident in one step: {r.stdout.strip()} {r.stderr[-200:]}")


# Run in a fresh interpreter (the hook stays for the life of a process): whether each page of the range
# [at, at + size) is in memory, from /proc/self/pagemap (bit 63 of each page's entry: present).
_PRESENT = """
import os, struct
def present(at, size):
    page = os.sysconf('SC_PAGE_SIZE')
    first, n = at // page, (at + size + page - 1) // page - at // page
    with open('/proc/self/pagemap', 'rb') as f:
        f.seek(first * 8)
        data = f.read(n * 8)
    return [bool(e >> 63) for e in struct.unpack(f'<{n}Q', data)]
"""


@needs_hook
def test_a_new_arena_is_resident_whole_at_once(populates: None) -> None:
    code = _PRESENT + (
        "from layout.serve import _arenas\n"
        "import mmap\n"
        # the instrument sees a page not yet touched: one touched page of a fresh mapping, the rest absent
        "m = mmap.mmap(-1, 1 << 20); m[0] = 1\n"
        "import ctypes\n"
        "at = ctypes.addressof(ctypes.c_char.from_buffer(m))\n"
        "seen = present(at, 1 << 20)\n"
        "assert seen[0] and sum(seen) < 8, sum(seen)\n"
        "assert _arenas.populate_arenas()\n"
        "made = _arenas.counts()[0]\n"
        "keep = []\n"
        "while _arenas.counts()[0] == made:\n"
        "    keep.append([len(keep)])\n"
        "at, size = _arenas.last()\n"
        "assert size >= 256 << 10, size\n"
        "import json\n"
        "print(json.dumps([sum(present(at, size)), size // os.sysconf('SC_PAGE_SIZE'), *_arenas.counts()]))\n"
    )
    r = _run(code)
    assert r.returncode == 0, r.stderr
    resident, pages, made, populated = json.loads(r.stdout)
    assert resident == pages  # every page of the arena, though Python has used only its first pool
    assert made >= 1 and populated == made


@needs_hook
def test_forked_children_keep_the_hook_and_their_objects(populates: None) -> None:
    code = (
        "import os, hashlib\n"
        "from layout.serve import _arenas\n"
        "assert _arenas.populate_arenas()\n"
        "before = [str(i) * 7 for i in range(200_000)]\n"
        "digest = hashlib.sha256(''.join(before).encode()).hexdigest()\n"
        "r, w = os.pipe()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    made = _arenas.counts()[0]\n"
        "    more = [(i, str(i)) for i in range(300_000)]\n"
        "    same = hashlib.sha256(''.join(before).encode()).hexdigest() == digest\n"
        "    m, p = _arenas.counts()\n"
        "    os.write(w, f'{same} {m - made} {m == p} {len(more)}'.encode())\n"
        "    os._exit(0)\n"
        "os.close(w)\n"
        "said = os.read(r, 200).decode()\n"
        "os.waitpid(pid, 0)\n"
        "print(said)\n"
    )
    r = _run(code)
    assert r.returncode == 0, r.stderr
    same, grown, all_resident, n = r.stdout.split()
    assert same == "True" and int(grown) >= 5 and all_resident == "True" and n == "300000"


@needs_hook
def test_arenas_are_still_given_back(populates: None) -> None:
    code = (
        "from layout.serve import _arenas\n"
        "assert _arenas.populate_arenas()\n"
        "def rss():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmRSS:'):\n"
        "            return int(line.split()[1])\n"
        "start = rss()\n"
        "big = [(i, i + 0.5) for i in range(1_500_000)]\n"
        "grown = rss()\n"
        "del big\n"
        "print(start, grown, rss())\n"
    )
    r = _run(code)
    assert r.returncode == 0, r.stderr
    start, grown, after = map(int, r.stdout.split())
    assert grown - start > 100_000  # kB: the objects took over 100 MiB
    assert after - start < 20_000  # and their arenas went back to the system


def _issue_render(issue: Path, out: Path, hook: bool, env: dict) -> tuple[bytes, str]:
    """A render as the `issue` command makes it (serve/client.main), with or without the hook; the
    counts of arenas made and made resident at once, as it leaves."""
    code = (
        "import os, sys\n"
        "from layout.serve import client\n"
        + ("" if hook else "client.resident_arenas = lambda: False\n")
        + "def counts():\n"
        "    try:\n"
        "        from layout.serve import _arenas\n"
        "        return _arenas.counts()\n"
        "    except ImportError:\n"
        "        return None\n"
        "leave = os._exit\n"
        "def said(code):\n"
        "    import json\n"
        "    sys.stderr.write(f'\\nCOUNTS {json.dumps(counts())}\\n'); sys.stderr.flush(); leave(code)\n"
        "os._exit = said\n"
        f"sys.argv = ['issue', 'render', {str(issue)!r}, '-o', {str(out)!r}, '--no-cache']\n"
        "client.main()\n"
    )
    r = _run(code, env)
    assert r.returncode == 0, r.stderr
    return out.read_bytes(), r.stderr.rsplit("COUNTS ", 1)[1].strip()


@needs_hook
def test_a_render_is_the_same_bytes_with_the_hook(tmp_path: Path, populates: None) -> None:
    issue = tmp_path / "issue"
    shutil.copytree(SAMPLE, issue, ignore=shutil.ignore_patterns("build"))
    env = {k: v for k, v in os.environ.items() if k != "LAYOUT_PURE_PYTHON"}
    env["XDG_RUNTIME_DIR"] = str(tmp_path / "run")  # no server to answer it
    with_hook, counts = _issue_render(issue, tmp_path / "a.pdf", True, env)
    made, populated = json.loads(counts)
    assert made >= 5 and populated == made  # the command put it in place, and it made the arenas resident
    without, counts = _issue_render(issue, tmp_path / "b.pdf", False, env)
    assert json.loads(counts) == [0, 0]
    assert with_hook == without


def test_the_hook_is_off_where_asked_or_impossible() -> None:
    code = "import sys\nfrom layout.serve import client\nprint(client.resident_arenas())\n"
    env = dict(os.environ, LAYOUT_PURE_PYTHON="1")
    r = _run(code, env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"
    # without the extension (a machine with no compiler)
    code = "import sys\nsys.modules['layout.serve._arenas'] = None\n" + code.split("\n", 1)[1]
    env.pop("LAYOUT_PURE_PYTHON")
    r = _run(code, env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"
