"""Checks on the bundled patient-education content (content/ and spinesite.yaml).

These enforce the content policy (shared/CONTENT-POLICY.md): no doses, no dropped claims,
red flags only on the care cards, evidence and guidelines on every treatment, required
pages present, and plain language (Flesch–Kincaid grade) on every page.
"""

from __future__ import annotations

import re
import statistics
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from spinesite.checks.readability import fk_grade, prose_of_markdown, syllables  # noqa: E402
from spinesite.content.graph import generated_links  # noqa: E402

CONTENT = ROOT / "content"
TYPES = ("conditions", "stretches", "causes", "treatments", "glossary", "pages")
MAX_GRADE = 8.0
MAX_MEDIAN_GRADE = 6.5


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split '---\\n<yaml>\\n---\\n<body>' into (front matter, body)."""
    match = re.match(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", text, re.DOTALL)
    assert match, "file must start with front matter between '---' lines"
    meta = yaml.safe_load(match.group(1)) or {}
    assert isinstance(meta, dict), "front matter must be a mapping"
    return meta, match.group(2)


def load_pages(translations: bool = False) -> dict[tuple[str, str], tuple[dict[str, Any], str]]:
    """The bundled pages in the default language (``translations``: the translations instead, by ``slug.lang``)."""
    pages = {}
    for kind in TYPES:
        for path in sorted((CONTENT / kind).glob("*.md")):
            if ("." in path.stem) == translations:
                pages[(kind, path.stem)] = split_front_matter(path.read_text(encoding="utf-8"))
    return pages


PAGES = load_pages()
TRANSLATIONS = load_pages(translations=True)
CONFIG = yaml.safe_load((ROOT / "spinesite.yaml").read_text(encoding="utf-8"))


def of(kind: str) -> dict[str, tuple[dict[str, Any], str]]:
    return {slug: page for (k, slug), page in PAGES.items() if k == kind}


def strings(value: Any) -> list[str]:
    """Every string inside a YAML value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def all_text(meta: dict[str, Any], body: str) -> str:
    return "\n".join([*strings(meta), body])


def sentence(text: str) -> str:
    text = prose_of_markdown(str(text)).strip()
    return text if not text or text[-1] in ".!?" else text + "."


# Front-matter fields a reader sees as prose, by content type.
PROSE_FIELDS = {
    "conditions": ("symptoms", "non_urgent", "diagnosis", "outlook", "prevention", "faq"),
    "stretches": ("starting_position", "steps", "stop_if", "illustration"),
    "causes": (),
    "treatments": ("benefits", "risks", "guidelines"),
    "glossary": (),
    "pages": (),
}
PROSE_KEYS = {"question", "answer", "says", "alt"}


def page_prose(kind: str, meta: dict[str, Any], body: str) -> str:
    """Front-matter prose (title, summary, listed fields) and the body, as plain sentences."""
    parts = [sentence(meta.get("title", "")), sentence(meta.get("summary", ""))]
    for name in PROSE_FIELDS[kind]:
        value = meta.get(name)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict):
                parts += [sentence(v) for k, v in item.items() if k in PROSE_KEYS]
            elif isinstance(item, str):
                parts.append(sentence(item))
    parts.append(prose_of_markdown(body))
    return "\n\n".join(p for p in parts if p)


IDS = [f"{k}/{s}" for (k, s) in PAGES]

# ---------------------------------------------------------------------------- safety

DOSE_PATTERNS = [
    r"\d\s*(mg|mcg|µg|g|ml|mL|IU|units?)\b",
    r"\bevery \d+\s*(-|–|to)?\s*\d*\s*hours?\b",
    r"\b\d+\s*times? (a|per) (day|week)\b",
    r"\b(once|twice|three times|four times) (daily|a day|a week|weekly)\b",
    r"\bmilligrams?\b",
    r"\bmax(imum)? dose\b",
]

DROPPED_CLAIMS = [
    r"\bopen(s|ing|ed)?\b(\s+up)?\s+(the\s+|your\s+)?(neural\s+)?foram",
    r"\bwiden",
    r"\blengthen",
    r"mckenzie",
    r"carisoprodol",
    r"bisphosphonate|alendronate|zoledronic",
    r"free mri",
    r"call now",
    r"usa spine care",
    r"\bsafer\b",
    r"minimally invasive spine surgery is safer",
    r"\bbook (now|today|an appointment with us)",
    r"contact us today",
    r"\bcandidate for\b",
    r"\bhydrat",
    r"caffeine|caffeinated",
    r"anti-inflammatory (food|diet)",
    r"\b\d+\s*(-|–|to)\s*\d+\s*(days|weeks|months)\b",  # unsourced recovery times
    r"\d+\s*%",  # no percentages of narrowing
    r"straight[- ]leg raise|nachlas|h-reflex",
    r"l2 (slips|slipped|slipping) (forward )?on l1",
]

