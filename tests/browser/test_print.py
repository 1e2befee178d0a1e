"""Printing: the print stylesheet hides the site's chrome, writes out link addresses, and a
handout fits the printable width of A4 and US Letter paper."""

from __future__ import annotations

from typing import Any

import pytest
from spinebrowser import ARTIFACTS, Sites, get_site

HIDDEN_IN_PRINT = [".skip-link", ".site-header", ".site-nav", ".search-form", ".breadcrumbs", ".site-footer", ".toc", ".print-button"]
# Printable width in CSS px (96 per inch) of A4 (210 mm) less the 15 mm side margins of print.css, rounded down;
# US Letter (215.9 mm) is wider, so fitting A4 fits both.
A4_PRINTABLE_PX = int((210 - 2 * 15) / 25.4 * 96)


@pytest.fixture(scope="module")
def print_page(browser: Any) -> Any:
    ctx = browser.new_context(viewport={"width": A4_PRINTABLE_PX, "height": 1000})
    page = ctx.new_page()
    page.emulate_media(media="print")
    yield page
    ctx.close()


@pytest.mark.parametrize("page_type", ["handout", "condition", "stretch", "treatment"])
def test_print_hides_site_chrome(sites: Sites, print_page: Any, page_type: str) -> None:
    site = get_site(sites, "theme")
    path = site.of_type(page_type)
    assert path
    print_page.goto(site.url(path))
    shown = print_page.evaluate(
        """(sels) => sels.flatMap(sel => [...document.querySelectorAll(sel)]
              .filter(el => getComputedStyle(el).display !== 'none').map(() => sel))""",
        HIDDEN_IN_PRINT,
    )
    assert shown == [], f"visible in print on {path}: {shown}"
    assert print_page.evaluate("() => getComputedStyle(document.querySelector('main')).display") != "none"


def test_print_writes_out_external_link_addresses(sites: Sites, print_page: Any) -> None:
    site = get_site(sites, "theme")
    print_page.goto(site.url("/conditions/sciatica/"))
    after = print_page.evaluate(
        """() => [...document.querySelectorAll('main a[href^="http"]')].map(a => [a.getAttribute('href'), getComputedStyle(a, '::after').content])"""
    )
    assert after, "no external links on the page"
    for href, content in after:
        assert content == '" (" attr(href) ")"' or href in content, (href, content)
    internal = print_page.evaluate("""() => getComputedStyle(document.querySelector('main a[href^="/"]'), '::after').content""")
    assert internal in ("none", "normal", '""'), internal


def test_handout_fits_the_printable_width_and_makes_a_pdf(sites: Sites, print_page: Any) -> None:
    site = get_site(sites, "theme")
    path = site.of_type("handout")
    assert path
    print_page.goto(site.url(path))
    too_wide = print_page.evaluate(
        """(w) => [...document.querySelectorAll('body *')]
             .filter(e => getComputedStyle(e).display !== 'none' && e.getBoundingClientRect().right > w + 0.5)
             .map(e => e.tagName.toLowerCase() + '.' + (e.getAttribute('class') || '') + ' right=' + e.getBoundingClientRect().right)""",
        print_page.evaluate("() => document.documentElement.clientWidth"),
    )
    assert too_wide == []
    avoid = print_page.evaluate("() => [...document.querySelectorAll('.handout-exercise')].map(e => getComputedStyle(e).breakInside)")
    assert avoid and set(avoid) == {"avoid"}
    text = print_page.locator("main").inner_text()
    assert "https://example.org/conditions/sciatica/" in text and "Reviewed by Alex Tester" in text
    for title in ("Bridge", "Knee rolls"):
        assert title in text
    ARTIFACTS.mkdir(exist_ok=True)
    for fmt in ("A4", "Letter"):
        pdf = print_page.pdf(format=fmt)
        assert pdf.startswith(b"%PDF-") and len(pdf) > 2000
        (ARTIFACTS / f"handout-{fmt.lower()}.pdf").write_bytes(pdf)
