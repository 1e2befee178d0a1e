"""Search index (Pagefind), built in memory with the rest of the site.

``build_index`` runs the Pagefind binary of the installed ``pagefind_bin`` package through
Pagefind's Python API and returns the bundle as ``pagefind/…`` → bytes, so that
the build stages it and commits it atomically with the pages. Nothing is downloaded.

Pagefind has no synonym table. Each page's own other names (``aliases``, or a glossary
term's ``also_called``) and the other names of the glossary terms its body links to are
added to the copy of the page that Pagefind reads, inside its ``data-pagefind-body``
region, so a search for "pinched nerve" finds the foraminal narrowing pages. The published
HTML is not changed: nothing extra for sighted or screen-reader users.

The Python API answers at most one request per 0.1 s, so one ``add_html_file`` per page
would take 100 s for 1,000 pages: the pages are written to a scratch folder and indexed
with one ``add_directory`` request. The bundle comes back in memory from ``get_files()``
(see ``_allow_large_answers``), and is checked to be complete before it is used.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gzip
import hashlib
import html
import json
import re
import tempfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cbor2

from .diagnostics import Diagnostics
from .graph import SiteGraph, is_draft
from .model import Page

BUNDLE_DIR = "pagefind"
# Prebuilt UIs the theme does not use (it uses the Pagefind JS API): not published.
UNUSED_FILES = frozenset(
    {
        "pagefind-ui.js",
        "pagefind-ui.css",
        "pagefind-modular-ui.js",
        "pagefind-modular-ui.css",
        "pagefind-component-ui.js",
        "pagefind-component-ui.css",
        "pagefind-highlight.js",
    }
)
# Hidden elements that only carry a filter value (type, region) are not words of the page.
EXCLUDE = ("[data-pagefind-filter][hidden]",)
MAX_ANSWER_BYTES = 2**31  # largest bundle (base64) accepted from the Pagefind process
ALIAS_WEIGHT = "10"  # a page's own other names count like its title (the h1 has weight 10)
RELATED_WEIGHT = "0.5"  # other names of glossary terms it mentions rank below its own text

_BODY_TAG = re.compile(r"<([a-zA-Z][\w-]*)[^<>]*?\sdata-pagefind-body(?=[\s>/=])[^<>]*>")
_A_TAG = re.compile(r"<a\s[^<>]*>")
_HREF = re.compile(r"""\shref=(?:"([^"]*)"|'([^']*)')""")


