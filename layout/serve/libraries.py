"""What a long-running server has loaded from outside the package: noticed when it changes.

Reads `sys.modules` and the files behind it; produces the first file that changed since it was
noted (`issue serve` then refuses and stops, as it does when the package's own files change).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


class LoadedFiles:
    """The files of every module this process has loaded from outside the package (whose own files
    `client.code_fingerprint` covers), by size and modification time: a library upgraded under a
    running server (`pip install -U reportlab`) would otherwise go on rendering with the old code in
    memory and the new files for whatever it imports later. A stat per file (about 400: 2 ms)."""

    def __init__(self, package: Path):
        self.package = str(package) + os.sep
        self.files: dict[str, tuple[int, int] | None] = {}

    def _version(self, f: str) -> tuple[int, int] | None:
        try:
            st = os.stat(f)
        except OSError:
            return None
        return (st.st_size, st.st_mtime_ns)

    def note(self) -> None:
        """Remember the modules loaded since the last call, as their files are now."""
        for m in list(sys.modules.values()):
            f = getattr(m, "__file__", None)
            if isinstance(f, str) and f not in self.files and not f.startswith(self.package):
                self.files[f] = self._version(f)

    def changed(self) -> str | None:
        """The first remembered file that changed or went away, if any."""
        return next((f for f, v in self.files.items() if self._version(f) != v), None)
