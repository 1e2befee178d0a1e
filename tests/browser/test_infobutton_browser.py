"""The Infobutton page (/infobutton/, issue 17) in headless Chromium, on a small site built here:
the minimal test site with Spanish, three conditions and their codes.

- one match: the browser lands on that page; several: it stays and lists them; a code without
  its dot finds the same page; an unknown code: a message naming it, the search form filled in
  with it, and the link to /codes/;
- languages: a page with a Spanish version opens in Spanish, one without (or a language the
  site does not have) opens in English;
- ``knowledgeResponseType``: the browser ends at the static JSON or Atom answer (the Atom read
  with a real feed parser);
- without JavaScript: the page says it cannot read the code and links to /codes/, which lists
  the codes, their official descriptions and their pages;
- axe-core (as in test_accessibility.py) at 0 on /infobutton/ showing a list and showing the
  search form, on /codes/ and on a code's page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import feedparser
import pytest
from spinebrowser import BuiltSite, build_site, have_tools, serve
from test_accessibility import run_axe

from conftest import MINIMAL, copy_site, fm

pytestmark = pytest.mark.browser  # skipped with the reason naming all that is missing (conftest.py), Playwright included

ICD_10_CM = "2.16.840.1.113883.6.90"
ICD_10 = "2.16.840.1.113883.6.3"
ORIGIN = "https://example.org"  # the fixture's base_url: the answers' links are absolute

BACK_PAIN, BACK_PAIN_ES = "/conditions/back-pain/", "/es/conditions/back-pain/"
STENOSIS = "/conditions/spinal-stenosis/"
SCIATICA = "/conditions/sciatica/"  # M54.16 only, no Spanish version

SPANISH = """\
languages:
  es:
    title: Sitio de prueba
    description: Un sitio pequeño.
    care_cards:
      - level: emergency
        heading: Llame al 112 si tiene
        items: [Adormecimiento en las nalgas]
"""
BACK_PAIN_CODES = "codes: [{system: icd-10-cm, code: M48.061}, {system: icd-10, code: M48.0}]\n"
BACK_PAIN_ES_MD = """\
---
title: Dolor de espalda
summary: Dolor en la parte baja de la espalda.
translated_from: 2026-01-01
translated_by: Ana Pérez
symptoms: [Dolor en la parte baja de la espalda]
faq:
  - question: ¿Mejorará?
    answer: La mayoría de los dolores de espalda mejoran.
---
El dolor de espalda es frecuente.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltSite]:
    """The minimal site plus Spanish, codes on back pain (M48.061, ICD-10 M48.0), a second page
    with M48.061 (spinal stenosis) and one with M54.16 only (sciatica); built and served."""
    if reason := have_tools():
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("infobutton")
    back_pain = (MINIMAL / "content/conditions/back-pain.md").read_text(encoding="utf-8")
    assert back_pain.startswith("---\n")
    source = copy_site(
        tmp / "site",
        {
            "spinesite.yaml": (MINIMAL / "spinesite.yaml").read_text(encoding="utf-8") + SPANISH,
            "content/conditions/back-pain.md": "---\n" + BACK_PAIN_CODES + back_pain.removeprefix("---\n"),
            "content/conditions/back-pain.es.md": BACK_PAIN_ES_MD,
            "content/conditions/spinal-stenosis.md": fm("conditions", "Spinal stenosis", "codes: [{system: icd-10-cm, code: M48.061}]\n")
            + "The spinal canal narrows.\n",
            "content/conditions/sciatica.md": fm("conditions", "Sciatica", "codes: [{system: icd-10-cm, code: M54.16}]\n")
            + "A nerve root in the lower back is pressed.\n",
        },
    )
    ok, log = build_site(source, tmp / "out")
    assert ok, log
    server, base = serve(tmp / "out")
    yield BuiltSite("infobutton", tmp / "out", base)
    server.shutdown()
    server.server_close()


@dataclass
class Tab:
    page: Any
    errors: list[str] = field(default_factory=list)  # script errors, console errors, failed requests


def _failed(tab: Tab, response: Any) -> None:
    # Chromium asks for /favicon.ico when it shows a JSON or XML file (no <link rel=icon> there).
    if response.status >= 400 and not response.url.endswith("/favicon.ico"):
        tab.errors.append(f"{response.status} {response.url}")


def _tab(browser: Any, *, javascript: bool = True) -> Iterator[Tab]:
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    tab = Tab(page)
    page.on("pageerror", lambda e: tab.errors.append(str(e)))
    page.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None)
    page.on("response", lambda r: _failed(tab, r))
    yield tab
    context.close()


@pytest.fixture
def tab(browser: Any) -> Iterator[Tab]:
    yield from _tab(browser)


