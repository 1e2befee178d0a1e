"""``spinesite new``: start a content file from an archetype.

An archetype is a page filled in as a sandboxed Jinja template with ``title``, ``slug``,
``today``, ``next_review`` and ``year``, front-matter values through the ``yaml`` filter
(``archetypefill.py``). A site's own ``archetypes/<type>.md`` wins over the built-in one in
``spinesite/archetypes/``. The built-in ones are generated from the schema
(:func:`builtin_archetype`; ``python -m spinesite.authoring.scaffold`` rewrites the files): every
required key with a valid placeholder value, every optional key commented out, and a comment
saying what each key takes. Placeholder text is ``TODO`` (:func:`find_placeholders` finds what
is left), so a new page builds with warnings, never errors.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from spinesite.authoring.archetypefill import FillError, fill, yaml_scalar
from spinesite.authoring.schemadoc import describe
from spinesite.content import contenttypes
from spinesite.content.config import CONFIG_FILE
from spinesite.content.fields import SLUG_RE, URL_RE, Bool, Ctx, Date, Enum, Field, FieldType, Int, List, Obj, Ref, Str, validate_fields
from spinesite.content.graph import page_url, reserved_urls
from spinesite.content.loader import CONTENT, split_front_matter
from spinesite.content.yamlnodes import YamlError, parse
from spinesite.diagnostics import Diagnostics, did_you_mean

ARCHETYPES = "archetypes"
BUILTIN_ARCHETYPES = Path(__file__).resolve().parents[1] / "archetypes"  # data beside the theme: spinesite/archetypes
PLACEHOLDER = "TODO"
PLACEHOLDER_URL = "https://example.org/TODO"
REVIEW_DAYS = 365
MAX_SLUG = 80
# Placeholder choices for required enums, where the first allowed value would be a poor guess
# (a forgotten `evidence: recommended` would overstate a treatment).
CHOICES = {"region": "lumbar", "evidence": "experimental"}
_TRANSLIT = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "þ": "th"}
)


class ScaffoldError(Exception):
    """``spinesite new`` cannot go on; ``exit_code`` is 1 (a conflict) or 2 (a usage problem)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


@dataclass
class Created:
    path: Path
    rel: str  # relative to the site, e.g. content/conditions/back-pain.md
    archetype: str  # where the archetype came from, for the message


# --- names ----------------------------------------------------------------------------


def resolve_type(name: str) -> str:
    """The content folder for a type name given on the command line (singular or folder name)."""
    key = name.strip().lower()
    names = new_types()
    if key in names:
        return names[key]
    if key in names.values():
        return key
    raise ScaffoldError(f"unknown page type '{name}'{did_you_mean(key, names)}; choose one of: {', '.join(names)}", 2)


def new_types() -> dict[str, str]:
    """The type names ``spinesite new`` takes -> their content folders: ``{"condition": "conditions", ...}``."""
    return {t.cli_name: t.folder for t in contenttypes.TYPES}


def type_name(kind: str) -> str:
    return contenttypes.by_folder(kind).cli_name


def slugify(title: str) -> str:
    """Lower-case ASCII letters and digits joined by hyphens; accents dropped (``Ödem`` → ``odem``)."""
    text = unicodedata.normalize("NFKD", title.translate(_TRANSLIT))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").lower()  # drop the accents
    slug = "-".join(re.findall(r"[a-z0-9]+", text))  # anything else separates words
    while len(slug) > MAX_SLUG:
        cut = slug.rfind("-", 0, MAX_SLUG + 1)
        slug = slug[:cut] if cut > 0 else slug[:MAX_SLUG]
    return slug


def check_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise ScaffoldError("the title must not be empty", 2)
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for c in title):
        raise ScaffoldError("the title contains control or invisible characters; type it as plain text", 2)
    limit = 200
    if len(title) > limit:
        raise ScaffoldError(f"the title is too long ({len(title)} characters, at most {limit})", 2)
    return title


# --- archetypes -------------------------------------------------------------------------


