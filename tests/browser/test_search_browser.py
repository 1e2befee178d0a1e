"""The search page in headless Chromium, against locally served builds.

- the bundled site (a copy of the repo's content/, static/ and spinesite.yaml, built with
  search): ranking, synonyms, filters, no request leaving the origin, CSP, axe-core;
- a small site under a base path (/spine/): result links carry the prefix, excerpts are
  inserted as text, and the no-JavaScript fallback.
"""

from __future__ import annotations

import functools
import re
import shutil
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
TESTS = ROOT / "tests"
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium"),
]
playwright_api = pytest.importorskip("playwright.sync_api")

FORAMINAL = {
    "/conditions/lumbar-foraminal-narrowing/",
    "/conditions/l4-l5-foraminal-narrowing/",
    "/conditions/l1-l2-foraminal-narrowing/",
}
CSP_PROBE = "window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Served:
    origin: str  # http://127.0.0.1:PORT
    prefix: str  # the site's base path, e.g. "/" or "/spine/"

    def url(self, path: str) -> str:
        return self.origin + self.prefix + path.lstrip("/")


def _serve(root: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def _build(site: Path, out: Path) -> None:
    from spinesite.build import build

    problems = [d.format() for d in build(site, out, incremental=False, jobs=1).diagnostics.errors]
    assert problems == []
    assert (out / "pagefind" / "pagefind.js").is_file()


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The bundled example site, built with search and served at the root of an origin."""
    tmp = tmp_path_factory.mktemp("bundled")
    site = tmp / "site"
    site.mkdir()
    for name in ("content", "static"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, site / name)
    shutil.copy(ROOT / "spinesite.yaml", site / "spinesite.yaml")
    _build(site, tmp / "out")
    server, origin = _serve(tmp / "out")
    yield Served(origin, "/")
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def prefixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The minimal test site with synonyms, base_url https://example.org/spine/, served at /spine/."""
    from conftest import copy_site, page
    from test_search import SYNONYM_FILES

    tmp = tmp_path_factory.mktemp("prefixed")
    tricky = page("pages", "Markup", "Some text shows `<img src=x onerror=alert(1)>` next to the word bridge.\n")
    site = copy_site(tmp / "site", {**SYNONYM_FILES, "content/pages/markup.md": tricky})
    config = site / "spinesite.yaml"
    config.write_text(config.read_text().replace("base_url: https://example.org/", "base_url: https://example.org/spine/"))
    _build(site, tmp / "www" / "spine")
    server, origin = _serve(tmp / "www")
    yield Served(origin, "/spine/")
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM))
        yield b
        b.close()


@dataclass
class Tab:
    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def search(self, query: str) -> list[str]:
        """Type ``query`` into the search page's box; the result links, in order."""
        self.page.fill("#search-query", query)
        self.wait_for_status(f"for \u201c{query}\u201d")
        return self.hrefs()

    def wait_for_status(self, text: str) -> None:
        self.page.wait_for_function("t => document.getElementById('search-status').textContent.includes(t)", arg=text)
        self.page.wait_for_function("() => document.getElementById('search-results').hidden || document.querySelector('.search-result')")

    def hrefs(self) -> list[str]:
        return list(self.page.eval_on_selector_all(".search-result-title a", "els => els.map(a => a.getAttribute('href'))"))

    def types(self) -> list[str]:
        return list(self.page.eval_on_selector_all(".search-result-type", "els => els.map(e => e.textContent)"))


def _tab(browser: Any, served: Served, *, javascript: bool = True) -> Iterator[Tab]:
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    tab = Tab(page)
    page.on("request", lambda r: tab.requests.append(r.url))
    page.on("pageerror", lambda e: tab.errors.append(str(e)))
    page.on("console", lambda m: tab.errors.append(m.text) if m.type in ("error", "warning") else None)
    page.add_init_script(CSP_PROBE)
    yield tab
    # Everything (pages, scripts, styles, WASM, index fragments) came from the site's own origin,
    # nothing broke the Content-Security-Policy, and no script failed.
    outside = [u for u in tab.requests if not u.startswith(served.origin + "/")]
    assert outside == []
    if javascript:
        assert page.evaluate("window.__csp") == []
    assert tab.errors == []
    context.close()