@pytest.fixture
def no_js(browser: Any) -> Iterator[Tab]:
    yield from _tab(browser, javascript=False)


def request(site: BuiltSite, code: str, system_oid: str = ICD_10_CM, **more: str) -> str:
    """An HL7 Infobutton URL-based request to the site's /infobutton/ page."""
    params = {"mainSearchCriteria.v.c": code, "mainSearchCriteria.v.cs": system_oid}
    names = {"lang": "informationRecipient.languageCode.c", "response": "knowledgeResponseType"}
    params.update({names[key]: value for key, value in more.items()})
    return site.url("/infobutton/?" + urlencode(params))


def lands_on(tab: Tab, site: BuiltSite, url: str, path: str, title: str) -> None:
    from playwright.sync_api import expect

    tab.page.goto(url)
    expect(tab.page).to_have_url(site.url(path))
    expect(tab.page.locator("h1")).to_have_text(title)
    assert tab.errors == []


# --- where the browser ends up ------------------------------------------------------------------


def test_one_match_opens_that_page(tab: Tab, site: BuiltSite) -> None:
    lands_on(tab, site, request(site, "M54.16"), SCIATICA, "Sciatica")


def test_a_code_without_its_dot_opens_the_same_page(tab: Tab, site: BuiltSite) -> None:
    lands_on(tab, site, request(site, "M5416"), SCIATICA, "Sciatica")


def test_several_matches_stay_and_list_the_pages(tab: Tab, site: BuiltSite) -> None:
    from playwright.sync_api import expect

    url = request(site, "M48.061")
    tab.page.goto(url)
    status = tab.page.locator("#infobutton .infobutton-status")
    expect(status).to_have_text("Several pages are about this code. Choose one:")
    expect(status).to_have_attribute("role", "status")
    links = tab.page.locator("#infobutton .infobutton-results a")
    expect(links).to_have_text(["Back pain", "Spinal stenosis"])
    assert [links.nth(i).get_attribute("href") for i in range(2)] == [BACK_PAIN, STENOSIS]
    expect(tab.page.locator("#infobutton .infobutton-search")).to_be_hidden()
    assert tab.page.url == url  # stayed
    with tab.page.expect_navigation():
        links.nth(1).click()
    expect(tab.page).to_have_url(site.url(STENOSIS))
    assert tab.errors == []


def test_several_matches_in_spanish_list_the_spanish_version_where_there_is_one(tab: Tab, site: BuiltSite) -> None:
    from playwright.sync_api import expect

    tab.page.goto(request(site, "M48.061", lang="es"))
    links = tab.page.locator("#infobutton .infobutton-results a")
    expect(links).to_have_text(["Dolor de espalda", "Spinal stenosis"])
    assert [(a.get_attribute("href"), a.get_attribute("hreflang"), a.get_attribute("lang")) for a in links.all()] == [
        (BACK_PAIN_ES, "es", "es"),
        (STENOSIS, None, None),
    ]
    assert tab.errors == []


@pytest.mark.parametrize("lang", ["es", "es-MX"])  # a regional tag finds the site's language
def test_a_language_the_page_has_opens_the_translation(tab: Tab, site: BuiltSite, lang: str) -> None:
    from playwright.sync_api import expect

    lands_on(tab, site, request(site, "M48.0", ICD_10, lang=lang), BACK_PAIN_ES, "Dolor de espalda")
    expect(tab.page.locator("html")).to_have_attribute("lang", "es")


@pytest.mark.parametrize(
    ("code", "system_oid", "lang", "path", "title"),
    [
        ("M48.0", ICD_10, "fr", BACK_PAIN, "Back pain"),  # a language the site does not have
        ("M54.16", ICD_10_CM, "es", SCIATICA, "Sciatica"),  # a page with no Spanish version
    ],
    ids=["site-without-french", "page-without-spanish"],
)
def test_a_language_without_a_translation_opens_the_english_page(
    tab: Tab, site: BuiltSite, code: str, system_oid: str, lang: str, path: str, title: str
) -> None:
    from playwright.sync_api import expect

    lands_on(tab, site, request(site, code, system_oid, lang=lang), path, title)
    expect(tab.page.locator("html")).to_have_attribute("lang", "en-GB")


def test_an_unknown_code_says_so_and_offers_search_and_the_codes(tab: Tab, site: BuiltSite) -> None:
    from playwright.sync_api import expect

    url = request(site, "M99.99")
    tab.page.goto(url)
    expect(tab.page.locator("#infobutton .infobutton-status")).to_have_text(
        "This site has no page for the code M99.99. Search the site, or see all its diagnosis codes."
    )
    expect(tab.page.locator("#infobutton .infobutton-results")).to_be_hidden()
    form = tab.page.locator("#infobutton form.infobutton-search")
    expect(form).to_be_visible()
    expect(form.get_by_label("Search this site")).to_have_value("M99.99")
    expect(form).to_have_attribute("action", "/search/")
    codes = tab.page.get_by_role("link", name="All diagnosis codes on this site")
    expect(codes).to_have_attribute("href", "/codes/")
    assert tab.page.url == url  # stayed
    assert tab.errors == []


