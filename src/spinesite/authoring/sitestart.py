"""``spinesite init``: start a new site in an empty folder.

A new site is ``spinesite.yaml`` (generated from :data:`config.FIELDS`: every setting with its
doc and default, so it never drifts from the code), one small valid page per content type (or,
with ``--example``, the whole bundled example site), ``.gitignore``, a README for editors and a
GitHub Actions workflow that checks, builds and publishes a content-only repository on GitHub
Pages with a pinned spinesite. The starter files live in ``spinesite/starter/``; ``{{ name }}``
in them is replaced by :func:`fill_tokens`. The site builds with ``--strict`` at once.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from spinesite import __version__
from spinesite.authoring.scaffold import REVIEW_DAYS
from spinesite.clock import check_today
from spinesite.content.config import CONFIG_FILE
from spinesite.content.config import FIELDS as CONFIG_FIELDS
from spinesite.content.fields import Field, List, Obj
from spinesite.content.loader import CONTENT

STARTER = Path(__file__).resolve().parents[1] / "starter"  # data beside the theme: spinesite/starter
DEFAULT_TITLE = "Spine guide"
DEFAULT_BASE_URL = "https://example.org/"
# Starter files that are not copied under their own name (a dot file, or a workflow that must
# not look like one of this package's own).
RENAMED = {"gitignore": ".gitignore", "site.yml": ".github/workflows/site.yml", "README.md": "README.md"}
ALLOWED_IN_EMPTY = {".git"}  # a freshly cloned, empty repository counts as empty
# Example values for settings whose default is empty and says nothing about their shape.
EXAMPLES: dict[str, Any] = {
    "description": "Plain-English information about back and neck pain, and what you can do about it.",
    "publisher": "Example Back Clinic",
    "disclaimer": "This site gives general information only. It does not replace advice from a health professional who knows you.",
    "care_cards": [
        {
            "level": "emergency",
            "heading": "Call 999 or go to A&E now if you have:",
            "items": [
                "numbness around your genitals, bottom or inner thighs (the area you would sit on in a saddle)",
                "new problems peeing, or new problems controlling your bladder or bowels",
                "new problems with sex, such as loss of feeling or erection problems",
                "weakness or numbness in both legs",
                "sciatica in both legs (nerve pain going down both legs)",
                "back pain after a serious fall or accident",
            ],
            "note": "These can be signs of cauda equina syndrome or a serious injury. They need treatment straight away.",
            "other_words": [
                "saddle numbness",
                "numbness in your groin on both sides, between your legs or when you wipe",
                "loss of bladder or bowel control",
                "cauda equina syndrome",
            ],
        },
        {
            "level": "urgent",
            "heading": "Get a same-day appointment with a GP or call 111 if you have:",
            "items": [
                "back pain with a high temperature (fever)",
                "weight loss that you cannot explain",
                "pain that is worse at night and does not ease when you rest",
                "back pain and you have had cancer in the past",
                "back pain and a weakened immune system, for example from an illness or medicines",
                "weakness in your leg that is getting worse",
            ],
        },
    ],
    "languages": {
        "es": {
            "title": "Guía de la espalda",
            "disclaimer": "Este sitio solo da información general. No sustituye los consejos de un profesional de la salud que le conozca.",
            "care_cards": [
                {
                    "level": "emergency",
                    "heading": "Llame al 999 o vaya a urgencias (A&E) ahora si tiene:",
                    "items": [
                        "adormecimiento alrededor de los genitales, las nalgas o la parte interna de los muslos (la zona que se apoya en una silla de montar)",
                        "problemas nuevos para orinar, o problemas nuevos para controlar la vejiga o el intestino",
                        "problemas nuevos en su vida sexual, como pérdida de sensibilidad o problemas de erección",
                        "debilidad o adormecimiento en las dos piernas",
                        "ciática en las dos piernas (dolor de nervio que baja por las dos piernas)",
                        "dolor de espalda después de una caída grave o un accidente",
                    ],
                    "note": "Pueden ser señales del síndrome de la cola de caballo (cauda equina) o de una lesión grave. Necesitan tratamiento de inmediato.",
                    "other_words": [
                        "anestesia en silla de montar",
                        "adormecimiento en la ingle a los dos lados, entre las piernas o al limpiarse",
                        "pérdida del control de la vejiga o del intestino",
                        "síndrome de la cola de caballo, cauda equina",
                    ],
                },
                {
                    "level": "urgent",
                    "heading": "Pida una cita para hoy mismo con un médico de cabecera (GP) o llame al 111 si tiene:",
                    "items": [
                        "dolor de espalda con fiebre (temperatura alta)",
                        "una pérdida de peso que no se puede explicar",
                        "dolor que empeora por la noche y no se alivia con el reposo",
                        "dolor de espalda y ha tenido cáncer en el pasado",
                        "dolor de espalda y las defensas bajas (un sistema inmunitario débil), por ejemplo por una enfermedad o por medicinas",
                        "debilidad en la pierna que va a peor",
                    ],
                },
            ],
        }
    },
    "reviewers": [{"name": "Dr Jane Smith", "qualification": "Consultant physiotherapist, MCSP", "id": "jsmith"}],
}
# Switched on in a new site (not commented out): every patient site needs its red flags and a
# disclaimer from the first page it publishes; the owner edits them rather than remembering them.
ACTIVE = frozenset({"care_cards", "disclaimer"})
NOTES = {
    "title": "Change it to your site's name.",
    "base_url": "On GitHub Pages the workflow in .github/workflows/site.yml passes the right one (`--base-url`).",
    "emergency_number": "Set your country's number.",
}
_TOKEN_RE = re.compile(r"\{\{ ([a-z_]+) \}\}")


class InitError(Exception):
    """``spinesite init`` cannot start a site here (a usage problem: exit 2)."""


@dataclass
class Started:
    folder: Path
    files: list[str] = field(default_factory=list)  # paths relative to the folder, sorted
    pages: int = 0
    next_steps: list[str] = field(default_factory=list)


# --- spinesite.yaml -------------------------------------------------------------------------


def default_value(f: Field) -> Any:
    return f.default() if callable(f.default) else f.default


class _Dumper(yaml.SafeDumper):
    """Indents list items under their key, as the example site and the archetypes do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _dump(value: Any) -> list[str]:
    text = yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=4096)
    return text.rstrip("\n").split("\n")


