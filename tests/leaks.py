"""How much memory a C kernel keeps after being run again and again (for the leak tests)."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable


def growth(run: Callable[[], object], warm: int, times: int) -> int:
    """Bytes still held after `run()` `times` more times, once it has run `warm` times (its caches
    filled) and the collector has run; traced by tracemalloc."""
    for _ in range(warm):
        run()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(times):
            run()
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
