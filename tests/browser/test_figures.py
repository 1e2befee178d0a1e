"""Stretch figures and printed handouts in Chromium: every bundled stretch page shows its drawn
figure (screenshots in test-artifacts/figures/ to look at), and every handout of the bundled
site prints on at most 3 A4 pages with the red flags, the disclaimer and a QR code."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from spinebrowser import ARTIFACTS, ROOT, Sites, get_site

FIGURES = ARTIFACTS / "figures"
MAX_HANDOUT_PAGES = 3


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


@pytest.fixture(scope="module")
def page(browser: Any) -> Any:
    ctx = browser.new_context(viewport={"width": 1024, "height": 900}, device_scale_factor=1.5)
    tab = ctx.new_page()
    yield tab
    ctx.close()


def test_every_stretch_page_shows_its_figure(sites: Sites, page: Any) -> None:
    site = get_site(sites, "bundled")
    stretches = sorted(p for p in site.pages if re.fullmatch(r"/stretches/[^/]+/", p))
    assert len(stretches) == len([p for p in (ROOT / "content/stretches").glob("*.md") if "." not in p.stem])  # translations: under /es/
    FIGURES.mkdir(parents=True, exist_ok=True)
    for path in stretches:
        page.goto(site.url(path))
        figure = page.locator("figure.stretch-figure-wrap img.stretch-figure")
        assert figure.count() == 1, path
        label = figure.get_attribute("alt") or ""
        assert label.startswith("Start: ") and " Finish: " in label, (path, label)
        assert figure.evaluate("img => img.complete && img.naturalWidth") == 640, path  # the drawn figure.svg loaded
        box = figure.bounding_box()
        assert box and box["width"] >= 400 and box["height"] >= 100, (path, box)
        page.locator("figure.stretch-figure-wrap").screenshot(path=str(FIGURES / f"{path.strip('/').split('/')[-1]}.png"))


def test_the_stretch_figure_fits_a_phone_in_dark_mode(sites: Sites, browser: Any) -> None:
    site = get_site(sites, "bundled")
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, color_scheme="dark")
    try:
        tab = ctx.new_page()
        tab.goto(site.url("/stretches/cat-camel/"))
        box = tab.locator("img.stretch-figure").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
        FIGURES.mkdir(parents=True, exist_ok=True)
        tab.locator("figure.stretch-figure-wrap").screenshot(path=str(FIGURES / "cat-camel-phone-dark.png"))
    finally:
        ctx.close()


def test_every_handout_prints_on_three_a4_pages_with_the_red_flags(sites: Sites, page: Any) -> None:
    site = get_site(sites, "bundled")
    config = yaml.safe_load((ROOT / "spinesite.yaml").read_text(encoding="utf-8"))
    red_flags = [item for card in config["care_cards"] for item in card["items"]]
    handouts = sorted(p for p in site.pages if re.fullmatch(r"/handouts/[^/]+/", p))
    assert "/handouts/l4-l5-foraminal-narrowing/" in handouts
    page.emulate_media(media="print")
    try:
        for path in handouts:
            page.goto(site.url(path))
            text = " ".join(page.locator("main").inner_text().split())
            for item in red_flags:
                assert " ".join(item.split()) in text, (path, item)
            assert " ".join(config["disclaimer"].split()) in text
            assert page.locator(".handout-qr svg[role=img]").count() == 1
            assert page.locator(".handout-exercise img.stretch-figure").count() == page.locator(".handout-exercise").count()
            pdf = page.pdf(format="A4")
            pages = pdf_pages(pdf)
            (ARTIFACTS / f"handout-{path.strip('/').split('/')[-1]}-a4.pdf").write_bytes(pdf)
            assert 1 <= pages <= MAX_HANDOUT_PAGES, f"{path} prints on {pages} A4 pages"
    finally:
        page.emulate_media(media="screen")