def _value_lines(f: Field, value: Any) -> list[str]:
    """``key: value`` YAML lines; sub-settings of a mapping get their doc as a trailing comment."""
    if isinstance(f.type, Obj) and isinstance(value, dict):
        out = [f"{f.name}:"]
        for sub in f.type.fields:
            if sub.name in value:
                out += [f"  {line}  # {sub.doc}" for line in _dump({sub.name: value[sub.name]})]
        return out
    return _dump({f.name: value})


def config_text(title: str = DEFAULT_TITLE, base_url: str = DEFAULT_BASE_URL) -> str:
    """A commented ``spinesite.yaml``: the two required settings, then every other one commented
    out with its default (or, when the default is empty, an example)."""
    lines = [
        "# Settings of this spinesite site. Only title and base_url are needed. Every other setting is",
        "# shown below with its default, commented out: delete the '#' in front of a key (and of the",
        "# lines under it) to change it. `spinesite schema` writes a JSON Schema of this file for editors.",
    ]
    given = {"title": title, "base_url": base_url}
    for f in CONFIG_FIELDS:
        lines.append("")
        note = f" {NOTES[f.name]}" if f.name in NOTES else ""
        if f.name in given:
            lines += [f"# {f.doc} Required.{note}", *_value_lines(f, given[f.name])]
            continue
        value = default_value(f)
        if f.name in ACTIVE:
            lines += [f"# {f.doc} Switched on in a new site: check the wording (and the numbers) for your country.{note}"]
            lines += _value_lines(f, EXAMPLES[f.name])
            continue
        if value in ([], {}, "", None) and f.name in EXAMPLES:
            shown = "none" if value in ([], {}) else "empty"
            lines.append(f"# {f.doc} Default: {shown}. For example:{note}")
            value = EXAMPLES[f.name]
        elif isinstance(f.type, Obj | List):
            lines.append(f"# {f.doc}{note} Defaults:")
        else:
            lines.append(f"# {f.doc} Default: {_dump(value)[0] if value != '' else 'empty'}.{note}")
        lines += ["#" + line for line in _value_lines(f, value)]
    return "\n".join(lines) + "\n"


