"""Clinical codes (issue 17): validation with exact messages, normalisation, JSON-LD, the code
pages and the static Infobutton answers, and what ``check`` reports."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest

from conftest import copy_site, error_lines, run_cli
from spinesite.content.codes import normalise

CONFIG = (
    "title: Test Spine Site\nbase_url: https://example.org/\ndisclaimer: General information only.\n"
    "care_cards:\n  - level: emergency\n    heading: Call 999 if you have\n    items: [Numbness around your bottom]\n"
)
SPANISH = "languages:\n  es:\n    title: Sitio\n    disclaimer: Solo información general.\n    care_cards:\n      - level: emergency\n        heading: Llame\n        items: [Adormecimiento]\n"
BACK_PAIN_ES = "---\ntitle: Dolor de espalda\nsummary: Dolor en la parte baja.\ntranslated_from: 2026-01-01\ntranslated_by: Ana\nsymptoms: [Dolor]\nfaq:\n  - question: ¿Mejorará?\n    answer: Casi siempre.\n---\nTexto.\n"


def coded_site(tmp_path: Path, codes: str, config: str = CONFIG, files: dict[str, str | bytes | None] | None = None) -> Path:
    site = copy_site(tmp_path / "site", {"spinesite.yaml": config, **(files or {})})
    path = site / "content/conditions/back-pain.md"
    path.write_text(path.read_text(encoding="utf-8").replace("stretches: [bridge]\n", f"stretches: [bridge]\n{codes}"), encoding="utf-8")
    return site


def lines_of(capsys: pytest.CaptureFixture[str], site: Path, *extra: str) -> tuple[int, list[str]]:
    code, _out, err = run_cli(capsys, "check", site, *extra)
    return code, error_lines(err)


@pytest.mark.parametrize(
    ("system", "written", "published"),
    [
        ("icd-10-cm", "M48061", "M48.061"),
        ("icd-10-cm", " m48.061 ", "M48.061"),
        ("icd-10", "m480", "M48.0"),
        ("snomed-ct", "22298006", "22298006"),
    ],
)
def test_codes_are_published_upper_case_with_their_dot(system: str, written: str, published: str) -> None:
    assert normalise(system, written) == published


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        (
            "codes:\n  - {system: icd-10-cm, code: M48.069}\n",
            "content/conditions/back-pain.md:8: codes[0].code: 'M48.069' is not an ICD-10-CM code (release April 2026); did you mean M48.061 or M48.062?",
        ),
        (
            "codes:\n  - {system: icd-10, code: M48.9X}\n",
            "content/conditions/back-pain.md:8: codes[0].code: 'M48.9X' is not an ICD-10 code (WHO, 2019 release); did you mean "
            "M48.0, M48.1, M48.2, M48.3, M48.4 or M48.5?",
        ),
        (
            "codes:\n  - {system: snomed-ct, code: '22298007'}\n",
            "content/conditions/back-pain.md:8: codes[0].code: '22298007' is not a SNOMED CT concept identifier: its check digit is wrong: Verhoeff gives 6, not 7",
        ),
        (
            "codes:\n  - {system: snomed-ct, code: '12345'}\n",
            "content/conditions/back-pain.md:8: codes[0].code: '12345' is not a SNOMED CT concept identifier: it has 5 digits, but an identifier has 6 to 18",
        ),
        (
            "codes:\n  - {system: icd-10-cm, code: M48.061}\n  - {system: icd-10-cm, code: M48061}\n",
            "content/conditions/back-pain.md:9: codes[1].code: ICD-10-CM M48.061 is listed twice",
        ),
        (
            "codes:\n  - {system: icd-9, code: '724.02'}\n",
            "content/conditions/back-pain.md:8: codes[0].system: 'icd-9' is not one of: icd-10-cm, icd-10, snomed-ct (did you mean 'icd-10'?)",
        ),
    ],
)
def test_bad_codes_are_errors_at_their_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], codes: str, message: str) -> None:
    site = coded_site(tmp_path, codes)
    code, lines = lines_of(capsys, site)
    assert code == 1 and message in lines


def test_a_code_without_its_dot_is_accepted_and_published_with_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = coded_site(tmp_path, "codes:\n  - {system: icd-10-cm, code: M48061}\n  - {system: icd-10, code: M480}\n")
    code, out, err = run_cli(capsys, "check", site, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["summary"]["codes"] == {
        "content/conditions/back-pain.md": [
            {"system": "icd-10", "code": "M48.0", "description": "Spinal stenosis"},
            {"system": "icd-10-cm", "code": "M48.061", "description": "Spinal stenosis, lumbar region without neurogenic claudication"},
        ]
    }


def test_require_codes_warns_about_a_condition_without_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = coded_site(tmp_path, "", config=CONFIG + "require_codes: true\n")
    code, lines = lines_of(capsys, site)
    assert code == 0
    assert (
        "content/conditions/back-pain.md: warning: no codes: add the ICD-10-CM code(s) of this condition (spinesite.yaml has require_codes: true)"
        in lines
    )
    assert (
        lines_of(
            capsys, coded_site(tmp_path / "2", "codes:\n  - {system: icd-10-cm, code: M48.061}\n", config=CONFIG + "require_codes: true\n")
        )[1]
        == []
    )


def test_a_translation_cannot_set_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = BACK_PAIN_ES.replace("translated_by: Ana\n", "translated_by: Ana\ncodes:\n  - {system: icd-10-cm, code: M48.061}\n")
    site = coded_site(tmp_path, "", config=CONFIG + SPANISH, files={"content/conditions/back-pain.es.md": bad})
    code, lines = lines_of(capsys, site)
    assert code == 1
    assert (
        "content/conditions/back-pain.es.md:6: codes: comes from the source page (content/conditions/back-pain.md) and cannot be set in a translation; remove it"
        in lines
    )


def test_code_pages_json_ld_and_infobutton_answers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    codes = "codes:\n  - {system: icd-10-cm, code: M48061}\n  - {system: snomed-ct, code: '22298006'}\n"
    site = coded_site(tmp_path, codes, config=CONFIG + SPANISH, files={"content/conditions/back-pain.es.md": BACK_PAIN_ES})
    code, _out, err = run_cli(capsys, "build", site, "--no-search")
    assert code == 0, err
    out = site / "_site"
    page = (out / "conditions/back-pain/index.html").read_text(encoding="utf-8")
    assert (
        '"code":[{"@type":"MedicalCode","codeValue":"M48.061","codingSystem":"ICD-10-CM"},'
        '{"@type":"MedicalCode","codeValue":"22298006","codingSystem":"SNOMED CT"}]'
    ) in page
    index = (out / "codes/index.html").read_text(encoding="utf-8")
    assert '<a href="/codes/icd-10-cm/M48.061/">M48.061</a>' in index
    assert (
        "Spinal stenosis, lumbar region without neurogenic claudication" in index
        and '<a href="/conditions/back-pain/">Back pain</a>' in index
    )
    landing = (out / "codes/icd-10-cm/M48.061/index.html").read_text(encoding="utf-8")
    assert "ICD-10-CM M48.061" in landing and '<a href="/es/conditions/back-pain/" hreflang="es" lang="es">Dolor de espalda</a>' in landing
    assert (out / "codes/snomed-ct/22298006/index.html").is_file()

    data = json.loads((out / "codes/icd-10-cm/M48.061.json").read_text(encoding="utf-8"))
    entries = data["feed"]["entry"]
    assert [e["link"][0]["href"] for e in entries] == ["https://example.org/conditions/back-pain/"]
    spanish = json.loads((out / "es/codes/icd-10-cm/M48.061.json").read_text(encoding="utf-8"))
    assert [e["link"][0]["href"] for e in spanish["feed"]["entry"]] == ["https://example.org/es/conditions/back-pain/"]

    atom = feedparser.parse((out / "codes/icd-10-cm/M48.061.xml").read_bytes())
    assert not atom.bozo and atom.version == "atom10"
    assert [e.link for e in atom.entries] == ["https://example.org/conditions/back-pain/"]
    terms = {t["scheme"]: t["term"] for t in atom.feed.tags}
    assert terms["mainSearchCriteria.v.c"] == "M48.061" and terms["mainSearchCriteria.v.cs"] == "2.16.840.1.113883.6.90"

    infobutton = (out / "infobutton/index.html").read_text(encoding="utf-8")
    assert 'src="/assets/infobutton.js"' in infobutton and '<a href="/codes/">' in infobutton
    assert "2.16.840.1.113883.6.90" in infobutton  # the code system OIDs travel with the page


def test_a_site_without_codes_has_no_code_pages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = coded_site(tmp_path, "")
    assert run_cli(capsys, "build", site, "--no-search")[0] == 0
    assert not (site / "_site/codes").exists() and not (site / "_site/infobutton").exists()


def test_an_incremental_build_after_a_code_changes_equals_a_clean_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import snapshot
    from spinesite.build import build

    site = coded_site(tmp_path, "codes:\n  - {system: icd-10-cm, code: M48.061}\n")
    assert run_cli(capsys, "build", site, "--no-search")[0] == 0
    path = site / "content/conditions/back-pain.md"
    path.write_text(path.read_text(encoding="utf-8").replace("M48.061", "M48.062"), encoding="utf-8")
    assert run_cli(capsys, "build", site, "--no-search")[0] == 0
    assert "M48.062" in (site / "_site/codes/index.html").read_text(encoding="utf-8")
    assert not (site / "_site/codes/icd-10-cm/M48.061").exists()
    assert "M48.062" in (site / "_site/infobutton/index.html").read_text(encoding="utf-8")
    assert build(site, tmp_path / "clean", search=False, incremental=False).ok()
    assert snapshot(site / "_site") == snapshot(tmp_path / "clean")


def test_a_snomed_id_written_without_quotes_is_taken_as_its_digits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = coded_site(tmp_path, "codes:\n  - {system: snomed-ct, code: 22298006}\n")
    code, out, err = run_cli(capsys, "check", site, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["summary"]["codes"] == {
        "content/conditions/back-pain.md": [{"system": "snomed-ct", "code": "22298006", "description": ""}]
    }
