"""The search index (Pagefind) built into every build: files, contents, synonyms, failure."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import MINIMAL, REVIEW
from spinesite.cli import main
from spinesite.diagnostics import Diagnostics
from spinesite.output import search
from spinesite.output.search import SearchTerms, build_index, with_terms

MakeSite = Callable[..., Path]
# Added to the minimal site: a condition with aliases whose body mentions a glossary term.
SYNONYM_PAGE = (
    "---\ntitle: Foraminal narrowing\nsummary: A short summary.\nregion: lumbar\nspine_levels: [L4-L5]\n"
    "aliases: [pinched nerve, foraminal stenosis]\n" + REVIEW + "---\n"
    "The gap where a nerve leaves the spine gets smaller. This gap is called a foramen.\n"
)
CONTENT_URLS = {
    "/about/",
    "/causes/disc-wear/",
    "/conditions/back-pain/",
    "/conditions/foraminal-narrowing/",
    "/glossary/foramen/",
    "/stretches/bridge/",
    "/treatments/keep-active/",
    "/urgent-help/",  # generated from the care cards, indexed so red-flag words find it
}


def fragments(out: Path) -> dict[str, dict[str, Any]]:
    """URL → the page record Pagefind stored (its fragment files are gzipped JSON)."""
    records = {}
    for path in (out / "pagefind" / "fragment").iterdir():
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        record = json.loads(data[len(b"pagefind_dcd") :])
        records[record["url"]] = record
    return records


def files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def contents(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run_cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    """``spinesite ARGS`` → (exit code, stderr)."""
    capsys.readouterr()
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build (with search) of the minimal site plus SYNONYM_PAGE, under /spine/."""
    from spinesite.build import build

    tmp = tmp_path_factory.mktemp("search")
    site = tmp / "site"
    shutil.copytree(MINIMAL, site)
    (site / "content" / "conditions" / "foraminal-narrowing.md").write_text(SYNONYM_PAGE, encoding="utf-8")
    config = site / "spinesite.yaml"
    config.write_text(config.read_text().replace("base_url: https://example.org/", "base_url: https://example.org/spine/"))
    errors = [d.format() for d in build(site, tmp / "out", incremental=False).diagnostics.errors]
    assert errors == []
    return tmp / "out"


def test_build_writes_the_pagefind_bundle(built: Path) -> None:
    bundle = built / "pagefind"
    assert (bundle / "pagefind.js").is_file()
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    assert list(entry["languages"]) == ["en"]  # one index, from `language: en-GB`
    assert entry["languages"]["en"]["page_count"] == len(CONTENT_URLS)
    names = files_under(bundle)
    assert {"pagefind-worker.js", "wasm.en.pagefind"} <= names
    assert not names & search.UNUSED_FILES  # the prebuilt UIs are not published
    assert any(n.startswith("index/") for n in names) and any(n.startswith("filter/") for n in names)


def test_only_content_pages_are_indexed_without_the_base_path(built: Path) -> None:
    # Listings (but the urgent help page), the home page and the search page have no data-pagefind-body. URLs are
    # site-relative: search.js passes the base path (/spine/) to Pagefind as baseUrl.
    assert set(fragments(built)) == CONTENT_URLS
    search_page = (built / "search" / "index.html").read_text()
    assert 'data-bundle="/spine/pagefind/" data-base="/spine/" data-page-label="Page"' in search_page
    assert '<script src="/spine/assets/search.js" defer></script>' in search_page
    assert (built / "assets" / "search.js").is_file() and (built / "assets" / "search.css").is_file()


def test_records_have_title_filters_and_only_main_content(built: Path) -> None:
    rec = fragments(built)
    cond = rec["/conditions/back-pain/"]
    assert cond["meta"]["title"] == "Back pain"
    assert cond["filters"] == {"type": ["condition"], "region": ["lumbar"]}
    assert rec["/stretches/bridge/"]["filters"] == {"type": ["stretch"]}
    assert rec["/glossary/foramen/"]["filters"] == {"type": ["glossary"]}
    assert rec["/treatments/keep-active/"]["filters"] == {"type": ["treatment"]}
    assert rec["/causes/disc-wear/"]["filters"] == {"type": ["cause"]}
    text = cond["content"]
    assert "Back pain is common." in text
    assert "Numbness around your bottom" not in text  # care card
    assert "Skip to main content" not in text and "Test Spine Site" not in text  # header, footer
    assert "Exercises" not in text  # main navigation
    # Neither the filter values (hidden elements) nor the review notice are words of the page.
    assert text.startswith("Back pain. Pain in the lower back. What is it?")
    assert rec["/stretches/bridge/"]["content"].startswith("Bridge. Lift your hips. Type")