# --- starting a site ----------------------------------------------------------------------


def example_dir() -> Path:
    """The bundled example site: ``spinesite/example`` in an installed package, else the checkout's root."""
    here = Path(__file__).resolve().parents[1]  # the package: spinesite/
    for candidate in (here / "example", here.parents[1]):
        if (candidate / CONFIG_FILE).is_file() and (candidate / CONTENT).is_dir():
            return candidate
    raise InitError("the bundled example site is missing; reinstall spinesite")


def fill_tokens(text: str, values: dict[str, str]) -> str:
    """Replace ``{{ name }}`` for the names in ``values``; anything else (``${{ github.sha }}``) stays."""
    return _TOKEN_RE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _tree(root: Path, under: str) -> dict[str, bytes]:
    """Every regular file below ``root/under``, by path relative to ``root`` (links are skipped)."""
    top = root / under
    if not top.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(top.rglob("*")) if p.is_file() and not p.is_symlink()}


def site_files(*, example: bool = False, today: dt.date | None = None) -> dict[str, bytes]:
    """Every file of a new site, by path relative to its folder."""
    today = today or check_today()
    values = {
        "today": today.isoformat(),
        "next_review": (today + dt.timedelta(days=REVIEW_DAYS)).isoformat(),
        "year": str(today.year),
        "version": __version__,
        "title": DEFAULT_TITLE,
    }
    files: dict[str, bytes] = {}
    if example:
        root = example_dir()
        config = (root / CONFIG_FILE).read_bytes()
        title = yaml.safe_load(config).get("title")
        values["title"] = str(title) if title else DEFAULT_TITLE
        files |= {CONFIG_FILE: config, **_tree(root, CONTENT), **_tree(root, "static")}
    else:
        files[CONFIG_FILE] = config_text().encode()
        content = _tree(STARTER, CONTENT)
        files |= {rel: fill_tokens(data.decode(), values).encode() for rel, data in content.items()}
    for name, rel in RENAMED.items():
        files[rel] = fill_tokens((STARTER / name).read_text(encoding="utf-8"), values).encode()
    return files


def check_empty(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise InitError(f"{folder} is a file, not a folder; give a new or empty folder for the site")
    if folder.is_dir():
        found = sorted(p.name for p in folder.iterdir() if p.name not in ALLOWED_IN_EMPTY)
        if found:
            shown = ", ".join(found[:3]) + (", ..." if len(found) > 3 else "")
            raise InitError(f"{folder} is not empty ({shown}); start the site in a new or empty folder")


def init_site(folder: Path, *, example: bool = False, today: dt.date | None = None) -> Started:
    """Write a new site into ``folder`` (created if needed; it must be empty). Raises :class:`InitError`."""
    check_empty(folder)
    files = site_files(example=example, today=today)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for rel, data in files.items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "xb") as fh:  # never overwrites
                fh.write(data)
    except FileExistsError as exc:
        raise InitError(f"{exc.filename} appeared while the site was being written; not overwritten") from None
    except OSError as exc:
        raise InitError(f"cannot write the new site in {folder}: {exc.strerror or exc}") from None
    pages = sum(rel.startswith(f"{CONTENT}/") and rel.endswith(".md") for rel in files)
    where = "" if folder.resolve() == Path.cwd() else f"cd {shlex.quote(str(folder))}, then "
    steps = [
        f"Next: {where}`spinesite serve` to preview it at http://127.0.0.1:8000/.",
        "README.md says how to add pages and how to publish the site (.github/workflows/site.yml: GitHub Pages).",
    ]
    return Started(folder, sorted(files), pages, steps)
