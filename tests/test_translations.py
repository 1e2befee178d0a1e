"""Translations (issue 16): every line of the contract, on small fixture sites, with exact messages.

The fixture: the minimal site with ``languages: es:`` and a Spanish translation of its bridge
stretch (``content/stretches/bridge.es.md``), built in ``tmp_path``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import copy_site, error_lines, page, run_cli
from spinesite.build import build

SPANISH = """\
languages:
  es:
    title: Sitio de prueba
    description: Un sitio pequeño.
    disclaimer: Solo información general.
    emergency_number: "112"
    care_cards:
      - level: emergency
        heading: Llame al 112 si tiene
        items: [Adormecimiento en las nalgas]
"""
CONFIG = "title: Test Spine Site\nbase_url: https://example.org/\ndescription: A tiny site used by the tests.\n" + (
    "disclaimer: General information only.\ncare_cards:\n  - level: emergency\n    heading: Call 999 if you have\n"
    "    items: [Numbness around your bottom]\n"
)
BRIDGE_ES = """\
---
title: Puente
summary: Levante las caderas.
translated_from: 2026-01-01
translated_by: Ana Pérez
starting_position: Túmbese boca arriba.
steps: [Apriete los glúteos., Levante las caderas.]
stop_if: [El dolor baja por la pierna]
repetitions: Las que le indique su fisioterapeuta.
illustration: {alt: Una persona tumbada boca arriba con las caderas levantadas}
---
Hable antes con su médico. Vea el [dolor de espalda](../conditions/back-pain.md).
"""


def spanish_site(tmp_path: Path, files: dict[str, str | bytes | None] | None = None, config: str = CONFIG + SPANISH) -> Path:
    return copy_site(tmp_path / "site", {"spinesite.yaml": config, "content/stretches/bridge.es.md": BRIDGE_ES, **(files or {})})


def check(capsys: pytest.CaptureFixture[str], site: Path, *extra: str) -> tuple[int, list[str], str]:
    code, _out, err = run_cli(capsys, "check", site, *extra)
    return code, error_lines(err), err


def html(site: Path, path: str) -> str:
    return (site / "_site" / path).read_text(encoding="utf-8")


def built(capsys: pytest.CaptureFixture[str], site: Path) -> None:
    code, _out, err = run_cli(capsys, "build", site, "--no-search")
    assert code == 0, err


# --- configuration and where pages go --------------------------------------------------------


def test_a_translation_is_built_under_its_language_and_the_default_stays_at_the_root(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = spanish_site(tmp_path)
    built(capsys, site)
    spanish, english = html(site, "es/stretches/bridge/index.html"), html(site, "stretches/bridge/index.html")
    assert '<html lang="es">' in spanish and '<html lang="en-GB">' in english
    assert ">Puente</h1>" in spanish and "Apriete los glúteos." in spanish
    assert "Sitio de prueba" in spanish and "Solo información general." in spanish  # the language's site strings
    assert (site / "_site/es/index.html").is_file() and (site / "_site/es/search/index.html").is_file()
    urgent = html(site, "es/urgent-help/index.html")
    assert "Llame al 112 si tiene" in urgent and "Adormecimiento en las nalgas" in urgent and 'lang="es"' in urgent
    assert (site / "_site/es/stretches/index.html").is_file()  # the index of a type with translations
    assert not (site / "_site/es/causes").exists()  # no translated cause: no Spanish index of causes
    index = html(site, "es/stretches/index.html")
    assert "/es/stretches/bridge/" in index and 'href="/stretches/bridge/"' not in index.split("<main", 1)[1].split("language-switcher")[0]


def test_structure_comes_from_the_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = spanish_site(tmp_path)
    built(capsys, site)
    spanish = html(site, "es/stretches/bridge/index.html")
    assert "/images/bridge.svg" in spanish  # the source's illustration, with the translation's alt text
    assert 'alt="Una persona tumbada boca arriba con las caderas levantadas"' in spanish
    assert "5" in re.sub(r"<[^>]+>", " ", spanish)  # the source's hold time


def test_site_strings_fall_back_with_a_warning_when_a_language_has_no_care_cards(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = spanish_site(tmp_path, config=CONFIG + "languages:\n  es:\n    title: Sitio\n")
    _code, lines, _err = check(capsys, site)
    assert "spinesite.yaml:10: warning: languages.es: no care_cards, so its pages show the English care cards; translate them" in lines
    assert "spinesite.yaml:10: warning: languages.es: no disclaimer, so its pages show the English disclaimer; translate them" in lines


@pytest.mark.parametrize(
    ("languages", "message"),
    [
        (
            "languages:\n  en-GB: {title: X}\n",
            "spinesite.yaml:10: languages.en-GB: is the default language (language: en-GB); list only the other languages here",
        ),
        (
            "languages:\n  es-ES: {title: X}\n  es-es: {title: Y}\n",
            "spinesite.yaml:11: languages.es-es: is listed twice (language tags ignore letter case)",
        ),
        ("languages:\n  Spanish: {title: X}\n", "spinesite.yaml:10: languages.Spanish: 'Spanish' is not a valid language tag"),
    ],
)
def test_bad_language_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str], languages: str, message: str) -> None:
    site = copy_site(tmp_path / "site", {"spinesite.yaml": CONFIG + languages})
    code, lines, _err = check(capsys, site)
    assert code == 1 and message in lines


# --- what a translation may hold -------------------------------------------------------------


def test_a_translation_cannot_set_structure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = BRIDGE_ES.replace(
        "translated_by: Ana Pérez\n", "translated_by: Ana Pérez\nhold_seconds: 10\nillustration: {src: /x.svg, alt: Hola}\n"
    )
    bad = bad.replace("illustration: {alt: Una persona tumbada boca arriba con las caderas levantadas}\n", "")
    site = spanish_site(tmp_path, {"content/stretches/bridge.es.md": bad})
    code, lines, _err = check(capsys, site)
    assert code == 1
    assert [line for line in lines if "comes from the source" in line] == [
        "content/stretches/bridge.es.md:6: hold_seconds: comes from the source page (content/stretches/bridge.md) and cannot be set in a translation; remove it",
        "content/stretches/bridge.es.md:7: illustration.src: comes from the source page (content/stretches/bridge.md) and cannot be set in a translation; remove it",
    ]


def test_title_summary_body_translated_from_and_translated_by_are_required(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = spanish_site(tmp_path, {"content/stretches/bridge.es.md": "---\nsteps: [Uno]\n---\n\n"})
    code, lines, _err = check(capsys, site)
    assert code == 1
    assert [line for line in lines if line.startswith("content/stretches/bridge.es.md") and "warning" not in line] == [
        "content/stretches/bridge.es.md:2: missing required key 'summary'",
        "content/stretches/bridge.es.md:2: missing required key 'title'",
        "content/stretches/bridge.es.md:2: missing required key 'translated_by'",
        "content/stretches/bridge.es.md:2: missing required key 'translated_from'",
        "content/stretches/bridge.es.md:4: the page text is missing: translate the source page's text below the front matter",
    ]


def test_an_untranslated_prose_field_is_shown_in_the_source_language_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = spanish_site(tmp_path, {"content/stretches/bridge.es.md": BRIDGE_ES.replace("stop_if: [El dolor baja por la pierna]\n", "")})
    code, lines, _err = check(capsys, site)
    assert code == 0
    assert lines == ["content/stretches/bridge.es.md:1: warning: stop_if is not translated, so the page shows it in English; translate it"]
    built(capsys, site)
    assert "Pain spreads down your leg" in html(site, "es/stretches/bridge/index.html")


# --- staleness ------------------------------------------------------------------------------


def test_a_translation_older_than_its_source_warns_and_says_so_on_the_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = spanish_site(tmp_path)
    source = site / "content/stretches/bridge.md"
    source.write_text(
        source.read_text(encoding="utf-8").replace("last_reviewed: 2026-01-01", "last_reviewed: 2026-03-10"), encoding="utf-8"
    )
    code, lines, _err = check(capsys, site)
    assert code == 0
    assert lines == [
        "content/stretches/bridge.es.md:4: warning: translation is older than its source "
        "(content/stretches/bridge.md reviewed 2026-03-10, translated from 2026-01-01)"
    ]
    assert run_cli(capsys, "check", site, "--strict")[0] == 1
    built(capsys, site)
    spanish = html(site, "es/stretches/bridge/index.html")
    notice = spanish.split('class="translation-notice translation-stale"', 1)[1].split("</div>", 1)[0]
    assert "se ha actualizado" in notice and "10 de marzo de 2026" in notice and "1 de enero de 2026" in notice
    assert '<a href="/stretches/bridge/" hreflang="en-GB">' in notice
    assert spanish.index("translation-notice") < spanish.index("</h1>")  # at the top


def test_a_translation_in_step_has_no_stale_notice_but_says_it_is_not_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = spanish_site(tmp_path)
    built(capsys, site)
    spanish = html(site, "es/stretches/bridge/index.html")
    assert "translation-stale" not in spanish
    assert "Traducido por Ana Pérez." in spanish and "traductor médico cualificado" in spanish
    site2 = spanish_site(
        tmp_path / "2",
        {
            "content/stretches/bridge.es.md": BRIDGE_ES.replace(
                "translated_by: Ana Pérez\n", "translated_by: Ana Pérez\ntranslation_checked_by: Dr Luis Gómez\n"
            )
        },
    )
    built(capsys, site2)
    checked = html(site2, "es/stretches/bridge/index.html")
    assert "Dr Luis Gómez" in checked and "traductor médico cualificado" not in checked


# --- links between languages ------------------------------------------------------------------


def test_hreflang_both_ways_x_default_switcher_and_sitemap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = spanish_site(tmp_path)
    built(capsys, site)
    links = [
        '<link rel="alternate" hreflang="en-GB" href="https://example.org/stretches/bridge/">',
        '<link rel="alternate" hreflang="es" href="https://example.org/es/stretches/bridge/">',
        '<link rel="alternate" hreflang="x-default" href="https://example.org/stretches/bridge/">',
    ]
    for path in ("stretches/bridge/index.html", "es/stretches/bridge/index.html"):
        text = html(site, path)
        assert all(link in text for link in links), path
        assert 'class="language-switcher"' in text
    assert '<a href="/es/stretches/bridge/" hreflang="es" lang="es">Español</a>' in html(site, "stretches/bridge/index.html")
    assert '<a href="/stretches/bridge/" hreflang="en-GB" lang="en-GB">English</a>' in html(site, "es/stretches/bridge/index.html")
    assert "language-switcher" not in html(site, "causes/disc-wear/index.html") and "hreflang" not in html(
        site, "causes/disc-wear/index.html"
    )
    sitemap = html(site, "sitemap.xml")
    assert 'xmlns:xhtml="http://www.w3.org/1999/xhtml"' in sitemap
    entry = next(row for row in sitemap.splitlines() if "<loc>https://example.org/es/stretches/bridge/</loc>" in row)
    assert '<xhtml:link rel="alternate" hreflang="en-GB" href="https://example.org/stretches/bridge/"/>' in entry
    assert '<xhtml:link rel="alternate" hreflang="x-default" href="https://example.org/stretches/bridge/"/>' in entry


def test_a_link_to_a_page_with_no_translation_goes_to_the_source_language_page_marked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = spanish_site(tmp_path)
    built(capsys, site)
    spanish = html(site, "es/stretches/bridge/index.html")
    assert '<a href="/conditions/back-pain/" hreflang="en-GB">dolor de espalda<span class="lang-note"> (en inglés)</span></a>' in spanish
    # a reference shown by the theme (the condition that recommends it) is marked the same way
    assert (
        '<a href="/conditions/back-pain/" hreflang="en-GB" lang="en-GB">Back pain<span class="lang-note" lang="es"> (en inglés)</span></a>'
        in spanish
    )


def test_a_link_to_a_page_with_a_translation_goes_to_the_translation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    back_es = "---\ntitle: Dolor de espalda\nsummary: Dolor en la parte baja.\ntranslated_from: 2026-01-01\ntranslated_by: Ana\n---\nPruebe el [puente](../stretches/bridge.md).\n"
    site = spanish_site(tmp_path, {"content/conditions/back-pain.es.md": back_es})
    built(capsys, site)
    spanish = html(site, "es/stretches/bridge/index.html")
    assert '<a href="/es/conditions/back-pain/">dolor de espalda</a>' in spanish
    condition = html(site, "es/conditions/back-pain/index.html")
    assert '<a href="/es/stretches/bridge/">puente</a>' in condition
    assert (site / "_site/es/handouts/back-pain/index.html").is_file()  # handouts per language
    assert (site / "_site/es/levels/l4-l5/index.html").is_file()  # and level pages


# --- bad input -------------------------------------------------------------------------------


def test_a_language_that_is_not_configured(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = spanish_site(tmp_path, {"content/stretches/bridge.fr.md": BRIDGE_ES})
    code, lines, _err = check(capsys, site)
    assert code == 1
    assert (
        "content/stretches/bridge.fr.md: language 'fr' is not configured (spinesite.yaml has en-GB (default), es); add it under languages: or rename the file"
        in lines
    )


def test_a_translation_without_a_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = spanish_site(tmp_path, {"content/stretches/bridgee.es.md": BRIDGE_ES})
    code, lines, _err = check(capsys, site)
    assert code == 1
    assert (
        "content/stretches/bridgee.es.md: no page content/stretches/bridgee.md to translate: a translation sits beside its source, "
        "with the same name (did you mean 'bridge'?)"
    ) in lines


def test_a_duplicate_translation_names_both_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = spanish_site(tmp_path, {"content/stretches/bridge.ES.md": BRIDGE_ES})
    code, lines, _err = check(capsys, site)
    assert code == 1
    assert (
        "content/stretches/bridge.es.md: duplicate translation: content/stretches/bridge.ES.md and content/stretches/bridge.es.md "
        "both translate content/stretches/bridge.md into es; remove one"
    ) in lines


def test_a_page_whose_address_is_a_language_home(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = spanish_site(tmp_path, {"content/pages/es.md": page("pages", "Spain")})
    code, lines, _err = check(capsys, site)
    assert code == 1 and "content/pages/es.md: URL /es/ is the home page of the site in es; choose another slug" in lines


# --- interface text, reading ease, coverage ----------------------------------------------------


def test_interface_text_comes_from_the_catalogue_and_a_site_can_override_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    po = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Skip to main content"\nmsgstr "Ir al texto"\n'
    site = spanish_site(tmp_path, {"templates/locale/es.po": po})
    built(capsys, site)
    spanish = html(site, "es/stretches/bridge/index.html")
    assert ">Ir al texto</a>" in spanish  # the site's own message
    assert 'aria-label="Otros idiomas"' in spanish  # the theme's, for every other message


def test_check_reports_interface_text_a_language_lacks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = '{% extends "base.html" %}{% block main %}<p>{{ _("A brand new sentence") }}</p>{{ body }}{% endblock %}\n'
    site = spanish_site(tmp_path, {"templates/page.html": template})
    _code, lines, _err = check(capsys, site)
    assert (
        "templates/page.html:1: warning: interface text 'A brand new sentence' has no Spanish translation; add it to templates/locale/es.po"
        in lines
    )


def test_spanish_pages_are_scored_with_a_spanish_formula_and_a_threshold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hard = BRIDGE_ES.replace(
        "Hable antes con su médico.",
        "La musculatura glútea contribuye significativamente a la estabilización lumbopélvica durante "
        "actividades funcionales, particularmente en individuos con sintomatología radicular persistente.",
    )
    site = spanish_site(tmp_path, {"content/stretches/bridge.es.md": hard})
    _code, lines, err = check(capsys, site)
    ease = [line for line in lines if "reading ease" in line]
    assert len(ease) == 1 and ease[0].startswith("content/stretches/bridge.es.md: warning: reading ease ")
    assert ease[0].endswith(" is below 60 (checks.reading_ease, Fernández-Huerta for Spanish); use shorter sentences and everyday words")
    assert "Spanish reading ease (Fernández-Huerta): min " in err
    assert not [line for line in lines if "reading grade" in line and "bridge.es" in line]  # no English formula on Spanish text
    relaxed = CONFIG + "checks:\n  reading_ease: 0\n" + SPANISH
    (site / "spinesite.yaml").write_text(relaxed, encoding="utf-8")
    assert not [line for line in check(capsys, site)[1] if "reading ease" in line]


def test_check_prints_coverage_per_language(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = spanish_site(tmp_path)
    _code, _lines, err = check(capsys, site)
    assert "Translations into Spanish (es): 1 translated, 0 older than their source, 5 English pages not translated." in err
    assert "Checked 7 pages (1 condition, 2 stretches, 1 cause, 1 treatment, 1 glossary term, 1 page; 1 of them in Spanish)" in err
    _code, out, _err = run_cli(capsys, "check", site, "--format", "json")
    summary = json.loads(out)["summary"]
    assert summary["translations"] == {"es": {"translated": 1, "stale": 0, "missing": 5}}
    assert set(summary["reading_ease"]) == {"content/stretches/bridge.es.md"}


# --- spinesite translate -----------------------------------------------------------------------


def test_translate_scaffolds_the_translatable_fields_marked_todo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = spanish_site(tmp_path)
    (site / "content/stretches/bridge.es.md").unlink()
    code, out, err = run_cli(capsys, "translate", "content/conditions/back-pain.md", "es", site)
    assert code == 0, err
    path = site / "content/conditions/back-pain.es.md"
    assert out.strip() == str(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: 'TODO: Back pain'\nsummary: 'TODO: Pain in the lower back.'\n")
    assert "symptoms:\n- 'TODO: Pain in the lower back'\n" in text
    assert "faq:\n- question: 'TODO: Will it get better?'\n  answer: 'TODO: Most back pain gets better.'\n" in text
    assert "translated_from: 2026-01-01\ntranslated_by: 'TODO: your name'\n---\n" in text
    assert "spine_levels" not in text and "stretches:" not in text  # structure stays in the source
    assert "TODO: translate this page into Spanish, then delete this line.\n\n## What is it?" in text
    code, lines, _err = check(capsys, site, "--strict")
    assert code == 1 and any("back-pain.es.md:2: warning: title: placeholder text 'TODO' still here" in line for line in lines)
    assert run_cli(capsys, "translate", "content/conditions/back-pain.md", "es", site)[0] == 1  # never overwrites


@pytest.mark.parametrize(
    ("page_arg", "lang", "code", "message"),
    [
        (
            "content/stretches/bridge.md",
            "fr",
            2,
            "language 'fr' is not configured (spinesite.yaml lists es besides en-GB); add it under languages: first",
        ),
        ("content/stretches/nope.md", "es", 2, "no page content/stretches/nope.md in"),
        ("content/stretches/bridge.es.md", "es", 2, "content/stretches/bridge.es.md is itself a translation; give the page it translates"),
    ],
)
def test_translate_refuses(tmp_path: Path, capsys: pytest.CaptureFixture[str], page_arg: str, lang: str, code: int, message: str) -> None:
    site = spanish_site(tmp_path)
    got, _out, err = run_cli(capsys, "translate", site / page_arg if "nope" not in page_arg else page_arg, lang, site)
    assert got == code and message in err


# --- incremental builds and the in-memory build agree with a clean build -----------------------


def test_editing_the_source_marks_the_translation_stale_in_the_next_incremental_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = spanish_site(tmp_path)
    built(capsys, site)
    assert "translation-stale" not in html(site, "es/stretches/bridge/index.html")
    source = site / "content/stretches/bridge.md"
    source.write_text(
        source.read_text(encoding="utf-8").replace("last_reviewed: 2026-01-01", "last_reviewed: 2026-02-01"), encoding="utf-8"
    )
    built(capsys, site)
    incremental = html(site, "es/stretches/bridge/index.html")
    assert "translation-stale" in incremental
    clean = build(site, tmp_path / "clean", search=False, incremental=False)
    assert clean.ok() and (tmp_path / "clean/es/stretches/bridge/index.html").read_text(encoding="utf-8") == incremental
    memory = build(site, write=False)
    assert memory.files["es/stretches/bridge/index.html"].decode("utf-8") == incremental


def test_search_has_one_index_per_language(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = spanish_site(tmp_path)
    code, _out, err = run_cli(capsys, "build", site)
    assert code == 0, err
    languages = json.loads((site / "_site/pagefind/pagefind-entry.json").read_text(encoding="utf-8"))["languages"]
    assert set(languages) == {"en-gb", "es"}  # from each page's <html lang>: the Spanish search page loads only "es"
    spanish = sorted(p.relative_to(site / "_site").as_posix() for p in (site / "_site/es").rglob("*.html"))
    indexed = [p for p in spanish if "data-pagefind-body" in (site / "_site" / p).read_text(encoding="utf-8")]
    assert languages["es"]["page_count"] == len(indexed) >= 1


def test_a_translation_of_a_reviewed_page_says_the_review_was_of_its_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = CONFIG + "reviewers:\n  - name: Dr Ann Lee\n    qualification: Physiotherapist\n" + SPANISH
    site = spanish_site(tmp_path, config=config)
    source = site / "content/stretches/bridge.md"
    source.write_text(source.read_text(encoding="utf-8").replace("Test Reviewer (placeholder)", "Dr Ann Lee"), encoding="utf-8")
    built(capsys, site)
    english, spanish = html(site, "stretches/bridge/index.html"), html(site, "es/stretches/bridge/index.html")
    assert "Reviewed by Dr Ann Lee, Physiotherapist on" in english and '"reviewedBy"' in english
    assert "La página en inglés de la que se tradujo esta la revisó Dr Ann Lee, Physiotherapist, el" in spanish
    assert '"reviewedBy"' not in spanish and '"lastReviewed"' not in spanish  # its structured data claims no review of its own
    assert "traductor médico cualificado" in spanish


def test_interface_text_translated_when_compiled_equals_gettext_at_run_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Templates have their interface text folded in when compiled (i18n.fold_messages): the
    bundled site, in both its languages, is byte for byte what run-time gettext makes."""
    from conftest import ROOT
    from spinesite.render import templates

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796256000")
    folded = build(ROOT, write=False, search=False, jobs=1, incremental=False)
    monkeypatch.setattr(templates, "fold_messages", lambda tree, catalogue, env: None)
    at_run_time = build(ROOT, write=False, search=False, jobs=1, incremental=False)
    assert folded.ok() and at_run_time.ok()
    assert any(path.startswith("es/") for path in folded.files)
    assert folded.files == at_run_time.files


