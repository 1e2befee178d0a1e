"""The search page in headless Chromium, against locally served builds.

- the bundled site (the shared ``sites`` fixture of conftest.py: the repo root built with the
  real command line, search included): ranking, synonyms, filters, "show more", the header
  search box, no request leaving the origin, no CSP violation, axe-core;
- a small site built here under a base path (/spine/): result links carry the prefix,
  excerpts are inserted as text only, and the no-JavaScript fallback.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from spinebrowser import ROOT, BuiltSite, build_site, get_site, have_tools, serve

pytestmark = pytest.mark.browser  # skipped with the reason naming all that is missing (conftest.py), Playwright included

FORAMINAL = {
    "/conditions/lumbar-foraminal-narrowing/",
    "/conditions/l4-l5-foraminal-narrowing/",
    "/conditions/l1-l2-foraminal-narrowing/",
}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
CSP_PROBE = "window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
REVIEW = """last_reviewed: 2026-01-01
next_review: 2027-01-01
reviewed_by: Test Reviewer (placeholder)
sources:
  - title: NICE NG59
    url: https://www.nice.org.uk/guidance/ng59
"""
# Added to the minimal test site: a condition known by other names that mentions a glossary
# term, and a page whose text looks like markup.
PREFIXED_FILES = {
    "content/conditions/foraminal-narrowing.md": "---\ntitle: Foraminal narrowing\nsummary: A short summary.\nregion: lumbar\n"
    "spine_levels: [L4-L5]\naliases: [pinched nerve, foraminal stenosis]\n" + REVIEW + "---\n"
    "The gap where a nerve leaves the spine gets smaller. This gap is called a foramen.\n",
    "content/pages/markup.md": "---\ntitle: Markup\nsummary: A page.\n" + REVIEW + "---\n"
    "Some text shows `<img src=x onerror=alert(1)>` next to the word bridge.\n",
}


@pytest.fixture(scope="module")
def bundled(sites: dict[str, BuiltSite | str]) -> BuiltSite:
    site = get_site(sites, "bundled")
    assert (site.out / "pagefind" / "pagefind.js").is_file()
    return site


@pytest.fixture(scope="module")
def prefixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltSite]:
    """The minimal test site plus PREFIXED_FILES, base_url https://example.org/spine/, served at /spine/."""
    if reason := have_tools():
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("prefixed")
    site = tmp / "site"
    shutil.copytree(ROOT / "tests" / "sites" / "minimal", site)
    for rel, text in PREFIXED_FILES.items():
        (site / rel).write_text(text, encoding="utf-8")
    config = site / "spinesite.yaml"
    config.write_text(config.read_text().replace("base_url: https://example.org/", "base_url: https://example.org/spine/"))
    ok, log = build_site(site, tmp / "www" / "spine")
    assert ok, log
    server, base = serve(tmp / "www")
    yield BuiltSite("prefixed", tmp / "www" / "spine", base + "/spine")
    server.shutdown()
    server.server_close()


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
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        # search.js updates the status after the results are in place.
        try:
            self.page.wait_for_function("t => document.getElementById('search-status').textContent.includes(t)", arg=text)
        except PlaywrightTimeout:
            status = self.page.inner_text("#search-status")
            pytest.fail(f"status {status!r} never showed {text!r}; console: {self.errors}; requests: {self.requests[-5:]}")

    def hrefs(self) -> list[str]:
        return list(self.page.eval_on_selector_all(".search-result-title a", "els => els.map(a => a.getAttribute('href'))"))

    def types(self) -> list[str]:
        return list(self.page.eval_on_selector_all(".search-result-type", "els => els.map(e => e.textContent)"))


def _tab(browser: Any, served: BuiltSite, *, javascript: bool = True) -> Iterator[Tab]:
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    tab = Tab(page)
    page.on("request", lambda r: tab.requests.append(r.url))
    page.on("pageerror", lambda e: tab.errors.append(str(e)))
    page.on(
        "requestfailed", lambda r: tab.errors.append(f"request failed: {r.url} {r.failure}") if "ABORTED" not in (r.failure or "") else None
    )
    page.on("console", lambda m: tab.errors.append(f"{m.type}: {m.text} {m.args}") if m.type in ("error", "warning") else None)
    page.add_init_script(CSP_PROBE)
    try:
        yield tab
        violations = page.evaluate("window.__csp") if javascript else []
    finally:
        context.close()
    # Everything (pages, scripts, styles, WASM, index fragments) came from the site's own origin,
    # nothing broke the Content-Security-Policy, and no script failed.
    origin = re.match(r"https?://[^/]+", served.base)
    assert origin is not None
    assert [u for u in tab.requests if not u.startswith(origin.group(0) + "/")] == []
    assert violations == []
    assert tab.errors == []


@pytest.fixture
def tab(browser: Any, bundled: BuiltSite) -> Iterator[Tab]:
    yield from _tab(browser, bundled)


@pytest.fixture
def prefixed_tab(browser: Any, prefixed: BuiltSite) -> Iterator[Tab]:
    yield from _tab(browser, prefixed)


@pytest.fixture
def nojs_tab(browser: Any, prefixed: BuiltSite) -> Iterator[Tab]:
    yield from _tab(browser, prefixed, javascript=False)