@pytest.fixture
def tab(browser: Any, bundled: Served) -> Iterator[Tab]:
    yield from _tab(browser, bundled)


@pytest.fixture
def prefixed_tab(browser: Any, prefixed: Served) -> Iterator[Tab]:
    yield from _tab(browser, prefixed)


def test_bridge_lists_the_bridge_stretch_first(tab: Tab, bundled: Served) -> None:
    tab.page.goto(bundled.url("/search/"))
    hrefs = tab.search("bridge")
    assert hrefs[0] == "/stretches/bridge/"
    first = tab.page.locator(".search-result").first
    assert first.locator("h2 a").inner_text() == "Bridge"
    assert first.locator(".search-result-type").inner_text().lower() == "exercise"
    marks = first.locator(".search-result-excerpt mark").all_inner_texts()
    assert marks and {m.lower() for m in marks} == {"bridge"}
    # The excerpt holds text and <mark> only.
    assert tab.page.eval_on_selector_all(".search-result-excerpt *", "els => els.map(e => e.tagName)") == ["MARK"] * len(
        tab.page.locator(".search-result-excerpt mark").all()
    )
    assert tab.page.url == bundled.url("/search/?q=bridge")


def test_stenosis_finds_the_foraminal_narrowing_pages(tab: Tab, bundled: Served) -> None:
    tab.page.goto(bundled.url("/search/"))
    assert FORAMINAL <= set(tab.search("stenosis")[:10])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pinched nerve", {"/conditions/lumbar-foraminal-narrowing/", "/glossary/foraminal-narrowing/"}),
        ("foraminal stenosis", {"/conditions/lumbar-foraminal-narrowing/", "/glossary/foraminal-narrowing/"}),
        ("sciatica-like pain", {"/conditions/l4-l5-foraminal-narrowing/", "/glossary/sciatica/"}),
    ],
)
def test_synonyms_find_the_pages(tab: Tab, bundled: Served, query: str, expected: set[str]) -> None:
    # The words are aliases / also_called names, not (only) the pages' own text.
    tab.page.goto(bundled.url("/search/?q=" + query.replace(" ", "+")))
    tab.wait_for_status(f"for \u201c{query}\u201d")
    assert tab.page.input_value("#search-query") == query
    assert expected <= set(tab.hrefs()[:5])


def test_type_and_region_filters_narrow_the_results(tab: Tab, bundled: Served) -> None:
    tab.page.goto(bundled.url("/search/"))
    everything = tab.search("bridge")
    assert {"Exercise", "Condition"} <= {t.capitalize() for t in tab.types()}
    tab.page.get_by_label("Conditions", exact=True).check()
    tab.wait_for_status("with the filters you chose")
    conditions = tab.hrefs()
    assert conditions and len(conditions) < len(everything)
    assert set(conditions) <= set(everything)
    assert {t.lower() for t in tab.types()} == {"condition"}
    assert tab.page.url == bundled.url("/search/?q=bridge&type=condition")
    # Several types: either; type and region: both.
    tab.page.get_by_label("Stretches and exercises").check()
    tab.page.wait_for_function("n => document.querySelectorAll('.search-result').length > n", arg=len(conditions))
    assert {t.lower() for t in tab.types()} == {"condition", "exercise"}
    tab.page.get_by_label(re.compile(r"^Lumbar")).check()
    tab.page.wait_for_function("() => [...document.querySelectorAll('.search-result-type')].every(e => /condition/i.test(e.textContent))")
    assert tab.hrefs() == conditions  # only conditions have a region; all of these are lumbar
    # The filters are restored from the address.
    tab.page.reload()
    tab.wait_for_status("with the filters you chose")
    assert tab.page.is_checked("#filter-type-condition") and tab.page.is_checked("#filter-region-lumbar")