@dataclass(frozen=True)
class SearchTerms:
    """Words a page should be found by that its text may not contain."""

    aliases: tuple[str, ...] = ()  # the page's own other names
    related: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (glossary term it links to, that term's other names)


def searchable(graph: SiteGraph, listing_paths: list[str]) -> list[str]:
    """Output paths of the HTML pages to index: every page but drafts (built with ``--drafts``
    for a preview, never to be found), and the generated HTML pages (not static files)."""
    pages = {p.output_path for p in graph.pages if not is_draft(p)}
    return sorted(pages | {x for x in listing_paths if x.endswith(".html")})


def search_terms(graph: SiteGraph, base_path: str = "/") -> dict[str, SearchTerms]:
    """Extra search words per output path: the page's own ``aliases``/``also_called``, and the
    title and ``also_called`` names of every glossary term its Markdown links to (the automatic
    first-use links and explicit ones)."""
    glossary = {base_path + p.url.lstrip("/"): p for p in graph.by_kind.get("glossary", [])}
    out: dict[str, SearchTerms] = {}
    for page in graph.pages:
        aliases = _unique([*(page.data.get("aliases") or []), *(page.data.get("also_called") or [])], {page.title.casefold()})
        seen = {page.title.casefold(), *(a.casefold() for a in aliases)}
        related = []
        for href in _hrefs(page):
            term = glossary.get(href.partition("#")[0])
            if term is None or term is page or term.title.casefold() in seen:
                continue
            others = _unique(list(term.data.get("also_called") or []), seen | {term.title.casefold()})
            seen.add(term.title.casefold())
            seen.update(n.casefold() for n in others)
            related.append((term.title, tuple(others)))
        if aliases or related:
            out[page.output_path] = SearchTerms(tuple(aliases), tuple(related))
    return out


def _unique(names: list[str], skip: set[str]) -> list[str]:
    """``names`` without repeats (ignoring case) and without those in ``skip``."""
    seen = set(skip)
    out = []
    for name in names:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    return out


def _hrefs(page: Page) -> list[str]:
    """Link targets in the page's Markdown (body and Markdown fields), in order."""
    parts = [page.html]
    for value in page.fields_html.values():
        parts.extend([value] if isinstance(value, str) else value)
    return [
        html.unescape(m.group(1) if m.group(1) is not None else m.group(2))
        for tag in _A_TAG.findall("".join(parts))
        if (m := _HREF.search(tag))
    ]


def with_terms(page_html: str, terms: SearchTerms) -> str:
    """The page as Pagefind should read it: the extra words at the end of its indexed region
    (so excerpts of matches in the page's own text come from that text)."""
    m = _BODY_TAG.search(page_html)
    if m is None:
        return page_html
    parts = []
    if terms.aliases:
        parts.append(f'<p data-pagefind-weight="{ALIAS_WEIGHT}">Also called: {html.escape(", ".join(terms.aliases))}.</p>')
    for title, others in terms.related:
        text = f"{title}, also called {', '.join(others)}." if others else f"{title}."
        parts.append(f'<p data-pagefind-weight="{RELATED_WEIGHT}">{html.escape(text)}</p>')
    at = _end_of_element(page_html, m.group(1), m.end())
    return page_html[:at] + "".join(parts) + page_html[at:]


def _end_of_element(text: str, tag: str, start: int) -> int:
    """Where the element of ``tag`` opened just before ``start`` closes (its end tag's start)."""
    depth = 1
    for m in re.compile(rf"<(/?){re.escape(tag)}(?=[\s>/])[^<>]*>", re.IGNORECASE).finditer(text, start):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            return m.start()
    return len(text)


def build_index(
    files: dict[str, bytes],
    language: str,
    diags: Diagnostics,
    terms: Mapping[str, SearchTerms] | None = None,
) -> dict[str, bytes]:
    """Index the built HTML pages; returns the index files (output path → bytes) to add.

    Only the ``data-pagefind-body`` regions of pages are indexed (Pagefind's rule once any
    page has one). On failure, reports an error to ``diags`` and returns nothing.
    """
    terms = terms or {}
    pages = {}
    for rel, data in files.items():
        if rel.endswith(".html") and not rel.startswith((BUNDLE_DIR + "/", "/")) and ".." not in rel.split("/"):
            text = data.decode("utf-8", "replace")
            pages[rel] = with_terms(text, terms[rel]) if rel in terms else text
    lang = language.split("-")[0].lower() or "en"
    try:
        bundle = _run_async(pages, lang, timeout=60 + 0.1 * len(pages))
    except Exception as exc:
        reason = "Pagefind took too long" if isinstance(exc, TimeoutError) else str(exc.args[0] if exc.args else type(exc).__name__)
        diags.error("search", 0, f"could not build the search index: {reason} (build with --no-search to skip it)", code="search-index")
        return {}
    return bundle


def _run_async(pages: Mapping[str, str], language: str, timeout: float) -> dict[str, bytes]:
    """``run_pagefind`` in a new event loop: in this thread, or in a helper thread when one is
    already running here (a build started from async code, or under Playwright's sync API)."""

    def main() -> dict[str, bytes]:
        return asyncio.run(asyncio.wait_for(run_pagefind(pages, language), timeout))

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return main()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(main).result()


async def run_pagefind(pages: Mapping[str, str], language: str) -> dict[str, bytes]:
    """Index ``pages`` (output path → HTML) with Pagefind; the bundle as ``pagefind/…`` → bytes."""
    from pagefind.service import PagefindService

    with tempfile.TemporaryDirectory(prefix="spinesite-search-") as tmp:
        for rel, text in pages.items():
            path = Path(tmp, rel)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        async with PagefindService() as service:
            _allow_large_answers(service)
            index = await service.create_index({"force_language": language, "exclude_selectors": list(EXCLUDE)})
            await index.add_directory(tmp)
            files = await index.get_files()
    bundle = {Path(f["path"]).as_posix(): f["content"] for f in files}
    check_bundle(bundle)
    bundle = stable_filters(bundle)
    unused = _unused(bundle)
    return {f"{BUNDLE_DIR}/{rel}": data for rel, data in sorted(bundle.items()) if rel not in unused}


def _allow_large_answers(service: Any) -> None:
    """``get_files()`` answers with the whole bundle as one line, which hangs the Python API's
    2 MiB reader once the bundle is bigger (about 1,000 pages): raise that reader's limit.
    (``write_files()`` avoids the pipe but is worse: Pagefind answers before its last file
    writes are done, so files read back, or left when the process stops, can be empty.)"""
    stdout = getattr(getattr(service, "_backend", None), "stdout", None)
    if not isinstance(stdout, asyncio.StreamReader) or not hasattr(stdout, "_limit"):
        raise RuntimeError("this version of Pagefind's Python API is not supported (pip install 'pagefind[bin]>=1.1,<2')")
    setattr(stdout, "_limit", MAX_ANSWER_BYTES)  # noqa: B010


def check_bundle(bundle: Mapping[str, bytes]) -> None:
    """Raise ValueError unless the bundle is complete: its entry file names an index whose
    files are all there, and every compressed file decompresses to the end."""
    if not bundle.get("pagefind.js") or "pagefind-entry.json" not in bundle:
        raise ValueError("Pagefind wrote no pagefind.js")
    try:
        languages = json.loads(bundle["pagefind-entry.json"])["languages"]
        needed = {f"pagefind.{lang['hash']}.pf_meta" for lang in languages.values()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError("Pagefind wrote an incomplete pagefind-entry.json") from exc
    missing = sorted(needed - set(bundle))
    if missing:
        raise ValueError(f"Pagefind did not write {missing[0]}")
    for rel, data in bundle.items():
        if rel.endswith((".pf_meta", ".pf_fragment", ".pf_index", ".pf_filter", ".pagefind")):
            try:
                gzip.decompress(data)
            except (OSError, EOFError, zlib.error) as exc:
                raise ValueError(f"Pagefind wrote an incomplete {rel}") from exc
        elif rel.endswith(".js") and not data:
            raise ValueError(f"Pagefind wrote an empty {rel}")


def _unused(bundle: Mapping[str, bytes]) -> set[str]:
    """Bundle files the search page never loads: the prebuilt UIs, and the WASM of languages
    the index does not have (``wasm.unknown.pagefind`` when every page is English)."""
    languages = json.loads(bundle["pagefind-entry.json"])["languages"]
    wanted = {f"wasm.{lang.get('wasm') or 'unknown'}.pagefind" for lang in languages.values()}
    return set(UNUSED_FILES) | {rel for rel in bundle if rel.startswith("wasm.") and rel not in wanted}


# ----------------------------------------------------------------------------- stable output

_DCD = b"pagefind_dcd"  # Pagefind's marker at the start of every compressed index file
_FILTER_FILE = re.compile(r"filter/([\w-]+)_([0-9a-f]+)\.pf_filter")
_META_FILE = re.compile(r"pagefind\.([\w-]+)_([0-9a-f]+)\.pf_meta")


def stable_filters(bundle: dict[str, bytes]) -> dict[str, bytes]:
    """The same bundle for the same site. Pagefind writes filters and their values in hash-map
    order, so the filter files, the meta file that lists them and ``pagefind-entry.json``
    differ on every run (https://github.com/Pagefind/pagefind/issues/638). Sort them and name
    those files after their new contents. Anything unexpected: the bundle as it was."""
    out, renamed = dict(bundle), {}
    try:
        for rel, data in bundle.items():
            if m := _FILTER_FILE.fullmatch(rel):
                name, values = _cbor(gzip.decompress(data)[len(_DCD) :])
                body = _DCD + _cbor_encode([name, sorted(values, key=lambda v: str(v[0]))])
                renamed[f"{m[1]}_{m[2]}"] = new = f"{m[1]}_{_digest(body, len(m[2]))}"
                del out[rel]
                out[f"filter/{new}.pf_filter"] = _gzip(body)
        for rel, data in bundle.items():
            if m := _META_FILE.fullmatch(rel):
                meta = _cbor(gzip.decompress(data)[len(_DCD) :])  # [version, pages, words, filters, sorts, fields]
                filters = meta[3]
                if {f[1] for f in filters} - set(renamed):
                    raise ValueError(f"{rel} names a filter file that is not in the bundle")
                meta[3] = sorted(([f[0], renamed[f[1]]] for f in filters), key=lambda f: str(f[0]))
                body = _DCD + _cbor_encode(meta)
                new = f"{m[1]}_{_digest(body, len(m[2]))}"
                del out[rel]
                out[f"pagefind.{new}.pf_meta"] = _gzip(body)
                out["pagefind-entry.json"] = out["pagefind-entry.json"].replace(f'"{m[1]}_{m[2]}"'.encode(), f'"{new}"'.encode())
    except (ValueError, TypeError, IndexError, KeyError, OSError, EOFError, zlib.error):
        return bundle
    return out


def _digest(data: bytes, length: int) -> str:
    return hashlib.sha256(data).hexdigest()[:length]


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def _cbor(data: bytes) -> Any:
    """Decode the CBOR of Pagefind's meta and filter files (unsigned integers, text, arrays);
    ValueError unless encoding it again gives the same bytes."""
    try:
        value = cbor2.loads(data)
    except cbor2.CBORError as exc:  # not all of them are ValueErrors (a short file is an EOFError)
        raise ValueError("unexpected CBOR") from exc
    if not _pagefind_cbor(value) or cbor2.dumps(value) != data:
        raise ValueError("unexpected CBOR")
    return value


def _cbor_encode(value: Any) -> bytes:
    """Pagefind's CBOR: definite lengths and the shortest integer heads, as ``cbor2`` writes them."""
    if not _pagefind_cbor(value):
        raise TypeError(type(value).__name__)
    return cbor2.dumps(value)


def _pagefind_cbor(value: Any) -> bool:
    """Only what Pagefind's meta and filter files hold: unsigned 64-bit integers, text, arrays."""
    if isinstance(value, list):
        return all(_pagefind_cbor(v) for v in value)
    return isinstance(value, str) or (type(value) is int and 0 <= value < 1 << 64)