def test_a_changed_catalogue_reaches_an_incremental_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = spanish_site(tmp_path)
    built(capsys, site)
    assert ">Saltar al contenido principal</a>" in html(site, "es/stretches/bridge/index.html")
    po = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Skip to main content"\nmsgstr "Ir al texto"\n'
    (site / "templates/locale").mkdir(parents=True)
    (site / "templates/locale/es.po").write_text(po, encoding="utf-8")
    built(capsys, site)  # compiled templates are kept per catalogue: the new text is not hidden by the old
    assert ">Ir al texto</a>" in html(site, "es/stretches/bridge/index.html")
    assert ">Skip to main content</a>" in html(site, "stretches/bridge/index.html")


def test_a_markdown_link_to_a_generated_page_goes_to_its_version_in_the_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "Vea [ejercicios](/stretches/), [ayuda urgente](/urgent-help/) y [causas](/causes/).\n"
    site = spanish_site(
        tmp_path, {"content/stretches/bridge.es.md": BRIDGE_ES.split("---\n")[0] + "---\n" + BRIDGE_ES.split("---\n")[1] + "---\n" + body}
    )
    built(capsys, site)
    spanish = html(site, "es/stretches/bridge/index.html")
    assert '<a href="/es/stretches/">ejercicios</a>' in spanish and '<a href="/es/urgent-help/">ayuda urgente</a>' in spanish
    assert (
        '<a href="/causes/" hreflang="en-GB">causas<span class="lang-note"> (en inglés)</span></a>' in spanish
    )  # no Spanish index of causes


