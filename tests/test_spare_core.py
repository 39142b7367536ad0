"""When a second process is used (story bodies, page drawing): only when a core is free — by the load
average, or, when that still counts a job that just ended, by nothing else being runnable at most of
two or three looks (one look in fifty on an idle machine catches a kernel thread passing by)."""

from __future__ import annotations

import os

import pytest

from layout.page import parallel


@pytest.fixture
def machine(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def set_(cores: int, load: float, runnable: list[int]) -> list[int]:
        looks: list[int] = []

        def now() -> int:
            looks.append(1)
            return runnable[min(len(looks) - 1, len(runnable) - 1)]

        monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(cores)), raising=False)
        monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
        monkeypatch.setattr(parallel, "_runnable", now)
        return looks

    return set_


def test_a_quiet_load_average_is_enough(machine) -> None:  # type: ignore[no-untyped-def]
    looks = machine(2, 0.4, [5])
    assert parallel.spare_core() and not looks, "the load average said yes: no need to look"


def test_one_core_never(machine) -> None:  # type: ignore[no-untyped-def]
    machine(1, 0.0, [1])
    assert not parallel.spare_core()


@pytest.mark.parametrize(
    ("runnable", "free"),
    [
        ([1, 1, 1], True),  # only this process: the load average still counts a finished job
        ([1, 2, 1], True),  # something else ran at one look only: a kernel thread passing by
        ([2, 1, 1], True),
        ([2, 1, 2], False),  # something else at most looks
        ([1, 2, 2], False),
        ([2, 2, 2], False),  # a busy machine
        ([-1], False),  # no /proc/loadavg: trust the load average
        ([1, -1], False),
    ],
)
def test_a_high_load_average_is_checked_against_what_runs_now(machine, runnable: list[int], free: bool) -> None:  # type: ignore[no-untyped-def]
    looks = machine(2, 1.6, runnable)
    assert parallel.spare_core() is free
    assert len(looks) == (2 if runnable[:2] in ([1, 1], [2, 2]) else min(len(runnable), 3))  # two that agree decide


def test_four_cores_allow_two_others(machine) -> None:  # type: ignore[no-untyped-def]
    machine(4, 3.5, [3, 3, 3])
    assert parallel.spare_core()
    machine(4, 3.5, [4, 4, 4])
    assert not parallel.spare_core()


def test_runnable_reads_this_system() -> None:
    n = parallel._runnable()
    assert n >= 1 or n == -1  # this process is running as it reads


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """A fake monotonic clock (seconds); each sleep is recorded and moves it on."""
    import time

    now = [100.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    monkeypatch.setattr(time, "sleep", sleep)
    monkeypatch.setattr(parallel, "_early", None)
    now.append(slept)  # type: ignore[arg-type]
    return now


def test_an_early_look_is_the_first_and_the_second_need_not_wait(machine, clock) -> None:  # type: ignore[no-untyped-def]
    """A look taken at the start of the render counts as the first: asked 30 ms later, one more look
    decides when it agrees, with no sleep; a third look is taken (after a wait) only when they differ."""
    slept = clock[1]
    for runnable, free, after in (([1, 1], True, 1), ([2, 2], False, 1), ([2, 1, 2], False, 2), ([1, 2, 1], True, 2)):
        looks = machine(2, 1.6, runnable)
        parallel.look_early()
        clock[0] += 0.030
        slept.clear()
        assert parallel.spare_core() is free, runnable
        assert len(looks) == 1 + after, runnable
        assert slept == ([pytest.approx(parallel.LOOKS_APART)] if after == 2 else []), runnable
        assert parallel._early is None, "used once"


def test_an_early_look_too_recent_old_or_not_ours_is_not_trusted(machine, clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    slept = clock[1]
    looks = machine(2, 1.6, [1, 1])
    parallel.look_early()
    clock[0] += 0.0005  # too soon for a second look: the rest of the 2 ms is waited
    assert parallel.spare_core() and len(looks) == 2
    assert slept == [pytest.approx(parallel.LOOKS_APART - 0.0005)]
    # Older than EARLY_FOR, or taken by another process (a fork's parent): two fresh looks.
    for stale in ("old", "other process"):
        looks = machine(2, 1.6, [2, 2, 1, 1])  # trusted, the early look would agree with the next: busy
        parallel.look_early()
        if stale == "old":
            clock[0] += parallel.EARLY_FOR + 0.1
        else:
            pid, when, n = parallel._early  # type: ignore[misc]
            monkeypatch.setattr(parallel, "_early", (pid + 1, when, n))
        slept.clear()
        assert parallel.spare_core(), stale
        assert len(looks) == 4 and slept == [pytest.approx(parallel.LOOKS_APART)] * 2, stale  # early, then 3
    # No early look taken: as before, two looks 2 ms apart.
    looks = machine(2, 1.6, [1, 1])
    slept.clear()
    assert parallel.spare_core() and len(looks) == 2 and len(slept) == 1
