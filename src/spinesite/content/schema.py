"""The front-matter schema: one field declaration per content type, in one place.

Each type's record in ``contenttypes.py`` holds its tuple; everything else derives from it:
validation (``fields.validate_fields``), the JSON Schema for editors (``spinesite schema``),
the docs reference and the scaffolds (``spinesite new``).
"""

from __future__ import annotations

from typing import Any

from spinesite.content.fields import LEVELS, Bool, CodeStr, Date, Enum, Field, Int, List, Obj, Ref, Slug, Str, Url
from spinesite.content.poses import ALL_CONTACTS, ALL_TRACKED, HAND_TARGETS, JOINTS, LIMB_JOINTS, POSES, POSITION_EXTRAS

REGIONS = ("cervical", "thoracic", "lumbar", "sacral")
# Everyday words for the regions, for "did you mean" hints (spaces, hyphens and case do not matter).
REGION_SYNONYMS = (
    *(("neck", "cervical"), ("cervical spine", "cervical"), ("c spine", "cervical")),
    *(("upper back", "thoracic"), ("mid back", "thoracic"), ("middle back", "thoracic"), ("thoracic spine", "thoracic")),
    *(("lower back", "lumbar"), ("low back", "lumbar"), ("lumbar spine", "lumbar")),
    *(("tailbone", "sacral"), ("tail bone", "sacral"), ("sacrum", "sacral"), ("coccyx", "sacral")),
)
# What a guideline says, in its own strength: NICE "offer" -> recommended, "consider" -> option,
# "do not offer" -> not-recommended, no statement at all -> no-recommendation.
EVIDENCE = ("recommended", "option", "no-recommendation", "not-recommended", "experimental")
# Where a guideline applies when its entry does not say: the body that publishes it (the first
# word of its name). Any other guideline needs an explicit `jurisdiction` (a warning otherwise).
JURISDICTIONS = {"NICE": "England", "SIGN": "Scotland", "ACP": "USA", "NASS": "USA", "AAN": "USA"}
TREATMENT_CATEGORIES = (
    "self-care",
    "exercise",
    "physiotherapy",
    "psychological",
    "medicine",
    "injection",
    "surgery",
    "experimental",
)

CODE_SYSTEMS = ("icd-10-cm", "icd-10", "snomed-ct")
CODE = Obj(
    (
        Field("system", Enum(CODE_SYSTEMS), required=True, doc="The code system: `icd-10-cm`, `icd-10` (WHO) or `snomed-ct`."),
        Field(
            "code",
            CodeStr(max_len=20, hint="code"),
            required=True,
            doc="The code, e.g. `M48.061` (ICD codes may be written without their dot) or a SNOMED CT concept id.",
        ),
    ),
    hint="clinical code",
)
CODES = Field(
    "codes",
    List(CODE),
    default=list,
    doc="Diagnosis codes this page is about, e.g. `[{system: icd-10-cm, code: M48.061}]`: checked against the ICD-10-CM and"
    " ICD-10 releases spinesite ships; a record system can open the page from its code (/codes/, /infobutton/).",
)

SOURCE = Obj(
    (
        Field("title", Str(max_len=300), required=True, doc="Title of the guideline, article or page."),
        Field("url", Url(), required=True, doc="Where a reader can find it."),
        Field("publisher", Str(max_len=200), doc="Who published it, e.g. 'NICE'."),
        Field("year", Int(1900, 2100), doc="Year of publication."),
    ),
    hint="source",
)

GUIDELINE = Obj(
    (
        Field("name", Str(max_len=200), required=True, doc="Guideline name, e.g. 'NICE NG59'."),
        Field(
            "jurisdiction",
            Str(max_len=100),
            doc="Where it applies, e.g. 'England' or 'USA'; worked out from the name for "
            + ", ".join(f"{k} ({v})" for k, v in JURISDICTIONS.items())
            + ".",
        ),
        Field("url", Url(), doc="Link to the guideline."),
        Field("says", Str(max_len=500), doc="What it says about this treatment, in plain words."),
        Field(
            "status",
            Enum(EVIDENCE),
            doc="What this guideline itself says, when it differs from the page's `evidence`"
            " (e.g. a US guideline recommends what NICE does not). Leave out for the guideline(s) the badge rests on.",
        ),
        Field(
            "applies_to",
            Str(max_len=200),
            doc="Who or what the statement covers, when narrower than the page, e.g. 'low back pain without sciatica'.",
        ),
    ),
    hint="guideline",
)