def test_aliases_and_glossary_synonyms_are_indexed(built: Path) -> None:
    rec = fragments(built)
    text = rec["/conditions/foraminal-narrowing/"]["content"]
    assert text.startswith("Foraminal narrowing. A short summary. ")
    assert text.endswith(". Also called: pinched nerve, foraminal stenosis. Foramen, also called neural foramen.")
    # back-pain links the glossary term "foramen" too; the glossary page itself gets its own names.
    assert rec["/conditions/back-pain/"]["content"].endswith(". Foramen, also called neural foramen.")
    assert rec["/glossary/foramen/"]["content"].endswith(". Also called: neural foramen.")
    # The published pages are unchanged: the words are only in what Pagefind reads.
    assert "neural foramen" not in (built / "conditions" / "foraminal-narrowing" / "index.html").read_text()


def test_with_terms_adds_escaped_words_at_the_end_of_the_indexed_region() -> None:
    html = '<body><nav>x</nav><article class="content" data-pagefind-body>\n<h1>T</h1><article>x</article>\n</article><article>y</article></body>'
    terms = SearchTerms(("a <b>", "c&d"), (("Foramen", ("neural foramen",)), ("Disc", ())))
    assert with_terms(html, terms) == (
        '<body><nav>x</nav><article class="content" data-pagefind-body>\n<h1>T</h1><article>x</article>\n'
        '<p data-pagefind-weight="10">Also called: a &lt;b&gt;, c&amp;d.</p>'
        '<p data-pagefind-weight="0.5">Foramen, also called neural foramen.</p>'
        '<p data-pagefind-weight="0.5">Disc.</p>'
        "</article><article>y</article></body>"
    )
    assert with_terms("<body><p data-pagefind-bodyx>no</p></body>", terms) == "<body><p data-pagefind-bodyx>no</p></body>"


def test_no_search_flag_builds_without_and_removes_an_old_index(
    tmp_path: Path, make_site: MakeSite, capsys: pytest.CaptureFixture[str]
) -> None:
    site = make_site(tmp_path)
    out = tmp_path / "out"
    code, err = run_cli(capsys, "build", site, "-o", out, "--no-search")
    assert code == 0, err
    assert not (out / "pagefind").exists()
    assert (out / "search" / "index.html").is_file()
    code, err = run_cli(capsys, "build", site, "-o", out)
    assert code == 0, err
    assert (out / "pagefind" / "pagefind.js").is_file()
    code, err = run_cli(capsys, "build", site, "-o", out, "--no-search")
    assert code == 0, err
    assert not (out / "pagefind").exists()


def test_rebuild_keeps_no_stale_index_files(tmp_path: Path, make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path)
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert run_cli(capsys, "build", site, "-o", out)[0] == 0
    before = contents(out / "pagefind")
    about = site / "content" / "pages" / "about.md"
    about.write_text(about.read_text().replace("We write it.", "We write it with care."))
    assert run_cli(capsys, "build", site, "-o", out)[0] == 0
    assert run_cli(capsys, "build", site, "-o", fresh, "--clean")[0] == 0
    # Old index files are deleted: the index is the one a clean build makes.
    assert contents(out / "pagefind") == contents(fresh / "pagefind")
    after = contents(out / "pagefind")
    unchanged = [rel for rel in after if rel.startswith("fragment/") and before.get(rel) == after[rel]]
    assert len(unchanged) == len(CONTENT_URLS) - 2  # only about's fragment changed


def test_search_switched_off_in_the_config(tmp_path: Path, make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path)
    config = site / "spinesite.yaml"
    config.write_text(config.read_text() + "search: false\n")
    assert run_cli(capsys, "build", site, "-o", tmp_path / "out")[0] == 0
    assert not (tmp_path / "out" / "pagefind").exists()
    search_page = (tmp_path / "out" / "search" / "index.html").read_text()
    assert "search.js" not in search_page and "Search is switched off on this site." in search_page


