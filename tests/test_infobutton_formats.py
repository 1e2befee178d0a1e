"""HL7 Infobutton knowledge responses (spinesite.render.infobutton): the Atom is read back with a
real feed parser (feedparser) and the JSON with json, and both carry the same entries."""

from __future__ import annotations

import datetime
import json
import xml.etree.ElementTree as ET
from typing import Any

import feedparser
import pytest

from spinesite.render.infobutton import OIDS, SYSTEM_NAMES, Entry, atom_response, json_response

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

STENOSIS_ES = Entry(
    title="Estenosis espinal",
    url="https://clinic.example/es/conditions/spinal-stenosis/",
    summary="El canal vertebral se estrecha y oprime los nervios.",
    lang="es",
    updated=datetime.date(2026, 3, 14),
)
STENOSIS_EN = Entry(
    title="Spinal stenosis",
    url="https://clinic.example/conditions/spinal-stenosis/",
    summary="The spinal canal narrows and presses on the nerves.",
    lang="en",
    updated=datetime.date(2026, 3, 1),
)


def request(**changes: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "feed_id": "https://clinic.example/infobutton/icd-10-cm/M48.061.es.xml",
        "title": "Clinic spine pages",
        "system": "icd-10-cm",
        "code": "M48.061",
        "description": "Spinal stenosis, lumbar region without neurogenic claudication",
        "lang": "es",
        "updated": datetime.date(2026, 3, 20),
        "entries": [STENOSIS_ES, STENOSIS_EN],
    }
    args.update(changes)
    return args


def parse(body: bytes) -> Any:
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_the_atom_feed_parses_with_its_title_language_and_request() -> None:
    feed = parse(atom_response(**request())).feed
    assert feed.title == "Clinic spine pages"
    assert feed.subtitle == "ICD-10-CM M48.061: Spinal stenosis, lumbar region without neurogenic claudication"
    assert feed.author == "Clinic spine pages"
    assert feed.id == "https://clinic.example/infobutton/icd-10-cm/M48.061.es.xml"
    assert feed.updated == "2026-03-20T00:00:00Z"
    assert feed.language == "es"
    assert [(tag.scheme, tag.term) for tag in feed.tags] == [
        ("mainSearchCriteria.v.c", "M48.061"),
        ("mainSearchCriteria.v.cs", "2.16.840.1.113883.6.90"),
        ("mainSearchCriteria.v.dn", "Spinal stenosis, lumbar region without neurogenic claudication"),
        ("informationRecipient.languageCode.c", "es"),
    ]


def test_one_atom_entry_per_page_with_its_link_and_language() -> None:
    entries = parse(atom_response(**request())).entries
    assert [entry.title for entry in entries] == ["Estenosis espinal", "Spinal stenosis"]
    assert [entry.id for entry in entries] == [STENOSIS_ES.url, STENOSIS_EN.url]
    assert [entry.link for entry in entries] == [STENOSIS_ES.url, STENOSIS_EN.url]
    assert [entry.summary for entry in entries] == [STENOSIS_ES.summary, STENOSIS_EN.summary]
    assert [entry.updated for entry in entries] == ["2026-03-14T00:00:00Z", "2026-03-01T00:00:00Z"]
    links = [entry.links for entry in entries]
    assert [[(link.rel, link.type, link.hreflang, link.href) for link in entry_links] for entry_links in links] == [
        [("alternate", "text/html", "es", STENOSIS_ES.url)],
        [("alternate", "text/html", "en", STENOSIS_EN.url)],
    ]
    # Each entry says its own language (a page in the default language answers a request in
    # another when it has no translation).
    root = ET.fromstring(atom_response(**request()))
    assert [entry.get(XML_LANG) for entry in root.iter(f"{ATOM}entry")] == ["es", "en"]


@pytest.mark.parametrize("system", sorted(OIDS))
def test_each_code_system_is_named_by_its_oid(system: str) -> None:
    feed = parse(atom_response(**request(system=system, code="22298006"))).feed
    assert ("mainSearchCriteria.v.cs", OIDS[system]) in [(tag.scheme, tag.term) for tag in feed.tags]
    assert feed.subtitle.startswith(f"{SYSTEM_NAMES[system]} 22298006: ")
    data = json.loads(json_response(**request(system=system, code="22298006")))
    assert {"scheme": "mainSearchCriteria.v.cs", "term": OIDS[system]} in data["feed"]["category"]