# --- the static answers (knowledgeResponseType) ---------------------------------------------


def _answer(tab: Tab, site: BuiltSite, url: str, path: str) -> bytes:
    """Open ``url`` and return the body of the answer the browser is sent on to, at ``path``."""
    from playwright.sync_api import expect

    with tab.page.expect_response(site.url(path)) as answer:
        tab.page.goto(url)
    expect(tab.page).to_have_url(site.url(path))
    assert answer.value.status == 200
    assert tab.errors == []
    return bytes(answer.value.body())


def test_json_asked_for_ends_at_the_json_answer(tab: Tab, site: BuiltSite) -> None:
    body = _answer(tab, site, request(site, "M54.16", response="application/json"), "/codes/icd-10-cm/M54.16.json")
    feed = json.loads(body)["feed"]
    assert [entry["link"][0]["href"] for entry in feed["entry"]] == [ORIGIN + SCIATICA]
    assert feed["subtitle"]["_value"] == "ICD-10-CM M54.16: Radiculopathy, lumbar region"


@pytest.mark.parametrize("response", ["text/xml", "application/atom+xml"])
def test_xml_asked_for_ends_at_the_atom_answer(tab: Tab, site: BuiltSite, response: str) -> None:
    body = _answer(tab, site, request(site, "M54.16", response=response), "/codes/icd-10-cm/M54.16.xml")
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.subtitle == "ICD-10-CM M54.16: Radiculopathy, lumbar region"
    assert [(entry.title, entry.link) for entry in parsed.entries] == [("Sciatica", ORIGIN + SCIATICA)]


def test_json_in_spanish_ends_at_the_spanish_answer(tab: Tab, site: BuiltSite) -> None:
    url = request(site, "M48.0", ICD_10, lang="es", response="application/json")
    feed = json.loads(_answer(tab, site, url, "/es/codes/icd-10/M48.0.json"))["feed"]
    assert feed["lang"] == "es"
    assert [(entry["lang"], entry["link"][0]["href"]) for entry in feed["entry"]] == [("es", ORIGIN + BACK_PAIN_ES)]


# --- without JavaScript ---------------------------------------------------------------------


def test_without_javascript_the_page_links_to_the_codes(no_js: Tab, site: BuiltSite) -> None:
    from playwright.sync_api import expect

    page = no_js.page
    page.goto(request(site, "M54.16"))
    noscript = page.locator("main noscript p")  # Playwright's text matching skips <noscript>: found by CSS
    expect(noscript).to_be_visible()
    expect(noscript).to_have_text("Your browser is not running scripts, so this page cannot read the code.")
    expect(page.locator("#infobutton .infobutton-status")).to_be_hidden()
    with page.expect_navigation():
        page.get_by_role("link", name="All diagnosis codes on this site").click()
    expect(page).to_have_url(site.url("/codes/"))
    row = page.locator("table.codes-table tr", has=page.get_by_role("link", name="M54.16", exact=True))
    expect(row.locator("td")).to_have_text(["M54.16", "Radiculopathy, lumbar region", "Sciatica"])
    expect(row.get_by_role("link", name="Sciatica")).to_have_attribute("href", SCIATICA)
    expect(row.get_by_role("link", name="M54.16")).to_have_attribute("href", "/codes/icd-10-cm/M54.16/")
    several = page.locator("table.codes-table tr", has=page.get_by_role("link", name="M48.061", exact=True))
    expect(several.locator("td").nth(2).get_by_role("link")).to_have_text(["Back pain", "Spinal stenosis"])
    assert no_js.errors == []


# --- accessibility --------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["infobutton-several", "infobutton-none", "/codes/", "/codes/icd-10-cm/M48.061/"])
def test_axe_has_no_violations(tab: Tab, site: BuiltSite, axe_source: str, target: str) -> None:
    from playwright.sync_api import expect

    if target == "infobutton-several":
        tab.page.goto(request(site, "M48.061"))
        expect(tab.page.locator("#infobutton .infobutton-results a")).to_have_count(2)
    elif target == "infobutton-none":  # the status and the search form showing
        tab.page.goto(request(site, "M99.99"))
        expect(tab.page.locator("#infobutton form.infobutton-search")).to_be_visible()
    else:
        tab.page.goto(site.url(target))
    violations = run_axe(tab.page, axe_source)
    assert violations == [], f"{target}: " + json.dumps(violations, indent=1)
