"""``spinesite serve``: preview a site, rebuilt in memory on every change, with live reload.

- Pages come straight from the in-memory build (``build(write=False).files``), never from
  disk, so nothing outside the generated site can be served.
- ``content/``, ``templates/``, ``static/`` and ``spinesite.yaml`` are watched (watchfiles);
  a change rebuilds the site and open tabs reload through server-sent events at
  ``/__spinesite/events``. The small script that listens is served from
  ``/__spinesite/reload.js`` and added before ``</body>`` of HTML responses (an external
  same-origin script, so the pages' ``script-src 'self'`` policy allows it).
- Search works as on the published site: after each good build (once the tabs were told to
  reload) the pages are indexed with Pagefind in a background thread, and ``/pagefind/`` is
  served from the newest complete bundle in memory (``previewsearch.py``).
- ``drafts`` (``serve --drafts``) builds the drafts too, as ``build --drafts`` does.
- A broken edit turns every HTML response into an error page (HTTP 500) listing the
  ``path:line: message`` diagnostics; other files keep coming from the last good build.
- Requests are checked strictly: GET/HEAD only, a ``Host`` naming this server (DNS
  rebinding), no absolute-URI targets for other origins, and paths decoded exactly once
  with dot segments, encoded slashes/dots/backslashes, NULs and double encoding refused.
"""

from __future__ import annotations

import contextlib
import html
import ipaddress
import mimetypes
import queue
import re
import secrets
import socket
import socketserver
import threading
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_to_bytes

from .build import BuildResult, build
from .console import Console
from .diagnostics import Diagnostic
from .previewsearch import PreviewSearch, bundle_key, search_job
from .stamp import input_stats
from .templates import theme_dir

INTERNAL = "/__spinesite/"
RELOAD_JS = b"""// spinesite serve: reload this page when the site is rebuilt (not part of the built site).
// Hidden tabs let go of their connection (browsers allow only a few per server) and check
// again when shown: a different build id means the page is out of date.
(() => {
  let shown = document.currentScript.dataset.build, events = null;
  const connect = () => {
    events = new EventSource("/__spinesite/events");
    events.addEventListener("hello", (e) => { if (e.data !== shown) location.reload(); });
    events.addEventListener("reload", (e) => { if (e.data !== shown) location.reload(); });
  };
  document.addEventListener("visibilitychange", () => {
    if (document.hidden && events) { events.close(); events = null; }
    else if (!document.hidden && !events) connect();
  });
  if (!document.hidden) connect();
})();
"""
RELOAD_TAG = b'<script src="/__spinesite/reload.js" data-build="%s"></script>'
WATCHED = ("content", "templates", "static")
ARM_POLL_MS = 200  # the watchers answer (empty) this often, which tells that they are in place
ARM_SECONDS = 5.0  # longest wait at start for the watchers to be in place
CONFIG = "spinesite.yaml"
MAX_EVENT_CLIENTS = 64
PING_SECONDS = 15.0
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".pdf": "application/pdf",
    ".wasm": "application/wasm",
    ".webmanifest": "application/manifest+json",
}
_ENCODED_FORBIDDEN = re.compile(r"%(?:2[eEfF]|5[cC]|00|25)")  # encoded . / \ NUL and % (double encoding)
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


class ServeError(Exception):
    """The server cannot start (e.g. the port is in use)."""


