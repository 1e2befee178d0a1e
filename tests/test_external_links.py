"""``spinesite check --external``: dead and redirected links to other sites, against a local server.

The default ``check`` stays offline: it asks the server nothing.
"""

from __future__ import annotations

import http.server
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import MINIMAL, copy_site, run_cli
from spinesite.checks.externallinks import CACHE_FILE, PER_HOST, Answer, Settings, external_links, fetch_all, link_diagnostics
from spinesite.siteurls import SiteBase


class Server:
    def __init__(self) -> None:
        self.hits: Counter[tuple[str, str]] = Counter()
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.release = threading.Event()  # /hang answers only when the test is over
        self.httpd: http.server.ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.httpd is not None
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"


def _handler(server: Server) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_HEAD(self) -> None:
            self._answer(body=False)

        def do_GET(self) -> None:
            self._answer(body=True)

        def _answer(self, body: bool) -> None:
            path = self.path.split("?")[0]
            with server.lock:
                server.hits[(self.command, path)] += 1
                count = server.hits[(self.command, path)]
            self._route(path, body, count)

        def _route(self, path: str, body: bool, count: int) -> None:
            if path == "/hang":
                server.release.wait(30)
                return
            if path.startswith("/slow"):  # counted until just before the answer: the client cannot have it yet
                with server.lock:
                    server.in_flight += 1
                    server.most_in_flight = max(server.most_in_flight, server.in_flight)
                server.release.wait(0.05)
                with server.lock:
                    server.in_flight -= 1
            status, headers = 200, {}
            if path == "/gone":
                status = 404
            elif path == "/moved":
                status, headers = 301, {"Location": "/ok"}
            elif path == "/nohead" and self.command == "HEAD":
                status = 405
            elif path == "/flaky" and count == 1:
                status = 503
            elif path == "/broken":
                status = 500
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", "2" if body else "0")
            self.end_headers()
            if body:
                self.wfile.write(b"ok")

    return Handler


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    s.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(s))
    s.httpd.daemon_threads = True
    thread = threading.Thread(target=s.httpd.serve_forever, daemon=True)
    thread.start()
    yield s
    s.release.set()
    s.httpd.shutdown()
    s.httpd.server_close()


SETTINGS = "checks:\n  external_timeout: 1\n  external_retries: 1\n  orphans: false\n"


def _site(tmp_path: Path, server: Server, body_url: str, source_url: str, extra: str = SETTINGS) -> Path:
    site = copy_site(tmp_path / "site")
    config = site / "spinesite.yaml"
    config.write_text(config.read_text() + "search: false\n" + extra)
    for path in (site / "content").rglob("*.md"):  # only the condition page links to another site
        other = server.url + source_url if path.name == "back-pain.md" else "https://example.org/about/"
        path.write_text(path.read_text().replace("https://www.nice.org.uk/guidance/ng59", other))
    condition = site / "content/conditions/back-pain.md"
    condition.write_text(condition.read_text() + f"\nSee [this page]({server.url}{body_url}) too.\n")
    return site


def _problems(err: str) -> list[str]:
    return [line for line in err.splitlines() if "external link" in line]


