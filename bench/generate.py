#!/usr/bin/env python3
"""Generate a deterministic synthetic spinesite site of N pages (and, optionally, the same
corpus for Hugo, MkDocs and Pelican) for the benchmark.

    python bench/generate.py N OUT_DIR [--seed 1] [--peers DIR]

About 10% conditions, 30% stretches, 20% causes and 40% treatments (at least one of
each). Every page has complete front matter per ``spinesite.content.schema`` and a 4–6 KB
Markdown body with headings, lists, a table, links to other pages by source path and a
footnote. Conditions refer to 3–8 stretches, 2–5 causes and 3–8 treatments, and every
stretch, cause and treatment is referred to by at least one condition. The same seed
gives byte-identical output. The result builds with ``spinesite build OUT_DIR --strict``.

Plain stdlib; importable (``generate(n, out, seed, peers)``) by ``bench/run.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

MARKER = ".spinesite-bench"  # marks folders this script made (and may wipe)
TYPES = ("conditions", "stretches", "causes", "treatments")
SHARES = {"conditions": 0.10, "stretches": 0.30, "causes": 0.20, "treatments": 0.40}
LINK_FIELDS = ("stretches", "causes", "treatments")
REF_RANGE = {"stretches": (3, 8), "causes": (2, 5), "treatments": (3, 8)}
BODY_MIN, BODY_MAX = 4096, 6144  # bytes of Markdown body

LEVELS = {
    "cervical": [f"C{i}-C{i + 1}" for i in range(1, 7)] + ["C7-T1"],
    "thoracic": [f"T{i}-T{i + 1}" for i in range(1, 12)] + ["T12-L1"],
    "lumbar": [f"L{i}-L{i + 1}" for i in range(1, 5)],
    "sacral": ["L5-S1"],
}
REGION_WORD = {"cervical": "neck", "thoracic": "upper back", "lumbar": "lower back", "sacral": "low back and pelvis"}
CATEGORIES = ("self-care", "exercise", "physiotherapy", "psychological", "medicine", "injection", "surgery", "experimental")
EVIDENCE = ("recommended", "option", "not-recommended", "experimental")

# Word lists for titles (combined, then numbered once they run out).
COND_A = ["Neck", "Upper back", "Lower back", "Low back", "Pelvic", "Spinal", "Disc", "Joint", "Nerve", "Muscle",
          "Facet", "Rib", "Hip and back", "Side", "Deep", "Sudden", "Long-term", "Mild", "Night", "Morning"]  # fmt: skip
COND_B = ["pain", "strain", "stiffness", "narrowing", "bulge", "wear", "spasm", "ache", "pressure", "swelling",
          "weakness", "tightness", "slip", "curve", "locking", "numbness", "tingling", "soreness", "twinge", "cramp"]  # fmt: skip
STRETCH_A = ["Cat", "Bridge", "Knee", "Hip", "Chest", "Side", "Wall", "Chair", "Pelvic", "Neck", "Shoulder", "Back",
             "Calf", "Leg", "Arm", "Heel", "Floor", "Towel", "Ball", "Step"]  # fmt: skip
STRETCH_B = ["stretch", "roll", "lift", "tilt", "twist", "reach", "hold", "raise", "slide", "press", "march",
             "curl", "glide", "turn", "squeeze", "rock", "bend", "walk", "plank", "circle"]  # fmt: skip
CAUSE_A = ["Poor", "Long", "Heavy", "Sudden", "Low", "Old", "Past", "Too much", "Too little", "Bad",
           "Tight", "Weak", "Stiff", "Worn", "Slack", "Hard", "Cold", "Fast", "Slow", "Odd"]  # fmt: skip
CAUSE_B = ["posture", "sitting", "lifting", "sleep", "stress", "weight", "injury", "falls", "work", "driving",
           "shoes", "muscles", "joints", "discs", "habits", "exercise", "rest", "bending", "twisting", "carrying"]  # fmt: skip
TREAT_A = ["Heat", "Cold", "Walking", "Swimming", "Yoga", "Pilates", "Massage", "Manual", "Group", "Home",
           "Talking", "Pain", "Steroid", "Nerve", "Disc", "Joint", "Sleep", "Work", "Desk", "Gentle"]  # fmt: skip
TREAT_B = ["packs", "therapy", "classes", "plan", "advice", "exercise", "support", "training", "care", "relief",
           "treatment", "programme", "sessions", "tablets", "cream", "injection", "surgery", "checks", "coaching", "course"]  # fmt: skip

# Plain, short sentences (a low reading grade, like real patient leaflets).
SENTENCES = [
    "Most people get better within a few weeks.",
    "It helps to keep moving as much as you can.",
    "Try to do a little more each day.",
    "Rest for a short time if the pain is bad, but do not stay in bed.",
    "Pain does not always mean harm.",
    "Your back is strong and can heal well.",
    "A warm bath or a heat pack may ease stiff muscles.",
    "Some people find that a cold pack helps in the first few days.",
    "Talk to your GP if the pain does not get better.",
    "A physio can show you what to do at home.",
    "Keep up your normal work and hobbies if you can.",
    "Take breaks when you sit for a long time.",
    "Sleep on your side with a pillow between your knees.",
    "Wear flat shoes that feel good to walk in.",
    "Lift things close to your body and bend your knees.",
    "Stress can make pain feel worse.",
    "Simple steps at home often help the most.",
    "It is normal to feel worried about pain.",
    "Write down what makes the pain better or worse.",
    "Ask for help if you need it.",
    "Go slowly and stop if it hurts a lot.",
    "Breathe out as you move and breathe in as you rest.",
    "Small changes can make a big difference.",
    "Many people feel stiff in the morning.",
    "This often eases once you start to move.",
    "Keep a gentle routine on good days and bad days.",
    "You do not need a scan in most cases.",
    "Your doctor will ask about your pain and check how you move.",
    "Most of the time the cause is not serious.",
    "Stay active with your friends and family.",
]
BULLETS = [
    "Keep moving each day",
    "Take short walks",
    "Use heat on stiff muscles",
    "Change position often",
    "Sleep well and rest when you need to",
    "Stay at work if you can",
    "Ask a physio for a plan",
    "Set small goals each week",
    "Do your exercises on most days",
    "Talk to someone if you feel low",
]
STEPS = [
    "Breathe in slowly.",
    "Keep your back flat on the floor.",
    "Tighten your tummy muscles a little.",
    "Move slowly and with control.",
    "Hold for a few seconds.",
    "Slowly go back to the start.",
    "Relax and breathe out.",
    "Repeat on the other side.",
    "Keep your chin tucked in.",
    "Do not hold your breath.",
]
STOP_IF = [
    "Pain spreads down your leg",
    "You get new numbness or tingling",
    "Your legs feel weak",
    "You feel dizzy or sick",
    "The pain gets much worse",
]
PUBLISHERS = [
    ("NICE NG59: Low back pain and sciatica in over 16s", "https://www.nice.org.uk/guidance/ng59", "NICE", 2016),
    ("Back pain", "https://www.nhs.uk/conditions/back-pain/", "NHS", 2023),
    ("Low back pain fact sheet", "https://www.ninds.nih.gov/health-information/disorders/back-pain", "NINDS", 2023),
    ("Neck pain", "https://www.nhs.uk/conditions/neck-pain/", "NHS", 2022),
    ("Sciatica", "https://www.nhs.uk/conditions/sciatica/", "NHS", 2023),
]
GUIDELINES = [
    ("NICE NG59", "UK", "https://www.nice.org.uk/guidance/ng59"),
    ("ACP low back pain guideline", "US", "https://www.acpjournals.org/doi/10.7326/M16-2367"),
    ("WHO guideline on chronic low back pain", "Global", "https://www.who.int/publications/i/item/9789240081789"),
]
REVIEWERS = ["Dr A. Example, GP (placeholder)", "B. Example, physiotherapist (placeholder)", "Dr C. Example, spine surgeon (placeholder)"]

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="320" height="200" viewBox="0 0 320 200">'
    b'<rect width="320" height="200" fill="#fff"/><circle cx="60" cy="120" r="14" fill="#333"/>'
    b'<path d="M74 124 L200 124 L260 160" stroke="#333" stroke-width="8" fill="none"/></svg>\n'
)


@dataclass
class Item:
    kind: str
    slug: str
    title: str
    summary: str
    refs: dict[str, list[str]] = field(default_factory=dict)  # field -> slugs (conditions only)
    backlinks: list[str] = field(default_factory=list)  # condition slugs referring to this page
    data: dict[str, object] = field(default_factory=dict)  # type-specific front matter
    body: str = ""
    last_reviewed: dt.date = dt.date(2025, 1, 1)

    @property
    def rel(self) -> str:
        return f"{self.kind}/{self.slug}.md"


@dataclass
class Corpus:
    n: int
    seed: int
    items: dict[str, list[Item]]

    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.items.items()}

    def edit_target(self) -> Item:
        """The stretch that the benchmark edits: the one most conditions show (first by slug on ties)."""
        return min(self.items["stretches"], key=lambda s: (-len(s.backlinks), s.slug))

    def manifest(self) -> dict[str, object]:
        target = self.edit_target()
        return {
            "n": self.n,
            "seed": self.seed,
            "counts": self.counts(),
            "edit_stretch": f"content/{target.rel}",
            "edit_stretch_conditions": len(target.backlinks),
        }


def split_counts(n: int) -> dict[str, int]:
    if n < len(TYPES):
        raise ValueError(f"N must be at least {len(TYPES)} (one page of each type), got {n}")
    counts = {k: max(1, round(n * SHARES[k])) for k in TYPES}
    counts["treatments"] = n - sum(counts[k] for k in TYPES if k != "treatments")
    while counts["treatments"] < 1:  # tiny N: take pages back from the largest other type
        biggest = max(("conditions", "stretches", "causes"), key=lambda k: counts[k])
        counts[biggest] -= 1
        counts["treatments"] += 1
    return counts


def slugify(title: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in title.lower()).split())


def make_titles(rng: random.Random, n: int, a: list[str], b: list[str]) -> list[str]:
    combos = [f"{x} {y}" for x in a for y in b]
    rng.shuffle(combos)
    out = []
    for i in range(n):
        base = combos[i % len(combos)]
        out.append(base if i < len(combos) else f"{base} {i // len(combos) + 1}")
    return out


def build_corpus(n: int, seed: int = 1) -> Corpus:
    rng = random.Random(seed)
    counts = split_counts(n)
    words = {
        "conditions": (COND_A, COND_B),
        "stretches": (STRETCH_A, STRETCH_B),
        "causes": (CAUSE_A, CAUSE_B),
        "treatments": (TREAT_A, TREAT_B),
    }
    items: dict[str, list[Item]] = {}
    start = dt.date(2025, 1, 1)
    for kind in TYPES:
        titles = make_titles(rng, counts[kind], *words[kind])
        items[kind] = []
        for title in titles:
            summary = _summary(rng, kind, title)
            reviewed = start + dt.timedelta(days=rng.randrange(0, 540))
            items[kind].append(Item(kind, slugify(title), title, summary, last_reviewed=reviewed))
        items[kind].sort(key=lambda it: it.slug)
    _link(rng, items)
    for kind in TYPES:
        for idx, it in enumerate(items[kind]):
            it.data = _front_matter(rng, it, idx, items)
    by_slug = {(k, it.slug): it for k in TYPES for it in items[k]}
    for kind in TYPES:
        for it in items[kind]:
            it.body = _body(rng, it, items, by_slug)
    return Corpus(n, seed, items)


def _summary(rng: random.Random, kind: str, title: str) -> str:
    lead = {
        "conditions": f"{title} is a common problem that can cause pain and stiffness.",
        "stretches": f"The {title.lower()} is a gentle exercise you can do at home.",
        "causes": f"{title} can raise the chance of back and neck pain.",
        "treatments": f"{title} is one way to ease back and neck pain.",
    }[kind]
    return f"{lead} {rng.choice(SENTENCES)}"


def _link(rng: random.Random, items: dict[str, list[Item]]) -> None:
    """Conditions refer to stretches, causes and treatments; every one of those is covered."""
    conds = items["conditions"]
    for c in conds:
        c.refs = {f: [] for f in LINK_FIELDS}
    for f in LINK_FIELDS:
        targets = items[f]
        lo, hi = REF_RANGE[f]
        # Coverage first: deal the targets round-robin over the conditions.
        order = list(range(len(targets)))
        rng.shuffle(order)
        for i, t in enumerate(order):
            refs = conds[i % len(conds)].refs[f]
            if len(refs) < hi:
                refs.append(targets[t].slug)
        for c in conds:
            want = min(rng.randint(lo, hi), len(targets))
            refs = c.refs[f]
            pool = [t.slug for t in targets if t.slug not in refs] if want > len(refs) else []
            refs.extend(rng.sample(pool, max(0, min(len(pool), want - len(refs)))))
            refs.sort()
    by_slug = {(f, t.slug): t for f in LINK_FIELDS for t in items[f]}
    for c in conds:
        for f in LINK_FIELDS:
            for slug in c.refs[f]:
                by_slug[(f, slug)].backlinks.append(c.slug)


def _sources(rng: random.Random) -> list[dict[str, object]]:
    picks = rng.sample(PUBLISHERS, rng.randint(1, 3))
    return [{"title": t, "url": u, "publisher": p, "year": y} for t, u, p, y in picks]


def _front_matter(rng: random.Random, it: Item, idx: int, items: dict[str, list[Item]]) -> dict[str, object]:
    d: dict[str, object] = {"title": it.title, "summary": it.summary}
    if rng.random() < 0.5:
        d["aliases"] = [f"{it.title} problem" if it.kind == "conditions" else f"{it.title} guide"]
    d["last_reviewed"] = it.last_reviewed
    d["next_review"] = it.last_reviewed + dt.timedelta(days=730)
    d["reviewed_by"] = rng.choice(REVIEWERS)
    d["sources"] = _sources(rng)
    if it.kind == "conditions":
        region = rng.choice(list(LEVELS))
        levels = LEVELS[region]
        d["region"] = region
        d["spine_levels"] = sorted(rng.sample(levels, min(len(levels), rng.randint(1, 3))), key=levels.index)
        if idx > 0 and rng.random() < 0.1:
            d["parent"] = items["conditions"][rng.randrange(idx)].slug  # an earlier page: never a loop
        d["symptoms"] = [
            f"Pain or stiffness in your {REGION_WORD[region]}",
            "Pain that gets worse when you move",
            "Trouble sleeping because of pain",
        ]
        d["non_urgent"] = ["The pain has not improved after 4 weeks", "The pain stops you doing day-to-day things"]
        for f in LINK_FIELDS:
            d[f] = it.refs[f]
        d["diagnosis"] = "Your GP will ask about your symptoms and **check how you move**. You do not usually need a scan."
        d["outlook"] = "Most people feel better within *6 weeks*. Some people have pain that comes and goes."
        d["prevention"] = rng.sample(BULLETS, 3)
        d["faq"] = [
            {
                "question": f"Will {it.title.lower()} get better?",
                "answer": "Yes, for most people it gets better with time and gentle activity.",
            },
            {"question": "Should I rest in bed?", "answer": "No. Short rests are fine, but keep moving as much as you can."},
        ]
        d["anatomy"] = ["Spine", "Intervertebral disc"]
    elif it.kind == "stretches":
        d["kind"] = rng.choice(("stretch", "strengthening", "mobility", "aerobic"))
        d["starting_position"] = rng.choice(
            ["Lie on your back with your knees bent.", "Sit on a firm chair.", "Stand with your feet apart.", "Kneel on all fours."]
        )
        d["steps"] = rng.sample(STEPS, rng.randint(3, 6))
        if rng.random() < 0.6:
            d["hold_seconds"] = rng.choice((5, 10, 15, 20, 30))
        if rng.random() < 0.5:
            d["repetitions"] = f"{rng.randint(5, 10)} times, {rng.randint(1, 3)} times a day"
        d["stop_if"] = rng.sample(STOP_IF, rng.randint(2, 3))
        if rng.random() < 0.2:
            d["illustration"] = {"src": "/images/stretch.svg", "alt": "A person lying on their back doing the exercise"}
    elif it.kind == "causes":
        d["frequency"] = rng.choice(("common", "common", "rare"))
        d["kind"] = rng.choice(("cause", "risk-factor"))
    else:
        d["category"] = rng.choice(CATEGORIES)
        d["evidence"] = rng.choice(EVIDENCE)
        name, where, url = rng.choice(GUIDELINES)
        d["guidelines"] = [
            {"name": name, "jurisdiction": where, "url": url, "says": "Consider it as part of a plan that helps you stay active."}
        ]
        d["benefits"] = ["Less pain for some people", "Easier to move"]
        d["risks"] = ["Some people feel sore at first"]
    return d


def _link_targets(rng: random.Random, it: Item, items: dict[str, list[Item]]) -> list[tuple[str, str]]:
    """(kind, slug) of the pages this page's body links to."""
    if it.kind == "conditions":
        out = [(f, s) for f in LINK_FIELDS for s in it.refs[f]]
    else:
        out = [("conditions", s) for s in it.backlinks]
        peers = items[it.kind]
        picks = rng.sample(range(len(peers)), min(3, len(peers)))
        out += [(it.kind, peers[i].slug) for i in picks if peers[i].slug != it.slug][:2]
        other = "treatments" if it.kind != "treatments" else "stretches"
        out.append((other, rng.choice(items[other]).slug))
    return out[:12]


