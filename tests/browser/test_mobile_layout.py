"""The bundled site on a phone (390 × 844 px, the screen of a common phone):

- the home page shows its first condition above the fold, and the navigation is one row;
- the L4–L5 page is at most 8 screens long before anything is opened, with its treatments
  grouped by evidence and those advised against folded away;
- the search page has exactly one search box, and its form keeps its place while search.js starts.

Screenshots of the three pages go to test-artifacts/mobile/ for people to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from spinebrowser import ARTIFACTS, NAV_ROWS, BuiltSite

PHONE = {"width": 390, "height": 844}
MAX_SCREENS = 8
L4_L5 = "/conditions/l4-l5-foraminal-narrowing/"
SHOTS = ARTIFACTS / "mobile"


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-390.png"), full_page=True)


def test_home_shows_a_condition_above_the_fold_and_one_row_of_navigation(phone: Any, bundled: BuiltSite) -> None:
    phone.goto(bundled.url("/"))
    first = phone.locator(".region-panel .card a").first
    box = first.bounding_box()
    assert box and box["y"] + box["height"] <= PHONE["height"], f"the first condition link ends at {box} px"
    assert phone.evaluate(NAV_ROWS) == 1
    names = phone.eval_on_selector_all(".site-nav a", "els => els.map(a => a.textContent.trim())")
    assert names[:5] == ["Conditions", "Exercises", "Treatments", "Causes", "Glossary"]
    map_top = phone.locator("svg.spine-map").bounding_box()
    assert map_top and map_top["y"] > box["y"], "the spine map comes after the conditions"
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "home")


def test_spine_map_draws_regions_without_pages_compactly(phone: Any, bundled: BuiltSite) -> None:
    """The bundled site is about the lower back: the neck and upper back are one block each."""
    phone.goto(bundled.url("/"))
    groups = phone.eval_on_selector_all("svg.spine-map .vertebra-group text", "els => els.map(e => e.textContent)")
    assert groups == ["C1–C7", "T1–T12"]
    height = phone.locator("svg.spine-map").bounding_box()["height"]
    assert height < 420, f"the spine map is {height} px tall"


def test_l4_l5_page_is_at_most_8_screens_before_opening_anything(phone: Any, bundled: BuiltSite) -> None:
    phone.goto(bundled.url(L4_L5))
    assert phone.locator("details[open]").count() == 0
    height = phone.evaluate("document.documentElement.scrollHeight")
    assert height <= MAX_SCREENS * PHONE["height"], f"{height} px is {height / PHONE['height']:.1f} screens"
    assert phone.locator("nav.toc a").count() >= 8
    screenshot(phone, "l4-l5")


def test_l4_l5_treatments_are_grouped_by_evidence(phone: Any, bundled: BuiltSite) -> None:
    phone.goto(bundled.url(L4_L5))
    groups = phone.eval_on_selector_all(
        "details.evidence-group",
        """els => els.map(d => [d.className.match(/evidence-group-([a-z-]+)/)[1],
            [...d.querySelectorAll('li, tbody tr')].map(row => [...row.querySelector('.badge').classList])])""",
    )
    statuses = [status for status, _ in groups]
    order = ["recommended", "option", "no-recommendation", "experimental", "not-recommended"]
    assert statuses[-1] == "not-recommended" and [s for s in order if s in statuses] == statuses
    for status, badges in groups:
        assert badges and all(f"badge-{status}" in badge for badge in badges), (status, badges)
    assert phone.locator("details.evidence-group-not-recommended table").count() == 1
    # Every treatment of the page is in one group.
    listed = phone.eval_on_selector_all("details.evidence-group a", "els => els.map(a => a.getAttribute('href'))")
    assert len(listed) == len(set(listed)) >= 20


def test_search_page_has_one_search_box_that_keeps_its_place(phone: Any, bundled: BuiltSite) -> None:
    phone.add_init_script(
        "window.__cls = 0; new PerformanceObserver(l => { for (const e of l.getEntries()) if (!e.hadRecentInput) window.__cls += e.value; })"
        ".observe({type: 'layout-shift', buffered: true});"
    )
    phone.goto(bundled.url("/search/"))
    phone.wait_for_selector("form.search-box:not([hidden])")
    assert phone.locator("input[type=search]").count() == 1
    button = phone.locator(".search-query button")
    colours = button.evaluate("b => { const s = getComputedStyle(b); return [s.color, s.backgroundColor]; }")
    assert colours[0] != colours[1] and colours[1] not in ("rgba(0, 0, 0, 0)", "rgb(240, 240, 240)"), colours
    phone.wait_for_timeout(300)  # let any late shift be recorded (not a timing assertion)
    assert phone.evaluate("window.__cls") < 0.01
    screenshot(phone, "search")
