"""What ``spinesite serve`` answers for a checked path: everything comes from memory.

It owns the :class:`Snapshot` (the last good build's files, replaced as a whole after each
build, so readers never lock) and the answers made from it: the built files with their content
types, the base-path redirects, the site's 404 page, the error page (HTTP 500, listing the
``path:line: message`` diagnostics) that every HTML response becomes while the last edit is
broken, the search bundle from ``previewsearch.py``, and live reload: the small script served
from ``/__spinesite/reload.js`` and added before ``</body>`` of HTML responses (an external
same-origin script, so the pages' ``script-src 'self'`` policy allows it), and the server-sent
events at ``/__spinesite/events`` that tell open tabs a new build is there. Requests reach it
only through ``servehttp.py``'s checks.
"""

from __future__ import annotations

import html
import mimetypes
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from spinesite.diagnostics import Diagnostic
from spinesite.serve.http import TEXT, Handler, send
from spinesite.serve.search import PreviewSearch, bundle_key

INTERNAL = "/__spinesite/"
RELOAD_JS = b"""// spinesite serve: reload this page when the site is rebuilt and this page changed (not part
// of the built site). Hidden tabs let go of their connection (browsers allow only a few per
// server) and check again when shown: a different build id means the page may be out of date.
(() => {
  let shown = document.currentScript.dataset.build, events = null;
  const connect = () => {
    events = new EventSource("/__spinesite/events" + location.pathname);
    events.addEventListener("hello", (e) => { if (e.data !== shown) location.reload(); });
    events.addEventListener("reload", (e) => { if (e.data !== shown) location.reload(); });
    events.addEventListener("same", (e) => { shown = e.data; });
  };
  document.addEventListener("visibilitychange", () => {
    if (document.hidden && events) { events.close(); events = null; }
    else if (!document.hidden && !events) connect();
  });
  if (!document.hidden) connect();
})();
"""
RELOAD_TAG = b'<script src="/__spinesite/reload.js" data-build="%s"></script>'
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
_ERROR_CSP = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; connect-src 'self'"}


@dataclass(frozen=True)
class Snapshot:
    """What the server shows: replaced as a whole after each build (readers never lock)."""

    generation: int
    ok: bool
    files: dict[str, bytes]  # the last good build's files
    base_path: str = "/"
    problems: list[Diagnostic] = field(default_factory=list)  # errors and warnings when not ok


class Preview(Protocol):
    """What the answers need from the server (``serve.Server``)."""

    snapshot: Snapshot
    search: PreviewSearch
    stopping: threading.Event  # set when the server stops
    built: threading.Condition  # notified after each build
    event_slots: threading.BoundedSemaphore  # open event streams (tabs)

    def build_id(self, snap: Snapshot) -> str: ...


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


def answer(app: Preview, h: Handler, path: str, head: bool) -> None:
    """The response for a checked, decoded ``path``."""
    if path == INTERNAL + "reload.js":
        send(h, 200, RELOAD_JS, CONTENT_TYPES[".js"], head)
    elif path == INTERNAL + "events" or path.startswith(INTERNAL + "events/"):
        _events(app, h, head, path[len(INTERNAL + "events") :] or None)
    else:
        _serve_file(app, h, path, head)


def _serve_file(app: Preview, h: Handler, path: str, head: bool) -> None:
    snap = app.snapshot
    if snap.base_path != "/":
        if path == "/":
            send(h, 302, b"", "text/plain", head, {"Location": "." + quote(snap.base_path)})
            return
        if path + "/" == snap.base_path:
            send(h, 301, b"", "text/plain", head, {"Location": "./" + quote(path.rsplit("/", 1)[-1]) + "/"})
            return
        if not path.startswith(snap.base_path):
            _not_found(app, h, snap, head, html_like=True)
            return
        path = "/" + path[len(snap.base_path) :]
    rel = path.lstrip("/")
    key = rel + "index.html" if rel == "" or rel.endswith("/") else rel
    is_html = key.endswith(".html") or "." not in key.rsplit("/", 1)[-1]
    if not snap.ok and is_html:
        send(h, 500, inject_reload(error_page(snap.problems), app.build_id(snap)), CONTENT_TYPES[".html"], head, _ERROR_CSP)
    elif bundle_key(key) and key not in snap.files:
        _serve_search(app, h, snap, key, head)
    elif key in snap.files:
        data = snap.files[key]
        send(h, 200, inject_reload(data, app.build_id(snap)) if key.endswith(".html") else data, content_type(key), head)
    elif not rel.endswith("/") and rel + "/index.html" in snap.files:
        send(h, 301, b"", "text/plain", head, {"Location": "./" + quote(rel.rsplit("/", 1)[-1]) + "/"})
    else:
        _not_found(app, h, snap, head, is_html)