RED_FLAGS = [
    r"saddle",
    r"bladder",
    r"bowel",
    r"incontinen",
    r"\bgenital",
    r"\bsexual",
    r"\bsex\b",
    r"both legs",
    r"weight loss",
    r"lose weight without",
    r"\bfever",
    r"high temperature",
    r"worse at night",
    r"night pain",
    r"history of cancer",
    r"had cancer",
    r"weakened immune|weak immune",
    r"weakness that is getting worse|worsening weakness",
    r"serious fall",
]


@pytest.mark.parametrize("key", list(PAGES), ids=IDS)
def test_no_doses(key: tuple[str, str]) -> None:
    text = all_text(*PAGES[key])
    for pattern in DOSE_PATTERNS:
        assert not re.search(pattern, text, re.IGNORECASE), f"dose-like text /{pattern}/ in {key}"


@pytest.mark.parametrize("key", list(PAGES), ids=IDS)
def test_no_dropped_claims(key: tuple[str, str]) -> None:
    meta, body = PAGES[key]
    text = all_text({k: v for k, v in meta.items() if k != "sources"}, body)
    for pattern in DROPPED_CLAIMS:
        match = re.search(pattern, text, re.IGNORECASE)
        assert not match, f"dropped claim {match.group(0)!r} in {key}"


# A condition may name red flags once, in one body paragraph that tells an ordinary symptom from
# an emergency and sends the reader to 999 (L1–L2 groin numbness versus saddle numbness).
TELL_APART = "**How to tell it from an emergency:**"