def test_indexing_failure_fails_the_build_and_keeps_the_old_output(
    tmp_path: Path, make_site: MakeSite, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path)
    out = tmp_path / "out"
    assert run_cli(capsys, "build", site, "-o", out)[0] == 0
    before = contents(out)
    about = site / "content" / "pages" / "about.md"
    about.write_text(about.read_text().replace("We write it.", "We write it again."))

    def broken(pages: object, language: str, dest: Path) -> None:
        raise RuntimeError("pagefind exploded")

    monkeypatch.setattr(search, "run_pagefind", broken)
    code, err = run_cli(capsys, "build", site, "-o", out)
    assert code == 1
    assert err.splitlines()[:-1] == ["search: could not build the search index: pagefind exploded (build with --no-search to skip it)"]
    assert "nothing was written" in err
    assert contents(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["out", "site"]  # no work folders left


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"pagefind.js": None}, "Pagefind wrote no pagefind.js"),
        ({"pagefind-entry.json": b""}, "Pagefind wrote an incomplete pagefind-entry.json"),
        ({"pagefind-entry.json": b'{"languages": {"en": {"hash": "en_1"}}}'}, "Pagefind did not write pagefind.en_1.pf_meta"),
        ({"fragment/en_1.pf_fragment": gzip.compress(b"pagefind_dcd{}")[:-9]}, "Pagefind wrote an incomplete fragment/en_1.pf_fragment"),
        ({"pagefind-worker.js": b""}, "Pagefind wrote an empty pagefind-worker.js"),
    ],
)
def test_an_incomplete_bundle_is_an_error(change: dict[str, bytes | None], reason: str) -> None:
    # Pagefind answers before its last file writes are done; a cut-short file must never be published.
    bundle = {
        "pagefind.js": b"export {};",
        "pagefind-worker.js": b"self;",
        "pagefind-entry.json": b'{"languages": {"en": {"hash": "en_0", "wasm": "en"}}}',
        "pagefind.en_0.pf_meta": gzip.compress(b"pagefind_dcd"),
        "fragment/en_1.pf_fragment": gzip.compress(b"pagefind_dcd{}"),
        "wasm.en.pagefind": gzip.compress(b"\0asm"),
    }
    search.check_bundle(bundle)
    for rel, data in change.items():
        if data is None:
            del bundle[rel]
        else:
            bundle[rel] = data
    with pytest.raises(ValueError, match=f"^{reason}$"):
        search.check_bundle(bundle)


def test_build_index_reports_an_incomplete_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    def empty(pages: object, language: str, dest: Path) -> None:
        search.check_bundle({"pagefind-entry.json": b"{}"})

    monkeypatch.setattr(search, "run_pagefind", empty)
    diags = Diagnostics()
    assert build_index({"index.html": b"<html></html>"}, "en-GB", diags) == {}
    assert [d.format() for d in diags.items] == [
        "search: could not build the search index: Pagefind wrote no pagefind.js (build with --no-search to skip it)"
    ]


def _meta(filters: list[list[str]]) -> bytes:
    return gzip.compress(b"pagefind_dcd" + search._cbor_encode(["1.5.2", [["en_p1", 10]], [], filters, [], ["title"]]))


def test_stable_filters_sorts_filters_and_renames_their_files() -> None:
    # Pagefind writes filters and their values in hash-map order (a new order on every run).
    def bundle(values: list[Any], filters: list[list[str]]) -> dict[str, bytes]:
        return {
            "pagefind-entry.json": b'{"languages":{"en":{"hash":"en_0123456789","wasm":"en","page_count":1}}}',
            "pagefind.en_0123456789.pf_meta": _meta(filters),
            "filter/en_aaaaaaa.pf_filter": gzip.compress(b"pagefind_dcd" + search._cbor_encode(["type", values])),
            "filter/en_bbbbbbb.pf_filter": gzip.compress(b"pagefind_dcd" + search._cbor_encode(["region", [["lumbar", [0]]]])),
            "fragment/en_p1.pf_fragment": b"unchanged",
        }

    one = search.stable_filters(bundle([["stretch", [1, 2]], ["condition", [0]]], [["type", "en_aaaaaaa"], ["region", "en_bbbbbbb"]]))
    two = search.stable_filters(bundle([["condition", [0]], ["stretch", [1, 2]]], [["region", "en_bbbbbbb"], ["type", "en_aaaaaaa"]]))
    assert one == two
    assert one["fragment/en_p1.pf_fragment"] == b"unchanged"
    names = sorted(one)
    meta_name = next(n for n in names if n.endswith(".pf_meta"))
    assert re.fullmatch(r"pagefind\.en_[0-9a-f]{10}\.pf_meta", meta_name) and meta_name != "pagefind.en_0123456789.pf_meta"
    assert json.loads(one["pagefind-entry.json"])["languages"]["en"]["hash"] == meta_name[len("pagefind.") : -len(".pf_meta")]
    meta = search._cbor(gzip.decompress(one[meta_name])[len(b"pagefind_dcd") :])
    assert [f[0] for f in meta[3]] == ["region", "type"]
    for _name, file_hash in meta[3]:
        assert f"filter/{file_hash}.pf_filter" in one
    type_file = next(f[1] for f in meta[3] if f[0] == "type")
    values = search._cbor(gzip.decompress(one[f"filter/{type_file}.pf_filter"])[len(b"pagefind_dcd") :])
    assert values == ["type", [["condition", [0]], ["stretch", [1, 2]]]]
    # Anything unexpected (here: the meta file names a filter file that is missing): unchanged.
    broken = bundle([["stretch", [1]]], [["type", "en_ccccccc"]])
    assert search.stable_filters(broken) == broken


