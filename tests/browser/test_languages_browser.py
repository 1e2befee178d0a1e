"""The bundled site's Spanish pages in headless Chromium (issue 16):

- the language switcher: what it lists, following it by keyboard, the hreflang links of <head>,
  no switcher on a page without a translation, and on a phone (visible, 24 × 24 px targets,
  no sideways scrolling);
- search per language: the Spanish search page finds only Spanish pages, the English one only
  English pages, and the Spanish page's live messages are in Spanish;
- axe-core (as in test_accessibility.py) and the Nu Html Checker (as in test_validity.py) at 0 on
  every page under /es/;
- a link from a Spanish page to a page with no Spanish version: hreflang="en-GB" and a visible
  "(en inglés)", to an English page that exists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from spinebrowser import BuiltSite, focus_ring, have_tools, vnu_errors
from test_accessibility import run_axe
from test_search_browser import Tab, _tab

pytestmark = pytest.mark.browser  # skipped with the reason naming all that is missing (conftest.py), Playwright included

BRIDGE = "/stretches/bridge/"
BRIDGE_ES = "/es/stretches/bridge/"
UNTRANSLATED = "/stretches/cat-camel/"
L4_L5_ES = "/es/conditions/l4-l5-foraminal-narrowing/"
ORIGIN = "https://example.org"  # the bundled site's base_url: hreflang links in <head> are absolute
PHONE = {"width": 390, "height": 844}  # as in test_mobile_layout.py
SPANISH_WORD = "puente"  # the title of content/stretches/bridge.es.md; no English page has it
NONSENSE = "zzqxj"

# The <head>'s hreflang links and the switcher's entries, as plain data.
HEAD_LINKS = "() => [...document.head.querySelectorAll('link[rel=alternate][hreflang]')].map(l => [l.hreflang, l.getAttribute('href')])"
SWITCHER = """() => [...document.querySelectorAll('nav.language-switcher li')].map(li => {
  const a = li.querySelector('a');
  const el = a || li.firstElementChild;
  return {text: el.textContent.trim(), link: !!a, href: a && a.getAttribute('href'), hreflang: a && a.getAttribute('hreflang'),
          lang: el.getAttribute('lang'), current: !a && el.classList.contains('current-language')};
})"""


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def tab(browser: Any, bundled: BuiltSite) -> Iterator[Tab]:
    """A search tab (test_search_browser.py's): nothing from another origin, no CSP violation or script error."""
    assert (bundled.out / "pagefind" / "pagefind.js").is_file()
    yield from _tab(browser, bundled)


def spanish_pages(site: BuiltSite) -> list[str]:
    return [p for p in site.pages if p.startswith("/es/")]


# --- the language switcher ---------------------------------------------------------------------


def test_switcher_on_the_english_page_links_to_the_spanish_one(page: Any, bundled: BuiltSite) -> None:
    page.goto(bundled.url(BRIDGE))
    assert page.get_attribute("html", "lang") == "en-GB"
    assert page.get_attribute("nav.language-switcher", "aria-label") == "Other languages"
    assert page.evaluate(SWITCHER) == [
        {"text": "English", "link": False, "href": None, "hreflang": None, "lang": "en-GB", "current": True},
        {"text": "Español", "link": True, "href": BRIDGE_ES, "hreflang": "es", "lang": "es", "current": False},
    ]
    assert page.evaluate(HEAD_LINKS) == [
        ["en-GB", ORIGIN + BRIDGE],
        ["es", ORIGIN + BRIDGE_ES],
        ["x-default", ORIGIN + BRIDGE],
    ]


def test_switcher_followed_by_keyboard_lands_on_the_spanish_page(page: Any, bundled: BuiltSite) -> None:
    from playwright.sync_api import expect

    page.goto(bundled.url(BRIDGE))
    seen = []
    for _ in range(40):  # Tab through the page's header until the switcher's link has focus
        page.keyboard.press("Tab")
        ring = focus_ring(page)
        seen.append(ring["href"])
        if ring["href"] == BRIDGE_ES:
            break
    assert ring["href"] == BRIDGE_ES, f"Tab never reached the switcher's link; focused in turn: {seen}"
    assert ring["visible"], f"the switcher's link has no visible focus indicator: {ring}"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(bundled.url(BRIDGE_ES))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("h1")).to_have_text("Puente")
    assert page.get_attribute("nav.language-switcher", "aria-label") == "Otros idiomas"
    assert page.evaluate(SWITCHER) == [
        {"text": "English", "link": True, "href": BRIDGE, "hreflang": "en-GB", "lang": "en-GB", "current": False},
        {"text": "Español", "link": False, "href": None, "hreflang": None, "lang": "es", "current": True},
    ]
    assert page.evaluate(HEAD_LINKS) == [
        ["en-GB", ORIGIN + BRIDGE],
        ["es", ORIGIN + BRIDGE_ES],
        ["x-default", ORIGIN + BRIDGE],
    ]


def test_a_page_without_a_translation_has_no_switcher_and_no_hreflang(page: Any, bundled: BuiltSite) -> None:
    assert "/es" + UNTRANSLATED not in bundled.pages
    page.goto(bundled.url(UNTRANSLATED))
    assert page.get_attribute("html", "lang") == "en-GB"
    assert page.locator("nav.language-switcher").count() == 0
    assert page.evaluate(HEAD_LINKS) == []