def test_default_check_asks_no_server(tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    site = _site(tmp_path, server, "/gone", "/gone")
    code, _out, err = run_cli(capsys, "check", site)
    assert _problems(err) == []
    assert code == 0, err
    assert not server.hits


def test_dead_and_redirected_links_are_reported_where_they_are_written(
    tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    site = _site(tmp_path, server, "/gone", "/moved")
    code, _out, err = run_cli(capsys, "check", site, "--external")
    assert code == 1
    assert _problems(err) == [
        f"content/conditions/back-pain.md:18: warning: external link {server.url}/moved redirects to {server.url}/ok: link to that address instead",
        f"content/conditions/back-pain.md:24: external link {server.url}/gone is dead: HTTP 404 Not Found",
    ]


def test_live_links_pass_and_a_server_refusing_head_is_asked_with_get(
    tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    site = _site(tmp_path, server, "/nohead", "/ok")
    code, _out, err = run_cli(capsys, "check", site, "--external")
    assert _problems(err) == []
    assert code == 0, err
    assert server.hits[("HEAD", "/nohead")] == 1
    assert server.hits[("GET", "/nohead")] == 1


def test_a_failure_is_tried_again_and_a_lasting_one_reported(tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    site = _site(tmp_path, server, "/flaky", "/broken")
    code, _out, err = run_cli(capsys, "check", site, "--external")
    assert code == 1
    assert _problems(err) == [
        f"content/conditions/back-pain.md:18: external link {server.url}/broken does not work: HTTP 500 Internal Server Error"
    ]
    assert server.hits[("HEAD", "/flaky")] == 2  # a 503, then (tried again) a 200
    assert server.hits[("HEAD", "/broken")] == 2  # external_retries: 1


def test_a_server_that_never_answers_times_out(tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    extra = "checks:\n  external_timeout: 1\n  external_retries: 0\n  orphans: false\n"
    site = _site(tmp_path, server, "/hang", "/ok", extra)
    code, _out, err = run_cli(capsys, "check", site, "--external")
    assert code == 1
    assert _problems(err) == [
        f"content/conditions/back-pain.md:24: external link {server.url}/hang could not be reached: timed out (1 try)"
    ]


def test_recent_answers_are_reused_and_failures_asked_again(tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    site = _site(tmp_path, server, "/gone", "/ok")
    first = run_cli(capsys, "check", site, "--external")
    hits = dict(server.hits)
    assert (site / ".spinesite-cache" / CACHE_FILE).is_file()
    second = run_cli(capsys, "check", site, "--external")
    assert first[2] == second[2]  # the same report
    assert dict(server.hits) == hits  # a 200 and a 404 are kept for a day: nothing asked again


def test_failures_that_may_pass_are_not_kept(tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    site = _site(tmp_path, server, "/broken", "/ok")
    run_cli(capsys, "check", site, "--external")
    before = server.hits[("HEAD", "/broken")]
    run_cli(capsys, "check", site, "--external")
    assert server.hits[("HEAD", "/broken")] == 2 * before
    assert server.hits[("HEAD", "/ok")] == 1


def test_a_cache_file_that_is_not_ours_is_ignored(tmp_path: Path, server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    site = _site(tmp_path, server, "/gone", "/ok")
    (site / ".spinesite-cache").mkdir(exist_ok=True)
    (site / ".spinesite-cache" / CACHE_FILE).write_text('{"version": 1, "answers": {"x": {"status": "no"}}, "junk": [1]}')
    code, _out, err = run_cli(capsys, "check", site, "--external")
    assert len(_problems(err)) == 1 and code == 1


def test_requests_to_one_server_are_bounded(server: Server) -> None:
    urls = [f"{server.url}/slow{i}" for i in range(12)]
    answers = fetch_all(urls, Settings(timeout=5, retries=0, concurrency=8))
    assert {a.status for a in answers.values()} == {200}
    assert 1 <= server.most_in_flight <= PER_HOST


def test_links_to_this_site_and_other_schemes_are_not_external() -> None:
    base = SiteBase.from_url("https://example.org/guide/")
    pages = {
        "a.md": [
            ("https://example.org/guide/x/", 1),
            ("mailto:someone@example.com", 2),
            ("//cdn.example.net/x.js", 3),
            ("https://www.nice.org.uk/guidance/ng59", 4),
            ("https://www.nice.org.uk/guidance/ng59", 4),
            ("https://www.nice.org.uk/guidance/ng59#recommendations", 9),
            ("https://[broken/x", 10),
        ]
    }
    assert external_links(pages, base) == {"https://www.nice.org.uk/guidance/ng59": [("a.md", 4), ("a.md", 9)]}


def test_every_place_a_dead_link_is_written_is_reported() -> None:
    links = {"https://x.example/a": [("a.md", 3), ("b.md", 7)]}
    found = link_diagnostics(links, {"https://x.example/a": Answer(410, "Gone")}, Settings())
    assert [(d.path, d.line, d.level) for d in found] == [("a.md", 3, "error"), ("b.md", 7, "error")]
    assert found[0].message == "external link https://x.example/a is dead: HTTP 410 Gone"


def test_unknown_host_is_explained() -> None:
    found = fetch_all(["http://no-such-host.invalid/x"], Settings(timeout=2, retries=0))
    assert found["http://no-such-host.invalid/x"].status == 0
    assert found["http://no-such-host.invalid/x"].reason == "no such server (the address does not exist)"


def test_settings_are_validated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = copy_site(tmp_path / "site", {"spinesite.yaml": (MINIMAL / "spinesite.yaml").read_text() + "checks:\n  external_timeout: 0\n"})
    code, _out, err = run_cli(capsys, "check", site)
    assert code == 1
    assert "spinesite.yaml:" in err and "external_timeout" in err
