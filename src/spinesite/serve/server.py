"""``spinesite serve``: preview a site, rebuilt in memory on every change, with live reload.

This module owns :class:`Server`, the public face that ``cli.py`` and the tests use: its life
cycle (build, bind, start the threads, stop them) and the rebuild, which publishes a new
:class:`Snapshot` and reports what changed. The parts live beside it:

- ``servehttp.py``: the HTTP server and handler, and the strict checks every request passes
  (GET/HEAD only, a ``Host`` naming this server, paths decoded exactly once);
- ``servepages.py``: what a checked path answers, from the in-memory build
  (``build(write=False).files``, never from disk, so nothing outside the generated site can be
  served): pages, the error page (HTTP 500 listing the ``path:line: message`` diagnostics)
  while an edit is broken, and live reload through server-sent events;
- ``servewatch.py``: watching ``content/``, ``templates/``, ``static/`` and ``spinesite.yaml``
  (watchfiles), and one rebuild per batch of changes;
- ``previewsearch.py``: after each good build (once the tabs were told to reload) the pages are
  indexed with Pagefind in a background thread, and ``/pagefind/`` is served from the newest
  complete bundle in memory.

``drafts`` (``serve --drafts``) builds the drafts too, as ``build --drafts`` does; ``search``
False (``serve --no-search``) never indexes the preview.
"""

from __future__ import annotations

import contextlib
import ipaddress
import secrets
import socket
import threading
import time
from pathlib import Path
from typing import Any

from spinesite.build import build
from spinesite.buildresult import BuildResult
from spinesite.console import Console
from spinesite.diagnostics import Diagnostic
from spinesite.incremental.stamp import input_stats
from spinesite.render.templates import theme_dir
from spinesite.serve.http import Handler, HTTPServer, Reject, request_path
from spinesite.serve.pages import Snapshot, answer
from spinesite.serve.quick import quick_files
from spinesite.serve.search import PreviewSearch, search_job
from spinesite.serve.watch import Watcher
from spinesite.siteurls import base_path

__all__ = ["Reject", "ServeError", "Server", "Snapshot", "request_path"]

ARM_SECONDS = 5.0  # longest wait at start for the watchers to be in place
MAX_EVENT_CLIENTS = 64


class ServeError(Exception):
    """The server cannot start (e.g. the port is in use)."""