def builtin_archetype(kind: str) -> str:
    """The built-in archetype of a content type, generated from its schema."""
    lines = [
        "---",
        f"# A new {contenttypes.by_folder(kind).singular}. Replace every TODO, then run `spinesite check`.",
        "# Lines starting with '#' followed directly by a key are optional: delete that '#' to use them.",
        "# Every key is described in docs/front-matter.md.",
    ]
    for f in contenttypes.by_folder(kind).fields:
        lines.append(f"# {f.doc} {'Required' if f.required else 'Optional'}; {describe(f.type)}.")
        value = ["title: {{ title | yaml }}"] if f.name == "title" else _field_lines(f, "")
        lines += value if f.required else [_comment_out(line, "") for line in value]
    lines += ["---", "", contenttypes.by_folder(kind).archetype_body.rstrip("\n")]
    return "\n".join(lines) + "\n"


def _comment_out(line: str, indent: str) -> str:
    return indent + "#" + line[len(indent) :]


def _field_lines(f: Field, indent: str) -> list[str]:
    """YAML lines for one field with a placeholder value; optional sub-keys commented out."""
    t = f.type
    if isinstance(t, Obj):
        return [f"{indent}{f.name}:", *_object_lines(t, indent + "  ", indent + "  ")]
    if isinstance(t, List):
        items = max(1, t.min_items)
        if isinstance(t.item, Obj):
            out = [f"{indent}{f.name}:"]
            for _ in range(items):
                out += _object_lines(t.item, indent + "  - ", indent + "    ")
            return out
        example = f.example if isinstance(f.example, list) else None
        values = example or [_placeholder(f.name, t.item, f)] * items
        note = "  # TODO: check" if isinstance(t.item, Enum) else ""
        return [f"{indent}{f.name}:", *(f"{indent}  - {v}{note}" for v in values)]
    note = "  # TODO: choose" if isinstance(t, Enum) and f.required else ""
    return [f"{indent}{f.name}: {_placeholder(f.name, t, f)}{note}"]


def _object_lines(obj: Obj, first: str, rest: str) -> list[str]:
    out: list[str] = []
    for sub in obj.fields:
        lines = _field_lines(sub, rest)
        if not sub.required:
            lines = [_comment_out(line, rest) for line in lines]
            lines[0] += f"  # {sub.doc}"
        out += lines
    if out:
        out[0] = first + out[0][len(rest) :]
    return out


def _placeholder(name: str, t: FieldType, f: Field) -> str:
    if f.default is not None and not callable(f.default) and f.default not in ([], {}, ""):
        return str(f.default).lower() if isinstance(f.default, bool) else yaml_scalar(str(f.default))
    if isinstance(t, Date):
        return "{{ next_review | yaml }}" if name == "next_review" else "{{ today | yaml }}"
    if isinstance(t, Enum):
        choice = CHOICES.get(name)
        return choice if choice is not None and choice in t.values else t.values[0]
    if isinstance(t, Ref):
        return "todo"
    if isinstance(t, Int):
        return "{{ year | yaml }}" if name == "year" else str(max(t.minimum, 1) if t.maximum >= 1 else t.minimum)
    if isinstance(t, Bool):
        return "false"
    if isinstance(t, Str) and t.pattern == URL_RE.pattern:
        return PLACEHOLDER_URL
    if isinstance(t, Str) and t.pattern == SLUG_RE.pattern:
        return "todo"
    return PLACEHOLDER


def load_archetype(site: Path, kind: str) -> tuple[str, str]:
    """(archetype text, where it came from): the site's ``archetypes/<type>.md``, else the built-in one."""
    name = f"{type_name(kind)}.md"
    own = site / ARCHETYPES / name
    if own.is_file():
        try:
            return own.read_text(encoding="utf-8-sig"), f"{ARCHETYPES}/{name}"
        except UnicodeDecodeError as exc:
            raise ScaffoldError(f"{ARCHETYPES}/{name}: not valid UTF-8 (byte {exc.start})", 1) from None
    builtin = BUILTIN_ARCHETYPES / name
    if builtin.is_file():
        return builtin.read_text(encoding="utf-8"), f"built-in {name}"
    return builtin_archetype(kind), f"built-in {name}"