def _body(rng: random.Random, it: Item, items: dict[str, list[Item]], by_slug: dict[tuple[str, str], Item]) -> str:
    def link(kind: str, slug: str) -> str:
        return f"[{by_slug[(kind, slug)].title}](../{kind}/{slug}.md)"

    def para(k: int) -> str:
        return " ".join(rng.choice(SENTENCES) for _ in range(k))

    targets = _link_targets(rng, it, items)
    heading = {
        "conditions": f"What is {it.title.lower()}?",
        "stretches": "About this exercise",
        "causes": "How this affects your back",
        "treatments": "About this treatment",
    }[it.kind]
    parts = [f"## {heading}", "", f"{it.summary} {para(3)}[^1]", "", "### Key points", ""]
    parts += [f"- {b}" for b in rng.sample(BULLETS, 4)]
    parts += ["", "## What you can do", "", para(2), ""]
    parts += [f"{i}. {s}" for i, s in enumerate(rng.sample(STEPS, 4), 1)]
    parts += ["", "## Related pages", "", "| Page | Type | Why it matters |", "| --- | --- | --- |"]
    for kind, slug in targets[:5]:
        parts.append(f"| {link(kind, slug)} | {kind[:-1] if kind != 'stretches' else 'stretch'} | {rng.choice(BULLETS)} |")
    parts += ["", "You may also want to read " + ", ".join(link(k, s) for k, s in targets[5:] or targets[:1]) + ".", ""]
    footnote = f"[^1]: {rng.choice(PUBLISHERS)[0]}. Reviewed {it.last_reviewed.isoformat()}."
    target = rng.randint(BODY_MIN + 200, BODY_MAX - 400)
    text = "\n".join(parts)
    section = 0
    while len(text) + len(footnote) < target:  # all ASCII: characters are bytes
        if section % 3 == 0:
            text += f"\n### More about this, part {section // 3 + 1}\n"
        text += "\n" + para(rng.randint(3, 5)) + "\n"
        section += 1
    return text + "\n" + footnote + "\n"


