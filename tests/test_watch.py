"""`issue watch` re-renders the sample after an edit to one article, survives an edit that breaks
the manifest (printing the problem with its line and keeping the last good PDF), and renders again
once the manifest is mended. Driven as a real subprocess on a temporary copy, with timeouts.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "issues" / "2026-12-03"
TIMEOUT = 90.0


class Watcher:
    def __init__(self, folder: Path, out: Path):
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.p = subprocess.Popen(
            [sys.executable, "-c", "from layout.cli import main; main()", "watch", str(folder), "-o", str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.p.stdout is not None
        for line in self.p.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pred, what: str, after: int = 0) -> str:
        end = time.monotonic() + TIMEOUT
        while time.monotonic() < end:
            for line in self.lines[after:]:
                if pred(line):
                    return line
            if self.p.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"no {what} within {TIMEOUT} s; the watch printed:\n" + "\n".join(self.lines))

    def stop(self) -> int:
        self.p.send_signal(signal.SIGINT)
        try:
            return self.p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            raise


def test_watch_rerenders_after_an_edit_and_survives_a_broken_manifest(tmp_path: Path) -> None:
    folder = tmp_path / "issue"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("build"))
    out = tmp_path / "out.pdf"
    w = Watcher(folder, out)
    try:
        w.wait_for(lambda s: "out.pdf: 3 pages" in s, "first render")
        first = out.read_bytes()

        # One article edited: rendered again, the change named.
        n = len(w.lines)
        md = folder / "articles" / "geminids.md"
        md.write_text(md.read_text(encoding="utf-8").replace("meteor", "meteoroid", 1), encoding="utf-8")
        w.wait_for(lambda s: "changed:" in s and "articles/geminids.md" in s, "change report", n)
        w.wait_for(lambda s: "out.pdf: 3 pages" in s, "second render", n)
        second = out.read_bytes()
        assert second != first

        # The manifest broken: the problem printed with its line, the last good PDF kept.
        n = len(w.lines)
        yml = folder / "issue.yaml"
        good_yaml = yml.read_text(encoding="utf-8")
        yml.write_text(good_yaml.replace("pages:", "pages: [\n", 1), encoding="utf-8")
        w.wait_for(lambda s: "issue.yaml:" in s and "YAML" in s, "manifest error with its line", n)
        w.wait_for(lambda s: "last good PDF stays" in s, "keep-the-last-PDF notice", n)
        assert out.read_bytes() == second

        # Mended: renders again.
        n = len(w.lines)
        yml.write_text(good_yaml, encoding="utf-8")
        w.wait_for(lambda s: "out.pdf: 3 pages" in s, "render after the fix", n)
        assert w.p.poll() is None, "the watch ended"
        assert not any("Traceback" in s for s in w.lines), "\n".join(w.lines)
        assert not list(folder.glob("build/.*.tmp")) and len(list(tmp_path.glob(".out.pdf.*.tmp"))) <= 1  # the next's
    finally:
        code = w.stop()
    assert code == 0, "\n".join(w.lines)
    assert w.lines[-1] == "stopped"
    assert not list(tmp_path.glob(".out.pdf.*"))  # the photos prepared for the next render: removed


def test_watch_of_a_missing_issue_exits_2(tmp_path: Path) -> None:
    p = subprocess.run(
        [sys.executable, "-c", "from layout.cli import main; main()", "watch", str(tmp_path / "nothing")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode == 2 and "no such issue manifest" in p.stderr and "Traceback" not in p.stderr


def test_an_edit_made_during_the_first_render_is_not_missed(tmp_path: Path) -> None:
    """The watcher is armed before the first render: an edit made as soon as the watch says it is
    watching (while it still renders) brings a second render."""
    folder = tmp_path / "issue"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("build"))
    out = tmp_path / "out.pdf"
    w = Watcher(folder, out)
    try:
        w.wait_for(lambda s: "watching" in s, "watching notice")
        md = folder / "articles" / "geminids.md"
        md.write_text(md.read_text(encoding="utf-8").replace("meteor", "meteoroid", 1), encoding="utf-8")
        w.wait_for(lambda s: "changed:" in s and "articles/geminids.md" in s, "change report")
        n = next(i for i, s in enumerate(w.lines) if "changed:" in s)
        w.wait_for(lambda s: "out.pdf: 3 pages" in s, "render after the edit", n)
        assert "meteoroid" in "".join(p.extract_text() for p in __import__("pypdf").PdfReader(out).pages)
    finally:
        code = w.stop()
    assert code == 0, "\n".join(w.lines)
