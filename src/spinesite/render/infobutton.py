"""HL7 Infobutton knowledge responses (Atom and JSON) for one clinical code, as static files.

An EHR asks for patient information about a code with an HL7 Infobutton URL-based request
(``mainSearchCriteria.v.c``, ``mainSearchCriteria.v.cs``, ``informationRecipient.languageCode.c``,
``knowledgeResponseType``). The answer, a "knowledge response", is an Atom feed: the request
echoed as ``category`` elements (scheme = parameter name, term = value) and one ``entry`` per
matching page. ``knowledgeResponseType=application/json`` asks for the same feed as JSON.

Sources followed:

- HL7 Version 3 Implementation Guide: URL-Based Implementations of the Context-Aware Knowledge
  Retrieval (Infobutton) Domain, Release 4, June 2012 (request parameter names, appendix 1;
  terminology reference, appendix 2), read at
  https://docest.com/doc/133453/inofbutton-url-based-implementation-guide . The response format
  is the companion HL7 Infobutton Service-Oriented Architecture Implementation Guide, Release 1
  (https://www.hl7.org/implement/standards/product_brief.cfm?product_id=283): an Atom (RFC 4287)
  feed, with XML and JSON renderings (overview: https://www.openinfobutton.org/hl7-infobutton-standard).
- HL7 wiki, "Infobutton" (http://wiki.hl7.org/w/index.php?title=Infobutton&oldid=98984): an
  Atom knowledge response from MedlinePlus Connect with ``xml:lang`` on the feed and
  ``<category scheme="mainSearchCriteria.v.c" term="..."/>``,
  ``<category scheme="mainSearchCriteria.v.cs" term="2.16.840.1.113883.6.96"/>``.
- MedlinePlus Connect web service (https://medlineplus.gov/connect/service.html), whose
  responses conform to the SOA guide and come as Atom or JSON: feed title, subtitle, author,
  updated, id, the echoed categories (including ``mainSearchCriteria.v.dn``), and entries with
  title, ``link rel="alternate"``, id, updated and summary. The JSON shape follows a captured
  MedlinePlus Connect JSON response (github.com/cerberushealthcare/analytics,
  sec/js/_ui/test1.js): every element an object, its text under ``"_value"``, its attributes as
  sibling keys (``{"title": {"_value": "...", "type": "text"}}``); repeated elements
  (``category``, ``entry``, ``link``) as lists; ``xml:lang`` as ``"lang"``. Two deliberate
  differences from that capture: the link ``type`` is the media type ``text/html`` (RFC 4287
  §4.2.7.3; MedlinePlus writes ``html``) and the link carries ``hreflang`` as in the Atom.

Pure functions: no wall-clock time (the caller passes ``updated``), attributes and keys in a
fixed order, so the same input always gives the same bytes.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from spinesite.content.codes import SYSTEM_NAMES

OIDS = {"icd-10-cm": "2.16.840.1.113883.6.90", "icd-10": "2.16.840.1.113883.6.3", "snomed-ct": "2.16.840.1.113883.6.96"}

ATOM_NS = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 does not allow (even escaped): replaced so the feed always parses.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ATTR_ESCAPES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


@dataclass(frozen=True)
class Entry:
    """One page in a knowledge response. ``url`` is absolute; ``lang`` is the page's language."""

    title: str
    url: str
    summary: str
    lang: str
    updated: datetime.date


def _timestamp(day: datetime.date) -> str:
    """An Atom date construct (RFC 3339) for the start of ``day``, UTC."""
    return f"{day.isoformat()}T00:00:00Z"


def _subtitle(system: str, code: str, description: str) -> str:
    label = f"{SYSTEM_NAMES[system]} {code}"
    return f"{label}: {description}" if description else label