class Reject(Exception):
    """A request refused before any lookup: ``status`` and a short reason (never echoing input)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def request_path(target: str, own_hosts: frozenset[str]) -> str:
    """The decoded path of a request target, or :class:`Reject`. Percent-decodes exactly once."""
    if target[:7].lower() == "http://" or target[:8].lower() == "https://":
        scheme, _, rest = target.partition("://")
        authority, _, path = rest.partition("/")
        if scheme.lower() != "http" or authority.lower() not in own_hosts:
            raise Reject(400, "request target names another origin")
        target = "/" + path
    if not target.startswith("/"):
        raise Reject(400, "bad request target")
    path = target.partition("?")[0].partition("#")[0]
    if path.startswith("//") or "\\" in path or any(not 0x21 <= ord(c) < 0x7F for c in path):
        raise Reject(404, "bad path")
    if _BAD_ESCAPE.search(path) or _ENCODED_FORBIDDEN.search(path):
        raise Reject(404, "bad path")
    try:
        decoded = unquote_to_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        raise Reject(404, "bad path") from None
    if "\\" in decoded or "//" in decoded or any(unicodedata.category(c) in ("Cc", "Cf") for c in decoded):
        raise Reject(404, "bad path")
    if any(seg and not seg.strip(" .") for seg in decoded.split("/")):
        raise Reject(404, "bad path")  # ".", "..", "...", ".. " and the like
    return decoded


def content_type(name: str) -> str:
    if name == "feed.xml":
        return "application/atom+xml; charset=utf-8"
    suffix = Path(name).suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def inject_reload(page: bytes, build_id: str) -> bytes:
    """The reload script tag (an external, same-origin script) before the last ``</body>``."""
    tag = RELOAD_TAG % build_id.encode("ascii")
    at = page.lower().rfind(b"</body>")
    return page + tag if at < 0 else page[:at] + tag + page[at:]


def error_page(diagnostics: list[Diagnostic]) -> bytes:
    shown = diagnostics[:200]
    more = f"\n... and {len(diagnostics) - len(shown)} more" if len(diagnostics) > len(shown) else ""
    lines = html.escape("\n".join(d.format() for d in shown) + more, quote=False)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Build failed – spinesite serve</title>\n'
        "<style>body{font:16px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem}"
        "pre{white-space:pre-wrap;background:#fff3f3;color:#300;border-left:4px solid #c00;padding:1rem}</style></head>\n"
        "<body><h1>The site did not build</h1>\n<p>Fix these problems and save the file: this page reloads by itself.</p>\n"
        f'<pre id="spinesite-diagnostics">{lines}</pre>\n</body></html>\n'
    ).encode()


@dataclass(frozen=True)
class Snapshot:
    """What the server shows: replaced as a whole after each build (readers never lock)."""

    generation: int
    ok: bool
    files: dict[str, bytes]  # the last good build's files
    base_path: str = "/"
    problems: list[Diagnostic] = field(default_factory=list)  # errors and warnings when not ok


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for slow clients
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: Server, family: socket.AddressFamily) -> None:
        self.address_family = family
        self.app = app
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # skip HTTPServer's reverse DNS lookup
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        self.app.console.detail(f"connection from {client_address[0]} ended with an error")


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    timeout = 30  # an idle or slow connection gives its thread back after this many seconds

    def version_string(self) -> str:
        return "spinesite"

    def do_GET(self) -> None:
        self.server.app.respond(self, head=False)

    def do_HEAD(self) -> None:
        self.server.app.respond(self, head=True)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):  # any other method
            return self._not_allowed
        raise AttributeError(name)

    def _not_allowed(self) -> None:
        self.close_connection = True  # any request body is left unread
        self.server.app.send(self, 405, b"405 Method Not Allowed\n", "text/plain; charset=utf-8", head=False, extra={"Allow": "GET, HEAD"})

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        self.close_connection = True
        body = f"{code} {HTTPStatus(code).phrase}\n".encode()
        self.server.app.send(self, code, body, "text/plain; charset=utf-8", head=self.command == "HEAD")

    def finish(self) -> None:
        super().finish()
        with contextlib.suppress(OSError):  # lingering close: let the client read an early error response
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(0.5)
            for _ in range(64):
                if not self.connection.recv(65536):
                    break

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.app.console.verbosity > 0:
            self.server.app.console.detail(f"{self.address_string()} {format % args}")


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
    ) -> None:
        self.site = Path(site)
        self.host, self.port = host, port
        self.console = console or Console()
        self.debounce_ms = debounce_ms
        self.drafts = drafts  # --drafts: show the drafts too
        self.search = PreviewSearch(self.console.warning)  # the Pagefind bundle, indexed after each good build
        self.snapshot = Snapshot(0, False, {})
        self.last_reload_seconds: float | None = None  # edit → tabs notified, for the last rebuild
        self._instance = secrets.token_hex(4)
        self._previous: BuildResult | None = None
        self._changes: queue.Queue[tuple[float, set[str]]] = queue.Queue()
        self._stopping = threading.Event()
        self._restart_tree = threading.Event()
        self._built = threading.Condition()
        self._event_slots = threading.BoundedSemaphore(MAX_EVENT_CLIENTS)
        self._root_armed, self._tree_armed = threading.Event(), threading.Event()  # the watchers see changes from now on
        self._threads: list[threading.Thread] = []
        self._httpd: _HTTPServer | None = None
        self.own_hosts: frozenset[str] = frozenset()

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
            self._httpd = _HTTPServer((self.host, self.port), self, family)
        except OSError as exc:
            raise ServeError(f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}") from None
        self.port = int(self._httpd.server_address[1])
        self.own_hosts = self._hosts()
        self._spawn(self._httpd.serve_forever, "http", 0.1)
        self._spawn(self._watch_root, "watch-root")
        self._spawn(self._watch_tree, "watch-tree")
        self._spawn(self.search.run, "search")
        if background_rebuilds:
            self._spawn(self._rebuild_loop, "rebuild")
        # A save between the first build and the watchers being armed would go unseen: compare.
        for armed in (self._root_armed, self._tree_armed):
            armed.wait(ARM_SECONDS)
        after = input_stats(self.site, theme_dir())
        if changed := {rel for rel in set(after) | set(before) if after.get(rel) != before.get(rel)}:
            self._changes.put((time.time(), {str(self.site / rel) for rel in changed if not rel.startswith("theme:")}))
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
        self._stopping.set()
        self.search.stop()
        self._restart_tree.set()
        with self._built:
            self._built.notify_all()
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

    def rebuild(self, changed_at: float, jobs: int | None = 1) -> Snapshot:
        """Build in memory and publish the result; returns the new snapshot."""
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
            base = "/" + result.config.base.split("://", 1)[1].partition("/")[2] if result.config else "/"
            snap = Snapshot(old.generation + 1, True, result.files, base, problems)
        else:
            snap = Snapshot(old.generation + 1, False, old.files, old.base_path, problems)
        with self._built:
            self.snapshot = snap
            self._built.notify_all()
        self.last_reload_seconds = max(0.0, time.time() - changed_at)
        self._report(old, snap, result)
        if snap.ok and result is not None and (job := search_job(snap.generation, result, snap.base_path)) is not None:
            self.search.request(job)  # after the tabs were told to reload: indexing never delays them
        return snap

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
        while not self._stopping.is_set():
            try:
                first, paths = self._changes.get(timeout=0.2)
            except queue.Empty:
                continue
            with contextlib.suppress(queue.Empty):
                while True:  # one rebuild for everything that changed meanwhile
                    more = self._changes.get_nowait()
                    first, paths = min(first, more[0]), paths | more[1]
            if not self._stopping.is_set():
                self.rebuild(_edit_time(first, paths))

    # --- watching ----------------------------------------------------------------------

    def _watch_root(self) -> None:
        """The site folder itself (not recursive): spinesite.yaml, and watched folders appearing."""

        def wanted(_change: Any, path: str) -> bool:
            return Path(path).name in (CONFIG, *WATCHED)

        for paths in self._watch(self._root_armed, self.site, watch_filter=wanted, stop_event=self._stopping, recursive=False):
            if any(Path(p).name in WATCHED for p in paths):
                self._restart_tree.set()
            self._changes.put((time.time(), paths))

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

    def _watch_tree(self) -> None:
        warned = False
        while not self._stopping.is_set():
            self._restart_tree.clear()
            roots = [self.site / name for name in WATCHED if (self.site / name).is_dir()]
            if not roots:
                self._tree_armed.set()
                self._restart_tree.wait()
                continue
            try:
                for paths in self._watch(self._tree_armed, *roots, stop_event=self._restart_tree, ignore_permission_denied=True):
                    self._changes.put((time.time(), paths))
            except (RuntimeError, OSError) as exc:  # a folder vanished, or the system's watch limit
                if not warned and not isinstance(exc, FileNotFoundError):
                    self.console.warning(f"warning: cannot watch for changes ({exc}); try WATCHFILES_FORCE_POLLING=1")
                    warned = True
                self._stopping.wait(1.0)

    # --- HTTP --------------------------------------------------------------------------

    def respond(self, h: _Handler, head: bool) -> None:
        target = h.requestline.split()[1] if len(h.requestline.split()) > 1 else ""
        hosts = h.headers.get_all("Host") or []
        try:
            if len(hosts) != 1:
                raise Reject(400, "exactly one Host header is required")
            if hosts[0].strip().lower() not in self.own_hosts:
                raise Reject(403, "Host header does not name this server")
            path = request_path(target, self.own_hosts)
            if h.headers.get("Content-Length", "0").strip() not in ("", "0") or h.headers.get("Transfer-Encoding"):
                h.close_connection = True  # a body we will not read: do not parse it as the next request
        except Reject as exc:
            h.close_connection = True
            self.send(
                h, exc.status, f"{exc.status} {HTTPStatus(exc.status).phrase}: {exc.reason}\n".encode(), "text/plain; charset=utf-8", head
            )
            return
        if path == INTERNAL + "reload.js":
            self.send(h, 200, RELOAD_JS, CONTENT_TYPES[".js"], head)
        elif path == INTERNAL + "events":
            self._events(h, head)
        else:
            self._serve_file(h, path, head)

    def _serve_file(self, h: _Handler, path: str, head: bool) -> None:
        snap = self.snapshot
        if snap.base_path != "/":
            if path == "/":
                self.send(h, 302, b"", "text/plain", head, {"Location": "." + quote(snap.base_path)})
                return
            if path + "/" == snap.base_path:
                self.send(h, 301, b"", "text/plain", head, {"Location": "./" + quote(path.rsplit("/", 1)[-1]) + "/"})
                return
            if not path.startswith(snap.base_path):
                self._not_found(h, snap, head, html_like=True)
                return
            path = "/" + path[len(snap.base_path) :]
        rel = path.lstrip("/")
        key = rel + "index.html" if rel == "" or rel.endswith("/") else rel
        is_html = key.endswith(".html") or "." not in key.rsplit("/", 1)[-1]
        if not snap.ok and is_html:
            self.send(h, 500, inject_reload(error_page(snap.problems), self._build_id(snap)), CONTENT_TYPES[".html"], head, _ERROR_CSP)
        elif bundle_key(key) and key not in snap.files:
            self._serve_search(h, snap, key, head)
        elif key in snap.files:
            data = snap.files[key]
            self.send(h, 200, inject_reload(data, self._build_id(snap)) if key.endswith(".html") else data, content_type(key), head)
        elif not rel.endswith("/") and rel + "/index.html" in snap.files:
            self.send(h, 301, b"", "text/plain", head, {"Location": "./" + quote(rel.rsplit("/", 1)[-1]) + "/"})
        else:
            self._not_found(h, snap, head, is_html)

    def _serve_search(self, h: _Handler, snap: Snapshot, key: str, head: bool) -> None:
        """A file of the search bundle, from memory (see ``previewsearch.py``)."""
        data = self.search.get(key)
        if data is not None:
            self.send(h, 200, data, content_type(key), head)
        elif self.search.indexing and not self.search.generation:
            busy = b"503 the search index is being built; try again in a moment\n"
            self.send(h, 503, busy, "text/plain; charset=utf-8", head, {"Retry-After": "1"})
        else:
            self._not_found(h, snap, head, html_like=False)

    def _not_found(self, h: _Handler, snap: Snapshot, head: bool, html_like: bool) -> None:
        page = snap.files.get("404.html")
        if html_like and page is not None:
            self.send(h, 404, inject_reload(page, self._build_id(snap)), CONTENT_TYPES[".html"], head)
        else:
            self.send(h, 404, b"404 Not Found\n", "text/plain; charset=utf-8", head)

    def send(self, h: _Handler, status: int, body: bytes, ctype: str, head: bool, extra: dict[str, str] | None = None) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        h.send_header("Cache-Control", "no-store")
        h.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (extra or {}).items():
            h.send_header(name, value)
        if h.close_connection:
            h.send_header("Connection", "close")
        h.end_headers()
        if not head and body:
            h.wfile.write(body)

    def _build_id(self, snap: Snapshot) -> str:
        return f"{self._instance}-{snap.generation}"

    def _events(self, h: _Handler, head: bool) -> None:
        """Server-sent events: ``hello`` with the build id, then ``reload`` after each rebuild."""
        if not self._event_slots.acquire(blocking=False):
            h.close_connection = True
            self.send(h, 503, b"503 too many open tabs\n", "text/plain; charset=utf-8", head)
            return
        try:
            h.close_connection = True
            h.send_response(200)
            for name, value in (
                ("Content-Type", "text/event-stream"),
                ("Cache-Control", "no-store"),
                ("X-Content-Type-Options", "nosniff"),
                ("Connection", "close"),
            ):
                h.send_header(name, value)
            h.end_headers()
            if head:
                return
            gen = self.snapshot.generation

            def news() -> bool:
                return self._stopping.is_set() or self.snapshot.generation != gen

            h.wfile.write(f"retry: 1000\nevent: hello\ndata: {self._build_id(self.snapshot)}\n\n".encode())
            while not self._stopping.is_set():
                with self._built:
                    self._built.wait_for(news, PING_SECONDS)
                if self._stopping.is_set():
                    return
                if self.snapshot.generation != gen:
                    gen = self.snapshot.generation
                    h.wfile.write(f"event: reload\ndata: {self._build_id(self.snapshot)}\n\n".encode())
                else:
                    h.wfile.write(b": ping\n\n")
        except OSError:
            return  # the tab went away
        finally:
            self._event_slots.release()


_ERROR_CSP = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; connect-src 'self'"}


def _edit_time(detected: float, paths: set[str]) -> float:
    """When the edit happened: the oldest changed file's mtime, within 5 s before it was noticed."""
    mtimes = []
    for p in paths:
        with contextlib.suppress(OSError):
            mtimes.append(Path(p).stat().st_mtime)
    return min(max(min(mtimes, default=detected), detected - 5.0), detected)