FAQ = Obj(
    (
        Field("question", Str(max_len=300), required=True, doc="The question, as a patient would ask it."),
        Field("answer", Str(max_len=5000), required=True, doc="The answer (Markdown allowed)."),
    ),
    hint="question and answer",
)

IMAGE = Obj(
    (
        Field("src", Str(max_len=500), required=True, doc="Path of an image under `static/`, e.g. `/images/bridge.svg`."),
        Field("alt", Str(max_len=500), required=True, doc="Text alternative describing the image."),
    ),
    hint="image",
)

POSITION = Obj(
    (
        Field(
            "pose", Enum(tuple(POSES)), required=True, doc="Named key pose: " + "; ".join(f"`{k}`: {v[0]}" for k, v in POSES.items()) + "."
        ),
        Field("alt", Str(max_len=300), doc="This position in plain words, for the alt text (default: the pose's own words)."),
        *(Field(name, Int(lo, hi), doc=f"Degrees: {doc}.") for name, lo, hi, doc in JOINTS),
        *(
            Field(f"far_{name}", Int(lo, hi), doc=f"Degrees: the far-side {name} (default: as `{name}`).")
            for name, lo, hi, _ in JOINTS
            if name in LIMB_JOINTS
        ),
        *(Field(name, Int(lo, hi), doc=f"Degrees: {doc}.") for name, lo, hi, doc in POSITION_EXTRAS),
        Field("hand_to", Enum(HAND_TARGETS), doc="Put the hands on the knee or hip (both hands unless `far_hand_to` is given)."),
        Field("far_hand_to", Enum(HAND_TARGETS), doc="Put the far-side hand on the knee or hip."),
        Field("feet_flat", Bool(), doc="Keep the feet flat on the floor."),
        Field(
            "rests_on",
            List(Enum(ALL_CONTACTS), unique=True),
            doc="What rests on the floor; the first two are levelled (default: the pose's own).",
        ),
    ),
    hint="position",
)

FIGURE = Obj(
    (
        Field("start", POSITION, required=True, doc="The starting position."),
        Field("end", POSITION, required=True, doc="The position at the end of the movement."),
        Field(
            "arrows",
            List(Enum(ALL_TRACKED), unique=True),
            doc="Body points whose movement an arrow shows (default: the one that moves most).",
        ),
    ),
    hint="figure",
)

COMMON: tuple[Field, ...] = (
    Field("title", Str(max_len=200), required=True, doc="Page title, shown as the main heading.", example="Bridge"),
    Field(
        "summary", Str(max_len=400), required=True, doc="One or two plain sentences; used in lists, search results and meta descriptions."
    ),
    Field("aliases", List(Str(max_len=100), unique=True), default=list, doc="Other names patients search for (search synonyms)."),
    Field("last_reviewed", Date(), required=True, doc="Date the reviewer in `reviewed_by` last checked the page."),
    Field("next_review", Date(), required=True, doc="Date the next review is due (at most 3 years after `last_reviewed`)."),
    Field(
        "reviewed_by",
        Str(max_len=200),
        required=True,
        doc="Name (or id) of the reviewer, as listed under `reviewers:` in spinesite.yaml; only then does the page show as reviewed."
        " Until a health professional has checked it, write `Not yet reviewed`.",
    ),
    Field("sources", List(SOURCE, min_items=1), required=True, doc="References the page is based on."),
    Field("slug", Slug(), doc="Override the URL slug (default: the file name)."),
    Field("draft", Bool(), default=False, doc="Drafts are validated but not published (`build --drafts` and `serve --drafts` show them)."),
)

OPTIONAL_SOURCES = tuple(Field(f.name, f.type, False, list, f.doc) if f.name == "sources" else f for f in COMMON)

