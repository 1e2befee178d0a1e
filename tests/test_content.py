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

from spinesite.readability import fk_grade, prose_of_markdown, syllables  # noqa: E402

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


def load_pages() -> dict[tuple[str, str], tuple[dict[str, Any], str]]:
    pages = {}
    for kind in TYPES:
        for path in sorted((CONTENT / kind).glob("*.md")):
            pages[(kind, path.stem)] = split_front_matter(path.read_text(encoding="utf-8"))
    return pages


PAGES = load_pages()
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


@pytest.mark.parametrize("key", list(PAGES), ids=IDS)
def test_red_flags_only_on_care_cards(key: tuple[str, str]) -> None:
    meta, body = PAGES[key]
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
    for word in ("genitals", "bladder", "bowel", "sex", "both legs", "fall"):
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
    for slug, (meta, body) in of("stretches").items():
        assert meta["steps"] and meta["stop_if"] and meta["starting_position"]
        assert "Check with your doctor or physiotherapist before starting." in body
        ill = meta["illustration"]
        assert ill["src"] == f"/images/stretches/{slug}.svg"
        assert len(ill["alt"]) > 10
        svg = ROOT / "static" / ill["src"].lstrip("/")
        assert svg.is_file(), f"missing {svg}"
        data = svg.read_text(encoding="utf-8")
        assert len(data.encode()) < 3072
        assert 'role="img"' in data and re.search(r"<title[ >][^<]{10,}</title>", data)
        assert not re.search(r"<script|href=|<image|font-family|@import|url\(", data, re.IGNORECASE)
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
        assert meta["evidence"] in ("recommended", "option", "not-recommended", "experimental")
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
