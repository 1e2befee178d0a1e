"""Fast checks of the default theme on built HTML (no browser): structure, privacy, CSP
compatibility, JSON-LD, Open Graph, canonical URLs, the feed, and the theme's own features.

Builds the theme fixture site (tests/sites/theme: one page of every type) and, when it
builds, the bundled example site at the repo root.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
THEME_SITE = ROOT / "tests" / "sites" / "theme"
MINIMAL_SITE = ROOT / "tests" / "sites" / "minimal"
BASE = "https://example.org/"
CSP_NEEDS = ("default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'", "object-src 'none'")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node] = field(default_factory=list)
    text: str = ""

    def iter(self, tag: str | None = None) -> list[Node]:
        out = [self] if tag in (None, self.tag) else []
        for child in self.children:
            out.extend(child.iter(tag))
        return out

    def all_text(self) -> str:
        return self.text + "".join(c.all_text() for c in self.children)

    def has_class(self, name: str) -> bool:
        return name in self.attrs.get("class", "").split()


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        # Text goes to the innermost open element, as a child text node.
        self.stack[-1].children.append(Node("#text", {}, text=data))


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


@dataclass
class Built:
    name: str
    out: Path
    pages: dict[str, str]  # URL path -> HTML

    def doc(self, path: str) -> Node:
        return parse(self.pages[path])

    def jsonld(self, path: str) -> dict[str, Any]:
        scripts = [s for s in self.doc(path).iter("script") if s.attrs.get("type") == "application/ld+json"]
        assert len(scripts) == 1
        data = json.loads(scripts[0].all_text())
        assert isinstance(data, dict)
        return data


def build(site: Path, out: Path) -> tuple[bool, str]:
    """Build a private copy of ``site`` (builds keep an incremental cache in the site folder)."""
    bundled = site.resolve() == ROOT
    copy = out.parent / f"{out.name}-source"
    if not copy.exists():
        copy.mkdir(parents=True)
        for name in ("spinesite.yaml", "content", "static", "templates"):
            if name == "templates" and site.resolve() == ROOT:
                continue  # the repo's templates/ is the built-in theme itself
            if (site / name).is_dir():
                shutil.copytree(site / name, copy / name, ignore=shutil.ignore_patterns(".*"))
            elif (site / name).is_file():
                shutil.copy2(site / name, copy / name)
    site = copy
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}  # the bundled site: today's date
    if not bundled:  # a fixture site: a fixed "today" (2026-05-01), after its reviews, before some are due
        env["SOURCE_DATE_EPOCH"] = "1777593600"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH", "")]))
    proc = subprocess.run(
        [sys.executable, "-m", "spinesite", "build", str(site), "-o", str(out), "-q"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    return proc.returncode == 0, proc.stdout + proc.stderr


def load(name: str, out: Path) -> Built:
    pages = {}
    for f in sorted(out.rglob("*.html")):
        rel = f.relative_to(out).as_posix()
        path = "/" if rel == "index.html" else "/" + rel[: -len("index.html")] if rel.endswith("/index.html") else "/" + rel
        pages[path] = f.read_text(encoding="utf-8")
    return Built(name, out, pages)


@pytest.fixture(scope="module")
def theme(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("theme") / "out"
    ok, log = build(THEME_SITE, out)
    assert ok, log
    return load("theme", out)


@pytest.fixture(scope="module")
def all_sites(theme: Built, tmp_path_factory: pytest.TempPathFactory) -> list[Built]:
    """The theme fixture site, and the bundled site when it builds (it is being written by others)."""
    out = tmp_path_factory.mktemp("bundled") / "out"
    ok, _ = build(ROOT, out)
    return [theme, load("bundled", out)] if ok else [theme]


def _check_page(site: Built, path: str, html: str) -> list[str]:
    doc = parse(html)
    problems: list[str] = []
    say = problems.append
    if len(doc.iter("h1")) != 1:
        say(f"{len(doc.iter('h1'))} <h1> elements")
    mains = doc.iter("main")
    if len(mains) != 1 or mains[0].attrs.get("id") != "main":
        say('no single <main id="main">')
    body = doc.iter("body")[0]
    first = next((n for n in body.children if n.tag != "#text"), None)
    if first is None or first.tag != "a" or not first.has_class("skip-link") or first.attrs.get("href") != "#main":
        say("the first element in <body> is not the skip link")
    csp = [m.attrs.get("content", "") for m in doc.iter("meta") if m.attrs.get("http-equiv", "").lower() == "content-security-policy"]
    if len(csp) != 1 or not all(part in csp[0] for part in CSP_NEEDS):
        say(f"missing or weak CSP meta: {csp}")
    if not any(m.attrs.get("name") == "referrer" and m.attrs.get("content") == "no-referrer" for m in doc.iter("meta")):
        say("no <meta name=referrer content=no-referrer>")
    if re.search(r"<[a-zA-Z][^>]*\sstyle\s*=", html):
        say("a style= attribute")
    if doc.iter("style"):
        say("a <style> element")
    for script in doc.iter("script"):
        if script.attrs.get("type") == "application/ld+json":
            try:
                json.loads(script.all_text())
            except ValueError as exc:
                say(f"JSON-LD does not parse: {exc}")
        elif "src" not in script.attrs or script.all_text().strip():
            say("an inline <script>")
    for tag, attr in (
        ("script", "src"),
        ("link", "href"),
        ("img", "src"),
        ("iframe", "src"),
        ("source", "src"),
        ("video", "src"),
        ("audio", "src"),
    ):
        for node in doc.iter(tag):
            value = node.attrs.get(attr, "")
            rels = set(node.attrs.get("rel", "").split())
            if tag == "link" and rels & {"canonical", "alternate"} and not rels & {"stylesheet", "icon"} and value.startswith(BASE):
                continue  # the site's own public address; not fetched
            if re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", value, re.IGNORECASE) or (value.startswith("data:") and tag != "img"):
                say(f"external {tag} {attr}={value}")
    for tag in ("iframe", "embed", "object"):
        if doc.iter(tag):
            say(f"an <{tag}>")
    ids = [n.attrs["id"] for n in doc.iter() if "id" in n.attrs]
    if len(ids) != len(set(ids)):
        say(f"duplicate ids: {sorted({i for i in ids if ids.count(i) > 1})}")
    return problems


def test_every_page_meets_the_theme_rules(all_sites: list[Built]) -> None:
    problems = {f"{site.name} {path}": p for site in all_sites for path, html in site.pages.items() if (p := _check_page(site, path, html))}
    assert problems == {}


def test_open_graph_and_canonical_urls(all_sites: list[Built]) -> None:
    for site in all_sites:
        for path, html in site.pages.items():
            doc = parse(html)
            meta = {m.attrs.get("property"): m.attrs.get("content") for m in doc.iter("meta") if m.attrs.get("property")}
            canonical = [link.attrs["href"] for link in doc.iter("link") if link.attrs.get("rel") == "canonical"]
            if path == "/404.html":
                assert canonical == [] and any(
                    m.attrs.get("name") == "robots" and m.attrs.get("content") == "noindex" for m in doc.iter("meta")
                )
                continue
            assert canonical == [BASE + path.lstrip("/")], (site.name, path)
            assert meta.get("og:url") == canonical[0]
            assert meta.get("og:title") and meta.get("og:description") is not None and meta.get("og:site_name")
            assert meta.get("og:type") == ("article" if '<article class="content"' in html else "website"), path
            assert meta.get("og:locale") == ("es" if path.startswith("/es/") else "en_GB"), path  # the page's own language


def test_feed_sitemap_robots_and_404(theme: Built) -> None:
    feed = ET.parse(theme.out / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        for child in ("title", "id", "updated", "summary"):
            assert (entry.findtext(f"{ATOM}{child}") or "").strip(), child
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z", entry.findtext(f"{ATOM}updated") or "")
        assert (entry.find(f"{ATOM}link") is not None) and entry.find(f"{ATOM}link").get("href", "").startswith(BASE)  # type: ignore[union-attr]
    assert '<link rel="alternate" type="application/atom+xml"' in theme.pages["/"]
    urls = [u.text for u in ET.parse(theme.out / "sitemap.xml").getroot().iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert BASE + "conditions/sciatica/" in urls and BASE + "404.html" not in urls
    assert "Sitemap: https://example.org/sitemap.xml" in (theme.out / "robots.txt").read_text()
    assert "Page not found" in theme.pages["/404.html"]


def test_jsonld_describes_each_page(theme: Built) -> None:
    cond = theme.jsonld("/conditions/sciatica/")
    assert cond["@context"] == "https://schema.org" and cond["@type"] == "MedicalWebPage"
    assert cond["about"]["@type"] == "MedicalCondition" and cond["about"]["name"] == "Sciatica"
    types = [t["@type"] for t in cond["about"]["possibleTreatment"]]  # acupuncture (not recommended) and stem cells left out
    assert types == ["LifestyleModification", "DrugClass", ["MedicalTherapy", "SurgicalProcedure"]]
    assert cond["lastReviewed"] == "2026-01-01" and cond["reviewedBy"]["name"] == "Alex Tester"  # a listed reviewer (review.py)
    assert cond["breadcrumb"]["itemListElement"][-1]["item"]["@id"] == BASE + "conditions/sciatica/"
    assert theme.jsonld("/")["@type"] == "WebSite"
    assert theme.jsonld("/glossary/foramen/")["about"]["@type"] == "DefinedTerm"


def test_exercise_plan_repetitions_is_a_number_or_left_out(theme: Built) -> None:
    bridge = theme.jsonld("/stretches/bridge/")["about"]
    assert bridge["@type"] == "ExercisePlan" and bridge["repetitions"] == 10 and "activityDuration" not in bridge  # not the hold
    knee_rolls = theme.jsonld("/stretches/knee-rolls/")["about"]  # "5 to 10 times each side"
    assert "repetitions" not in knee_rolls
    chin_tuck = theme.jsonld("/stretches/chin-tuck/")["about"]  # the default, "As your physiotherapist advises"
    assert "repetitions" not in chin_tuck


EVIL = '</script><script>alert(1)</script>"><img src=x onerror=alert(1)>'


def test_hostile_titles_are_escaped_in_html_and_jsonld(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(MINIMAL_SITE, site)
    for rel in ("content/conditions/back-pain.md", "content/stretches/bridge.md"):
        path = site / rel
        text = path.read_text(encoding="utf-8")
        title = re.search(r"^title: (.*)$", text, re.MULTILINE)
        assert title
        path.write_text(text.replace(title.group(0), "title: " + json.dumps(title.group(1) + " " + EVIL), 1), encoding="utf-8")
    ok, log = build(site, tmp_path / "out")
    assert ok, log
    built = load("evil", tmp_path / "out")
    for path in ("/conditions/back-pain/", "/stretches/bridge/", "/handouts/back-pain/", "/", "/conditions/"):
        html = built.pages[path]
        assert "<script>alert(1)" not in html and "<img src=x" not in html, path
        assert html.count("<script") == 2, path  # JSON-LD and site.js, nothing injected
        data = built.jsonld(path)
        raw = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
        assert "<" not in raw and ">" not in raw, path
        if path.startswith(("/conditions/back-pain", "/stretches/")):
            assert data["name"].endswith(EVIL)
    assert _check_page(built, "/conditions/back-pain/", built.pages["/conditions/back-pain/"]) == []


def test_condition_page_features(theme: Built) -> None:
    doc = theme.doc("/conditions/sciatica/")
    text = doc.all_text()
    cards = [n for n in doc.iter("div") if n.has_class("care-card")]
    labels = [next(x for x in c.iter("span") if x.has_class("care-card-label")).all_text() for c in cards]
    assert [label.replace(" advice:", "").strip() for label in labels] == ["Emergency", "Urgent", "Non-urgent"]
    assert all("advice:" in label for label in labels)  # the visually hidden prefix
    badges = [
        n.all_text().split("Evidence: ")[1].strip() for n in doc.iter("span") if n.has_class("badge") and "Evidence: " in n.all_text()
    ]
    assert {"Recommended", "An option", "Not recommended", "Experimental"} <= set(badges)
    assert len([d for d in doc.iter("details") if d.has_class("faq")]) == 2
    reviewed = "Reviewed by Alex Tester, Chartered physiotherapist, MCSP on 1 January 2026. Next review due 1 January 2027."
    assert reviewed in " ".join(text.split()) and not [d for d in doc.iter("div") if d.has_class("review-banner")]
    assert next(li.all_text().strip() for ol in doc.iter("ol") if ol.has_class("sources") for li in ol.iter("li")).startswith(
        "Low back pain"
    )
    h2_ids = [h.attrs.get("id") for h in doc.iter("h2") if h.all_text().strip() == "Symptoms"]
    assert len(h2_ids) == 2 and len(set(h2_ids)) == 2  # the body's "Symptoms" and the theme's
    toc = [a.attrs["href"] for nav in doc.iter("nav") if nav.has_class("toc") for a in nav.iter("a")]
    assert all(any(n.attrs.get("id") == href[1:] for n in doc.iter()) for href in toc)
    assert any(a.attrs.get("href") == "/handouts/sciatica/" for a in doc.iter("a"))
    assert "Common causes" in text and "Rare causes" in text
    # Treatments grouped by evidence, those advised against last, each group folded.
    groups = [d.attrs["id"] for d in doc.iter("details") if d.has_class("evidence-group")]
    assert groups == [f"treatments-{s}" for s in ("recommended", "option", "experimental", "not-recommended")]


def test_overdue_notice_is_rendered_hidden_unless_overdue_at_build(theme: Built) -> None:
    def notice(path: str) -> Node:
        return next(n for n in theme.doc(path).iter("div") if n.has_class("overdue-notice"))

    assert "hidden" not in notice("/conditions/neck-pain/").attrs
    assert notice("/conditions/neck-pain/").attrs["data-next-review"] == "2025-06-01"
    assert "hidden" in notice("/conditions/sciatica/").attrs
    knee_rolls = notice("/stretches/knee-rolls/").attrs  # due after "today" (2026-05-01): hidden until site.js says so
    assert knee_rolls["data-next-review"] == "2026-06-01" and "hidden" in knee_rolls


def test_spine_map_links_levels_with_content_only(theme: Built) -> None:
    svg = next(n for n in theme.doc("/").iter("svg") if n.has_class("spine-map"))
    links = {a.attrs["href"] for a in svg.iter("a")}
    assert links == {"/levels/c5-c6/", "/levels/t6-t7/", "/levels/l4-l5/", "/levels/l5-s1/"}
    assert not any("tabindex" in n.attrs for n in svg.iter())
    labels = [t.all_text() for t in svg.iter("text")]
    for vertebra in ("C1", "C7", "T1", "T12", "L1", "L5", "S1"):
        assert vertebra in labels


def test_stretch_page_and_handout(theme: Built) -> None:
    doc = theme.doc("/stretches/bridge/")
    steps = next(ol for ol in doc.iter("ol") if ol.has_class("steps"))
    assert len(steps.iter("li")) == 3
    assert any(d.has_class("callout-stop") and d.attrs.get("role") == "note" for d in doc.iter("div"))
    img = next(i for i in doc.iter("img") if i.has_class("illustration-img"))
    assert img.attrs["alt"].startswith("A person lying")
    recommended = [
        a.attrs["href"] for sec in doc.iter("section") if "can-help-with" in sec.attrs.get("aria-labelledby", "") for a in sec.iter("a")
    ]
    assert "/conditions/sciatica/" in recommended and "/conditions/nerve-root-pain/" in recommended
    handout = theme.doc("/handouts/sciatica/")
    text = " ".join(handout.all_text().split())
    assert "https://example.org/conditions/sciatica/" in text and "Reviewed by Alex Tester, Chartered physiotherapist" in text
    assert [h.all_text().split(maxsplit=1)[1] for h in handout.iter("h2") if h.attrs.get("id", "").startswith("ex-")] == [
        "Bridge",
        "Knee rolls",
    ]
    button = next(b for b in handout.iter("button") if b.has_class("print-button"))
    assert "hidden" in button.attrs


def test_index_pages(theme: Built) -> None:
    glossary = theme.doc("/glossary/")
    assert {dt.attrs.get("id") for dt in glossary.iter("dt")} == {"foramen", "nerve-root", "sciatic-nerve"}
    letters = {a.attrs["href"] for nav in glossary.iter("nav") if nav.has_class("az-nav") for a in nav.iter("a")}
    assert letters == {"#letter-F", "#letter-N", "#letter-S"}
    causes = " ".join(theme.doc("/causes/").all_text().split())
    assert causes.index("Common causes") < causes.index("Rare causes")
    treatments = [h.all_text() for h in theme.doc("/treatments/").iter("h2")]
    assert treatments == ["Types of treatment", "Self care", "Physiotherapy", "Medicine", "Surgery", "Experimental"]
