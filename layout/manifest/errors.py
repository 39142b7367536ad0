"""Problems reported to production staff, and the exit codes that go with them.

A `Problem` is a message with an optional `file:line:col`; `InvalidInput` carries every problem found.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EXIT_OK = 0
EXIT_PROBLEMS = 1  # layout problems: overset, failed checks
EXIT_INVALID = 2  # invalid input


@dataclass(frozen=True, slots=True)
class Location:
    file: Path
    line: int  # 1-based
    col: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Problem:
    message: str
    location: Location | None = None

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class InvalidInput(Exception):
    """The issue folder cannot be rendered as given; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
