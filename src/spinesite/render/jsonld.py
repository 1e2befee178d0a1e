"""schema.org JSON-LD for each page, serialised safely for a <script> element.

Every type and property used here is checked against the schema.org vocabulary in the tests
(tests/test_jsonld_vocab.py): each property's domain covers its item's type and each value is in
its range. Choices that follow from it:

- a treatment's type comes from its category (:data:`THERAPY_TYPE`). Medicines are described by
  class (``DrugClass``); surgery and psychological therapy also carry ``MedicalTherapy``, the one
  type of procedure ``possibleTreatment`` may hold, and ``adverseOutcome`` is given only where its
  domain allows (a ``TherapeuticProcedure``);
- a condition's ``possibleTreatment`` lists only what guidelines allow: treatments they advise
  against, or leave to research, are left out (their own pages say so with a
  ``MedicalGuidelineContraindication``);
- an exercise's hold time is not ``activityDuration`` (the time to spend on the activity), so it
  is left out;
- ``reviewedBy`` and ``lastReviewed`` appear only on a page a listed reviewer has checked (review.py).
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from spinesite.content.codes import SYSTEM_NAMES
from spinesite.content.contenttypes import by_folder
from spinesite.content.model import Page
from spinesite.content.review import ReviewState

SCHEMA = "https://schema.org/"
THERAPY_TYPE: dict[str, str | list[str]] = {
    "self-care": "LifestyleModification",
    "exercise": "PhysicalActivity",
    "physiotherapy": "PhysicalTherapy",
    "psychological": ["MedicalTherapy", "PsychologicalTreatment"],
    "medicine": "DrugClass",
    "injection": "MedicalTherapy",
    "surgery": ["MedicalTherapy", "SurgicalProcedure"],
    "experimental": "MedicalTherapy",
}
PROCEDURE_TYPE = {"injection": SCHEMA + "PercutaneousProcedure"}  # a MedicalProcedureType member
THERAPEUTIC = {"physiotherapy", "psychological", "injection", "surgery", "experimental"}  # TherapeuticProcedure: adverseOutcome allowed
NOT_A_POSSIBLE_TREATMENT = {"not-recommended", "experimental"}
RECOMMENDATION = {"recommended": "Recommended", "option": "Can be considered"}


def dumps_script_safe(data: Any) -> Markup:
    """JSON that cannot end the <script> element or open a comment, whatever the content."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


def page_jsonld(
    page: Page, abs_url: Any, site_title: str, crumbs: list[tuple[str, str]], review: ReviewState | None = None
) -> dict[str, Any]:
    """MedicalWebPage with an ``about`` describing the page's subject."""
    d = page.data
    doc: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": page.title,
        "description": d.get("summary", ""),
        "url": abs_url(page.url),
        "medicalAudience": {"@type": "MedicalAudience", "audienceType": "Patient"},
        "breadcrumb": {
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": i + 1, "name": name, "item": {"@type": "WebPage", "@id": abs_url(url), "name": name}}
                for i, (name, url) in enumerate(crumbs)
            ],
        },
        "isPartOf": {"@type": "WebSite", "name": site_title},
    }
    if review is not None and review.reviewer is not None:
        if review.last_reviewed is not None:
            doc["lastReviewed"] = review.last_reviewed.isoformat()
        doc["reviewedBy"] = {"@type": "Person", "name": review.reviewer.name, "jobTitle": review.reviewer.qualification}
    if d.get("sources"):
        doc["citation"] = [{"@type": "CreativeWork", "name": s["title"], "url": s["url"]} for s in d["sources"]]
    about = _about(page, abs_url)
    if about:
        doc["about"] = about
    return doc


def _ref_list(page: Page, name: str, type_: str, abs_url: Any) -> list[dict[str, Any]]:
    return [{"@type": type_, "name": p.title, "url": abs_url(p.url)} for p in page.refs.get(name, [])]


def therapy(page: Page, abs_url: Any) -> dict[str, Any]:
    """A treatment page's subject, typed from its category."""
    category = page.data.get("category", "")
    out: dict[str, Any] = {"@type": THERAPY_TYPE.get(category, "MedicalTherapy"), "name": page.title, "url": abs_url(page.url)}
    if category in PROCEDURE_TYPE:
        out["procedureType"] = PROCEDURE_TYPE[category]
    return out


def _about(page: Page, abs_url: Any) -> dict[str, Any] | None:
    d = page.data
    if page.kind == "conditions":
        return {
            "@type": "MedicalCondition",
            "name": page.title,
            "alternateName": list(d.get("aliases") or []),
            "associatedAnatomy": [
                {"@type": "AnatomicalStructure", "name": n}
                for n in [*(d.get("anatomy") or []), *(f"{lv} spinal level" for lv in d.get("spine_levels") or [])]
            ],
            "signOrSymptom": [{"@type": "MedicalSignOrSymptom", "name": s} for s in d.get("symptoms") or []],
            "cause": _ref_list(page, "causes", "MedicalCause", abs_url),
            "possibleTreatment": [
                therapy(t, abs_url) for t in page.refs.get("treatments", []) if t.data.get("evidence") not in NOT_A_POSSIBLE_TREATMENT
            ],
            **medical_codes(d),
        }
    if page.kind == "stretches":
        plan: dict[str, Any] = {
            "@type": "ExercisePlan",
            "name": page.title,
            "exerciseType": d.get("kind", ""),
            "description": d.get("summary", ""),
        }
        reps = str(d.get("repetitions") or "").strip()
        if reps.isascii() and reps.isdigit():  # schema.org wants a number; free text is left out
            plan["repetitions"] = int(reps)
        return plan
    if page.kind == "treatments":
        out = therapy(page, abs_url)
        out["description"] = d.get("summary", "")
        if d.get("risks") and d.get("category") in THERAPEUTIC:
            out["adverseOutcome"] = [{"@type": "MedicalEntity", "name": r} for r in d["risks"]]
        guidelines = [_guideline(g, d.get("evidence", "")) for g in d.get("guidelines") or []]
        if guidelines:
            out["guideline"] = guidelines
        return {**out, **medical_codes(d)}
    type_ = by_folder(page.kind).jsonld_type  # any other type: its registered type, named and described
    return {"@type": type_, "name": page.title, "description": d.get("summary", "")} if type_ else None


def medical_codes(data: dict[str, Any]) -> dict[str, Any]:
    """``code``: the page's clinical codes as schema.org ``MedicalCode`` (none: no key)."""
    codes = [
        {"@type": "MedicalCode", "codeValue": c["code"], "codingSystem": SYSTEM_NAMES[c["system"]]}
        for c in data.get("codes") or []
        if isinstance(c, dict) and c.get("system") in SYSTEM_NAMES and c.get("code")
    ]
    return {"code": codes} if codes else {}


def _guideline(g: dict[str, Any], evidence: str) -> dict[str, Any]:
    """What one guideline says about a treatment: a recommendation, a contraindication (it
    advises against it) or, when it makes no recommendation, a plain guideline."""
    status = g.get("status") or evidence
    out: dict[str, Any] = {"@type": "MedicalGuideline", "name": g["name"]}
    if status in RECOMMENDATION:
        out = {"@type": "MedicalGuidelineRecommendation", "name": g["name"], "recommendationStrength": RECOMMENDATION[status]}
    elif status == "not-recommended":
        out["@type"] = "MedicalGuidelineContraindication"
    if g.get("url"):
        out["url"] = g["url"]
    if g.get("says"):
        out["description"] = g["says"]
    return out
