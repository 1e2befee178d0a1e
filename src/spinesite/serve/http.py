"""The HTTP layer of ``spinesite serve``: which requests get an answer, and how it is sent.

It owns the threading HTTP server and its request handler, the strict checks every request
passes before any lookup (GET/HEAD only, exactly one ``Host`` naming this server against DNS
rebinding, no absolute-URI targets for other origins, paths decoded exactly once with dot
segments, encoded slashes/dots/backslashes, NULs and double encoding refused; :class:`Reject`
says why, never echoing the input) and :func:`send`, which writes every response with the same
safe headers. What a valid path answers is not decided here: the server's ``answer`` does it
(``servepages.py``). Imports nothing else of spinesite but the console.
"""

from __future__ import annotations

import contextlib
import re
import socket
import socketserver
import unicodedata
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import unquote_to_bytes

from spinesite.console import Console

TEXT = "text/plain; charset=utf-8"
_ENCODED_FORBIDDEN = re.compile(r"%(?:2[eEfF]|5[cC]|00|25)")  # encoded . / \ NUL and % (double encoding)
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


class App(Protocol):
    """What the HTTP layer needs from the server (``serve.Server``)."""

    console: Console
    own_hosts: frozenset[str]

    def answer(self, h: Handler, path: str, head: bool) -> None: ...


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


def respond(h: Handler, head: bool) -> None:
    """Check the request, then let the server answer its path (or refuse it with :class:`Reject`'s status)."""
    app = h.server.app
    target = h.requestline.split()[1] if len(h.requestline.split()) > 1 else ""
    hosts = h.headers.get_all("Host") or []
    try:
        if len(hosts) != 1:
            raise Reject(400, "exactly one Host header is required")
        if hosts[0].strip().lower() not in app.own_hosts:
            raise Reject(403, "Host header does not name this server")
        path = request_path(target, app.own_hosts)
        if h.headers.get("Content-Length", "0").strip() not in ("", "0") or h.headers.get("Transfer-Encoding"):
            h.close_connection = True  # a body we will not read: do not parse it as the next request
    except Reject as exc:
        h.close_connection = True
        send(h, exc.status, f"{exc.status} {HTTPStatus(exc.status).phrase}: {exc.reason}\n".encode(), TEXT, head)
        return
    app.answer(h, path, head)


def send(h: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str, head: bool, extra: dict[str, str] | None = None) -> None:
    """One whole response, never cached, never sniffed; ``head``: the headers only."""
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


class HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for slow clients
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: App, family: socket.AddressFamily) -> None:
        self.address_family = family
        self.app = app
        super().__init__(address, Handler)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # skip HTTPServer's reverse DNS lookup
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        self.app.console.detail(f"connection from {client_address[0]} ended with an error")


class Handler(BaseHTTPRequestHandler):
    server: HTTPServer
    protocol_version = "HTTP/1.1"
    timeout = 30  # an idle or slow connection gives its thread back after this many seconds

    def version_string(self) -> str:
        return "spinesite"

    def do_GET(self) -> None:
        respond(self, head=False)

    def do_HEAD(self) -> None:
        respond(self, head=True)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):  # any other method
            return self._not_allowed
        raise AttributeError(name)

    def _not_allowed(self) -> None:
        self.close_connection = True  # any request body is left unread
        send(self, 405, b"405 Method Not Allowed\n", TEXT, head=False, extra={"Allow": "GET, HEAD"})

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        self.close_connection = True
        body = f"{code} {HTTPStatus(code).phrase}\n".encode()
        send(self, code, body, TEXT, head=self.command == "HEAD")

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
