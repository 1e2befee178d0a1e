"""axe-core (WCAG 2.0–2.2 A and AA) on every page type, light and dark; keyboard access."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from spinebrowser import PAGE_TYPES, SITE_NAMES, Sites, focus_ring, focus_text_contrast, get_site

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCHEMES = ("light", "dark")


@pytest.fixture(scope="module")
def scheme_pages(browser: Any) -> Any:
    """One reusable page per colour scheme."""
    contexts = {scheme: browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900}) for scheme in SCHEMES}
    pages = {scheme: ctx.new_page() for scheme, ctx in contexts.items()}
    yield pages
    for ctx in contexts.values():
        ctx.close()


def run_axe(page: Any, axe_source: str) -> list[dict[str, Any]]:
    """Inject axe-core (evaluated over CDP, so the page's CSP does not block it) and run it."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(f"() => {{ {axe_source}\n}}")
    result = page.evaluate(
        """async (tags) => {
          const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
          return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}));
        }""",
        AXE_TAGS,
    )
    return list(result)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("page_type", list(PAGE_TYPES))
@pytest.mark.parametrize("site_name", SITE_NAMES)
def test_axe_has_no_violations(sites: Sites, scheme_pages: Any, axe_source: str, site_name: str, page_type: str, scheme: str) -> None:
    site = get_site(sites, site_name)
    path = site.of_type(page_type)
    if path is None:
        assert site_name != "theme", f"the theme fixture site has no {page_type} page"
        pytest.skip(f"the {site_name} site has no {page_type} page yet")
    page = scheme_pages[scheme]
    page.goto(site.url(path))
    assert page.evaluate("() => matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
    violations = run_axe(page, axe_source)
    assert violations == [], f"{site_name} {path} ({scheme}): " + json.dumps(violations, indent=1)


@pytest.mark.parametrize("page_type", ["home", "condition", "handout"])
def test_axe_has_no_violations_on_a_small_screen(sites: Sites, browser: Any, axe_source: str, page_type: str) -> None:
    site = get_site(sites, "theme")
    path = site.of_type(page_type)
    assert path
    ctx = browser.new_context(viewport={"width": 320, "height": 700})
    page = ctx.new_page()
    page.goto(site.url(path))
    violations = run_axe(page, axe_source)
    ctx.close()
    assert violations == [], f"{path} at 320 px: " + json.dumps(violations, indent=1)


def test_tab_starts_with_skip_link_then_reaches_spine_map(sites: Sites, browser: Any) -> None:
    """Tab from the top: the skip link first, then on through the page to every spine-map level link, in order."""
    site = get_site(sites, "theme")
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.goto(site.url("/"))
    expected = page.eval_on_selector_all("svg.spine-map a.level-link", "els => els.map(e => e.getAttribute('href'))")
    assert expected, "the home page's spine map has no level links"
    page.keyboard.press("Tab")
    first = focus_ring(page)
    assert "skip-link" in first["cls"], f"the first Tab focused {first}, not the skip link"
    assert first["visible"], f"the skip link has no visible focus indicator: {first}"
    assert page.evaluate("() => document.activeElement.getBoundingClientRect().top >= 0"), "the focused skip link is off screen"
    seen: list[dict[str, Any]] = []
    for _ in range(80):
        page.keyboard.press("Tab")
        ring = focus_ring(page)
        seen.append(ring)
        assert ring["visible"], f"no visible focus indicator on {ring}"
        ratio = focus_text_contrast(ring)
        assert ratio is None or ratio >= 4.5, f"focused text contrast {ratio:.2f} on {ring}"
        if ring["inMap"] and ring["href"] == expected[-1]:
            break
    in_map = [r["href"] for r in seen if r["inMap"]]
    assert in_map == expected, f"spine-map links were focused as {in_map}, expected {expected}"
    ctx.close()


def test_skip_link_moves_focus_to_main_and_on_to_the_conditions(sites: Sites, browser: Any) -> None:
    """The home page lists its conditions before the spine map: after the skip link, Tab reaches
    the first condition (and its Enter opens it)."""
    site = get_site(sites, "theme")
    ctx = browser.new_context(viewport={"width": 320, "height": 700})
    page = ctx.new_page()
    page.goto(site.url("/"))
    first = page.eval_on_selector(".region-panel .card a", "a => a.getAttribute('href')")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    ring = focus_ring(page)
    assert ring["href"] == first and ring["visible"], f"after the skip link, Tab focused {ring}, not the first condition {first}"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(first)
    ctx.close()


@pytest.mark.parametrize("width", [320, 1280])
def test_spine_map_links_only_levels_with_content(sites: Sites, browser: Any, width: int) -> None:
    """Only levels with pages are links (so only they are focusable), each at least 24 × 24 px."""
    site = get_site(sites, "theme")
    levels = sorted(p.split("/")[2].upper() for p in site.pages if PAGE_TYPES["level"].match(p))
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(site.url("/"))
    info = page.evaluate(
        """() => {
          const map = document.querySelector('svg.spine-map');
          const links = [...map.querySelectorAll('a')];
          const focusable = [...map.querySelectorAll('*')].filter(e => e.tabIndex >= 0 || e.matches('a[href]'));
          return {
            labels: links.map(a => a.getAttribute('aria-label').split(':')[0]),
            focusable: focusable.length,
            sizes: links.map(a => { const r = a.getBoundingClientRect(); return [r.width, r.height]; }),
            vertebrae: map.querySelectorAll('.vertebra').length,
          };
        }"""
    )
    assert sorted(info["labels"]) == levels
    assert info["focusable"] == len(levels)
    assert info["vertebrae"] == 25  # C1–C7, T1–T12, L1–L5 and the sacrum
    assert all(w >= 24 and h >= 24 for w, h in info["sizes"]), info["sizes"]
    page.close()


def test_level_page_marks_the_current_level(sites: Sites, browser: Any) -> None:
    site = get_site(sites, "theme")
    page = browser.new_page()
    page.goto(site.url("/levels/l4-l5/"))
    current = page.eval_on_selector_all("svg.spine-map a[aria-current='page']", "els => els.map(e => e.getAttribute('href'))")
    assert current == ["/levels/l4-l5/"]
    page.close()


def test_screenshots_dark(sites: Sites, browser: Any, screenshots_dir: Path) -> None:
    """Dark-scheme screenshots of the home and a condition page, for people to look at."""
    site = get_site(sites, "theme")
    for width in (320, 1280):
        ctx = browser.new_context(color_scheme="dark", viewport={"width": width, "height": 900})
        page = ctx.new_page()
        for name, path in (("home", "/"), ("condition", site.of_type("condition"))):
            assert path
            page.goto(site.url(path))
            page.screenshot(path=str(screenshots_dir / f"theme-{name}-{width}-dark.png"), full_page=True)
        ctx.close()