def test_a_source_with_its_own_slug_is_translated_by_its_file_name_or_its_slug(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hug = page(
        "stretches", "Knee hug", extra="slug: knees-to-chest\nkind: stretch\nstarting_position: Lie down.\nsteps: [Hug.]\nstop_if: [Pain]\n"
    )
    hug = hug.replace("kind: stretch\nstarting_position: Lie on your back.\nsteps: [Breathe.]\nstop_if: [It hurts]\n", "", 1)
    hug_es = BRIDGE_ES.replace("title: Puente", "title: Abrazo de rodillas").replace(
        "illustration: {alt: Una persona tumbada boca arriba con las caderas levantadas}\n", ""
    )
    site = spanish_site(tmp_path, {"content/stretches/knee-hug.md": hug, "content/stretches/knee-hug.es.md": hug_es})
    built(capsys, site)
    assert ">Abrazo de rodillas</h1>" in html(site, "es/stretches/knees-to-chest/index.html")
    site2 = spanish_site(
        tmp_path / "2",
        {
            "content/stretches/knee-hug.md": hug,
            "content/stretches/knee-hug.es.md": hug_es,
            "content/stretches/knees-to-chest.es.md": hug_es,
        },
    )
    code, lines, _err = check(capsys, site2)
    assert code == 1
    assert (
        "content/stretches/knees-to-chest.es.md: duplicate translation: content/stretches/knee-hug.es.md and "
        "content/stretches/knees-to-chest.es.md both translate content/stretches/knee-hug.md into es; remove one"
    ) in lines
