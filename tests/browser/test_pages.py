"""Every page of every site, loaded at 320 px and 1280 px wide: no request leaves the site's
origin, nothing scrolls sideways, and HTML + CSS + JS stays under 100 KB. Screenshots of the
home and a condition page go to test-artifacts/screenshots/ for people to look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from spinebrowser import SITE_NAMES, BuiltSite, get_site

WIDTHS = (320, 1280)
MAX_WEIGHT = 100 * 1024
SEARCH_QUERY = "/search/?q=back+pain"


def _crawl(site: BuiltSite, browser: Any, screenshots: Path) -> dict[str, Any]:
    origin = urlsplit(site.base).netloc
    shots = {"/": "home", site.of_type("condition"): "condition"}
    requests: dict[str, list[str]] = {}
    overflow: dict[str, list[str]] = {}
    weight: dict[str, int] = {}
    for width in WIDTHS:
        ctx = browser.new_context(viewport={"width": width, "height": 900})
        page = ctx.new_page()
        current = {"path": ""}
        page.on("request", lambda req: requests.setdefault(current["path"], []).append(req.url))
        for path in site.pages:
            current["path"] = path
            page.goto(site.url(path), wait_until="load")
            sizes = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            if sizes[0] > sizes[1]:
                wide = page.evaluate(
                    """(w) => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 0.5)
                         .slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + (e.getAttribute('class') || ''))""",
                    sizes[1],
                )
                overflow.setdefault(path, []).append(f"{width}px: scrollWidth {sizes[0]} > {sizes[1]} ({', '.join(wide)})")
            if width == WIDTHS[0]:
                assets = page.evaluate(
                    """() => [...document.querySelectorAll('link[rel~=stylesheet][href], script[src]')]
                         .map(e => new URL(e.href || e.src, location.href).pathname)"""
                )
                files = [site.out / (path.lstrip("/") + ("index.html" if path.endswith("/") else "")), *(site.out / a.lstrip("/") for a in assets)]
                weight[path] = sum(f.stat().st_size for f in files if f.is_file())
            if path in shots:
                page.screenshot(path=str(screenshots / f"{site.name}-{shots[path]}-{width}.png"), full_page=True)
        if width == WIDTHS[0]:
            # A search loads the Pagefind index: it must come from the site's own origin too.
            current["path"] = SEARCH_QUERY
            page.goto(site.url(SEARCH_QUERY), wait_until="networkidle")
        ctx.close()
    third_party = {p: sorted({u for u in urls if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).netloc != origin}) for p, urls in requests.items()}
    return {"third_party": {p: u for p, u in third_party.items() if u}, "overflow": overflow, "weight": weight, "requests": requests}


@pytest.fixture(scope="module")
def crawls(sites: dict[str, BuiltSite | str], browser: Any, screenshots_dir: Path) -> dict[str, dict[str, Any]]:
    """One crawl per site, shared by the tests below (each worker crawls once)."""
    return {name: _crawl(site, browser, screenshots_dir) for name in SITE_NAMES if isinstance(site := sites[name], BuiltSite)}


@pytest.mark.parametrize("site_name", SITE_NAMES)
def test_no_request_leaves_the_origin(sites: dict[str, BuiltSite | str], crawls: dict[str, dict[str, Any]], site_name: str) -> None:
    site = get_site(sites, site_name)
    crawl = crawls[site_name]
    assert set(crawl["requests"]) == {*site.pages, SEARCH_QUERY}
    assert crawl["third_party"] == {}


@pytest.mark.parametrize("site_name", SITE_NAMES)
def test_no_horizontal_scrolling_at_320_and_1280(sites: dict[str, BuiltSite | str], crawls: dict[str, dict[str, Any]], site_name: str) -> None:
    get_site(sites, site_name)
    assert crawls[site_name]["overflow"] == {}


@pytest.mark.parametrize("site_name", SITE_NAMES)
def test_html_css_and_js_under_100_kb(sites: dict[str, BuiltSite | str], crawls: dict[str, dict[str, Any]], site_name: str) -> None:
    site = get_site(sites, site_name)
    weight = crawls[site_name]["weight"]
    assert set(weight) == set(site.pages)
    heavy = {p: w for p, w in weight.items() if w >= MAX_WEIGHT}
    assert heavy == {}, f"pages of {MAX_WEIGHT} bytes or more: {heavy}"
    largest = max(weight, key=weight.__getitem__)
    print(f"{site_name}: largest page {largest} = {weight[largest]} bytes of HTML, CSS and JS")


def test_screenshots_were_saved(sites: dict[str, BuiltSite | str], crawls: dict[str, dict[str, Any]], screenshots_dir: Path) -> None:
    for width in WIDTHS:
        for name in ("home", "condition"):
            shot = screenshots_dir / f"theme-{name}-{width}.png"
            assert shot.is_file() and shot.stat().st_size > 5000, shot