class Server:
    """A preview server for ``site``. ``start()``/``stop()`` for tests; ``serve_forever()`` for the CLI."""

    def __init__(
        self,
        site: Path,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        console: Console | None = None,
        debounce_ms: int = 50,
        drafts: bool = False,
        search: bool = True,
    ) -> None:
        self.site = Path(site)
        self.host, self.port = host, port
        self.console = console or Console()
        self.drafts = drafts  # --drafts: show the drafts too
        self.search = PreviewSearch(self.console.warning)  # the Pagefind bundle, indexed after each good build
        self.indexes = search  # --no-search: never index (the search page then says search is not available)
        self.snapshot = Snapshot(0, False, {})
        self.last_reload_seconds: float | None = None  # edit → tabs notified, for the last rebuild
        self.stopping = threading.Event()
        self.built = threading.Condition()  # notified after each build (the tabs' event streams wait on it)
        self.event_slots = threading.BoundedSemaphore(MAX_EVENT_CLIENTS)
        self.own_hosts: frozenset[str] = frozenset()
        self._instance = secrets.token_hex(4)
        self._previous: BuildResult | None = None
        self._watcher = Watcher(self.site, debounce_ms, self.stopping, self.console.warning)
        self._threads: list[threading.Thread] = []
        self._httpd: HTTPServer | None = None

    # --- life cycle --------------------------------------------------------------------

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{self.snapshot.base_path}"

    def start(self, background_rebuilds: bool = True) -> None:
        """Build, bind, then serve and watch in background threads."""
        before = input_stats(self.site, theme_dir())  # to catch edits made before the watchers are armed
        with self.console.working("Building the site"):
            self.rebuild(time.time(), jobs=None)
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        try:
            self._httpd = HTTPServer((self.host, self.port), self, family)
        except OSError as exc:
            raise ServeError(f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}") from None
        self.port = int(self._httpd.server_address[1])
        self.own_hosts = self._hosts()
        self._spawn(self._httpd.serve_forever, "http", 0.1)
        self._spawn(self._watcher.watch_root, "watch-root")
        self._spawn(self._watcher.watch_tree, "watch-tree")
        self._spawn(self.search.run, "search")
        if background_rebuilds:
            self._spawn(self._rebuild_loop, "rebuild")
        # A save between the first build and the watchers being armed would go unseen: compare.
        self._watcher.wait_armed(ARM_SECONDS)
        after = input_stats(self.site, theme_dir())
        if changed := {rel for rel in set(after) | set(before) if after.get(rel) != before.get(rel)}:
            self._watcher.put({str(self.site / rel) for rel in changed if not rel.startswith("theme:")})
        if not self._is_loopback():
            self.console.warning(f"warning: listening on {self.host}: anyone who can reach this computer can read the preview")

    def serve_forever(self) -> None:
        """Start, then rebuild on changes in this thread (so Markdown time limits apply) until Ctrl-C."""
        self.start(background_rebuilds=False)
        self.console.success(f"Serving {self.site} at {self.url} (Ctrl-C to stop)")
        try:
            self._rebuild_loop()
        finally:
            self.stop()

    def stop(self) -> None:
        self.stopping.set()
        self.search.stop()
        self._watcher.stop()
        with self.built:
            self.built.notify_all()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        for t in self._threads:
            if t is not threading.current_thread():
                t.join(timeout=5)

    def _spawn(self, target: Any, name: str, *args: Any) -> None:
        t = threading.Thread(target=target, args=args, name=f"spinesite-{name}", daemon=True)
        t.start()
        self._threads.append(t)

    def _is_loopback(self) -> bool:
        try:
            return self.host == "localhost" or ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    def _hosts(self) -> frozenset[str]:
        names = {"localhost", "127.0.0.1", "[::1]"}
        with contextlib.suppress(ValueError):
            ip = ipaddress.ip_address(self.host)
            if not ip.is_unspecified:
                names.add(f"[{ip}]" if ip.version == 6 else str(ip))
        ports = [f":{self.port}"] + ([""] if self.port == 80 else [])
        return frozenset(n + p for n in names for p in ports)

    # --- building ----------------------------------------------------------------------

    def rebuild(self, changed_at: float, jobs: int | None = 1, paths: set[str] | None = None) -> Snapshot:
        """Build in memory and publish the result; returns the new snapshot. ``paths``: the files
        that changed; when they are pages whose text alone changed, those pages are shown first
        (``quick.py``), then the full rebuild is published."""
        if paths and self.snapshot.ok and self._previous is not None:
            self._quick_preview(paths)
        try:
            result = build(self.site, write=False, previous=self._previous, jobs=jobs, drafts=self.drafts)
            problems = result.diagnostics.sorted()
            ok = result.ok()
        except Exception as exc:  # a bug or an unreadable file must not stop the server
            result, ok = None, False
            problems = [Diagnostic("spinesite", 0, f"internal error while building: {exc!r}")]
        old = self.snapshot
        if ok and result is not None:
            self._previous = result
            base = base_path(result.config.base) if result.config else "/"
            snap = Snapshot(old.generation + 1, True, result.files, base, problems)
        else:
            snap = Snapshot(old.generation + 1, False, old.files, old.base_path, problems)
        with self.built:
            self.snapshot = snap
            self.built.notify_all()
        self.last_reload_seconds = max(0.0, time.time() - changed_at)
        self._report(old, snap, result)
        if self.indexes and snap.ok and result is not None and (job := search_job(snap.generation, result, snap.base_path)) is not None:
            self.search.request(job)  # after the tabs were told to reload: indexing never delays them
        return snap

    def _quick_preview(self, paths: set[str]) -> None:
        """Publish the edited pages at once, rendered with the previous build's graph (``quick.py``)."""
        assert self._previous is not None
        try:
            files = quick_files(self._previous, self.site, paths)
        except Exception:  # the full rebuild that follows reports any problem
            files = None
        if not files:
            return
        old = self.snapshot
        snap = Snapshot(old.generation + 1, True, {**old.files, **files}, old.base_path, old.problems)
        with self.built:
            self.snapshot = snap
            self.built.notify_all()

    def _report(self, old: Snapshot, new: Snapshot, result: BuildResult | None) -> None:
        seen = set(old.problems)
        fresh = [d for d in new.problems if d not in seen]
        for d in fresh:
            (self.console.error if d.level == "error" else self.console.warning)(d.format())
        n_err = sum(d.level == "error" for d in new.problems)
        n_warn = len(new.problems) - n_err
        what = f"{n_err} error{'s' * (n_err != 1)}, {n_warn} warning{'s' * (n_warn != 1)}"
        ms = round((self.last_reload_seconds or 0.0) * 1000)
        verb = "built" if new.generation == 1 else "rebuilt"
        if new.ok:
            pages = sum(result.counts.values()) if result is not None else 0
            self.console.info(f"{verb} in {ms} ms: {pages} pages; {what}")
        else:
            self.console.error(f"build failed ({what}); showing the error page until it is fixed [{ms} ms]")

    def _rebuild_loop(self) -> None:
        self._watcher.rebuild_loop(lambda changed_at, paths: self.rebuild(changed_at, paths=paths))

    # --- answering (servehttp.py checks the request, servepages.py answers it) ---------

    def answer(self, h: Handler, path: str, head: bool) -> None:
        answer(self, h, path, head)

    def build_id(self, snap: Snapshot) -> str:
        return f"{self._instance}-{snap.generation}"