# ---------------------------------------------------------------- writers


def _y(value: object) -> str:
    """A YAML scalar: JSON strings are valid YAML double-quoted strings."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value))


def to_yaml(data: dict[str, object]) -> str:
    lines = []
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{key}:")
            for obj in value:
                first = True
                for k, v in obj.items():
                    lines.append(f"  {'- ' if first else '  '}{k}: {_y(v)}")
                    first = False
        elif isinstance(value, list):
            lines.append(f"{key}: [{', '.join(_y(v) for v in value)}]")
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {k}: {_y(v)}" for k, v in value.items()]
        else:
            lines.append(f"{key}: {_y(value)}")
    return "\n".join(lines) + "\n"


def _prepare(out: Path) -> None:
    """Create ``out`` empty; refuse to wipe a non-empty folder this script did not make."""
    if out.exists():
        if not out.is_dir():
            raise SystemExit(f"generate.py: {out} exists and is not a folder")
        if any(out.iterdir()) and not (out / MARKER).is_file():
            raise SystemExit(f"generate.py: {out} is not empty and was not made by this script; choose another folder")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("Generated by bench/generate.py; may be deleted and regenerated.\n")


def write_spinesite(corpus: Corpus, out: Path) -> None:
    _prepare(out)
    config = {
        "title": f"Spine Guide benchmark ({corpus.n} pages)",
        "base_url": "https://bench.example.org/",
        "description": "A synthetic site for the spinesite benchmark.",
        "publisher": "spinesite benchmark",
    }
    (out / "spinesite.yaml").write_text(to_yaml(config), encoding="utf-8")
    (out / "static" / "images").mkdir(parents=True)
    (out / "static" / "images" / "stretch.svg").write_bytes(SVG)
    for kind, its in corpus.items.items():
        (out / "content" / kind).mkdir(parents=True)
        for it in its:
            text = f"---\n{to_yaml(it.data)}---\n{it.body}"
            (out / "content" / it.rel).write_text(text, encoding="utf-8")
    (out / "bench-manifest.json").write_text(json.dumps(corpus.manifest(), indent=2) + "\n")


def _related(it: Item) -> list[tuple[str, str]]:
    """(kind, slug) of the pages our templates list on ``it``'s page (refs or backlinks)."""
    if it.kind == "conditions":
        return [(f, s) for f in LINK_FIELDS for s in it.refs[f]]
    return [("conditions", s) for s in it.backlinks]


