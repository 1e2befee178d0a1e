"""Watching a site for ``spinesite serve``, and when to rebuild it.

It owns the two watchers (watchfiles) and the queue of changes they fill: one on the site
folder itself (not recursive: ``spinesite.yaml``, and ``content/``, ``templates/`` or
``static/`` appearing or vanishing, which restarts the other), one on those folders' trees.
It tells when both are in place (``wait_armed``), and :meth:`Watcher.rebuild_loop` turns the
queue into rebuilds: one for everything that changed meanwhile, timed from the moment of the
edit (the oldest changed file's modification time), not from when it was noticed. What a
rebuild does is the caller's (``serve.Server.rebuild``). Imports nothing else of spinesite.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

WATCHED = ("content", "templates", "static")
CONFIG = "spinesite.yaml"
ARM_POLL_MS = 200  # the watchers answer (empty) this often, which tells that they are in place


class Watcher:
    """Changed paths of ``site``, queued as (seconds when noticed, paths) until :meth:`rebuild_loop` takes them."""

    def __init__(self, site: Path, debounce_ms: int, stopping: threading.Event, warn: Callable[[str], None]) -> None:
        self.site = site
        self.debounce_ms = debounce_ms
        self.stopping = stopping  # set when the server stops
        self.warn = warn
        self.changes: queue.Queue[tuple[float, set[str]]] = queue.Queue()
        self.restart_tree = threading.Event()
        self.root_armed, self.tree_armed = threading.Event(), threading.Event()  # the watchers see changes from now on

    def put(self, paths: set[str]) -> None:
        self.changes.put((time.time(), paths))

    def wait_armed(self, seconds: float) -> None:
        """Until both watchers are in place (at most ``seconds`` each)."""
        for armed in (self.root_armed, self.tree_armed):
            armed.wait(seconds)

    def stop(self) -> None:
        """Let the tree watcher end (with ``stopping`` set)."""
        self.restart_tree.set()

    def rebuild_loop(self, rebuild: Callable[[float, set[str]], object]) -> None:
        """Call ``rebuild(edit time, changed paths)`` once per batch of changes, until ``stopping`` is set."""
        while not self.stopping.is_set():
            try:
                first, paths = self.changes.get(timeout=0.2)
            except queue.Empty:
                continue
            with contextlib.suppress(queue.Empty):
                while True:  # one rebuild for everything that changed meanwhile
                    more = self.changes.get_nowait()
                    first, paths = min(first, more[0]), paths | more[1]
            if not self.stopping.is_set():
                rebuild(edit_time(first, paths), paths)

    def watch_root(self) -> None:
        """The site folder itself (not recursive): spinesite.yaml, and watched folders appearing."""

        def wanted(_change: Any, path: str) -> bool:
            return Path(path).name in (CONFIG, *WATCHED)

        for paths in self._watch(self.root_armed, self.site, watch_filter=wanted, stop_event=self.stopping, recursive=False):
            if any(Path(p).name in WATCHED for p in paths):
                self.restart_tree.set()
            self.changes.put((time.time(), paths))

    def watch_tree(self) -> None:
        """``content/``, ``templates/`` and ``static/``, restarted when one of them appears or vanishes."""
        warned = False
        while not self.stopping.is_set():
            self.restart_tree.clear()
            roots = [self.site / name for name in WATCHED if (self.site / name).is_dir()]
            if not roots:
                self.tree_armed.set()
                self.restart_tree.wait()
                continue
            try:
                for paths in self._watch(self.tree_armed, *roots, stop_event=self.restart_tree, ignore_permission_denied=True):
                    self.changes.put((time.time(), paths))
            except (RuntimeError, OSError) as exc:  # a folder vanished, or the system's watch limit
                if not warned and not isinstance(exc, FileNotFoundError):
                    self.warn(f"warning: cannot watch for changes ({exc}); try WATCHFILES_FORCE_POLLING=1")
                    warned = True
                self.stopping.wait(1.0)

    def _watch(self, armed: threading.Event, *roots: Path, **options: Any) -> Iterator[set[str]]:
        """Changed paths under ``roots`` (watchfiles); sets ``armed`` once the watch is in place
        (watchfiles answers empty when nothing changed for a while, and only once it watches)."""
        import watchfiles

        for changes in watchfiles.watch(
            *roots, step=self.debounce_ms, raise_interrupt=False, rust_timeout=ARM_POLL_MS, yield_on_timeout=True, **options
        ):
            armed.set()
            if changes:
                yield {p for _c, p in changes}


def edit_time(detected: float, paths: set[str]) -> float:
    """When the edit happened: the oldest changed file's mtime, within 5 s before it was noticed."""
    mtimes = []
    for p in paths:
        with contextlib.suppress(OSError):
            mtimes.append(Path(p).stat().st_mtime)
    return min(max(min(mtimes, default=detected), detected - 5.0), detected)
