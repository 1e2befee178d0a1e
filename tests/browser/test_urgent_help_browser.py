"""The "When to get help urgently" page in headless Chromium.

- On the bundled site, a search for each red-flag word a frightened reader may type lists the
  urgent help page first: through the search page, and through the Pagefind index itself.
- The header's "Urgent help" link is on every page, readable, and at 390 px wide it shares
  the site name's row: it adds no row to the header or the navigation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from spinebrowser import NAV_ROWS, BuiltSite, contrast

URGENT = "/urgent-help/"
RED_FLAG_WORDS = ("bladder", "bowel", "saddle", "numb groin", "emergency")
# The first result URLs Pagefind gives for a query (its own ranking, before the search page's).
PAGEFIND_FIRST = """async ([bundle, query]) => {
  const pagefind = await import(bundle + 'pagefind.js');
  const search = await pagefind.search(query);
  const pages = await Promise.all(search.results.slice(0, 3).map(r => r.data()));
  return pages.map(p => p.url);
}"""
# Top of each element's box, rounded, so rows can be compared.
ROWS = """sels => sels.map(s => { const e = document.querySelector(s); if (!e) return null;
  const r = e.getBoundingClientRect(); return [Math.round(r.top), Math.round(r.bottom), Math.round(r.right)]; })"""


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    yield tab
    context.close()
    assert errors == []


@pytest.mark.parametrize("query", RED_FLAG_WORDS)
def test_red_flag_words_find_the_urgent_help_page_first(page: Any, bundled: BuiltSite, query: str) -> None:
    page.goto(bundled.url("/search/?q=" + query.replace(" ", "+")))
    page.wait_for_function(
        "() => document.querySelectorAll('#search-results .search-result').length > 0"
        " || /No results/.test(document.getElementById('search-status').textContent)"
    )
    shown = page.eval_on_selector_all(".search-result-title a", "els => els.map(a => a.getAttribute('href'))")
    assert shown[:1] == [URGENT], f"{query!r}: {shown[:5]}"
    assert page.evaluate(PAGEFIND_FIRST, ["/pagefind/", query])[:1] == [URGENT]


def test_the_urgent_help_page_lists_every_care_card(page: Any, bundled: BuiltSite) -> None:
    page.goto(bundled.url(URGENT))
    assert page.locator("h1").inner_text() == "When to get help urgently"
    labels = page.locator(".care-card-label").all_inner_texts()
    assert [label.split()[0].lower() for label in labels] == ["emergency", "urgent"]
    text = page.locator("main").inner_text()
    for words in ("bladder", "bowels", "saddle", "groin", "both legs"):
        assert words in text, words


@pytest.mark.parametrize("path", ["/", "/conditions/l4-l5-foraminal-narrowing/", "/stretches/bridge/", "/search/", URGENT])
def test_urgent_link_in_the_header_keeps_the_mobile_rows(page: Any, bundled: BuiltSite, path: str) -> None:
    page.goto(bundled.url(path))
    link = page.locator("header a.urgent-link")
    assert link.count() == 1 and link.is_visible()
    assert link.get_attribute("href") == URGENT
    assert link.inner_text().strip().endswith("Urgent help")
    name, urgent, search = page.evaluate(ROWS, [".site-name", "header a.urgent-link", ".search-form"])
    assert urgent[0] < name[1] and name[0] < urgent[1], f"not on the site name's row: {name} {urgent}"
    assert urgent[2] <= 390
    # the search box keeps its own row below (the search page has none in its header: its own box is the one)
    assert search is None or search[0] >= max(name[1], urgent[1]) - 1
    colours = link.evaluate("e => { const s = getComputedStyle(e); return [s.color, s.backgroundColor]; }")
    assert contrast(*colours) >= 4.5
    # Without the link the navigation has as many rows: the link is not what wraps it.
    rows = page.evaluate(NAV_ROWS)
    page.evaluate("() => document.querySelector('header a.urgent-link').remove()")
    assert page.evaluate(NAV_ROWS) == rows
