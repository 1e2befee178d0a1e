"""schema.org JSON-LD for each page, serialised safely for a <script> element."""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from .model import Page

THERAPY_TYPE = {"medicine": "Drug", "surgery": "SurgicalProcedure", "injection": "MedicalProcedure"}


def dumps_script_safe(data: Any) -> Markup:
    """JSON that cannot end the <script> element or open a comment, whatever the content."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


def page_jsonld(page: Page, abs_url: Any, site_title: str, crumbs: list[tuple[str, str]]) -> dict[str, Any]:
    """MedicalWebPage with an ``about`` describing the page's subject."""
    d = page.data
    doc: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": page.title,
        "description": d.get("summary", ""),
        "url": abs_url(page.url),
        "inLanguage": None,
        "medicalAudience": {"@type": "MedicalAudience", "audienceType": "Patient"},
        "breadcrumb": {
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": i + 1, "name": name, "item": abs_url(url)} for i, (name, url) in enumerate(crumbs)
            ],
        },
        "isPartOf": {"@type": "WebSite", "name": site_title},
    }
    del doc["inLanguage"]
    if d.get("last_reviewed"):
        doc["lastReviewed"] = d["last_reviewed"].isoformat()
    if d.get("reviewed_by"):
        doc["reviewedBy"] = {"@type": "Person", "name": d["reviewed_by"]}
    if d.get("sources"):
        doc["citation"] = [{"@type": "CreativeWork", "name": s["title"], "url": s["url"]} for s in d["sources"]]
    about = _about(page, abs_url)
    if about:
        doc["about"] = about
    return doc


def _ref_list(page: Page, name: str, type_: str, abs_url: Any) -> list[dict[str, Any]]:
    return [{"@type": type_, "name": p.title, "url": abs_url(p.url)} for p in page.refs.get(name, [])]


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
                {"@type": THERAPY_TYPE.get(t.data.get("category", ""), "MedicalTherapy"), "name": t.title, "url": abs_url(t.url)}
                for t in page.refs.get("treatments", [])
            ],
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
        if d.get("hold_seconds"):
            plan["activityDuration"] = f"PT{int(d['hold_seconds'])}S"
        return plan
    if page.kind == "treatments":
        type_ = THERAPY_TYPE.get(d.get("category", ""), "MedicalTherapy")
        out: dict[str, Any] = {"@type": type_, "name": page.title, "description": d.get("summary", "")}
        if d.get("risks") and type_ != "Drug":
            out["adverseOutcome"] = [{"@type": "MedicalEntity", "name": r} for r in d["risks"]]
        if d.get("risks") and type_ == "Drug":
            out["warning"] = list(d["risks"])
        return out
    if page.kind == "causes":
        return {"@type": "MedicalCause", "name": page.title, "description": d.get("summary", "")}
    if page.kind == "glossary":
        return {"@type": "DefinedTerm", "name": page.title, "description": d.get("summary", "")}
    return None