def test_the_json_has_the_same_feed_and_entries() -> None:
    feed = json.loads(json_response(**request()))["feed"]
    assert feed["title"] == {"_value": "Clinic spine pages", "type": "text"}
    assert feed["subtitle"]["_value"] == "ICD-10-CM M48.061: Spinal stenosis, lumbar region without neurogenic claudication"
    assert feed["lang"] == "es"
    assert feed["id"] == {"_value": "https://clinic.example/infobutton/icd-10-cm/M48.061.es.xml"}
    assert feed["updated"] == {"_value": "2026-03-20T00:00:00Z"}
    atom = parse(atom_response(**request()))
    assert [(c["scheme"], c["term"]) for c in feed["category"]] == [(tag.scheme, tag.term) for tag in atom.feed.tags]
    assert feed["entry"][0] == {
        "lang": "es",
        "title": {"_value": "Estenosis espinal", "type": "text"},
        "link": [
            {
                "title": "Estenosis espinal",
                "rel": "alternate",
                "type": "text/html",
                "hreflang": "es",
                "href": "https://clinic.example/es/conditions/spinal-stenosis/",
            }
        ],
        "id": {"_value": "https://clinic.example/es/conditions/spinal-stenosis/"},
        "updated": {"_value": "2026-03-14T00:00:00Z"},
        "summary": {"_value": "El canal vertebral se estrecha y oprime los nervios.", "type": "text"},
    }
    assert [(e["title"]["_value"], e["link"][0]["href"], e["summary"]["_value"]) for e in feed["entry"]] == [
        (entry.title, entry.link, entry.summary) for entry in atom.entries
    ]


def test_markup_characters_are_escaped_in_both_formats() -> None:
    nasty = "Stenosis <b>&amp;</b> \"lumbar\" 'L4–L5' & <script>"
    page = Entry(title=nasty, url='https://clinic.example/c/?a=1&b="2"', summary=nasty, lang="en", updated=datetime.date(2026, 1, 1))
    args = request(title=nasty, description=nasty, lang="en", entries=[page])
    body = atom_response(**args)
    assert b"<script>" not in body and b"<b>" not in body
    parsed = parse(body)
    assert parsed.feed.title == nasty
    assert parsed.feed.author == nasty
    assert ("mainSearchCriteria.v.dn", nasty) in [(tag.scheme, tag.term) for tag in parsed.feed.tags]
    assert parsed.entries[0].title == nasty
    assert parsed.entries[0].summary == nasty
    assert parsed.entries[0].link == page.url
    root = ET.fromstring(body)  # an XML parser agrees, attribute by attribute
    link = root.find(f"{ATOM}entry/{ATOM}link")
    assert link is not None and link.get("title") == nasty and link.get("href") == page.url
    feed = json.loads(json_response(**args))["feed"]
    assert feed["title"]["_value"] == nasty
    assert feed["entry"][0]["title"]["_value"] == nasty
    assert feed["entry"][0]["summary"]["_value"] == nasty
    assert {"scheme": "mainSearchCriteria.v.dn", "term": nasty} in feed["category"]


def test_characters_xml_cannot_carry_are_replaced_so_the_feed_still_parses() -> None:
    page = Entry(
        title="Bell\x07 pain\x00", url="https://clinic.example/p/", summary="line\x0bbreak", lang="en", updated=datetime.date(2026, 1, 1)
    )
    parsed = parse(atom_response(**request(entries=[page])))
    assert parsed.entries[0].title == "Bell\ufffd pain\ufffd"
    assert parsed.entries[0].summary == "line\ufffdbreak"


def test_non_ascii_text_is_written_as_utf8_not_escaped() -> None:
    assert b"Estenosis espinal" in atom_response(**request())
    body = json_response(**request(entries=[STENOSIS_ES], description="Estenosis raquídea"))
    assert "Estenosis raquídea".encode() in body
    assert b"\\u" not in body


def test_no_entries_is_a_valid_empty_feed() -> None:
    parsed = parse(atom_response(**request(entries=[])))
    assert parsed.entries == []
    assert parsed.feed.title == "Clinic spine pages"
    assert ("mainSearchCriteria.v.c", "M48.061") in [(tag.scheme, tag.term) for tag in parsed.feed.tags]
    assert json.loads(json_response(**request(entries=[])))["feed"]["entry"] == []


def test_the_same_input_gives_the_same_bytes() -> None:
    assert atom_response(**request()) == atom_response(**request())
    assert json_response(**request()) == json_response(**request())
    # The order of the pages is the caller's: it is kept, not re-sorted.
    swapped = request(entries=[STENOSIS_EN, STENOSIS_ES])
    assert [e.title for e in parse(atom_response(**swapped)).entries] == ["Spinal stenosis", "Estenosis espinal"]


def test_the_atom_starts_with_the_xml_declaration_and_feed_element() -> None:
    body = atom_response(**request())
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="es">\n')
    assert body.endswith(b"</feed>\n")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"system": "loinc"}, "unknown code system 'loinc': expected one of icd-10-cm, icd-10, snomed-ct"),
        (
            {"entries": [Entry("Relative", "/conditions/x/", "s", "en", datetime.date(2026, 1, 1))]},
            "the entry 'Relative' needs an absolute http(s) URL, not '/conditions/x/'",
        ),
    ],
)
def test_wrong_arguments_are_refused(changes: dict[str, Any], message: str) -> None:
    for response in (atom_response, json_response):
        with pytest.raises(ValueError) as raised:
            response(**request(**changes))
        assert str(raised.value) == message