@pytest.mark.parametrize("path", [BRIDGE, BRIDGE_ES])
def test_switcher_on_a_phone(phone: Any, bundled: BuiltSite, path: str) -> None:
    """Visible, each link at least 24 × 24 CSS px (WCAG 2.2, 2.5.8), nothing wider than the screen."""
    from playwright.sync_api import expect

    phone.goto(bundled.url(path))
    switcher = phone.locator("nav.language-switcher")
    expect(switcher).to_be_visible()
    links = switcher.locator("a")
    expect(links).to_have_count(1)
    for i in range(links.count()):
        link = links.nth(i)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box is not None
        assert box["width"] >= 24 and box["height"] >= 24, f"{link.inner_text()!r} is {box['width']} × {box['height']} px"
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"{link.inner_text()!r} overflows the screen: {box}"
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


# --- search per language ---------------------------------------------------------------------------


def search(tab: Tab, query: str, said: str) -> list[str]:
    """Type ``query`` into the search page's box and wait for the status to say ``said``; the result links."""
    tab.page.fill("#search-query", query)
    tab.wait_for_status(said)
    return tab.hrefs()


def test_spanish_search_finds_spanish_pages_only(tab: Tab, bundled: BuiltSite) -> None:
    tab.page.goto(bundled.url("/es/search/"))
    assert tab.page.get_attribute("html", "lang") == "es"
    hrefs = search(tab, SPANISH_WORD, f"para «{SPANISH_WORD}»")
    assert [h for h in hrefs if not h.startswith("/es/")] == []
    assert BRIDGE_ES in hrefs, f"the Spanish search for {SPANISH_WORD!r} links to {hrefs}"
    # An English word: only Spanish pages that mention it (links to English pages, "(en inglés)"),
    # never the English page itself.
    hrefs = search(tab, "bridge", "para «bridge»")
    assert [h for h in hrefs if not h.startswith("/es/")] == []


def test_english_search_finds_english_pages_only(tab: Tab, bundled: BuiltSite) -> None:
    tab.page.goto(bundled.url("/search/"))
    assert tab.page.get_attribute("html", "lang") == "en-GB"
    assert search(tab, SPANISH_WORD, f"No results for \u201c{SPANISH_WORD}\u201d") == []
    hrefs = search(tab, "bridge", "for \u201cbridge\u201d")
    assert hrefs[0] == BRIDGE
    assert [h for h in hrefs if h.startswith("/es/")] == []


def test_spanish_search_speaks_spanish(tab: Tab, bundled: BuiltSite) -> None:
    tab.page.goto(bundled.url("/es/search/"))
    root = tab.page.locator("[data-msg-none]")
    expect_none = root.get_attribute("data-msg-none")
    for_query = root.get_attribute("data-msg-for")
    assert expect_none and for_query
    assert expect_none.startswith("No hay resultados") and for_query == "para «{query}»"
    search(tab, NONSENSE, "No hay resultados")
    status = tab.page.inner_text("#search-status")
    assert status == expect_none.replace("{details}", " " + for_query.replace("{query}", NONSENSE))
    assert tab.hrefs() == [] and tab.page.is_hidden("#search-results")
    # A count, in Spanish too.
    search(tab, SPANISH_WORD, f"para «{SPANISH_WORD}»")
    assert "resultado" in tab.page.inner_text("#search-status")


# --- axe-core and the Nu Html Checker on every Spanish page ---------------------------------------


def test_there_are_spanish_pages(bundled: BuiltSite) -> None:
    pages = spanish_pages(bundled)
    assert {"/es/", BRIDGE_ES, L4_L5_ES, "/es/search/", "/es/urgent-help/"} <= set(pages)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_has_no_violations_on_spanish_pages(browser: Any, bundled: BuiltSite, axe_source: str, scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    found = {}
    try:
        for path in spanish_pages(bundled):
            page.goto(bundled.url(path))
            if violations := run_axe(page, axe_source):
                found[path] = violations
    finally:
        context.close()
    assert found == {}, f"axe ({scheme}): " + json.dumps(found, indent=1, ensure_ascii=False)


def test_axe_has_no_violations_on_a_spanish_page_on_a_phone(phone: Any, bundled: BuiltSite, axe_source: str) -> None:
    phone.goto(bundled.url(L4_L5_ES))
    violations = run_axe(phone, axe_source)
    assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)


def test_spanish_pages_are_valid_html(bundled: BuiltSite) -> None:
    if reason := have_tools(needs_java=True):
        pytest.skip(reason)
    files = [str(f) for f in bundled.html_files() if f.relative_to(bundled.out).parts[0] == "es"]
    assert len(files) == len(spanish_pages(bundled)) > 0
    errors = vnu_errors(files)
    assert errors == [], "\n".join(errors[:40])


# --- links to pages with no Spanish version ----------------------------------------------------------


def test_links_to_untranslated_pages_say_en_ingles(page: Any, bundled: BuiltSite) -> None:
    page.goto(bundled.url(L4_L5_ES))
    links = page.evaluate(
        """() => [...document.querySelectorAll('main a[hreflang="en-GB"]')]
             .map(a => ({href: a.getAttribute('href'), text: a.innerText.trim()}))
             .filter(l => l.text.endsWith('(en inglés)'))"""
    )
    assert links, f"no link on {L4_L5_ES} with hreflang=en-GB ends with (en inglés)"
    assert all(link["href"].startswith("/") and not link["href"].startswith("/es/") for link in links), links
    # Follow the first one a reader can see (some are in folded sections).
    first = page.locator("main a[hreflang='en-GB']:visible").filter(has_text=re.compile(r"\(en inglés\)$")).first
    target = first.get_attribute("href")
    assert target in bundled.pages
    with page.expect_navigation():
        first.click()
    assert page.url == bundled.url(target)
    assert page.get_attribute("html", "lang") == "en-GB"
    # Every one of them goes to an English page that was built.
    assert [link["href"] for link in links if link["href"] not in bundled.pages] == []
