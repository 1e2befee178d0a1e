"""Long indexes split into pages (issue 18: no generated page over 200 KB at 10,000 pages).

Unit tests of ``render/paging.py``, then fixture sites with ``index_page_size: 10``: every
entry on exactly one page, the links between pages, the A to Z and category navigation
across pages, titles, the sitemap, incremental = clean, and the home page's cap per region.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pytest

from conftest import copy_site, error_lines, page, run_cli
from spinesite.build import build
from spinesite.content.model import Page
from spinesite.render.paging import Pager, paginate

CONFIG = "title: Test Spine Site\nbase_url: https://example.org/\ndescription: A tiny site.\nindex_page_size: 10\n"


def fake() -> Page:
    return Page.__new__(Page)  # paginate looks at nothing but identity


def groups_of(sizes: list[int]) -> list[tuple[str, list[Page]]]:
    return [(chr(65 + i), [fake() for _ in range(n)]) for i, n in enumerate(sizes)]


def test_an_index_that_fits_is_one_page_without_a_pager() -> None:
    groups = groups_of([4, 6])
    [(url, items, pager)] = paginate("/stretches/", groups, 10)
    assert (url, pager) == ("/stretches/", None)
    assert items == groups[0][1] + groups[1][1]


def test_groups_start_a_page_when_they_do_not_fit_and_long_ones_continue() -> None:
    groups = groups_of([4, 5, 3, 23, 1])
    pages = paginate("/glossary/", groups, 10)
    assert [len(items) for _, items, _ in pages] == [9, 3, 10, 10, 4]
    assert [url for url, _, _ in pages] == [
        "/glossary/",
        "/glossary/page/2/",
        "/glossary/page/3/",
        "/glossary/page/4/",
        "/glossary/page/5/",
    ]
    every = [p for _, items, _ in pages for p in items]
    assert every == [p for _, items in groups for p in items]  # each entry once, in order
    pager = pages[2][2]
    assert pager is not None
    assert pager.starts == (("A", 1), ("B", 1), ("C", 2), ("D", 3), ("E", 5))
    assert (pager.number, pager.count, pager.total) == (3, 5, 36)
    assert (pager.previous, pager.next) == ("/glossary/page/2/", "/glossary/page/4/")
    assert pager.page_of("D") is None  # it starts on this page
    assert pager.page_of("A") == "/glossary/"
    assert pager.page_of("E") == "/glossary/page/5/"
    assert pager.groups == ["A", "B", "C", "D", "E"]


@pytest.mark.parametrize(
    ("number", "count", "shown"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (1, 10, [1, 2, None, 10]),
        (5, 10, [1, None, 4, 5, 6, None, 10]),
        (3, 10, [1, 2, 3, 4, None, 10]),  # a gap of one page shows that page
        (10, 10, [1, None, 9, 10]),
    ],
)
def test_the_page_links_are_the_first_the_last_and_the_neighbours(number: int, count: int, shown: list[int | None]) -> None:
    pager = Pager(number, tuple(f"/x/{n}/" for n in range(1, count + 1)), (), count)
    assert [link[0] if link else None for link in pager.numbered()] == shown
    assert all(link[1] == f"/x/{link[0]}/" for link in pager.numbered() if link)


def paged_site(tmp_path: Path, stretches: int = 25, extra: Mapping[str, str | None] | None = None) -> Path:
    files: dict[str, str | None] = {"spinesite.yaml": CONFIG}
    for i in range(stretches):
        files[f"content/stretches/s{i:02d}.md"] = page("stretches", f"Stretch {i:02d}")
    letters = "AABBBCCCCCCCCCCCCDEZ"  # 20 glossary terms; C alone is longer than a page
    for i, letter in enumerate(letters):
        files[f"content/glossary/g{i:02d}.md"] = page("glossary", f"{letter}term {i:02d}")
    return copy_site(tmp_path / "site", {**files, **(extra or {})})


def html(site: Path, rel: str) -> str:
    return (site / "_site" / rel).read_text(encoding="utf-8")


def titles_on(text: str) -> list[str]:
    return re.findall(r'<h2 class="card-title"><a href="/stretches/s\d+/">(Stretch \d+)</a>', text)


def test_a_long_index_is_split_and_every_entry_is_on_exactly_one_page(tmp_path: Path) -> None:
    site = paged_site(tmp_path)
    result = build(site)
    assert result.ok(), result.diagnostics.errors
    first, second, third = (
        html(site, rel) for rel in ("stretches/index.html", "stretches/page/2/index.html", "stretches/page/3/index.html")
    )
    assert not (site / "_site/stretches/page/4").exists()
    assert '<a href="/stretches/bridge/">Bridge</a>' in first  # the minimal site's own stretch comes first
    assert titles_on(first) + titles_on(second) + titles_on(third) == [f"Stretch {i:02d}" for i in range(25)]
    assert [len(titles_on(t)) for t in (first, second, third)] == [9, 10, 6]
    assert "<title>Stretches and exercises, page 2 of 3 – Test Spine Site</title>" in second
    assert "<title>Stretches and exercises – Test Spine Site</title>" in first
    assert "<h1>Stretches and exercises, page 2 of 3</h1>" in second
    assert "<h1>Stretches and exercises</h1>" in first
    nav = second[second.index('<nav class="pagination"') :]
    nav = nav[: nav.index("</nav>")]
    assert 'aria-label="Pages of this list"' in nav
    assert "Page 2 of 3" in nav
    assert '<a href="/stretches/" rel="prev">Previous page</a>' in nav
    assert '<a href="/stretches/page/3/" rel="next">Next page</a>' in nav
    assert '<a href="/stretches/page/2/" aria-label="Page 2" aria-current="page">2</a>' in nav
    assert 'rel="prev"' not in first and 'rel="next"' not in third
    sitemap = html(site, "sitemap.xml")
    assert "<loc>https://example.org/stretches/page/2/</loc>" in sitemap and "<loc>https://example.org/stretches/page/3/</loc>" in sitemap


def test_the_letters_link_to_the_page_where_each_letter_starts(tmp_path: Path) -> None:
    site = paged_site(tmp_path)
    assert build(site).ok()
    pages = [html(site, "glossary/index.html")] + [html(site, f"glossary/page/{n}/index.html") for n in (2, 3)]
    assert not (site / "_site/glossary/page/4").exists()
    for text in pages:  # every letter of the whole glossary, on every page
        nav = text[text.index('<nav class="az-nav"') :]
        nav = nav[: nav.index("</nav>")]
        assert re.findall(r">([A-Z#])</a>", nav) == ["A", "B", "C", "D", "E", "F", "Z"]
    first, second, third = pages
    # page 1: A and B (5 terms); C (12 terms) does not fit, so it starts page 2 and ends on page 3 with D, E, F, Z
    assert '<a href="#letter-A">A</a>' in first and '<a href="#letter-B">B</a>' in first
    assert '<a href="/glossary/page/2/#letter-C">C</a>' in first
    assert '<a href="/glossary/page/3/#letter-Z">Z</a>' in first
    assert '<a href="#letter-C">C</a>' in second and '<a href="/glossary/#letter-A">A</a>' in second
    assert '<a href="/glossary/page/2/#letter-C">C</a>' in third and '<a href="#letter-Z">Z</a>' in third
    assert [re.findall(r'<h2 id="letter-(\w+)"', text) for text in pages] == [["A", "B"], ["C"], ["C", "D", "E", "F", "Z"]]


def test_treatment_categories_link_across_pages(tmp_path: Path) -> None:
    extra: dict[str, str | None] = {}
    for i in range(12):
        extra[f"content/treatments/t{i:02d}.md"] = page("treatments", f"Treatment {i:02d}")
    extra["content/treatments/surgery.md"] = page("treatments", "An operation").replace("category: self-care", "category: surgery")
    site = paged_site(tmp_path, 0, extra)
    assert build(site).ok()
    first, second = html(site, "treatments/index.html"), html(site, "treatments/page/2/index.html")
    assert '<a href="#cat-self-care">' in first
    assert '<a href="/treatments/page/2/#cat-surgery">' in first
    assert '<a href="/treatments/#cat-self-care">' in second
    assert '<h2 id="cat-surgery">' in second and '<h2 id="cat-surgery">' not in first


def test_incremental_builds_of_a_split_index_equal_a_clean_build(tmp_path: Path) -> None:
    site = paged_site(tmp_path)
    assert build(site).ok()
    (site / "content/stretches/s00.md").write_text(page("stretches", "Zigzag stretch"), encoding="utf-8")  # moves to the last page
    (site / "content/stretches/a-new.md").write_text(page("stretches", "A new stretch"), encoding="utf-8")
    assert build(site).ok()
    clean = tmp_path / "clean"
    assert build(site, clean, incremental=False).ok()
    for rel in ("stretches/index.html", "stretches/page/2/index.html", "stretches/page/3/index.html", "sitemap.xml"):
        assert html(site, rel) == (clean / rel).read_text(encoding="utf-8"), rel


def test_the_page_size_is_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = paged_site(tmp_path, 0, {"spinesite.yaml": CONFIG.replace("index_page_size: 10", "index_page_size: 3")})
    code, _out, err = run_cli(capsys, "build", site)
    assert code == 1
    assert error_lines(err) == ["spinesite.yaml:4: index_page_size: must be between 10 and 10000, got 3"]


def test_the_home_page_shows_at_most_twelve_conditions_a_region(tmp_path: Path) -> None:
    extra = {f"content/conditions/c{i:02d}.md": page("conditions", f"Condition {i:02d}") for i in range(14)}
    site = paged_site(tmp_path, 0, extra)
    assert build(site).ok()
    home = html(site, "index.html")
    lumbar = home[home.index('<h3 id="region-lumbar">') :]
    lumbar = lumbar[: lumbar.index("</section>")]
    assert lumbar.count('<li class="card card-link">') == 12
    assert '<p class="card-more"><a href="/conditions/">See 3 more in the A to Z</a></p>' in lumbar  # 14 + back pain
