"""A site published under a sub-path, as GitHub Pages publishes a project site.

The bundled example site is built with ``spinesite build --base-url https://user.github.io/repo/``
and served under ``/repo/`` by a tiny static server that, like GitHub Pages, answers a missing
path with ``/repo/404.html`` and status 404. Then:

- every internal URL written in any built page (links, stylesheets, scripts, images, srcset,
  form actions, canonical and Open Graph URLs), in the feed, the sitemap and robots.txt
  resolves under ``/repo/`` (fetched over HTTP; nothing points at the server's root);
- several pages of every kind, and the 404 page at a deep missing path, load in Chromium with
  every request they make answered (none 404, none outside ``/repo/``);
- a search query returns results whose links work.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from selectolax.lexbor import LexborHTMLParser
from spinebrowser import ROOT, _QuietHandler, copy_site, have_tools

pytestmark = pytest.mark.browser

PUBLIC = "https://user.github.io/repo/"
PREFIX = "/repo/"
# (selector, attribute) pairs that hold URLs the browser fetches or follows.
URL_ATTRS = [
    ("a[href]", "href"),
    ("link[href]", "href"),
    ("script[src]", "src"),
    ("img[src]", "src"),
    ("form[action]", "action"),
    ("meta[property='og:url']", "content"),
    ("meta[property='og:image']", "content"),
    ("[data-bundle]", "data-bundle"),
    ("[data-base]", "data-base"),
]
SRCSET = [("img[srcset]", "srcset"), ("source[srcset]", "srcset")]
OK = (200, 304)  # 304: Chromium revalidating what it has cached
PAGES = ["", "conditions/", "conditions/lumbar-foraminal-narrowing/", "stretches/", "search/", "glossary/", "about/"]


class _PagesHandler(_QuietHandler):
    """Static files; a missing path gets the site's 404.html with status 404 (GitHub Pages does)."""

    not_found: bytes = b""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404 or not self.not_found:
            super().send_error(code, message, explain)
            return
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.not_found)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(self.not_found)


@dataclass
class Published:
    out: Path  # the built site (www/repo)
    origin: str  # http://127.0.0.1:PORT

    def local(self, url: str) -> str:
        """The local address of a URL of the published site (absolute or root-relative)."""
        assert url.startswith((PUBLIC, PREFIX)), f"{url} is not under {PUBLIC}"
        return self.origin + PREFIX + url.removeprefix(PUBLIC).removeprefix(PREFIX)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published]:
    if reason := have_tools():
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("subpath")
    site = copy_site(ROOT, tmp / "site")
    out = tmp / "www" / "repo"
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}  # the bundled site: today's date (as spinebrowser)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH", "")]))
    proc = subprocess.run(
        [sys.executable, "-m", "spinesite", "build", str(site), "-o", str(out), "-q", "--base-url", PUBLIC],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    if proc.returncode != 0:  # the bundled content is being edited by others: say why, as spinebrowser does
        pytest.skip("the bundled site does not build: " + " | ".join((proc.stdout + proc.stderr).splitlines()[:5]))
    handler = type("Handler", (_PagesHandler,), {"not_found": (out / "404.html").read_bytes()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(tmp / "www")))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="serve-subpath", daemon=True).start()
    yield Published(out, f"http://127.0.0.1:{server.server_address[1]}")
    server.shutdown()
    server.server_close()


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def internal_urls(html: str, page_url: str) -> set[str]:
    """Absolute public URLs of everything on this site that a page links to or loads."""
    tree = LexborHTMLParser(html)
    found: list[str] = []
    for selector, attr in URL_ATTRS:
        found += [node.attributes.get(attr) or "" for node in tree.css(selector)]
    for selector, attr in SRCSET:
        for node in tree.css(selector):
            found += [part.split()[0] for part in (node.attributes.get(attr) or "").split(",") if part.strip()]
    urls = set()
    for raw in found:
        url = urljoin(page_url, raw.strip())
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc == "user.github.io":
            urls.add(url.split("#")[0])
    return urls