HUGO_CONFIG = """baseURL = "https://bench.example.org/"
title = "{title}"
disableKinds = ["taxonomy", "term"]

[services.rss]
limit = 20  # like spinesite's feed (feed_entries: 20)

[markup.goldmark.renderer]
unsafe = false

[markup.goldmark.renderHooks.link]
useEmbedded = "always"
"""
HUGO_BASEOF = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} - {{ site.Title }}</title><meta name="description" content="{{ .Params.summary }}"></head>
<body><header><a href="{{ "/" | relURL }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer><p>General information only.</p></footer></body></html>
"""
HUGO_SINGLE = """{{ define "main" }}
<article><h1>{{ .Title }}</h1><p class="lead">{{ .Params.summary }}</p>
{{ .Content }}
{{ range $kind := slice "stretches" "causes" "treatments" "conditions" }}{{ with index $.Params $kind }}
<section><h2>{{ $kind | humanize }}</h2><ul>
{{ range . }}{{ with site.GetPage (printf "/%s/%s" $kind .) }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Params.summary }}</li>{{ end }}{{ end }}
</ul></section>
{{ end }}{{ end }}
</article>
{{ end }}
"""
HUGO_LIST = """{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Params.summary }}</li>{{ end }}</ul>
{{ end }}
"""

MKDOCS_CONFIG = """site_name: "{title}"
site_url: https://bench.example.org/
docs_dir: docs
use_directory_urls: true
theme:
  name: null
  custom_dir: theme
