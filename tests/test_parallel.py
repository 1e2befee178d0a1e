"""The worker pool: results in task order, and Ctrl-C stops it without killing a worker mid-task.

A worker killed while it sends a result leaves half a message in the pipe, and the pool's own
thread then waits for the rest forever: Ctrl-C hung the build. Workers are never killed; a
shared flag stops each one after the item in hand.
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest

from spinesite import parallel


def _square(state: int, item: int) -> int:
    return state + item * item


def test_results_come_back_in_task_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_TASKS_PER_WORKER", 2)
    assert parallel.run(_square, 1, list(range(200)), 2) == [1 + i * i for i in range(200)]


def _interrupting(folder: Path, item: int) -> int:
    """Marks each item started and finished; item 30 sends Ctrl-C to the parent."""
    (folder / f"{item}.started").touch()
    if item == 30:
        os.kill(os.getppid(), signal.SIGINT)
    for _ in range(20_000):  # some work, so other items are in hand when the signal lands
        pass
    (folder / f"{item}.finished").touch()
    return item


def test_ctrl_c_stops_the_workers_after_the_item_in_hand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_TASKS_PER_WORKER", 2)
    threads = set(threading.enumerate())
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C raises here, whatever the test runner set
    try:
        with pytest.raises(KeyboardInterrupt):
            parallel.run(_interrupting, tmp_path, list(range(5000)), 2)
    finally:
        signal.signal(signal.SIGINT, previous)
    started = {p.stem for p in tmp_path.glob("*.started")}
    finished = {p.stem for p in tmp_path.glob("*.finished")}
    assert "30" in started
    assert started == finished  # no worker was killed in the middle of an item
    assert len(started) < 5000  # the queued work was dropped
    assert set(threading.enumerate()) == threads  # the pool's threads are gone


def _failing(state: None, item: int) -> int:
    if item == 7:
        raise ValueError("item 7 is bad")
    return item


def test_an_error_in_a_worker_reaches_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_TASKS_PER_WORKER", 2)
    with pytest.raises(ValueError, match="item 7 is bad"):
        parallel.run(_failing, None, list(range(100)), 2)