CONDITION = COMMON + (
    Field("region", Enum(REGIONS, REGION_SYNONYMS), required=True, doc="Region of the spine."),
    Field(
        "spine_levels",
        List(Enum(LEVELS), min_items=1, unique=True),
        required=True,
        doc="Spinal levels affected, e.g. `[L4-L5]`.",
        example=["L4-L5"],
    ),
    Field("parent", Ref("conditions"), doc="A broader condition this page is part of."),
    Field("symptoms", List(Str(max_len=300)), default=list, doc="Symptoms, one per item, in plain words."),
    Field("non_urgent", List(Str(max_len=300)), default=list, doc="When to see a GP or physiotherapist (non-urgent care card)."),
    Field("stretches", List(Ref("stretches"), unique=True), default=list, doc="Stretches and exercises that may help."),
    Field("causes", List(Ref("causes"), unique=True), default=list, doc="Causes and risk factors."),
    Field("treatments", List(Ref("treatments"), unique=True), default=list, doc="Treatments to show, grouped by category."),
    Field("diagnosis", Str(max_len=5000), doc="How it is diagnosed (Markdown allowed)."),
    Field("outlook", Str(max_len=3000), doc="What usually happens over time (Markdown allowed)."),
    Field("prevention", List(Str(max_len=300)), default=list, doc="Ways to lower the chance of it coming back, one per item."),
    Field("faq", List(FAQ), default=list, doc="Frequently asked questions."),
    Field("anatomy", List(Str(max_len=100)), default=list, doc="Body parts involved (for structured data)."),
    CODES,
)

STRETCH = COMMON + (
    Field("kind", Enum(("stretch", "strengthening", "mobility", "aerobic")), required=True, doc="What sort of exercise it is."),
    Field("starting_position", Str(max_len=500), required=True, doc="How to start."),
    Field("steps", List(Str(max_len=500), min_items=1), required=True, doc="Numbered steps, one per item."),
    Field("hold_seconds", Int(1, 600), doc="How long to hold, in seconds, where a source gives it."),
    Field(
        "repetitions",
        Str(max_len=200),
        default="As your physiotherapist advises",
        doc="Repetitions and frequency, only where a source gives them.",
    ),
    Field("stop_if", List(Str(max_len=300), min_items=1), required=True, doc="Stop and get advice if any of these happen."),
    Field("illustration", IMAGE, doc="A simple self-made illustration with alt text (a `figure` is drawn instead when given)."),
    Field("figure", FIGURE, doc="The exercise drawn as a figure in its start and end positions (see `figures.py`)."),
)

CAUSE = COMMON + (
    Field("frequency", Enum(("common", "rare")), required=True, doc="How often it causes the conditions it is linked to."),
    Field("kind", Enum(("cause", "risk-factor")), default="cause", doc="A direct cause, or something that raises the risk."),
)

TREATMENT = COMMON + (
    Field("category", Enum(TREATMENT_CATEGORIES), required=True, doc="Kind of treatment; the condition page groups by it."),
    Field("evidence", Enum(EVIDENCE), required=True, doc="Evidence status from the guidelines."),
    Field("guidelines", List(GUIDELINE, min_items=1), required=True, doc="The guideline(s) behind the evidence status."),
    Field("benefits", List(Str(max_len=300)), default=list, doc="Possible benefits, in plain words."),
    Field("risks", List(Str(max_len=300)), default=list, doc="Risks and side effects, in plain words."),
    CODES,
)

GLOSSARY = OPTIONAL_SOURCES + (
    Field(
        "also_called",
        List(Str(max_len=100), unique=True),
        default=list,
        doc="Other names for the term; used as search synonyms and for linking first use.",
    ),
)

PAGE = OPTIONAL_SOURCES + (Field("menu", Int(0, 100), doc="Position in the footer menu (lower first); leave out to hide."),)


def guideline_jurisdiction(guideline: dict[str, Any]) -> str:
    """Where a guideline applies: its own `jurisdiction`, else from the publisher that starts its name."""
    own = guideline.get("jurisdiction")
    if own:
        return str(own)
    words = str(guideline.get("name") or "").split()
    return JURISDICTIONS.get(words[0], "") if words else ""
