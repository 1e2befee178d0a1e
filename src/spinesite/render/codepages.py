"""Pages for the site's clinical codes, and the static answers to HL7 Infobutton requests.

- ``/codes/``: every code with its official description and the pages that carry it;
- ``/codes/<system>/<CODE>/``: one code's landing page; ``/codes/<system>/<CODE>.json``: the
  same as data, in the Infobutton JSON response format, and ``.xml`` in its Atom format; the
  other languages' answers under ``/<lang>/codes/<system>/<CODE>.json`` (``.xml``), their
  entries the pages in that language where there is one;
- ``/infobutton/``: answers a URL-based Infobutton request on a static host (the page's script
  reads the request from its address; without the script it links to ``/codes/``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from spinesite.content.codes import CodeEntry
from spinesite.content.graph import SiteGraph
from spinesite.content.model import Listing, Page
from spinesite.render.infobutton import OIDS, Entry, atom_response, json_response

CODES_URL = "/codes/"
INFOBUTTON_URL = "/infobutton/"


def with_translations(pages: tuple[Page, ...]) -> list[Page]:
    """The pages and their translations (what a code's answers show, in any language)."""
    return [v for p in pages for v in (p, *p.translations.values())]


def response_url(entry: CodeEntry, fmt: str, prefix: str = "/") -> str:
    """Where the Infobutton answer for ``entry`` is: ``/codes/icd-10-cm/M48.061.json``."""
    return f"{prefix}codes/{entry.system}/{entry.code}.{fmt}"


def code_listings(codes: list[CodeEntry], graph: SiteGraph, tr: Callable[[str], str] = str) -> list[Listing]:
    """The code pages, the answers in every language, and the Infobutton page (none without codes)."""
    if not codes:
        return []
    every = [p for entry in codes for p in with_translations(entry.pages)]
    out = [Listing(CODES_URL, "codes.html", tr("Diagnosis codes"), {"codes": codes, "items": every})]
    for entry in codes:
        context = {"code": entry, "items": with_translations(entry.pages)}
        out.append(Listing(entry.url, "code.html", f"{entry.system_name} {entry.code}", context))
        for lang in ("", *graph.languages.others.values()):
            prefix = graph.languages.prefix(lang) if lang else "/"
            for fmt in ("json", "xml"):
                out.append(Listing(response_url(entry, fmt, prefix), f"code.{fmt}", entry.code, {**context, "response_lang": lang}))
    index = {
        "oids": OIDS,
        "languages": sorted(graph.languages.others),  # lower-case tags
        "codes": {
            f"{e.system} {e.code}": [
                {
                    "title": p.title,
                    "url": p.url,
                    "versions": {code.lower(): {"title": t.title, "url": t.url} for code, t in sorted(p.translations.items())},
                }
                for p in e.pages
            ]
            for e in codes
        },
    }
    out.append(Listing(INFOBUTTON_URL, "infobutton.html", tr("Open the page for a diagnosis code"), {"index": index, "items": every}))
    return out


def infobutton_response(
    entry: CodeEntry, lang: str, fmt: str, tag: Callable[[str], str], abs_url: Callable[[str], str], site_title: str
) -> str:
    """The Infobutton answer for ``entry`` in ``lang`` ("" the default), as Atom (``xml``) or JSON."""
    versions = [p.in_language(lang) for p in entry.pages]
    entries = [Entry(p.title, abs_url(p.url), str(p.data.get("summary", "")), tag(p.lang), _updated(p)) for p in versions]
    prefix = f"/{lang.lower()}/" if lang else "/"
    args: dict[str, Any] = {
        "feed_id": abs_url(response_url(entry, fmt, prefix)),
        "title": site_title,  # the subtitle names the code
        "system": entry.system,
        "code": entry.code,
        "description": entry.description,
        "lang": tag(lang),
        "updated": max((e.updated for e in entries), default=dt.date(1970, 1, 1)),
        "entries": entries,
    }
    data = atom_response(**args) if fmt == "xml" else json_response(**args)
    return data.decode("utf-8")


def _updated(page: Page) -> dt.date:
    value = page.data.get("last_reviewed")
    return value if isinstance(value, dt.date) else dt.date(1970, 1, 1)
