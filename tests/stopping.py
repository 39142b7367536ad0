"""Stopping a render in its own process at a chosen moment, for the tests of what it leaves behind."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable


def stop_when(proc: subprocess.Popen, ready: Callable[[], bool], sig: int, settle: float) -> str:
    """Wait (a minute at most) until `ready()`, let `settle` seconds pass, send `sig`; the render's
    standard error once it has ended, which it must have done with the signal's exit code (130 for
    SIGINT, 128 + the signal otherwise) and no traceback."""
    try:
        deadline = time.monotonic() + 60
        while not ready():
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.05)
        time.sleep(settle)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == (130 if sig == signal.SIGINT else 128 + sig), err
    assert "Traceback" not in err
    return err