def test_bridge_lists_the_bridge_stretch_first(tab: Tab, bundled: BuiltSite) -> None:
    tab.page.goto(bundled.url("/search/"))
    hrefs = tab.search("bridge")
    assert hrefs[0] == "/stretches/bridge/"
    first = tab.page.locator(".search-result").first
    assert first.locator("h2 a").inner_text() == "Bridge"
    assert first.locator(".search-result-type").inner_text().lower() == "exercise"
    marks = first.locator(".search-result-excerpt mark").all_inner_texts()
    assert marks and {m.lower().strip(".,;:") for m in marks} == {"bridge"}
    # The excerpt holds text and <mark> only.
    assert tab.page.eval_on_selector_all(".search-result-excerpt *", "els => els.map(e => e.tagName)") == ["MARK"] * len(
        tab.page.locator(".search-result-excerpt mark").all()
    )
    assert tab.page.url == bundled.url("/search/?q=bridge")


def test_stenosis_finds_the_foraminal_narrowing_pages(tab: Tab, bundled: BuiltSite) -> None:
    tab.page.goto(bundled.url("/search/"))
    assert set(tab.search("stenosis")[:10]) >= FORAMINAL


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pinched nerve", {"/conditions/lumbar-foraminal-narrowing/", "/glossary/foraminal-narrowing/"}),
        ("foraminal stenosis", {"/conditions/lumbar-foraminal-narrowing/", "/glossary/foraminal-narrowing/"}),
        ("sciatica-like pain", {"/conditions/l4-l5-foraminal-narrowing/", "/glossary/sciatica/"}),
    ],
)
def test_synonyms_find_the_pages(tab: Tab, bundled: BuiltSite, query: str, expected: set[str]) -> None:
    # The words are aliases / also_called names, not (only) the pages' own text.
    tab.page.goto(bundled.url("/search/?q=" + query.replace(" ", "+")))
    tab.wait_for_status(f"for \u201c{query}\u201d")
    assert tab.page.input_value("#search-query") == query
    assert expected <= set(tab.hrefs()[:5])


def test_type_and_region_filters_narrow_the_results(tab: Tab, bundled: BuiltSite) -> None:
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


def test_show_more_and_no_results(tab: Tab, bundled: BuiltSite) -> None:
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


def test_header_search_box_on_every_page(tab: Tab, bundled: BuiltSite) -> None:
    tab.page.goto(bundled.url("/stretches/bridge/"))
    tab.page.fill("#site-search", "pinched nerve")
    tab.page.press("#site-search", "Enter")
    tab.page.wait_for_url(bundled.url("/search/?q=pinched+nerve"))
    tab.wait_for_status("for \u201cpinched nerve\u201d")
    assert "/conditions/lumbar-foraminal-narrowing/" in tab.hrefs()


def test_search_page_with_results_has_no_axe_violations(tab: Tab, bundled: BuiltSite, axe_source: str) -> None:
    tab.page.goto(bundled.url("/search/?q=foraminal+stenosis&type=condition&type=glossary"))
    tab.wait_for_status("for \u201cforaminal stenosis\u201d")
    assert tab.hrefs()
    # Evaluated through the DevTools protocol: the page's CSP (no inline scripts) does not apply.
    tab.page.evaluate(axe_source + "\n;0")
    result = tab.page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_TAGS)
    violations = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
    assert violations == []


def test_base_path_prefix_and_excerpts_as_text(prefixed_tab: Tab, prefixed: BuiltSite) -> None:
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


def test_without_javascript_the_page_offers_browsing(nojs_tab: Tab, prefixed: BuiltSite) -> None:
    tab = nojs_tab
    tab.page.goto(prefixed.url("/search/?q=bridge"))
    assert tab.page.is_hidden("form.search-box")
    assert tab.page.is_visible("#browse")
    assert tab.page.locator(".search-fallback a").count() >= 5
    # The header form still works (a plain GET to the search page).
    tab.page.goto(prefixed.url("/stretches/bridge/"))
    tab.page.fill("#site-search", "pinched nerve")
    tab.page.press("#site-search", "Enter")
    tab.page.wait_for_url(prefixed.url("/search/?q=pinched+nerve"))
    assert [r for r in tab.requests if "pagefind" in r] == []


def test_search_works_in_the_preview_server(browser: Any, tmp_path: Any) -> None:
    """``spinesite serve`` indexes in the background: a query typed into its search page finds
    a page, and, after an edit, the page by its new words."""
    import io
    import os
    import time

    from spinesite.console import QUIET, Console
    from spinesite.serve.server import Server

    site = tmp_path / "site"
    shutil.copytree(ROOT / "tests" / "sites" / "minimal", site)
    server = Server(site, port=0, console=Console(QUIET, stream=io.StringIO()))
    server.start()
    try:
        served = BuiltSite("serve", site, f"http://127.0.0.1:{server.port}")
        assert server.search.wait_for(1, 120)
        for tab in _tab(browser, served):
            tab.page.goto(served.url("/search/"))
            assert "/stretches/bridge/" in tab.search("bridge")
            tab.page.goto("about:blank")  # no tab reloading itself while the test navigates
            path = site / "content" / "conditions" / "back-pain.md"
            edited = site / ".edit.tmp"
            edited.write_text(path.read_text().replace("Back pain is common.", "Back pain is common. Zygapophyseal joints."))
            os.replace(edited, path)
            deadline = time.monotonic() + 60
            while server.snapshot.generation < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert server.snapshot.generation >= 2 and server.search.wait_for(server.snapshot.generation, 120)
            tab.page.goto(served.url("/search/"))
            assert tab.search("zygapophyseal") == ["/conditions/back-pain/"]
    finally:
        server.stop()
