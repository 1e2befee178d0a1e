"""Review state as a reader sees it (review.py): no page that is not yet reviewed says "last
reviewed" or "Reviewed by"; it shows the "Not yet checked by a health professional" banner at the
top of its main content, on a phone screen without scrolling. Reviewed pages (the theme fixture
lists one reviewer) say who reviewed them and when, and show no banner."""

from __future__ import annotations

import json
from typing import Any

import pytest
from spinebrowser import BuiltSite, Sites, get_site

BANNER = ".review-banner"
BANNER_TITLE = "Not yet checked by a health professional"
BANNER_TITLES = {"/es/": "Todavía sin revisar por un profesional de la salud"}  # a translation says it in its language
PHONE = {"width": 390, "height": 844}
STATE = """() => ({
  main: document.querySelector('main').innerText,
  first: document.querySelector('main > *') && document.querySelector('main > *').className,
  ld: [...document.querySelectorAll('script[type="application/ld+json"]')].map(s => s.textContent),
})"""


def _visit(site: BuiltSite, browser: Any) -> dict[str, dict[str, Any]]:
    ctx = browser.new_context(viewport=PHONE)
    page = ctx.new_page()
    out = {}
    try:
        for path in site.pages:
            page.goto(site.url(path))
            state = page.evaluate(STATE)
            banner = page.locator(BANNER)
            box = banner.first.bounding_box() if banner.count() else None
            state["banner_on_screen"] = bool(box and banner.first.is_visible() and box["y"] + box["height"] <= PHONE["height"])
            out[path] = state
    finally:
        ctx.close()
    return out


def _types(state: dict[str, Any]) -> list[str]:
    return [json.loads(ld).get("@type", "") for ld in state["ld"]]


def _reviewed(state: dict[str, Any]) -> bool:
    return any("reviewedBy" in json.loads(ld) for ld in state["ld"])


@pytest.mark.parametrize("name", ["bundled", "theme"])
def test_no_unreviewed_page_says_last_reviewed(sites: Sites, browser: Any, name: str) -> None:
    site = get_site(sites, name)
    visited = _visit(site, browser)
    states = {p: s for p, s in visited.items() if "MedicalWebPage" in _types(s) or p.startswith("/handouts/")}
    assert len(states) >= (80 if name == "bundled" else 15)
    wrong = []
    for path, state in states.items():
        text = " ".join(state["main"].split())
        handout = path.startswith("/handouts/")
        if _reviewed(state) or (handout and "Reviewed by" in text):  # a handout: its condition is reviewed
            if "Reviewed by" not in text or "last reviewed" in text.lower() or (BANNER_TITLE in text and not handout):
                wrong.append(f"{path}: reviewed, but does not say so plainly")
            continue
        if "last reviewed" in text.lower() or "Reviewed by" in text:
            wrong.append(f"{path}: not yet reviewed, but claims a review")
        banner = next((title for prefix, title in BANNER_TITLES.items() if path.startswith(prefix)), BANNER_TITLE)
        if banner not in text or not state["banner_on_screen"]:
            wrong.append(f"{path}: no banner on the first phone screen")
        if not handout and "review-banner" not in (state["first"] or ""):
            wrong.append(f"{path}: the banner is not the first thing in <main>")
    assert wrong == []
    others = [p for p in visited if p not in states]  # home, lists, search...: no content of their own to review
    assert others and not [p for p in others if BANNER_TITLE in visited[p]["main"]]
    if name == "bundled":  # the example content has had no clinical review, and says so everywhere
        assert not any(_reviewed(s) for s in states.values())
    else:
        assert _reviewed(states["/conditions/sciatica/"]) and not _reviewed(states["/causes/smoking/"])
