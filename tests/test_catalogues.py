"""The theme's gettext catalogues (templates/locale/): the interface text of every template, in
English (the source language, msgstr left empty) and Spanish.

``messages.pot`` is what Babel's Jinja extractor finds in the templates (templates/babel.cfg)
plus the strings Python passes to the templates (templates/locale/python-strings.txt, one
msgid a line). When a template's text changes, regenerate the template and bring both
catalogues up to date (translations kept, new strings left empty in es.po: translate them),
then review ``git diff templates/locale/``:

    SPINESITE_UPDATE_CATALOGUES=1 .venv/bin/python -m pytest -q -p no:randomly tests/test_catalogues.py
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations
from markupsafe import Markup

from conftest import ROOT, copy_site
from spinesite.render.templates import make_env

TEMPLATES = ROOT / "templates"
LOCALE = TEMPLATES / "locale"
POT = LOCALE / "messages.pot"
PYTHON_STRINGS = LOCALE / "python-strings.txt"
LANGUAGES = ("en", "es")
UPDATE = os.environ.get("SPINESITE_UPDATE_CATALOGUES") == "1"
REGENERATE = "SPINESITE_UPDATE_CATALOGUES=1 .venv/bin/python -m pytest -q -p no:randomly tests/test_catalogues.py"

HEADER = "# The interface text of spinesite's built-in theme ({what}).\n# {note}\n#"
NOTES = {
    None: f"Made by tests/test_catalogues.py from the templates and locale/python-strings.txt: {REGENERATE}",
    "en": "English is the source language: every msgstr stays empty (the msgid is the text).",
    "es": "Spanish, usted, plain words. A draft that awaits review by a qualified medical translator.",
}
# Lines of a .po header that change on every run or with Babel's version, or that would only hold
# Babel's placeholders: left out, so that the files only change when their text does.
_LEFT_OUT = re.compile(rb'^"(Project-Id-Version|Report-Msgid-Bugs-To|POT-Creation-Date|PO-Revision-Date|Generated-By): .*\\n"\n', re.M)

PLACEHOLDER = re.compile(r"%\([A-Za-z_]+\)[sd]|\{[A-Za-z_]+\}")  # gettext (%(name)s) and search.js ({name})
TAG = re.compile(r"</?[a-z]+[^>]*>")


def _ids(message: Message) -> tuple[str, ...]:
    return (message.id,) if isinstance(message.id, str) else tuple(message.id)


def _strs(message: Message) -> tuple[str, ...]:
    return (message.string,) if isinstance(message.string, str) else tuple(message.string)


def new_catalog(language: str | None) -> Catalog:
    what = {None: "the catalogue template", "en": "English", "es": "Spanish"}[language]
    return Catalog(
        locale=language,
        header_comment=HEADER.format(what=what, note=NOTES[language]),
        last_translator="spinesite project" if language else "",
        language_team=what if language else "",
        fuzzy=False,
    )


def extract() -> Catalog:
    """The catalogue template as the templates and python-strings.txt make it now."""
    with (TEMPLATES / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, "babel.cfg")
    pot = new_catalog(None)
    found = extract_from_dir(str(TEMPLATES), method_map, options_map, comment_tags=("Translators:",), strip_comment_tags=True)
    for filename, lineno, message, comments, context in found:
        pot.add(message, None, [(f"templates/{filename}", lineno)], auto_comments=comments, context=context)
    for lineno, line in enumerate(PYTHON_STRINGS.read_text(encoding="utf-8").splitlines(), 1):
        if line:
            pot.add(line, None, [("templates/locale/python-strings.txt", lineno)])
    return pot


def po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, sort_output=True, ignore_obsolete=True, include_lineno=False)
    return _LEFT_OUT.sub(b"", out.getvalue())


def read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, abort_invalid=True)


def messages(catalog: Catalog) -> dict[tuple[str, ...], Message]:
    return {_ids(m): m for m in catalog if m.id}


def translations(language: str) -> Translations:
    """The compiled catalogue of ``language`` (what a gettext-based renderer installs)."""
    mo = io.BytesIO()
    write_mo(mo, read(LOCALE / f"{language}.po"))
    mo.seek(0)
    return Translations(mo)


@pytest.fixture(scope="module", autouse=True)
def _update() -> None:
    """With SPINESITE_UPDATE_CATALOGUES=1: rewrite messages.pot, then bring en.po and es.po up to it."""
    if not UPDATE:
        return
    pot = extract()
    POT.write_bytes(po_bytes(pot))
    for language in LANGUAGES:
        path = LOCALE / f"{language}.po"
        catalog = read(path) if path.exists() else new_catalog(language)
        catalog.header_comment = new_catalog(language).header_comment
        catalog.update(pot, no_fuzzy_matching=True)
        path.write_bytes(po_bytes(catalog))


def test_template_is_up_to_date() -> None:
    """messages.pot holds exactly the strings of the templates and python-strings.txt."""
    want, have = messages(extract()), messages(read(POT))
    missing, extra = sorted(want.keys() - have.keys()), sorted(have.keys() - want.keys())
    assert not missing and not extra, f"messages.pot is out of date (missing {missing}, no longer used {extra}); run {REGENERATE}"
    assert POT.read_bytes() == po_bytes(extract()), f"messages.pot differs from a fresh extraction; run {REGENERATE}"


def test_python_strings_are_in_the_template() -> None:
    lines = [line for line in PYTHON_STRINGS.read_text(encoding="utf-8").splitlines() if line]
    assert len(lines) == len(set(lines))
    have = messages(read(POT))
    assert [line for line in lines if (line,) not in have] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_parses_and_matches_the_template(language: str) -> None:
    catalog = read(LOCALE / f"{language}.po")
    assert str(catalog.locale) == language
    assert sorted(messages(catalog)) == sorted(messages(read(POT)))
    assert list(catalog.obsolete) == []
    assert [(m.id, errors) for m, errors in catalog.check()] == []  # Babel's own python-format checks


def test_english_is_the_source_language() -> None:
    assert [m.id for m in messages(read(LOCALE / "en.po")).values() if any(_strs(m))] == []


def test_spanish_translates_every_string() -> None:
    es = messages(read(LOCALE / "es.po"))
    untranslated = [ids[0] for ids, m in es.items() if not all(_strs(m))]
    fuzzy = [ids[0] for ids, m in es.items() if m.fuzzy]
    assert untranslated == [], f"translate these in templates/locale/es.po: {untranslated}"
    assert fuzzy == []


def test_spanish_keeps_placeholders_and_markup() -> None:
    """Every %(name)s / {name} placeholder, HTML tag and double quote of a msgid is in its
    translation (a lost quote would break an attribute: translations are inserted unescaped),
    and no other % sign is (newstyle gettext always %-formats)."""
    problems = []
    for ids, m in messages(read(LOCALE / "es.po")).items():
        for text in _strs(m):
            source = ids[-1] if len(ids) > 1 else ids[0]
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source)):
                problems.append(f"placeholders: {source!r} -> {text!r}")
            if sorted(TAG.findall(text)) != sorted(TAG.findall(source)):
                problems.append(f"markup: {source!r} -> {text!r}")
            if text.count('"') != source.count('"'):
                problems.append(f"quotes: {source!r} -> {text!r}")
            if "%" in PLACEHOLDER.sub("", text):
                problems.append(f"stray %: {text!r}")
    assert problems == []


def test_alphabet_translation_is_letters_only() -> None:
    """The A–Z bar iterates over the translated alphabet, one letter at a time."""
    alphabet = translations("es").gettext("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    assert alphabet.isalpha() and alphabet.isupper() and len(set(alphabet)) == len(alphabet)
    assert set("ABCDEFGHIJKLMNOPQRSTUVWXYZ") <= set(alphabet)


NOTE = """{% import "_macros.html" as m %}
<h1>{{ _("Search") }}</h1>
{{ m.evidence_badge("not-recommended") }}
{{ m.care_cards([], ["an item"]) }}
<p>{{ ngettext("%(num)d treatment", "%(num)d treatments", 3) }}</p>
<p>{{ _("More about %(title)s", title=title) }}</p>
{{ m.back_to_top() }}
"""


def render_note(tmp_path: Path, language: str | None) -> str:
    """A fixture site's own template, using the theme's macros, rendered in ``language``
    (None: the null translations the theme's environment starts with)."""
    site = copy_site(tmp_path / "site", {"templates/note.html": NOTE})
    env = make_env(site)
    if language:
        env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    return str(env.get_template("note.html").render(title="<b>Bridge</b>"))


def test_spanish_rendering(tmp_path: Path) -> None:
    html = render_note(tmp_path, "es")
    assert "<h1>Buscar</h1>" in html
    assert '<span class="visually-hidden">Evidencia: </span>No recomendado</span>' in html
    assert (
        'No urgente<span class="visually-hidden"> (consejo):</span></span> Pida cita con un médico de cabecera o un fisioterapeuta si:'
        in html
    )
    assert "<p>3 tratamientos</p>" in html
    assert "<p>Más sobre &lt;b&gt;Bridge&lt;/b&gt;</p>" in html  # the value is escaped, the translation is not
    assert '<a href="#main">Volver arriba</a>' in html


def test_english_rendering_uses_the_msgids(tmp_path: Path) -> None:
    html = render_note(tmp_path, None)
    assert "<h1>Search</h1>" in html and "Not recommended</span>" in html and "<p>3 treatments</p>" in html
    assert "<p>More about &lt;b&gt;Bridge&lt;/b&gt;</p>" in html


def test_spanish_feed_title(tmp_path: Path) -> None:
    env = make_env(copy_site(tmp_path / "site"))
    env.install_gettext_translations(translations("es"), newstyle=True)  # type: ignore[attr-defined]
    context = {
        "site": SimpleNamespace(title="Guía de la columna & más", publisher=None),
        "abs_url": lambda path: "https://example.org/" + path.lstrip("/"),
        "build_date": dt.date(2026, 11, 1),
        "entries": [],
    }
    feed = env.get_template("feed.xml").render(context)
    assert "<title>Guía de la columna &amp; más: páginas actualizadas recientemente</title>" in feed


def test_translations_are_markup_safe() -> None:
    """What newstyle gettext does with a translation under autoescape: the text is trusted like
    template source, the values are escaped."""
    text = translations("es").gettext('Some signs need help straight away: <a href="%(href)s">when to get help urgently</a>.')
    assert Markup(text) % {"href": "/x?a=1&b=2"} == (
        'Algunas señales necesitan ayuda de inmediato: <a href="/x?a=1&amp;b=2">cuándo pedir ayuda urgente</a>.'
    )
