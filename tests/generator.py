"""The benchmark's issue generator (benchmarks/synthetic.py), imported for the tests that need
copy or whole issues of the benchmark's kind."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def synthetic() -> ModuleType:
    """benchmarks/synthetic.py as a module (imported once; sys.path left as it was)."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import synthetic as module
    finally:
        sys.path.remove(str(BENCHMARKS))
    return module
