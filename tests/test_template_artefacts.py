"""Theme wording and structure a patient reads: treatment benefits and risks as one section,
"Can help with" on stretches, glossary names without the term's own plural or case, and no
bundled treatment text that repeats or lands under the theme's benefits and risks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT, fm, page
from spinesite.build import build
from spinesite.render.wordforms import other_names, same_word

TREATMENTS = ROOT / "content" / "treatments"
GLOSSARY = page(
    "glossary",
    "Disc",
    extra="also_called: [intervertebral disc, disc, Discs, spinal disc, spinal discs]\n",
)
FACET = page("glossary", "Facet joint", extra="also_called: [facet joints, zygapophyseal joint]\n")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import copy_site

    tmp = tmp_path_factory.mktemp("artefacts")
    site = copy_site(
        tmp / "site",
        {
            "content/treatments/both.md": fm("treatments", "Both", "benefits: [It may ease pain.]\nrisks: [Infection., Bleeding.]\n"),
            "content/treatments/risks-only.md": fm("treatments", "Risks only", "risks: [It may not help.]\n"),
            "content/conditions/back-pain.md": (ROOT / "tests" / "sites" / "minimal" / "content" / "conditions" / "back-pain.md")
            .read_text(encoding="utf-8")
            .replace("treatments: [keep-active]", "treatments: [keep-active, both, risks-only]"),
            "content/glossary/disc.md": GLOSSARY,
            "content/glossary/facet-joint.md": FACET,
        },
    )
    result = build(site, tmp / "out", incremental=False, search=False)
    assert [d.format() for d in result.diagnostics.errors] == []
    return tmp / "out"


def main_of(out: Path, rel: str) -> str:
    html = (out / rel / "index.html").read_text(encoding="utf-8")
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def headings(html: str) -> list[str]:
    return [f"{m[1]} {re.sub(r'<[^>]+>', '', m[2]).strip()}" for m in re.finditer(r"<(h[1-6])\b[^>]*>(.*?)</\1>", html)]


def test_benefits_and_risks_are_one_section_with_two_subheadings(built: Path) -> None:
    both = main_of(built, "treatments/both")
    assert headings(both)[1:4] == ["h2 Possible benefits and risks", "h3 Possible benefits", "h3 Risks and side effects"]
    section = both.split('<section class="benefits-risks"', 1)[1].split("</section>", 1)[0]
    assert "<li>It may ease pain.</li>" in section and "<li>Infection.</li><li>Bleeding.</li>" in section
    only = main_of(built, "treatments/risks-only")
    assert [h for h in headings(only)[1:] if "isk" in h or "enefit" in h] == ["h2 Risks and side effects"]
    assert "benefits-risks" not in main_of(built, "treatments/keep-active")  # neither list: no section


def test_stretches_say_can_help_with(built: Path) -> None:
    bridge = main_of(built, "stretches/bridge")
    assert '<h2 id="can-help-with">Can help with</h2>' in bridge
    assert "Recommended for" not in bridge


def test_glossary_hides_names_that_are_the_term_in_another_form(built: Path) -> None:
    assert '<p class="aliases">Also called: intervertebral disc, spinal disc</p>' in main_of(built, "glossary/disc")
    assert '<p class="aliases">Also called: zygapophyseal joint</p>' in main_of(built, "glossary/facet-joint")
    index = main_of(built, "glossary")
    assert '<span class="also">Also called: intervertebral disc, spinal disc.</span>' in index
    assert "Also called: neural foramen." in index


@pytest.mark.parametrize(
    ("name", "term", "same"),
    [
        ("disc", "Disc", True),
        ("Discs", "disc", True),
        ("facet joints", "Facet joint", True),
        ("foramina", "Foramen", True),
        ("vertebrae", "Vertebra", True),
        ("stenoses", "stenosis", True),
        ("osteophytes", "Osteophyte", True),
        ("Foramen", "foramina", True),  # either way round
        ("spinal disc", "Disc", False),
        ("neural foramen", "Foramen", False),
        ("CT", "CT scan", False),
        ("facet joints", "Facet", False),
        ("nerve gap", "Foramen", False),
    ],
)
def test_same_word(name: str, term: str, same: bool) -> None:
    assert same_word(name, term) is same


def test_other_names_drops_forms_of_the_term_and_of_each_other() -> None:
    names = ["intervertebral disc", "disc", "Discs", "spinal disc", "spinal discs", "Intervertebral Discs"]
    assert other_names(names, "Disc") == ["intervertebral disc", "spinal disc"]
    assert other_names(None, "Disc") == []


def _sections(path: Path) -> list[tuple[str, str]]:
    """(h2 heading, text under it) of a bundled treatment's Markdown body."""
    body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    parts = re.split(r"^## (.+)$", body, flags=re.MULTILINE)
    return list(zip(parts[1::2], parts[2::2], strict=True))


@pytest.mark.parametrize("path", sorted(TREATMENTS.glob("*.md")), ids=lambda p: p.stem)
def test_bundled_treatment_bodies_leave_benefits_and_risks_to_the_theme(path: Path) -> None:
    # The theme shows `benefits` and `risks` under "Possible benefits and risks"; a body heading
    # about them repeats it, and a link line under it reads as one of the risks.
    for heading, _text in _sections(path):
        assert not re.search(r"risk|benefit|good points|side effect", heading, re.IGNORECASE), f"{path.name}: ## {heading}"


def test_the_epidural_page_has_no_help_line_under_its_risks() -> None:
    for heading, text in _sections(TREATMENTS / "epidural-steroid-injection.md"):
        if "may help with" in text:
            assert not re.search(r"risk|safe|side effect", heading, re.IGNORECASE), heading
