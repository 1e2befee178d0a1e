"""Run per-page work serially or on a pool of forked worker processes.

Workers are forked after the site graph is built, so they inherit it without pickling;
each task sends back only its small result. Results come back in task order, so a
parallel build is byte-identical to a serial one.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_TASKS_PER_WORKER = 40  # below this, forking costs more than it saves

_worker_state: Any = None  # set once in each forked worker by _init (the worker's own context)
_worker_stop: Any = None  # a flag in shared memory: the parent sets it to stop the workers early


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


def _init(state: Any, stop: Any) -> None:
    global _worker_state, _worker_stop
    _worker_state, _worker_stop = state, stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it cancels the rest
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked while we were forked


def _call(func: Callable[[Any, Any], Any], items: Sequence[Any]) -> list[Any]:
    results = []
    for item in items:
        if _worker_stop.value:  # the parent gave up (Ctrl-C or an error): nobody reads the rest
            break
        results.append(func(_worker_state, item))
    return results


def run(func: Callable[[Any, T], R], state: Any, items: Sequence[T], jobs: int) -> list[R]:
    """``[func(state, item) for item in items]``, on ``jobs`` processes when worth it."""
    workers = min(jobs, len(items) // MIN_TASKS_PER_WORKER)
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [func(state, item) for item in items]
    ctx = multiprocessing.get_context("fork")
    gc.freeze()  # the collector then never walks (so never copies) the objects workers inherit
    try:
        return _run_pool(func, state, items, workers, ctx)
    finally:
        gc.unfreeze()


def _run_pool(func: Callable[[Any, T], R], state: Any, items: Sequence[T], workers: int, ctx: Any) -> list[R]:
    size = max(1, min(64, len(items) // (workers * 8)))
    stop = ctx.RawValue(ctypes.c_bool, False)
    pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init, initargs=(state, stop))
    try:
        # Workers are forked while the tasks are submitted: keep Ctrl-C out of them until they
        # ignore it (else a half-started worker prints a traceback); the parent gets it after.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            chunks = [pool.submit(_call, func, items[i : i + size]) for i in range(0, len(items), size)]
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        results = [result for chunk in chunks for result in chunk.result()]
    except BaseException:  # Ctrl-C or an error: the workers stop after the item in hand
        # Never kill a worker: one killed while it sends a result leaves half a message in the
        # pipe, and the pool's thread then waits for the rest forever (a hang on Ctrl-C). The
        # flag stops each worker within one item; queued chunks are cancelled, none is started.
        stop.value = True
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return results
