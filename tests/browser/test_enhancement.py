"""Progressive enhancement: pages work without JavaScript, and site.js only adds to them
(the overdue-review notice by the reader's date, the print button). Script errors and CSP
violations on every page are caught by test_pages.py."""

from __future__ import annotations

from typing import Any

import pytest
from spinebrowser import Sites, get_site

NOTICE = ".overdue-notice"
# In the theme fixture: neck-pain was overdue when the site was built; knee-rolls is due on 2026-06-01, after.
OVERDUE_AT_BUILD = "/conditions/neck-pain/"
DUE_LATER = "/stretches/knee-rolls/"


def _notice_visible(page: Any) -> bool:
    return bool(page.locator(NOTICE).is_visible())


def test_without_javascript(sites: Sites, browser: Any) -> None:
    site = get_site(sites, "theme")
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(site.url(OVERDUE_AT_BUILD))
    assert _notice_visible(page), "a page overdue at build time shows its notice without JavaScript"
    page.goto(site.url(DUE_LATER))
    assert not _notice_visible(page)
    page.goto(site.url("/handouts/sciatica/"))
    assert page.locator(".print-button").count() == 1 and not page.locator(".print-button").is_visible()
    page.goto(site.url("/conditions/sciatica/"))
    page.locator("details.faq summary").first.click()
    assert page.locator("details.faq").first.get_attribute("open") is not None
    ctx.close()


@pytest.mark.parametrize(
    ("today", "shown"), [("2026-05-31T12:00:00", False), ("2026-06-01T23:00:00", False), ("2026-06-02T08:00:00", True)]
)
def test_overdue_notice_follows_the_readers_date(sites: Sites, browser: Any, today: str, shown: bool) -> None:
    site = get_site(sites, "theme")
    ctx = browser.new_context()
    page = ctx.new_page()
    page.clock.set_fixed_time(today)
    page.goto(site.url(DUE_LATER))
    page.wait_for_function("() => document.documentElement.classList.contains('js')")
    assert page.locator(NOTICE).get_attribute("data-next-review") == "2026-06-01"
    assert _notice_visible(page) is shown
    ctx.close()


def test_print_button_prints(sites: Sites, browser: Any) -> None:
    site = get_site(sites, "theme")
    ctx = browser.new_context()
    page = ctx.new_page()
    page.add_init_script("window.__printed = 0; window.print = () => { window.__printed += 1; };")
    page.goto(site.url("/handouts/sciatica/"))
    button = page.get_by_role("button", name="Print this handout")
    assert button.is_visible()
    button.click()
    assert page.evaluate("() => window.__printed") == 1
    ctx.close()
