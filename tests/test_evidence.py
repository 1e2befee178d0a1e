"""Evidence badges: the `no-recommendation` status, where each guideline applies, and what a badge rests on."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from conftest import REVIEW, MakeSite, error_lines, run_cli
from spinesite.content.contenttypes import json_schema
from spinesite.content.schema import EVIDENCE, guideline_jurisdiction

HEAT = "content/treatments/keep-active.md"  # replaces the one the minimal site links to


def treatment(evidence: str, guidelines: str) -> str:
    """A treatment page; ``guidelines`` is the YAML list under ``guidelines:`` (line 6 onwards)."""
    head = f"---\ntitle: Heat\nsummary: A warm pack on your back.\ncategory: self-care\nevidence: {evidence}\nguidelines:\n"
    return head + guidelines + REVIEW + "---\nSome text.\n"


NICE_AND_ACP = """\
  - name: NICE NG59
    says: Makes no recommendation about heat.
  - name: ACP 2017
    status: recommended
    applies_to: new low back pain
    says: Recommends heat for new low back pain.
"""


def text_of(path: Path) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))))


def test_badge_names_each_guideline_and_where_it_applies(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {HEAT: treatment("no-recommendation", NICE_AND_ACP)})
    code, _out, err = run_cli(capsys, "build", site, "-o", tmp_path / "out", "--strict", "--no-search")
    assert (code, error_lines(err)) == (0, [])
    text = text_of(tmp_path / "out" / "treatments" / "keep-active" / "index.html")
    assert "No recommendation — NICE NG59 (England); recommended by ACP 2017 (USA) for new low back pain" in text
    assert "NICE NG59 (England) — no recommendation. Makes no recommendation about heat." in text
    assert "ACP 2017 (USA), for new low back pain — recommended. Recommends heat" in text
    listing = text_of(tmp_path / "out" / "treatments" / "index.html")
    assert "No recommendation — NICE NG59 (England); recommended by ACP 2017 (USA)" in listing


def test_jurisdiction_is_worked_out_from_the_publisher() -> None:
    assert guideline_jurisdiction({"name": "NICE NG59"}) == "England"
    assert guideline_jurisdiction({"name": "ACP 2017"}) == "USA"
    assert guideline_jurisdiction({"name": "NICE IPG365", "jurisdiction": "UK"}) == "UK"
    assert guideline_jurisdiction({"name": "Clinic guide 2024"}) == ""


def test_a_guideline_from_an_unknown_publisher_needs_a_jurisdiction(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite
) -> None:
    site = make_site(tmp_path, {HEAT: treatment("option", "  - name: Clinic guide 2024\n")})
    code, _out, err = run_cli(capsys, "check", site, "--strict")
    assert code == 1
    assert error_lines(err) == [
        f"{HEAT}:7: warning: guidelines[0]: say where 'Clinic guide 2024' applies: add jurisdiction (e.g. England or USA)"
    ]
    site = make_site(tmp_path, {HEAT: treatment("option", "  - name: Clinic guide 2024\n    jurisdiction: Wales\n")}, name="ok")
    assert run_cli(capsys, "check", site, "--strict")[0] == 0


def test_the_badge_must_rest_on_at_least_one_guideline(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {HEAT: treatment("recommended", "  - name: NICE NG59\n    status: option\n")})
    code, _out, err = run_cli(capsys, "check", site)
    assert code == 1
    assert error_lines(err) == [
        f"{HEAT}:5: evidence: 'recommended' rests on no guideline: every guideline has a different status; "
        "leave status out on the guideline(s) the badge rests on, or change evidence"
    ]


def test_experimental_may_rest_on_no_guideline(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {HEAT: treatment("experimental", "  - name: NICE NG59\n    status: no-recommendation\n")})
    assert run_cli(capsys, "check", site, "--strict")[0] == 0


def test_no_recommendation_is_a_status_everywhere() -> None:
    assert "no-recommendation" in EVIDENCE
    schema = json_schema("treatments")
    assert "no-recommendation" in schema["properties"]["evidence"]["enum"]
    guideline = schema["properties"]["guidelines"]["items"]["properties"]
    assert guideline["status"]["enum"] == list(EVIDENCE)
    assert {"jurisdiction", "applies_to"} <= set(guideline)
    macros = (Path(__file__).resolve().parents[1] / "templates" / "_macros.html").read_text(encoding="utf-8")
    for label in ("evidence_labels", "evidence_marks", "evidence_meanings", "evidence_phrases"):
        line = next(line for line in macros.splitlines() if f"set {label} =" in line)
        assert all(f'"{value}":' in line for value in EVIDENCE), label