def test_show_more_and_no_results(tab: Tab, bundled: Served) -> None:
    tab.page.goto(bundled.url("/search/"))
    tab.search("pain")
    assert len(tab.hrefs()) == 10
    total = int(tab.page.inner_text("#search-status").split()[0])
    assert total > 10
    tab.page.click("#search-more")
    tab.page.wait_for_function("() => document.querySelectorAll('.search-result').length > 10")
    assert len(tab.hrefs()) == min(total, 20)
    assert tab.page.evaluate("document.activeElement.getAttribute('href')") == tab.hrefs()[10]
    tab.page.fill("#search-query", "zzqxj")
    tab.wait_for_status("No results for \u201czzqxj\u201d")
    assert tab.hrefs() == [] and tab.page.is_hidden("#search-results") and tab.page.is_hidden("#search-more")


def test_header_search_box_on_every_page(tab: Tab, bundled: Served) -> None:
    tab.page.goto(bundled.url("/stretches/bridge/"))
    tab.page.fill("#site-search", "pinched nerve")
    tab.page.press("#site-search", "Enter")
    tab.page.wait_for_url(bundled.url("/search/?q=pinched+nerve"))
    tab.wait_for_status("for \u201cpinched nerve\u201d")
    assert "/conditions/lumbar-foraminal-narrowing/" in tab.hrefs()


@pytest.mark.skipif(not AXE.is_file(), reason="needs tests/browser/node_modules/axe-core (npm install)")
def test_search_page_with_results_has_no_axe_violations(tab: Tab, bundled: Served) -> None:
    tab.page.goto(bundled.url("/search/?q=foraminal+stenosis&type=condition&type=glossary"))
    tab.wait_for_status("for \u201cforaminal stenosis\u201d")
    assert tab.hrefs()
    # Evaluated through the DevTools protocol: the page's CSP (no inline scripts) does not apply.
    tab.page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = tab.page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_TAGS)
    violations = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
    assert violations == []


def test_base_path_prefix_and_excerpts_as_text(prefixed_tab: Tab, prefixed: Served) -> None:
    tab = prefixed_tab
    tab.page.goto(prefixed.url("/search/"))
    assert tab.search("pinched nerve")[0] == "/spine/conditions/foraminal-narrowing/"
    hrefs = tab.search("bridge")
    assert "/spine/stretches/bridge/" in hrefs and "/spine/markup/" in hrefs
    markup = tab.page.locator(".search-result", has=tab.page.locator("a[href='/spine/markup/']"))
    assert "<img src=x onerror=alert(1)>" in markup.locator(".search-result-excerpt").inner_text()
    assert markup.locator("img").count() == 0
    assert markup.locator(".search-result-type").inner_text().lower() == "page"
    with tab.page.expect_navigation():
        tab.page.click("a[href='/spine/stretches/bridge/']")
    assert tab.page.locator("h1").inner_text() == "Bridge"


def test_without_javascript_the_page_offers_browsing(browser: Any, prefixed: Served) -> None:
    tab_iter = _tab(browser, prefixed, javascript=False)
    tab = next(tab_iter)
    tab.page.goto(prefixed.url("/search/?q=bridge"))
    assert tab.page.is_hidden("form.search-box")
    assert tab.page.is_visible("text=Search needs JavaScript")
    assert tab.page.is_visible("#browse")
    assert tab.page.locator(".search-fallback a").count() >= 5
    # The header form still works (a plain GET to the search page).
    tab.page.goto(prefixed.url("/stretches/bridge/"))
    tab.page.fill("#site-search", "pinched nerve")
    tab.page.press("#site-search", "Enter")
    tab.page.wait_for_url(prefixed.url("/search/?q=pinched+nerve"))
    assert [r for r in tab.requests if "pagefind" in r] == []
    next(tab_iter, None)