def _serve_search(app: Preview, h: Handler, snap: Snapshot, key: str, head: bool) -> None:
    """A file of the search bundle, from memory (see ``previewsearch.py``)."""
    data = app.search.get(key)
    if data is not None:
        send(h, 200, data, content_type(key), head)
    elif app.search.indexing and not app.search.generation:
        busy = b"503 the search index is being built; try again in a moment\n"
        send(h, 503, busy, TEXT, head, {"Retry-After": "1"})
    else:
        _not_found(app, h, snap, head, html_like=False)


def _not_found(app: Preview, h: Handler, snap: Snapshot, head: bool, html_like: bool) -> None:
    page = snap.files.get("404.html")
    if html_like and page is not None:
        send(h, 404, inject_reload(page, app.build_id(snap)), CONTENT_TYPES[".html"], head)
    else:
        send(h, 404, b"404 Not Found\n", TEXT, head)


def shown_at(snap: Snapshot, path: str) -> bytes | None:
    """What a tab at ``path`` shows from ``snap`` (its page, the 404 page), None for the error
    page; as :func:`_serve_file` finds it."""
    if not snap.ok:
        return None
    if snap.base_path != "/" and path.startswith(snap.base_path):
        path = "/" + path[len(snap.base_path) :]
    rel = path.lstrip("/")
    key = rel + "index.html" if rel == "" or rel.endswith("/") else rel
    return snap.files.get(key, snap.files.get("404.html"))


def unchanged_for(page: str, old: Snapshot, new: Snapshot) -> bool:
    """Whether a tab at ``page`` showing ``old`` shows exactly that in ``new``: its page is the
    same, and nothing else changed but other pages (a style sheet, a script or an image it
    loads could have)."""
    shown = shown_at(old, page)
    if shown is None or shown != shown_at(new, page):
        return False
    before = old.files
    changed = {key for key, data in new.files.items() if before.get(key) is not data and before.get(key) != data}
    return all(key.endswith(".html") for key in changed | (before.keys() - new.files.keys()))


def _events(app: Preview, h: Handler, head: bool, page: str | None = None) -> None:
    """Server-sent events: ``hello`` with the build id, then after each rebuild ``reload``, or
    ``same`` (with the new build id) when the tab names its ``page`` and that page did not change."""
    if not app.event_slots.acquire(blocking=False):
        h.close_connection = True
        send(h, 503, b"503 too many open tabs\n", TEXT, head)
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
        seen = app.snapshot
        gen = seen.generation

        def news() -> bool:
            return app.stopping.is_set() or app.snapshot.generation != gen

        h.wfile.write(f"retry: 1000\nevent: hello\ndata: {app.build_id(app.snapshot)}\n\n".encode())
        while not app.stopping.is_set():
            with app.built:
                app.built.wait_for(news, PING_SECONDS)
            if app.stopping.is_set():
                return
            if app.snapshot.generation != gen:
                snap = app.snapshot
                gen = snap.generation
                same = page is not None and unchanged_for(page, seen, snap)
                h.wfile.write(f"event: {'same' if same else 'reload'}\ndata: {app.build_id(snap)}\n\n".encode())
                seen = snap
            else:
                h.wfile.write(b": ping\n\n")
    except OSError:
        return  # the tab went away
    finally:
        app.event_slots.release()