def _categories(system: str, code: str, description: str, lang: str) -> list[tuple[str, str]]:
    """The request, echoed: (scheme = Infobutton parameter name, term = its value)."""
    return [
        ("mainSearchCriteria.v.c", code),
        ("mainSearchCriteria.v.cs", OIDS[system]),
        ("mainSearchCriteria.v.dn", description),
        ("informationRecipient.languageCode.c", lang),
    ]


def _check(system: str, entries: list[Entry]) -> None:
    if system not in OIDS:
        raise ValueError(f"unknown code system {system!r}: expected one of {', '.join(OIDS)}")
    for entry in entries:
        parts = urlsplit(entry.url)
        if not (parts.scheme in ("http", "https") and parts.netloc):
            raise ValueError(f"the entry {entry.title!r} needs an absolute http(s) URL, not {entry.url!r}")


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", value))


def _attr(value: str) -> str:
    return '"' + escape(_NOT_XML.sub("\ufffd", value), _ATTR_ESCAPES) + '"'


def _element(name: str, text: str, attrs: list[tuple[str, str]] | None = None) -> str:
    attributes = "".join(f" {key}={_attr(value)}" for key, value in attrs or [])
    return f"<{name}{attributes}>{_text(text)}</{name}>"


def atom_response(
    *,
    feed_id: str,
    title: str,
    system: str,
    code: str,
    description: str,
    lang: str,
    updated: datetime.date,
    entries: list[Entry],
) -> bytes:
    """The knowledge response as an Atom 1.0 feed (UTF-8); one entry per page, none allowed."""
    _check(system, entries)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"<feed xmlns={_attr(ATOM_NS)} xml:lang={_attr(lang)}>",
        "  " + _element("title", title, [("type", "text")]),
        "  " + _element("subtitle", _subtitle(system, code, description), [("type", "text")]),
        "  <author>",
        "    " + _element("name", title),
        "  </author>",
        "  " + _element("updated", _timestamp(updated)),
        "  " + _element("id", feed_id),
    ]
    lines += [f"  <category scheme={_attr(scheme)} term={_attr(term)}/>" for scheme, term in _categories(system, code, description, lang)]
    for entry in entries:
        link = [("rel", "alternate"), ("type", "text/html"), ("hreflang", entry.lang), ("title", entry.title), ("href", entry.url)]
        lines += [
            f"  <entry xml:lang={_attr(entry.lang)}>",
            "    " + _element("title", entry.title, [("type", "text")]),
            "    <link" + "".join(f" {key}={_attr(value)}" for key, value in link) + "/>",
            "    " + _element("id", entry.url),
            "    " + _element("updated", _timestamp(entry.updated)),
            "    " + _element("summary", entry.summary, [("type", "text")]),
            "  </entry>",
        ]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def json_response(
    *,
    feed_id: str,
    title: str,
    system: str,
    code: str,
    description: str,
    lang: str,
    updated: datetime.date,
    entries: list[Entry],
) -> bytes:
    """The same knowledge response as JSON, in MedlinePlus Connect's shape (see the module doc)."""
    _check(system, entries)
    feed: dict[str, Any] = {
        "lang": lang,
        "title": {"_value": title, "type": "text"},
        "subtitle": {"_value": _subtitle(system, code, description), "type": "text"},
        "author": {"name": {"_value": title}},
        "updated": {"_value": _timestamp(updated)},
        "category": [{"scheme": scheme, "term": term} for scheme, term in _categories(system, code, description, lang)],
        "id": {"_value": feed_id},
        "entry": [
            {
                "lang": entry.lang,
                "title": {"_value": entry.title, "type": "text"},
                "link": [{"title": entry.title, "rel": "alternate", "type": "text/html", "hreflang": entry.lang, "href": entry.url}],
                "id": {"_value": entry.url},
                "updated": {"_value": _timestamp(entry.updated)},
                "summary": {"_value": entry.summary, "type": "text"},
            }
            for entry in entries
        ],
    }
    return (json.dumps({"feed": feed}, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