def check_scaffold(text: str, kind: str, where: str) -> list[str]:
    """Problems (``where:line: message``) that would make the new file fail to build."""
    diags = Diagnostics()
    split = split_front_matter(text, where, diags)
    if split is not None:
        front, _body, _line = split
        try:
            parsed = parse(front, first_line=2)
        except YamlError as exc:
            diags.error(where, exc.line, exc.message)
        else:
            if not isinstance(parsed.value, dict):
                diags.error(where, 1, "the front matter must be a mapping of 'key: value' lines")
            else:
                validate_fields(parsed.value, contenttypes.by_folder(kind).fields, Ctx(where, parsed, diags))
    return [d.format() for d in diags.sorted()]


# --- creating a file --------------------------------------------------------------------


def create(site: Path, type_arg: str, title: str, *, slug: str | None = None, today: dt.date | None = None) -> Created:
    """Write ``content/<type>/<slug>.md`` from the archetype; never overwrites. Raises :class:`ScaffoldError`."""
    kind = resolve_type(type_arg)
    if not (site / CONFIG_FILE).is_file():
        raise ScaffoldError(f"{site} is not a spinesite site (no {CONFIG_FILE}); give the site folder as the last argument", 2)
    title = check_title(title)
    slug = slug if slug is not None else slugify(title)
    if not slug:
        raise ScaffoldError(f"cannot make a file name from the title '{title}'; give one with --slug", 2)
    if not SLUG_RE.match(slug) or len(slug) > MAX_SLUG:
        raise ScaffoldError(f"'{slug}' is not a valid slug: use lower-case letters, digits and hyphens (at most {MAX_SLUG})", 2)
    rel = f"{CONTENT}/{kind}/{slug}.md"
    if page_url(kind, slug) in reserved_urls():
        raise ScaffoldError(f"{rel}: the URL {page_url(kind, slug)} is reserved for a generated page; choose another slug with --slug", 1)
    today = today or dt.date.today()
    values = {"title": title, "slug": slug, "today": today, "next_review": today + dt.timedelta(days=REVIEW_DAYS), "year": today.year}
    template, source = load_archetype(site, kind)
    where = source if not source.startswith("built-in") else f"spinesite/archetypes/{type_name(kind)}.md"
    try:
        text = fill(template, values, where)
    except FillError as exc:
        raise ScaffoldError(exc.message, 1) from None
    problems = check_scaffold(text, kind, where)
    if problems:
        raise ScaffoldError("the archetype does not make a valid page:\n" + "\n".join(problems), 1)
    path = write_page(site, kind, f"{slug}.md", text, "Edit it, or choose another title or --slug.")
    return Created(path, rel, source)


def write_page(site: Path, kind: str, name: str, text: str, if_exists: str) -> Path:
    """Write ``content/<kind>/<name>``, never over a file (``if_exists`` says what to do instead),
    never through a link out of the site, never beside a name that differs only in letter case."""
    folder, rel = site / CONTENT / kind, f"{CONTENT}/{kind}/{name}"
    folder.mkdir(parents=True, exist_ok=True)
    if not folder.resolve().is_relative_to(site.resolve()):
        raise ScaffoldError(f"{CONTENT}/{kind} leads outside the site folder (a symbolic link?); not writing there", 2)
    path = folder / name
    clash = [p.name for p in folder.iterdir() if p.name != path.name and p.name.casefold() == path.name.casefold()]
    if clash:
        raise ScaffoldError(f"{rel}: {CONTENT}/{kind}/{clash[0]} already exists (names differ only in letter case); not overwritten", 1)
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{rel} already exists; not overwritten. {if_exists}", 1) from None
    return path


def write_builtin_archetypes(folder: Path = BUILTIN_ARCHETYPES) -> list[Path]:
    """Regenerate the built-in archetype files from the schema."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, kind in new_types().items():
        path = folder / f"{name}.md"
        path.write_text(builtin_archetype(kind), encoding="utf-8", newline="\n")
        out.append(path)
    return out


if __name__ == "__main__":
    for written in write_builtin_archetypes():
        print(f"wrote {written}", file=sys.stderr)