def tell_apart(body: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", body) if p.strip().startswith(TELL_APART)]


# The glossary entry of the emergency itself says what its signs are, and sends the reader to 999
# and to the urgent help page made from the care cards.
NAMES_AN_EMERGENCY = {("glossary", "cauda-equina-syndrome")}


@pytest.mark.parametrize("key", list(PAGES), ids=IDS)
def test_red_flags_only_on_care_cards(key: tuple[str, str]) -> None:
    meta, body = PAGES[key]
    if key in NAMES_AN_EMERGENCY:
        assert "call 999" in body and "](/urgent-help/)" in body
        return
    for paragraph in tell_apart(body):
        body = body.replace(paragraph, "")
    text = all_text({k: v for k, v in meta.items() if k != "sources"}, body)
    for pattern in RED_FLAGS:
        match = re.search(pattern, text, re.IGNORECASE)
        assert not match, f"red flag {match.group(0)!r} in {key}: it belongs on the care cards"


def test_no_doses_or_claims_in_config() -> None:
    text = "\n".join(strings(CONFIG))
    for pattern in DOSE_PATTERNS + DROPPED_CLAIMS:
        assert not re.search(pattern, text, re.IGNORECASE), pattern


def test_care_cards_carry_the_red_flags() -> None:
    cards = {card["level"]: card for card in CONFIG["care_cards"]}
    assert set(cards) >= {"emergency", "urgent"}
    assert "999" in cards["emergency"]["heading"]
    assert "111" in cards["urgent"]["heading"]
    emergency = " ".join(cards["emergency"]["items"]).lower()
    for word in ("genitals", "bladder", "bowel", "sex", "both legs", "sciatica in both legs", "fall"):
        assert word in emergency, word
    urgent = " ".join(cards["urgent"]["items"]).lower()
    for word in ("temperature", "weight", "night", "cancer", "immune", "getting worse"):
        assert word in urgent, word
    assert CONFIG["emergency_number"] == "999"
    assert CONFIG["base_url"] == "https://example.org/"
    assert CONFIG["language"] == "en-GB"
    assert CONFIG["disclaimer"]


# ---------------------------------------------------------------------------- structure

REQUIRED = {
    "conditions": ["lumbar-foraminal-narrowing", "l4-l5-foraminal-narrowing", "l1-l2-foraminal-narrowing"],
    "stretches": [
        "knees-to-chest",
        "knee-rotation",
        "bridge",
        "pelvic-tilt",
        "dead-bug",
        "side-plank",
        "hip-flexor-stretch",
        "bridge-with-marching",
        "cat-camel",
    ],
    "treatments": ["epidural-steroid-injection", "experimental-treatments", "supplements"],
    "pages": ["about", "disclaimer", "example-content"],
    "glossary": ["foramen", "nerve-root", "radiculopathy", "foraminal-narrowing", "cauda-equina-syndrome"],
}
MIN_COUNTS = {"conditions": 3, "stretches": 9, "causes": 12, "treatments": 20, "glossary": 15, "pages": 3}


@pytest.mark.parametrize("kind", TYPES)
def test_required_pages_and_counts(kind: str) -> None:
    pages = of(kind)
    for slug in REQUIRED.get(kind, []):
        assert slug in pages, f"missing content/{kind}/{slug}.md"
    assert len(pages) >= MIN_COUNTS[kind]


@pytest.mark.parametrize("key", list(PAGES), ids=IDS)
def test_common_fields(key: tuple[str, str]) -> None:
    kind, _ = key
    meta, body = PAGES[key]
    assert meta.get("title") and meta.get("summary")
    assert str(meta["last_reviewed"]) == "2026-11-01"
    assert str(meta["next_review"]) == "2027-11-01"
    assert "placeholder" in meta["reviewed_by"]
    if kind not in ("glossary", "pages"):
        assert meta.get("sources"), "sources are required"
    for source in meta.get("sources", []):
        assert source["title"] and re.match(r"https://", source["url"])
    assert "<" not in re.sub(r"<https?://[^>]+>", "", body), "no raw HTML in Markdown"


@pytest.mark.parametrize("key", list(PAGES), ids=IDS)
def test_references_and_links_resolve(key: tuple[str, str]) -> None:
    kind, _ = key
    meta, body = PAGES[key]
    for field in ("stretches", "causes", "treatments"):
        if kind == "conditions":
            for slug in meta.get(field, []):
                assert (field, slug) in PAGES, f"{field}: no page '{slug}'"
    if meta.get("parent"):
        assert ("conditions", meta["parent"]) in PAGES
    texts = [body, str(meta.get("diagnosis", "")), str(meta.get("outlook", ""))]
    texts += [str(f.get("answer", "")) for f in meta.get("faq", [])]
    for text in texts:
        for target in re.findall(r"\]\((?!https?://)([^)#\s]+)", text):
            if target in generated_links():  # a generated page (/urgent-help/...): the built site's link check covers it
                continue
            resolved = (CONTENT / kind / target).resolve()
            assert resolved.is_file(), f"broken link {target}"


def test_conditions() -> None:
    for slug, (meta, _) in of("conditions").items():
        assert meta["region"] == "lumbar"
        assert meta["spine_levels"]
        assert meta["symptoms"] and meta["non_urgent"] and meta["prevention"]
        assert meta["diagnosis"] and meta["outlook"]
        assert meta["stretches"] and meta["causes"] and meta["treatments"]
        assert len(meta["faq"]) >= 4, slug
    l1, _ = PAGES[("conditions", "l1-l2-foraminal-narrowing")]
    assert len(l1["faq"]) >= 8
    assert l1["parent"] == "lumbar-foraminal-narrowing"
    assert l1["spine_levels"] == ["L1-L2"]
    l4, _ = PAGES[("conditions", "l4-l5-foraminal-narrowing")]
    assert l4["parent"] == "lumbar-foraminal-narrowing"
    assert l4["spine_levels"] == ["L4-L5"]
    for meta in (l1, l4):
        assert "strength, feeling and reflexes" in meta["diagnosis"]


def test_stretches() -> None:
    for meta, body in of("stretches").values():
        assert meta["steps"] and meta["stop_if"] and meta["starting_position"]
        assert "Check with your doctor or physiotherapist before starting." in body
        # Drawn at build time from a pose description (figures.py; tests/test_figures.py checks the drawing).
        assert "illustration" not in meta and meta["figure"]["start"]["pose"] and meta["figure"]["end"]["pose"]
        assert "repetitions" not in meta  # no source gives repetitions
    hold = {slug: meta.get("hold_seconds") for slug, (meta, _) in of("stretches").items()}
    assert hold["knees-to-chest"] == 10 and hold["bridge"] == 5
    assert sum(v is not None for v in hold.values()) == 2
    assert PAGES[("stretches", "bridge")][0]["kind"] == "strengthening"


def test_causes() -> None:
    causes = of("causes")
    frequencies = [meta["frequency"] for meta, _ in causes.values()]
    assert "rare" in frequencies and "common" in frequencies
    assert any(meta.get("kind") == "risk-factor" for meta, _ in causes.values())


def test_treatments() -> None:
    categories = set()
    for slug, (meta, _) in of("treatments").items():
        categories.add(meta["category"])
        assert meta["evidence"] in EVIDENCE
        assert meta["guidelines"] and all(g.get("name") for g in meta["guidelines"]), slug
        assert any(re.match(r"https://", s["url"]) for s in meta["sources"]), slug
        if meta["category"] in ("surgery", "injection", "medicine"):
            assert meta.get("benefits") and meta.get("risks"), f"{slug} needs benefits and risks"
    assert categories >= {"self-care", "exercise", "physiotherapy", "psychological", "medicine", "injection", "surgery", "experimental"}
    exp, _ = PAGES[("treatments", "experimental-treatments")]
    assert exp["category"] == "experimental" and exp["evidence"] == "experimental"
    for slug in ("tens", "traction", "therapeutic-ultrasound", "interferential-therapy", "paracetamol"):
        assert PAGES[("treatments", slug)][0]["evidence"] == "not-recommended", slug


def test_glossary() -> None:
    for meta, _ in of("glossary").values():
        assert isinstance(meta.get("also_called", []), list)
    narrowing, _ = PAGES[("glossary", "foraminal-narrowing")]
    assert "foraminal stenosis" in narrowing["also_called"]


def test_menu_pages() -> None:
    menus = {slug: meta.get("menu") for slug, (meta, _) in of("pages").items()}
    assert menus["about"] == 1 and menus["disclaimer"] == 2 and menus["example-content"] == 3


# ---------------------------------------------------------------------------- fidelity to the guidelines
# One test per correction of the clinical read (issue 14, part 3): a badge says what the cited
# guideline says, in its own strength, for the people it covers, with where it applies.

EVIDENCE = ("recommended", "option", "no-recommendation", "not-recommended", "experimental")
PUBLISHER_JURISDICTION = {"NICE": "England", "ACP": "USA"}  # as src/spinesite/schema.py JURISDICTIONS
DECOMPRESSION = {"foraminotomy", "laminectomy", "microdiscectomy", "endoscopic-foraminotomy"}


def statements() -> list[tuple[str, dict[str, Any], str]]:
    """(treatment slug, guideline entry, the status it gives: its own `status` or the page's evidence)."""
    return [(slug, g, g.get("status") or meta["evidence"]) for slug, (meta, _) in of("treatments").items() for g in meta["guidelines"]]


def jurisdiction(g: dict[str, Any]) -> str:
    return str(g.get("jurisdiction") or PUBLISHER_JURISDICTION.get(g["name"].split()[0], ""))


def test_every_guideline_says_where_it_applies() -> None:
    for slug, g, status in statements():
        assert status in EVIDENCE, (slug, status)
        assert jurisdiction(g) in ("England", "UK", "USA"), (slug, g["name"])


def test_badges_rest_on_a_uk_guideline() -> None:
    """A US recommendation never stands for this en-GB site's badge: it is shown beside it."""
    for slug, (meta, _) in of("treatments").items():
        basis = [g for g in meta["guidelines"] if g.get("status") in (None, meta["evidence"])]
        assert basis or meta["evidence"] == "experimental", slug
        assert all(jurisdiction(g) in ("England", "UK") for g in basis), slug


def test_badge_strength_matches_the_guideline_words() -> None:
    """NICE "offer" → recommended, "consider" → option, "do not offer" → not recommended, silence → no recommendation."""
    for slug, g, status in statements():
        says = g["says"]
        if status == "recommended":
            assert re.search(r"\b(offer|recommend|provide)", says, re.IGNORECASE), (slug, says)
            assert not re.search(r"\b(consider|suggest)", says, re.IGNORECASE), (slug, says)
        if says.startswith("Consider"):
            assert status == "option", (slug, says)
        if says.startswith("Do not"):
            assert status == "not-recommended", (slug, says)
        if re.search(r"makes no recommendation|does not mention|does not cover", says, re.IGNORECASE):
            assert status == "no-recommendation", (slug, says)
        assert not re.search(r"does not recommend", says, re.IGNORECASE), f"{slug}: say 'makes no recommendation' or 'do not offer'"


def test_benzodiazepines_are_never_an_option_for_sciatica() -> None:
    for slug, (meta, body) in of("treatments").items():
        if re.search(r"benzodiazepine|diazepam", all_text(meta, body), re.IGNORECASE):
            assert meta["evidence"] not in ("recommended", "option"), slug
    for slug, g, status in statements():
        if re.search(r"benzodiazepine|diazepam", g["says"], re.IGNORECASE) and status in ("recommended", "option"):
            raise AssertionError(f"{slug}: {g['name']} names a benzodiazepine as an option")
    relaxants, body = PAGES[("treatments", "muscle-relaxants")]
    assert relaxants["evidence"] == "not-recommended"
    assert relaxants["guidelines"][0]["applies_to"] == "sciatica"
    assert "do not offer benzodiazepines" in body.lower()


def test_heat_and_supplements_have_no_nice_recommendation() -> None:
    heat, heat_body = PAGES[("treatments", "heat")]
    assert heat["evidence"] == "no-recommendation"
    acp = [g for g in heat["guidelines"] if g["name"].startswith("ACP")]
    assert acp and acp[0]["status"] == "recommended" and jurisdiction(acp[0]) == "USA"
    assert "In the US" in heat_body and "NICE does not say either way" in heat_body
    supplements, _ = PAGES[("treatments", "supplements")]
    assert supplements["evidence"] == "no-recommendation"
    assert [g["says"] for g in supplements["guidelines"]] == ["Does not mention supplements."]


def test_exercise_and_tai_chi_are_an_option_in_nice() -> None:
    for slug in ("exercise-programme", "walking-swimming-tai-chi"):
        meta, _ = PAGES[("treatments", slug)]
        assert meta["evidence"] == "option", slug
        assert meta["guidelines"][0]["says"].startswith("Consider a group exercise programme"), slug


def test_nsaids_separate_sciatica_from_low_back_pain() -> None:
    meta, body = PAGES[("treatments", "nsaids")]
    assert meta["evidence"] == "no-recommendation"
    by_scope = {g.get("applies_to"): g.get("status") or meta["evidence"] for g in meta["guidelines"] if g["name"] == "NICE NG59"}
    assert by_scope == {"sciatica": "no-recommendation", "low back pain without sciatica": "option"}
    assert "NICE does not say either way" in body


def test_only_decompression_pages_cite_the_decompression_recommendation() -> None:
    for slug, g, _ in statements():
        if "decompression" in g["says"].lower():
            assert slug in DECOMPRESSION, f"{slug} cites the decompression recommendation"
    fusion, _ = PAGES[("treatments", "spinal-fusion")]
    assert fusion["evidence"] == "no-recommendation"


def test_ipg365_is_not_evidence_for_foraminal_narrowing() -> None:
    for slug, g, status in statements():
        if "IPG365" in g["name"] and status in ("recommended", "option"):
            assert re.search(r"main spinal canal|claudication", g.get("applies_to", "")), slug
    spacer, body = PAGES[("treatments", "interspinous-spacer")]
    assert spacer["evidence"] == "no-recommendation"
    assert "No NICE guidance covers spacers for narrowing of the side gaps" in body
    for slug in ("interspinous-spacer", "spinal-fusion"):
        assert "if your leg is weak" not in PAGES[("treatments", slug)][1], slug


def test_ng59_is_cited_as_the_2020_update() -> None:
    for key, (meta, _) in PAGES.items():
        for source in meta.get("sources", []):
            if "ng59" in source["url"].lower():
                assert "updated December 2020" in source["title"] and source.get("year") != 2016, key


def test_emg_is_not_a_nerve_conduction_study() -> None:
    emg, body = PAGES[("glossary", "emg")]
    assert not any("conduction" in name for name in emg.get("also_called", []))
    assert "A nerve conduction study is a different test." in body


def test_epidural_is_not_called_a_nerve_root_block() -> None:
    epidural, body = PAGES[("treatments", "epidural-steroid-injection")]
    assert "nerve root block" not in [a.lower() for a in epidural["aliases"]]
    assert "called a nerve root block" not in body
    assert "A nerve root block is a related but different injection." in body


def test_hip_flexor_stretch_warns_about_the_femoral_nerve() -> None:
    stretch, body = PAGES[("stretches", "hip-flexor-stretch")]
    assert any("femoral nerve" in item and "L2, L3 and L4" in item for item in stretch["stop_if"])
    assert "femoral nerve" in body
    for slug, (meta, _) in of("conditions").items():
        if set(meta["spine_levels"]) <= {"L1-L2", "L2-L3", "L3-L4"}:  # the femoral nerve roots
            assert "hip-flexor-stretch" not in meta["stretches"], slug


def test_emergency_card_includes_sciatica_in_both_legs() -> None:
    emergency = next(card for card in CONFIG["care_cards"] if card["level"] == "emergency")
    assert any(item.startswith("sciatica in both legs") for item in emergency["items"])


def test_groin_numbness_is_told_apart_from_an_emergency() -> None:
    for key, (_, body) in PAGES.items():
        for item in tell_apart(body):
            assert key[0] == "conditions" and "emergency" in item and "call 999" in item, key
        assert len(tell_apart(body)) <= 1, key
    _, l1_body = PAGES[("conditions", "l1-l2-foraminal-narrowing")]
    (item,) = tell_apart(l1_body)
    for words in ("on one side", "front of the thigh", "genitals or bottom", "both sides", "bladder or bowel"):
        assert words in item, words


# ---------------------------------------------------------------------------- plain language


def test_syllable_counts() -> None:
    assert syllables("radiculopathy") == 6
    assert syllables("foraminal") == 4
    assert syllables("spondylolisthesis") == 6
    assert syllables("back") == 1


GRADES = {key: fk_grade(page_prose(key[0], *PAGES[key])) for key in PAGES}


@pytest.mark.parametrize("key", list(PAGES), ids=IDS)
def test_reading_grade_per_page(key: tuple[str, str]) -> None:
    assert GRADES[key] <= MAX_GRADE, f"{key}: grade {GRADES[key]}"


def test_reading_grade_median() -> None:
    assert statistics.median(GRADES.values()) <= MAX_MEDIAN_GRADE


# ----------------------------------------------------------------------------- the Spanish translations


def test_the_bundled_spanish_translations_are_the_ones_the_issue_names() -> None:
    assert sorted(TRANSLATIONS) == [
        ("conditions", "l4-l5-foraminal-narrowing.es"),
        ("pages", "about.es"),
        ("pages", "disclaimer.es"),
        ("stretches", "bridge.es"),
        ("stretches", "knee-rotation.es"),
        ("stretches", "knees-to-chest.es"),
    ]


@pytest.mark.parametrize("key", sorted(TRANSLATIONS), ids=lambda k: f"{k[0]}/{k[1]}")
def test_each_translation_says_what_it_was_translated_from_and_awaits_a_medical_translator(key: tuple[str, str]) -> None:
    kind, name = key
    meta, body = TRANSLATIONS[key]
    source, _ = PAGES[(kind, name.split(".")[0])]
    assert meta["translated_from"] == source["last_reviewed"]  # in step with its source
    assert meta["translated_by"] and "translation_checked_by" not in meta  # nobody has checked it: it must not claim so
    assert "traductor médico cualificado" in body
    assert not {"last_reviewed", "reviewed_by", "sources", "stretches", "spine_levels", "hold_seconds"} & set(meta)
    text = " ".join([body, *strings(meta)])
    assert not re.search(r"\b\d+\s*(mg|ml|microgramos|comprimidos)\b", text, re.IGNORECASE)  # no doses


def test_the_spanish_site_strings_have_every_care_card() -> None:
    spanish = CONFIG["languages"]["es"]
    assert [c["level"] for c in spanish["care_cards"]] == [c["level"] for c in CONFIG["care_cards"]]
    for mine, theirs in zip(spanish["care_cards"], CONFIG["care_cards"], strict=True):
        assert len(mine["items"]) == len(theirs["items"])  # every red flag translated
    assert spanish["emergency_number"] == CONFIG["emergency_number"]


# ----------------------------------------------------------------------------- clinical codes


def test_every_bundled_condition_carries_codes_from_the_shipped_releases() -> None:
    from spinesite.content.codes import code_problem, normalise

    conditions = of("conditions")
    assert conditions and all(meta.get("codes") for meta, _ in conditions.values())
    for slug, (meta, _) in conditions.items():
        for item in meta["codes"]:
            system, code = item["system"], normalise(item["system"], str(item["code"]))
            assert code_problem(system, code) is None, (slug, system, code)
            if system == "snomed-ct":  # its release is licensed: a public source must name the concept
                assert any(code in s["title"] for s in meta["sources"]), (slug, code)
