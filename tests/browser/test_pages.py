"""Every page of every site, loaded once and measured at 320 px and 1280 px wide:

- no request leaves the site's origin (a search, which loads the Pagefind index, included);
- nothing scrolls sideways;
- its HTML + CSS + JS weighs under 100 KB;
- no script error and no Content-Security-Policy violation is reported.

Screenshots of the home and a condition page at both widths go to test-artifacts/screenshots/.
Each site is crawled once, in two halves that xdist can run side by side.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from spinebrowser import SITE_NAMES, BuiltSite, Sites, get_site

WIDTHS = (320, 1280)
MAX_WEIGHT = 100 * 1024
PARTS = 2
CSP_PROBE = "document.addEventListener('securitypolicyviolation', e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
SEARCH_QUERY = "/search/?q=back+pain"
OVERFLOWING = """(w) => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 0.5)
  .slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + (e.getAttribute('class') || ''))"""
ASSETS = """() => [...document.querySelectorAll('link[rel~=stylesheet][href], script[src]')]
  .map(e => new URL(e.href || e.src, location.href).pathname)"""


def _weight(site: BuiltSite, path: str, assets: list[str]) -> int:
    html = site.out / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))
    files = {html, *(site.out / a.lstrip("/") for a in assets)}
    return sum(f.stat().st_size for f in files if f.is_file())


def _crawl(site: BuiltSite, pages: list[str], browser: Any, screenshots: Path) -> dict[str, Any]:
    origin = urlsplit(site.base).netloc
    shots = {"/": "home", site.of_type("condition"): "condition"}
    requests: dict[str, list[str]] = {}
    overflow: dict[str, list[str]] = {}
    weight: dict[str, int] = {}
    ctx = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    page = ctx.new_page()
    page.add_init_script(CSP_PROBE)
    current = {"path": ""}
    errors: list[str] = []
    page.on("request", lambda req: requests.setdefault(current["path"], []).append(req.url))
    page.on("pageerror", lambda exc: errors.append(f"{current['path']}: {exc}"))
    page.on("console", lambda msg: errors.append(f"{current['path']}: {msg.text}") if msg.type == "error" else None)
    for path in pages:
        current["path"] = path
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        page.goto(site.url(path), wait_until="load")
        for width in WIDTHS:
            if width != WIDTHS[0]:
                page.set_viewport_size({"width": width, "height": 900})
            scroll, client = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            if scroll > client:
                overflow.setdefault(path, []).append(f"{width}px: scrollWidth {scroll} > {client}: {page.evaluate(OVERFLOWING, client)}")
            if path in shots:
                page.screenshot(path=str(screenshots / f"{site.name}-{shots[path]}-{width}.png"), full_page=True)
        weight[path] = _weight(site, path, page.evaluate(ASSETS))
    if SEARCH_QUERY.split("?")[0] in pages:
        current["path"] = SEARCH_QUERY
        page.goto(site.url(SEARCH_QUERY), wait_until="networkidle")
    ctx.close()
    third_party = {
        p: sorted({u for u in urls if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).netloc != origin})
        for p, urls in requests.items()
    }
    return {
        "third_party": {p: u for p, u in third_party.items() if u},
        "overflow": overflow,
        "weight": weight,
        "loaded": set(requests),
        "errors": errors,
    }


@pytest.mark.parametrize("part", range(PARTS))
@pytest.mark.parametrize("site_name", SITE_NAMES)
def test_every_page_is_local_fits_the_screen_and_is_light(
    sites: Sites, browser: Any, screenshots_dir: Path, site_name: str, part: int
) -> None:
    site = get_site(sites, site_name)
    pages = site.pages[part::PARTS]
    crawl = _crawl(site, pages, browser, screenshots_dir)
    assert crawl["loaded"] == {*pages} | ({SEARCH_QUERY} if "/search/" in pages else set())
    heavy = {p: w for p, w in crawl["weight"].items() if w >= MAX_WEIGHT}
    largest = max(crawl["weight"], key=crawl["weight"].__getitem__)
    print(f"{site_name}: {len(site.pages)} pages; largest {largest}: {crawl['weight'][largest]} bytes of HTML, CSS and JS")
    problems = {
        "requests to other origins": crawl["third_party"],
        "horizontal scrolling": crawl["overflow"],
        f"HTML + CSS + JS of {MAX_WEIGHT} bytes or more": heavy,
        "script errors and CSP violations": crawl["errors"],
    }
    assert {k: v for k, v in problems.items() if v} == {}, json.dumps(problems, indent=1)
    shots = {"/": "home", site.of_type("condition"): "condition"}
    for path, name in shots.items():
        for width in WIDTHS:
            if path in pages:
                shot = screenshots_dir / f"{site_name}-{name}-{width}.png"
                assert shot.is_file() and shot.stat().st_size > 5000, shot