@pytest.mark.parametrize(
    ("value", "cbor"),
    [  # the bytes the hand-written encoder wrote before cbor2 (RFC 8949 shortest heads, definite lengths)
        (0, "00"),
        (23, "17"),
        (24, "1818"),
        (255, "18ff"),
        (256, "190100"),
        (65536, "1a00010000"),
        (1 << 32, "1b0000000100000000"),
        ("", "60"),
        ("é", "62c3a9"),
        ([], "80"),
        (["1.5.2", [["en_p1", 10]], [], [], [], ["title"]], "8665312e352e32818265656e5f70310a80808081657469746c65"),
    ],
)
def test_pagefind_cbor_bytes(value: Any, cbor: str) -> None:
    assert search._cbor_encode(value).hex() == cbor
    assert search._cbor(bytes.fromhex(cbor)) == value


@pytest.mark.parametrize(
    "cbor",
    ["a10102", "20", "f5", "4161", "8201", "820102ff", "1817", "7f6161ff", "fb3ff0000000000000"],
    ids=["map", "negative", "true", "bytes", "short", "trailing", "long-head", "indefinite", "float"],
)
def test_unexpected_pagefind_cbor_is_refused(cbor: str) -> None:
    with pytest.raises(ValueError, match="unexpected CBOR"):
        search._cbor(bytes.fromhex(cbor))


def test_the_same_site_gives_the_same_index(tmp_path: Path, make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path)
    for name in ("a", "b"):
        assert run_cli(capsys, "build", site, "-o", tmp_path / name, "--clean")[0] == 0
    assert contents(tmp_path / "a" / "pagefind") == contents(tmp_path / "b" / "pagefind")


def test_pagefind_reads_only_the_indexed_region_and_builds_the_same_bundle(built: Path, tmp_path: Path) -> None:
    """issue 18: Pagefind is given each page's <html> tag and indexed region only (a third of
    the bytes): the bundle is byte-identical to the one it builds from the whole pages."""
    from spinesite.output.pagefindrun import run_pagefind
    from spinesite.output.search import indexed_part

    pages = sorted(
        (p.relative_to(built).as_posix(), p.read_text(encoding="utf-8")) for p in built.rglob("*.html") if "pagefind" not in p.parts
    )
    pages = [(rel, text) for rel, text in pages if "data-pagefind-body" in text]
    assert len(pages) >= 6
    trimmed = [(rel, indexed_part(text)) for rel, text in pages]
    assert sum(map(len, (t for _, t in trimmed))) < sum(map(len, (t for _, t in pages))) / 2
    assert all(t.startswith('<!DOCTYPE html>\n<html lang="en-GB"') and "data-pagefind-body" in t for _, t in trimmed)
    run_pagefind(lambda: pages, "en", tmp_path / "whole")
    run_pagefind(lambda: trimmed, "en", tmp_path / "trimmed")
    assert contents(tmp_path / "trimmed") == contents(tmp_path / "whole")


def test_indexed_part_keeps_the_region_and_the_language() -> None:
    from spinesite.output.search import indexed_part

    page = '<!DOCTYPE html>\n<html lang="es" class="x"><head><title>T</title></head><body><nav>menu</nav><main><article data-pagefind-body><h1>Hola</h1><article>inner</article><p>fin</p></article><footer>pie</footer></main></body></html>'
    assert indexed_part(page) == (
        '<!DOCTYPE html>\n<html lang="es" class="x"><head><meta charset="utf-8"></head><body>'
        "<article data-pagefind-body><h1>Hola</h1><article>inner</article><p>fin</p></article></body></html>\n"
    )
    assert indexed_part("<p>no region</p>") == "<p>no region</p>"


