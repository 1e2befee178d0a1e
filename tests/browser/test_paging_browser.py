"""Long indexes split into pages (issue 18), in headless Chromium.

The bundled site built with ``index_page_size: 10``, so that its causes, treatments and
glossary lists are split: axe-core and the Nu Html Checker at 0 on every page of every
list, the page links by keyboard (focus visible, "Next page" leads to page 2), a letter of
the glossary's A to Z on another page reached by its link, and 24 × 24 px targets on a phone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from spinebrowser import ROOT, BuiltSite, build_site, copy_site, focus_ring, serve, url_path, vnu_errors
from test_accessibility import run_axe

pytestmark = pytest.mark.browser

LISTS = ("/causes/", "/treatments/", "/glossary/")  # 19, 28 and 20 entries (its 9 stretches fit on one page)
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def paged(tmp_path_factory: pytest.TempPathFactory, sites: Any) -> Iterator[BuiltSite]:
    """The bundled site with at most 10 entries a list page, built and served."""
    tmp = tmp_path_factory.mktemp("paged")
    source = copy_site(ROOT, tmp / "source")
    config = source / "spinesite.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "index_page_size: 10\n", encoding="utf-8")
    ok, log = build_site(source, tmp / "out")
    if not ok:
        pytest.skip(f"the bundled site does not build: {log[:300]}")
    server, base = serve(tmp / "out")
    try:
        yield BuiltSite("paged", tmp / "out", base, sorted(url_path(tmp / "out", f) for f in (tmp / "out").rglob("*.html")))
    finally:
        server.shutdown()
        server.server_close()


def list_pages(site: BuiltSite) -> list[str]:
    return [p for p in site.pages if any(p == lst or p.startswith(lst + "page/") for lst in LISTS)]


def test_every_list_is_split(paged: BuiltSite) -> None:
    for lst in LISTS:
        assert f"{lst}page/2/" in paged.pages, lst


def test_axe_finds_nothing_on_any_page_of_a_list(browser: Any, paged: BuiltSite, axe_source: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        found = {}
        for path in list_pages(paged):
            page.goto(paged.url(path))
            if violations := run_axe(page, axe_source):
                found[path] = violations
        assert found == {}
    finally:
        context.close()


def test_the_nu_checker_finds_nothing(paged: BuiltSite) -> None:
    files = [str(Path(paged.out, path.lstrip("/"), "index.html")) for path in list_pages(paged)]
    assert vnu_errors(files) == []


def test_next_page_by_keyboard(browser: Any, paged: BuiltSite) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(paged.url("/treatments/"))
        for _ in range(400):
            page.keyboard.press("Tab")
            ring = focus_ring(page)
            if ring.get("text") == "Next page":
                break
        else:
            pytest.fail("no 'Next page' link reached by Tab")
        assert ring["visible"], ring
        page.keyboard.press("Enter")
        page.wait_for_url(paged.url("/treatments/page/2/"))
        assert page.title().startswith("Treatments, page 2 of ")
        assert page.get_attribute(".pagination [aria-current=page]", "href") == "/treatments/page/2/"
    finally:
        context.close()


def test_a_letter_on_another_page_is_reached_by_its_link(browser: Any, paged: BuiltSite) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(paged.url("/glossary/"))
        links = page.eval_on_selector_all(".az-nav a", "els => els.map(a => a.getAttribute('href'))")
        elsewhere = [href for href in links if href.startswith("/glossary/page/")]
        assert elsewhere, links
        page.click(f'.az-nav a[href="{elsewhere[-1]}"]')
        target = elsewhere[-1].partition("#")[2]
        page.wait_for_url(paged.url(elsewhere[-1]))
        assert page.evaluate(f"() => document.getElementById({target!r}) !== null")  # the letter's section is on that page
    finally:
        context.close()


def test_page_links_are_big_enough_on_a_phone(browser: Any, paged: BuiltSite) -> None:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(paged.url("/treatments/page/2/"))
        sizes = page.eval_on_selector_all(
            ".pagination a", "els => els.map(a => [a.getBoundingClientRect().width, a.getBoundingClientRect().height])"
        )
        assert sizes and all(w >= 24 and h >= 24 for w, h in sizes), sizes
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()