def test_every_url_in_every_page_feed_and_sitemap_resolves_under_the_subpath(published: Published) -> None:
    urls: dict[str, str] = {}  # public URL -> where it was found
    for file in sorted(published.out.rglob("*.html")):
        rel = file.relative_to(published.out).as_posix()
        page_url = PUBLIC + (rel.removesuffix("index.html") if rel != "404.html" else "no/such/page/")
        for url in internal_urls(file.read_text(encoding="utf-8"), page_url) - {page_url}:
            urls.setdefault(url, rel)
    feed = (published.out / "feed.xml").read_text(encoding="utf-8")
    for url in re.findall(r'<(?:link|id)[^>]*?(?:href="|>)(https?://[^"<]+)', feed):
        urls.setdefault(url, "feed.xml")
    sitemap = re.findall(r"<loc>([^<]+)</loc>", (published.out / "sitemap.xml").read_text(encoding="utf-8"))
    for url in sitemap:
        urls.setdefault(url, "sitemap.xml")
    for url in re.findall(r"Sitemap: (\S+)", (published.out / "robots.txt").read_text(encoding="utf-8")):
        urls.setdefault(url, "robots.txt")

    outside = sorted(f"{where}: {url}" for url, where in urls.items() if not url.startswith(PUBLIC))
    assert outside == [], "URLs that leave the sub-path (they would point at https://user.github.io/)"
    broken = sorted(f"{where}: {url} ({code})" for url, where in urls.items() if (code := status(published.local(url))) != 200)
    assert broken == []
    # what was checked: every kind of page and file the site has
    paths = {url.removeprefix(PUBLIC) for url in urls}
    for expected in ("", "assets/site.css", "assets/site.js", "feed.xml", "search/", "pagefind/", "handouts/lumbar-foraminal-narrowing/"):
        assert expected in paths, expected
    assert any(p.endswith(".svg") and not p.startswith("assets/") for p in paths)  # images in the pages (the stretches' figures)
    assert len(sitemap) >= 80


@dataclass
class Loaded:
    status: int
    responses: list[tuple[int, str]]


def load(browser: Any, url: str) -> Loaded:
    """Open ``url`` in a fresh tab; the status of the page and of every request it made."""
    context = browser.new_context()
    page = context.new_page()
    responses: list[tuple[int, str]] = []
    page.on("response", lambda r: responses.append((r.status, r.url)))
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
    try:
        response = page.goto(url, wait_until="networkidle")
        assert response is not None
        assert failed == []
        return Loaded(response.status, responses)
    finally:
        context.close()


@pytest.mark.parametrize("path", PAGES)
def test_pages_load_every_resource_under_the_subpath(browser: Any, published: Published, path: str) -> None:
    loaded = load(browser, published.origin + PREFIX + path)
    assert loaded.status == 200
    assert [f"{code} {url}" for code, url in loaded.responses if code not in OK] == []
    assert [url for _code, url in loaded.responses if not url.startswith(published.origin + PREFIX)] == []
    assert any(url.endswith("/repo/assets/site.css") for _code, url in loaded.responses)


def test_not_found_page_at_a_deep_path_keeps_its_styles(browser: Any, published: Published) -> None:
    loaded = load(browser, published.origin + PREFIX + "conditions/no-such-page/deeper/")
    assert loaded.status == 404
    assert [f"{code} {url}" for code, url in loaded.responses[1:] if code not in OK] == []
    assert published.origin + PREFIX + "assets/site.css" in [url for _code, url in loaded.responses]


def test_search_under_the_subpath_finds_pages_that_open(browser: Any, published: Published) -> None:
    context = browser.new_context()
    page = context.new_page()
    responses: list[tuple[int, str]] = []
    page.on("response", lambda r: responses.append((r.status, r.url)))
    try:
        page.goto(published.origin + PREFIX + "search/?q=sciatica", wait_until="networkidle")
        page.wait_for_selector(".search-result-title a")
        hrefs = page.eval_on_selector_all(".search-result-title a", "els => els.map(a => a.getAttribute('href'))")
        assert hrefs and all(h.startswith(PREFIX) for h in hrefs), hrefs
        page.click(".search-result-title a >> nth=0")
        page.wait_for_load_state("networkidle")
        assert page.url == published.origin + hrefs[0]
        assert [f"{code} {url}" for code, url in responses if code not in OK] == []
        assert any("/repo/pagefind/" in url for _code, url in responses)
    finally:
        context.close()