plugins: []
markdown_extensions: [tables, footnotes, toc, attr_list, admonition, def_list, abbr, sane_lists]
"""
MKDOCS_MAIN = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ page.title }} - {{ config.site_name }}</title><meta name="description" content="{{ page.meta.summary }}"></head>
<body><header><a href="{{ base_url }}/">{{ config.site_name }}</a></header>
<main><article>{% if page.meta.summary %}<p class="lead">{{ page.meta.summary }}</p>{% endif %}{{ page.content }}</article></main>
<footer><p>General information only.</p></footer></body></html>
"""

PELICAN_CONFIG = """import os

HERE = os.path.dirname(os.path.abspath(__file__))
SITENAME = "{title}"
SITEURL = "https://bench.example.org"
PATH = os.path.join(HERE, "content")
THEME = os.path.join(HERE, "theme")
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
USE_FOLDER_AS_CATEGORY = True
ARTICLE_URL = "{{category}}/{{slug}}/"
ARTICLE_SAVE_AS = "{{category}}/{{slug}}/index.html"
CATEGORY_URL = "{{slug}}/"
CATEGORY_SAVE_AS = "{{slug}}/index.html"
DIRECT_TEMPLATES = ["index"]
DEFAULT_PAGINATION = False
TAG_SAVE_AS = TAGS_SAVE_AS = AUTHOR_SAVE_AS = AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = CATEGORIES_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = MONTH_ARCHIVE_SAVE_AS = DAY_ARCHIVE_SAVE_AS = ""
FEED_ALL_ATOM = "feed.xml"
FEED_MAX_ITEMS = 20
CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
MARKDOWN = {{
    "extension_configs": {{
        "markdown.extensions.tables": {{}},
        "markdown.extensions.footnotes": {{}},
        "markdown.extensions.toc": {{}},
        "markdown.extensions.attr_list": {{}},
        "markdown.extensions.admonition": {{}},
        "markdown.extensions.def_list": {{}},
        "markdown.extensions.abbr": {{}},
        "markdown.extensions.sane_lists": {{}},
        "markdown.extensions.meta": {{}},
    }},
    "output_format": "html5",
}}
"""
PELICAN_BASE = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{{ SITENAME }}{% endblock %}</title></head>
<body><header><a href="{{ SITEURL }}/">{{ SITENAME }}</a></header>
<main>{% block content %}{% endblock %}</main>
<footer><p>General information only.</p></footer></body></html>
"""
PELICAN_ARTICLE = """{% extends "base.html" %}
{% block title %}{{ article.title|striptags }} - {{ SITENAME }}{% endblock %}
{% block content %}<article><h1>{{ article.title }}</h1><p class="lead">{{ article.summary }}</p>{{ article.content }}</article>{% endblock %}
"""
PELICAN_CATEGORY = """{% extends "base.html" %}
{% block content %}<h1>{{ category }}</h1>
<ul>{% for a in articles %}<li><a href="{{ SITEURL }}/{{ a.url }}">{{ a.title }}</a> {{ a.summary }}</li>{% endfor %}</ul>{% endblock %}
"""
PELICAN_INDEX = """{% extends "base.html" %}
{% block content %}<h1>{{ SITENAME }}</h1>
<ul>{% for cat, arts in categories %}<li><a href="{{ SITEURL }}/{{ cat.url }}">{{ cat }}</a> ({{ arts|count }})</li>{% endfor %}</ul>{% endblock %}
"""


def write_peers(corpus: Corpus, out: Path) -> None:
    """The same pages for Hugo, MkDocs and Pelican, each with a minimal theme.

    Our templates list a page's references (conditions) or backlinks (the others) with
    title and summary. Hugo does that in its template (``site.GetPage`` per slug, the
    backlinks precomputed into front matter); MkDocs and Pelican cannot look pages up by
    slug from a template, so the same list is appended to the Markdown body as links.
    """
    _prepare(out)
    title = f"Spine Guide benchmark ({corpus.n} pages)"
    by_slug = {(k, it.slug): it for k in TYPES for it in corpus.items[k]}
    # Hugo
    hugo = out / "hugo"
    layouts = hugo / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (hugo / "hugo.toml").write_text(HUGO_CONFIG.format(title=title))
    (layouts / "baseof.html").write_text(HUGO_BASEOF)
    (layouts / "single.html").write_text(HUGO_SINGLE)
    (layouts / "list.html").write_text(HUGO_LIST)
    (hugo / "static" / "images").mkdir(parents=True)
    (hugo / "static" / "images" / "stretch.svg").write_bytes(SVG)
    # MkDocs
    mk = out / "mkdocs"
    (mk / "theme").mkdir(parents=True)
    (mk / "mkdocs.yml").write_text(MKDOCS_CONFIG.format(title=title))
    (mk / "theme" / "main.html").write_text(MKDOCS_MAIN)
    (mk / "docs" / "images").mkdir(parents=True)
    (mk / "docs" / "images" / "stretch.svg").write_bytes(SVG)
    # Pelican
    pel = out / "pelican"
    (pel / "theme" / "templates").mkdir(parents=True)
    (pel / "pelicanconf.py").write_text(PELICAN_CONFIG.format(title=title))
    for name, text in (("base", PELICAN_BASE), ("article", PELICAN_ARTICLE), ("category", PELICAN_CATEGORY), ("index", PELICAN_INDEX)):
        (pel / "theme" / "templates" / f"{name}.html").write_text(text)
    (pel / "content" / "images").mkdir(parents=True)
    (pel / "content" / "images" / "stretch.svg").write_bytes(SVG)

    home = ["# " + title, ""] + [f"- [{k.capitalize()}]({k}/index.md)" for k in TYPES]
    (mk / "docs" / "index.md").write_text("\n".join(home) + "\n")
    for kind, its in corpus.items.items():
        for d in (hugo / "content" / kind, mk / "docs" / kind, pel / "content" / kind):
            d.mkdir(parents=True)
        (hugo / "content" / kind / "_index.md").write_text(f"---\ntitle: {json.dumps(kind.capitalize())}\n---\n")
        listing = [f"# {kind.capitalize()}", ""] + [f"- [{it.title}]({it.slug}.md) {it.summary}" for it in its]
        (mk / "docs" / kind / "index.md").write_text("\n".join(listing) + "\n")
        for it in its:
            related = _related(it)
            hugo_fm: dict[str, object] = {"title": it.title, "summary": it.summary, "date": it.last_reviewed}
            for k in (*LINK_FIELDS, "conditions"):
                slugs = [s for kk, s in related if kk == k]
                if slugs:
                    hugo_fm[k] = slugs
            (hugo / "content" / it.rel).write_text(f"---\n{to_yaml(hugo_fm)}---\n{it.body}", encoding="utf-8")
            rel_list = ["", "## Linked pages", ""] + [
                f"- [{by_slug[(k, s)].title}](../{k}/{s}.md) {by_slug[(k, s)].summary}" for k, s in related
            ]
            tail = "\n".join(rel_list) + "\n"
            body_md = _move_footnote(it.body, tail)
            (mk / "docs" / it.rel).write_text(f"---\n{to_yaml({'title': it.title, 'summary': it.summary})}---\n{body_md}", encoding="utf-8")
            meta = f"Title: {it.title}\nDate: {it.last_reviewed.isoformat()}\nSlug: {it.slug}\nSummary: {it.summary}\n\n"
            (pel / "content" / it.rel).write_text(
                meta + _move_footnote(it.body, tail).replace("](../", "]({filename}../"), encoding="utf-8"
            )


def _move_footnote(body: str, tail: str) -> str:
    """Insert ``tail`` before the trailing footnote definition."""
    head, sep, note = body.rpartition("\n[^1]:")
    return f"{head}\n{tail}{sep}{note}" if sep else body + tail


def generate(n: int, out: Path, seed: int = 1, peers: Path | None = None) -> Corpus:
    corpus = build_corpus(n, seed)
    write_spinesite(corpus, Path(out))
    if peers is not None:
        write_peers(corpus, Path(peers))
    return corpus


# Front-matter text a translation carries (the rest comes from its source: see docs/translations.md).
TRANSLATED_KEYS = (
    "title",
    "summary",
    "symptoms",
    "non_urgent",
    "diagnosis",
    "outlook",
    "prevention",
    "faq",
    "starting_position",
    "steps",
    "stop_if",
    "repetitions",
    "benefits",
    "risks",
    "also_called",
)


def add_translations(site: Path, lang: str = "es") -> int:
    """Give every page of a generated site a translation into ``lang`` (its text as it is: the
    cost of a second language is that of its pages, not of the words), and configure ``lang``
    with the site's own care cards. Returns the number of translations written."""
    import yaml

    count = 0
    for path in sorted((site / "content").glob("*/*.md")):
        if path.stem.count("."):
            continue
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        data = yaml.safe_load(front)
        mine = {k: data[k] for k in TRANSLATED_KEYS if data.get(k) not in (None, "", [])}
        if isinstance(data.get("illustration"), dict):
            mine["illustration"] = {"alt": data["illustration"]["alt"]}
        mine["translated_from"] = data["last_reviewed"]
        mine["translated_by"] = "Benchmark"
        dumped = yaml.safe_dump(mine, allow_unicode=True, sort_keys=False, width=4096)
        path.with_name(f"{path.stem}.{lang}.md").write_text(f"---\n{dumped}---\n{body}", encoding="utf-8")
        count += 1
    config = site / "spinesite.yaml"
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    strings = {"title": f"{settings['title']} ({lang})", "disclaimer": settings.get("disclaimer") or "General information only."}
    strings["care_cards"] = settings.get("care_cards") or []
    block = yaml.safe_dump({"languages": {lang: strings}}, allow_unicode=True, sort_keys=False, width=4096)
    config.write_text(config.read_text(encoding="utf-8") + block, encoding="utf-8")
    return count


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Generate a deterministic synthetic spinesite site for the benchmark.")
    p.add_argument("n", type=int, help="number of pages (at least 4)")
    p.add_argument("out", type=Path, help="site folder to create (wiped if this script made it before)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1); the same seed gives identical files")
    p.add_argument("--peers", type=Path, metavar="DIR", help="also write the corpus for Hugo, MkDocs and Pelican into DIR")
    args = p.parse_args(argv)
    if args.n < len(TYPES):
        p.error(f"N must be at least {len(TYPES)}")
    corpus = generate(args.n, args.out, args.seed, args.peers)
    counts = ", ".join(f"{v} {k}" for k, v in corpus.counts().items())
    print(f"generated {args.n} pages ({counts}) in {args.out}" + (f"; peers in {args.peers}" if args.peers else ""), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
