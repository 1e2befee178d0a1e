"""The "When to get help urgently" page generated from ``care_cards``: content, search index,
sitemap, and the links to it (header, stretch "stop if" boxes, handouts, Markdown).

The ranking of red-flag searches is proven in the browser (tests/browser/test_urgent_help_browser.py).
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from conftest import ROOT, MakeSite, page, run_cli
from spinesite.build import build

CARE_CARDS = """care_cards:
  - level: emergency
    heading: Call 999 if you have
    items: [Numbness around your bottom, New problems controlling your bladder]
    note: These can be signs of a serious problem.
    other_words: [saddle numbness, numb groin]
  - level: urgent
    heading: See a GP today if you have
    items: [A high temperature with back pain]
"""
GLOSSARY = page("glossary", "Cauda equina syndrome", "A serious problem. See [when to get help urgently](/urgent-help/#main).\n")


def with_config(site: Path, care_cards: str | None, base_url: str = "https://example.org/spine/") -> None:
    config = site / "spinesite.yaml"
    text = config.read_text(encoding="utf-8").replace("base_url: https://example.org/", f"base_url: {base_url}")
    text = text.split("care_cards:")[0] + (care_cards or "")
    config.write_text(text, encoding="utf-8")


def html_pages(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.html")) if "pagefind" not in p.parts}


def fragments(out: Path) -> dict[str, str]:
    """URL → the text Pagefind indexed for it."""
    records = {}
    for path in (out / "pagefind" / "fragment").iterdir():
        record = json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd") :])
        records[record["url"]] = record["content"]
    return records


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal site with two care cards and a glossary term linking the urgent page, under /spine/, with search."""
    from conftest import copy_site

    tmp = tmp_path_factory.mktemp("urgent")
    site = copy_site(tmp / "site", {"content/glossary/cauda-equina-syndrome.md": GLOSSARY})
    with_config(site, CARE_CARDS)
    result = build(site, tmp / "out", incremental=False)
    assert [d.format() for d in result.diagnostics.errors] == []
    return tmp / "out"


def test_the_page_shows_every_care_card_with_its_words_weighted_for_search(built: Path) -> None:
    html = (built / "urgent-help" / "index.html").read_text(encoding="utf-8")
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    assert '<article class="content urgent-help" data-pagefind-body>' in main
    assert '<h1 data-pagefind-weight="10">When to get help urgently</h1>' in main
    assert re.findall(r"<h2><span class=\"care-card-label\">(\w+)<", main) == ["Emergency", "Urgent"]
    lists = re.findall(r'<ul data-pagefind-weight="10">(.*?)</ul>', main)
    assert lists == [
        "<li>Numbness around your bottom</li><li>New problems controlling your bladder</li>",
        "<li>A high temperature with back pain</li>",
    ]
    assert '<p class="care-card-words" data-pagefind-weight="10">Other words for these signs: saddle numbness, numb groin.</p>' in main
    assert "<p>These can be signs of a serious problem.</p>" in main
    assert "<title>When to get help urgently – Test Spine Site</title>" in html


def test_only_the_urgent_page_indexes_the_care_cards(built: Path) -> None:
    records = fragments(built)
    assert "numb groin" in records["/urgent-help/"] and "controlling your bladder" in records["/urgent-help/"]
    condition = (built / "conditions" / "back-pain" / "index.html").read_text(encoding="utf-8")
    assert "controlling your bladder" in condition  # shown on the condition page...
    assert "bladder" not in records["/conditions/back-pain/"]  # ...but not indexed there


def test_sitemap_lists_the_urgent_page(built: Path) -> None:
    assert "<loc>https://example.org/spine/urgent-help/</loc>" in (built / "sitemap.xml").read_text(encoding="utf-8")


def test_every_page_links_to_it_from_the_header(built: Path) -> None:
    pages = html_pages(built)
    assert len(pages) > 10
    link = '<a class="urgent-link" href="/spine/urgent-help/"'
    missing = [rel for rel, html in pages.items() if html.split("</header>", 1)[0].count(link) != 1]
    assert missing == []
    assert f'{link} aria-current="page">' in pages["urgent-help/index.html"]
    assert 'aria-current="page"' not in pages["about/index.html"].split("<form", 1)[0].split('class="urgent-link"', 1)[1]


def test_stretch_stop_box_handout_and_markdown_link_to_it(built: Path) -> None:
    stretch = (built / "stretches" / "bridge" / "index.html").read_text(encoding="utf-8")
    stop_box = stretch.split('<div class="callout callout-stop"', 1)[1].split("</div>", 1)[0]
    assert '<a href="/spine/urgent-help/">when to get help urgently</a>' in stop_box
    handout = (built / "handouts" / "back-pain" / "index.html").read_text(encoding="utf-8")
    main = handout.split('<main id="main"', 1)[1]
    assert '<a href="/spine/urgent-help/">when to get help urgently</a> at https://example.org/spine/urgent-help/' in main
    term = (built / "glossary" / "cauda-equina-syndrome" / "index.html").read_text(encoding="utf-8")
    assert '<a href="/spine/urgent-help/#main">when to get help urgently</a>' in term


def test_the_handout_shows_the_red_flags_before_the_exercises(built: Path) -> None:
    """A worried reader finds the red flags on the first printed page, not after the exercises."""
    handout = (built / "handouts" / "back-pain" / "index.html").read_text(encoding="utf-8")
    red_flags = handout.index('<section class="handout-red-flags"')
    assert red_flags < handout.index('<section class="handout-exercise"')
    assert "Numbness around your bottom" in handout[red_flags:]


def test_without_care_cards_there_is_no_urgent_page_nor_links(tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path)
    with_config(site, None, base_url="https://example.org/")
    result = build(site, tmp_path / "out", incremental=False, search=False)
    assert [d.format() for d in result.diagnostics.errors] == []
    assert not (tmp_path / "out" / "urgent-help").exists()
    assert [rel for rel, html in html_pages(tmp_path / "out").items() if "urgent-help" in html] == []


def test_a_page_cannot_take_the_urgent_page_address(tmp_path: Path, make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path, {"content/pages/urgent-help.md": page("pages", "Urgent help")})
    code, _out, err = run_cli(capsys, "check", site)
    assert code == 1
    assert "content/pages/urgent-help.md: URL /urgent-help/ is reserved for a generated page; choose another slug\n" in err


def test_the_bundled_cauda_equina_entry_names_the_signs_and_links_the_urgent_page() -> None:
    text = (ROOT / "content" / "glossary" / "cauda-equina-syndrome.md").read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    for words in ("genitals, bottom or inner thighs", "bladder or bowels", "both legs", "call 999 or go to A&E now"):
        assert words in body, words
    assert "](/urgent-help/)" in body


def test_a_markdown_link_to_a_missing_urgent_page_is_a_broken_link(
    tmp_path: Path, make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site(tmp_path, {"content/glossary/cauda-equina-syndrome.md": GLOSSARY})
    with_config(site, None, base_url="https://example.org/")
    code, _out, err = run_cli(capsys, "check", site)
    assert code == 1
    line = "content/glossary/cauda-equina-syndrome.md:{n}: broken link /urgent-help/#main: no such page or file in the built site"
    body_line = GLOSSARY.split("\n").index("---", 1) + 2
    assert line.format(n=body_line) in err.splitlines()