def test_the_languages_of_the_entry_file_are_in_a_stable_order() -> None:
    """Pagefind writes a site's languages in hash-map order: sorted, the bundle is the same every build."""
    from spinesite.output.pagefindrun import _languages_in_order

    entry = '{"version":"1.5.2","languages":{"es":{"hash":"es_1","wasm":"es","page_count":7},"en-gb":{"hash":"en-gb_2","wasm":"en-gb","page_count":92}},"include_characters":["_","‿"]}'
    assert (
        _languages_in_order(entry.encode())
        == (
            '{"version":"1.5.2","languages":{"en-gb":{"hash":"en-gb_2","wasm":"en-gb","page_count":92},"es":{"hash":"es_1","wasm":"es","page_count":7}},"include_characters":["_","‿"]}'
        ).encode()
    )
    one = b'{"version":"1.5.2","languages":{"en":{"hash":"en_1","wasm":"en","page_count":3}},"include_characters":[]}'
    assert _languages_in_order(one) is one  # one language: Pagefind's own bytes


_PIECES = [
    "<article",
    "<div",
    " data-pagefind-body",
    "data-pagefind-body",
    "=x",
    ">",
    "<",
    " ",
    "</article>",
    "text",
    "\n",
    '"',
    "<p class=a",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=30))
def test_the_quick_region_search_finds_what_the_pattern_finds(pieces: list[str]) -> None:
    text = "".join(pieces)
    quick, slow = search.body_tag(text), search._BODY_TAG.search(text)
    assert (quick.span() if quick else None) == (slow.span() if slow else None)


def _old_end_of_element(text: str, tag: str, start: int) -> int:
    """The regular-expression version (the oracle)."""
    depth = 1
    for m in re.compile(rf"<(/?){re.escape(tag)}(?=[\s>/])[^<>]*>", re.IGNORECASE).finditer(text, start):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            return m.start()
    return len(text)


_END_PIECES = [
    "</article ",
    "<article ",
    "<article>",
    "</article>",
    "<ARTICLE class=x>",
    "</Article >",
    "<articles>",
    "</articles>",
    "<article/>",
    "text",
    "<p>",
    "</p>",
    "<",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_END_PIECES), max_size=25))
def test_the_end_of_the_region_is_where_the_pattern_finds_it(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert search._end_of_element(text, "article", 0) == _old_end_of_element(text, "article", 0)


def test_the_scratch_pages_go_to_memory_only_with_room_and_without_tmpdir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from spinesite.output import pagefindrun

    monkeypatch.delenv("TMPDIR", raising=False)
    monkeypatch.setattr(pagefindrun, "RAM_SCRATCH", str(tmp_path))
    monkeypatch.setattr(pagefindrun, "RAM_SCRATCH_MIN_FREE", 1)
    assert pagefindrun.ram_scratch() == str(tmp_path)
    monkeypatch.setattr(pagefindrun, "RAM_SCRATCH_MIN_FREE", 1 << 62)  # no room
    assert pagefindrun.ram_scratch() is None
    monkeypatch.setattr(pagefindrun, "RAM_SCRATCH_MIN_FREE", 1)
    monkeypatch.setattr(pagefindrun, "RAM_SCRATCH", str(tmp_path / "missing"))
    assert pagefindrun.ram_scratch() is None
    monkeypatch.setattr(pagefindrun, "RAM_SCRATCH", str(tmp_path))
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the user's choice of temporary folder wins
    assert pagefindrun.ram_scratch() is None


def test_a_full_memory_folder_falls_back_to_the_usual_one(built: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from spinesite.output import pagefindrun

    ram = tmp_path / "ram"
    ram.mkdir()
    monkeypatch.delenv("TMPDIR", raising=False)
    monkeypatch.setattr(pagefindrun, "RAM_SCRATCH", str(ram))
    monkeypatch.setattr(pagefindrun, "RAM_SCRATCH_MIN_FREE", 1)
    real, folders = pagefindrun.write_pages, []

    def write_pages(site: Path, pages: Any) -> int:
        folders.append(site)
        if site.is_relative_to(ram):
            raise OSError(28, "No space left on device")
        return real(site, pages)

    monkeypatch.setattr(pagefindrun, "write_pages", write_pages)
    pages = [(p.relative_to(built).as_posix(), p.read_text(encoding="utf-8")) for p in built.rglob("*.html") if "pagefind" not in p.parts]
    pagefindrun.run_pagefind(lambda: iter(pages), "en", tmp_path / "bundle")
    assert (tmp_path / "bundle" / "pagefind.js").is_file()
    assert [f.is_relative_to(ram) for f in folders] == [True, False]
    assert list(ram.iterdir()) == []  # its scratch folder removed
