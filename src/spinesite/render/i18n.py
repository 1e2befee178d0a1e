"""Interface text in the reader's language: gettext catalogues read with Babel.

The theme ships ``locale/<lang>.po`` beside its templates (``en.po`` for English, the
language the templates are written in, and ``es.po``). A site adds or changes interface text
with its own ``templates/locale/<lang>.po``, overriding the theme message by message, like
templates override the theme file by file. A language tag with a region (``es-MX``) reads the
catalogues of its language (``es``) first, then its own.

Catalogues are read as data (``babel.messages.pofile``): no compiled ``.mo`` file and no code.
:func:`missing_messages` lists the interface text of the templates that a language's
catalogues do not translate (``spinesite check`` reports it).
"""

from __future__ import annotations

import gettext
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from babel.messages.pofile import read_po
from jinja2 import nodes
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

from spinesite.diagnostics import Diagnostic, Diagnostics
from spinesite.languagenames import language_name

LOCALE = "locale"
SOURCE_LANGUAGE = "en"  # the language the theme's templates are written in
# Interface text that Python hands to the templates (content-type labels, generated-page titles):
# the theme's catalogues translate them like template text.
PYTHON_MESSAGES_FILE = "python-strings.txt"


@dataclass
class Catalogue:
    """The messages of one language, merged from its catalogue files (later files win)."""

    messages: dict[str, str] = field(default_factory=dict)
    plurals: dict[str, tuple[str, ...]] = field(default_factory=dict)
    plural: Callable[[int], int] = field(default=lambda n: int(n != 1))
    digest: str = ""  # of the catalogue files read: compiled templates hold its text (see fold_messages)

    def gettext(self, message: str) -> str:
        return self.messages.get(message) or message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        forms = self.plurals.get(msgid1)
        if forms:
            index = self.plural(n)
            if 0 <= index < len(forms) and forms[index]:
                return forms[index]
        return msgid1 if n == 1 else msgid2

    def pgettext(self, context: str, message: str) -> str:
        return self.messages.get(f"{context}\x04{message}") or message

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return self.ngettext(f"{context}\x04{msgid1}", msgid2, n).removeprefix(f"{context}\x04")

    def has(self, message: str) -> bool:
        return bool(self.messages.get(message) or self.plurals.get(message))


def catalogue_files(theme: Path, site: Path, lang: str) -> list[tuple[Path, str]]:
    """(file, path to report) of every catalogue of ``lang``, in the order they are laid over each other."""
    names = list(dict.fromkeys([lang.split("-")[0].lower(), lang.lower(), lang]))
    out = []
    for folder, shown in ((theme / LOCALE, "theme: locale"), (site / "templates" / LOCALE, f"templates/{LOCALE}")):
        seen = set()
        for name in names:
            path = folder / f"{name}.po"
            if path.is_file() and path.resolve() not in seen:
                seen.add(path.resolve())
                out.append((path, f"{shown}/{name}.po"))
    return out


def load_catalogue(theme: Path, site: Path, lang: str, diags: Diagnostics) -> Catalogue:
    """The interface text of ``lang``; a catalogue that cannot be read is an error."""
    out, read = Catalogue(), hashlib.blake2b(digest_size=16)
    for path, shown in catalogue_files(theme, site, lang):
        try:
            raw = path.read_bytes()
            read.update(shown.encode() + b"\0" + raw + b"\0")
            catalog = read_po(io.BytesIO(raw), locale=None, abort_invalid=True)
        except Exception as exc:  # babel raises PoFileError, or ValueError on a bad header
            line = getattr(exc, "lineno", 0) or 0
            diags.error(shown, line, f"cannot read this catalogue: {exc}; check the file with `pybabel compile --statistics`")
            continue
        if catalog.plural_expr and catalog.num_plurals:
            try:
                out.plural = gettext.c2py(catalog.plural_expr)
            except ValueError:
                diags.error(shown, 0, f"the Plural-Forms header is not valid: {catalog.plural_expr}")
        for message in catalog:
            if not message.id or message.fuzzy:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            if message.context:
                key = f"{message.context}\x04{key}"
            if isinstance(message.string, str):
                if message.string:
                    out.messages[key] = message.string
            elif message.string and any(message.string):
                out.plurals[key] = tuple(message.string)
    out.digest = read.hexdigest()
    return out


class _Fold(NodeTransformer):
    """``_("text", name=value)`` and ``gettext(...)`` (``{% trans %}`` blocks too) with the text
    translated, as jinja's newstyle gettext would return it at run time: the translation marked
    safe, formatted with the (escaped) values."""

    def __init__(self, catalogue: Catalogue, names: set[str], env: jinja2.Environment) -> None:
        self.catalogue, self.names, self.env = catalogue, names, env

    def visit_Call(self, call: nodes.Call) -> nodes.Node:
        node = self.generic_visit(call)
        if not (
            isinstance(node, nodes.Call)
            and isinstance(node.node, nodes.Name)
            and node.node.name in self.names
            and len(node.args) == 1
            and isinstance(node.args[0], nodes.Const)
            and isinstance(node.args[0].value, str)
            and node.dyn_args is None
            and node.dyn_kwargs is None
        ):
            return node
        text = self.catalogue.gettext(node.args[0].value)
        new: nodes.Expr
        if node.kwargs:
            values = nodes.Dict([nodes.Pair(nodes.Const(k.key), k.value) for k in node.kwargs])
            new = nodes.Mod(nodes.MarkSafeIfAutoescape(nodes.Const(text)), values)
        else:
            try:
                text = str(Markup(text) % {})  # newstyle gettext always formats: "%%" is "%"
            except (ValueError, TypeError, KeyError):
                return node  # fails at run time as it would have
            new = nodes.MarkSafeIfAutoescape(nodes.Const(text))
        new.set_lineno(node.lineno)
        new.set_environment(self.env)
        return new


def fold_messages(tree: nodes.Template, catalogue: Catalogue, env: jinja2.Environment) -> None:
    """Translate a parsed template's interface text once, when it is compiled, instead of a
    gettext call per string per page (one template environment per language, see
    ``render/templates.py``). Left to run time: plurals, and templates that assign ``_`` or
    ``gettext`` themselves."""
    assigned = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    names = {"_", "gettext"} - assigned
    if names:
        _Fold(catalogue, names, env).visit(tree)


def template_messages(env: jinja2.Environment, names: Iterable[str]) -> Iterator[tuple[str, int, str]]:
    """(template, line, message) of every piece of interface text in the templates ``names``."""
    assert env.loader is not None
    plain = jinja2.Environment(extensions=["jinja2.ext.i18n"])  # the templates as written: no text folded in
    for name in names:
        try:
            source = env.loader.get_source(env, name)[0]
            found = list(plain.extract_translations(source))  # type: ignore[attr-defined]
        except jinja2.TemplateError:
            continue  # a broken template has its own error when it renders
        for line, _func, message in found:
            text = message if isinstance(message, str) else next((m for m in message if m), None)
            if text:
                yield name, line, text


def python_messages(theme: Path) -> list[str]:
    """The interface text Python hands to the templates (see :data:`PYTHON_MESSAGES_FILE`)."""
    try:
        lines = (theme / LOCALE / PYTHON_MESSAGES_FILE).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    return [line for line in lines if line.strip() and not line.startswith("#")]


def missing_messages(
    env: jinja2.Environment, names: Iterable[str], theme: Path, lang: str, catalogue: Catalogue, site: Path
) -> list[Diagnostic]:
    """A warning for each interface text of the templates ``names`` that ``lang`` does not translate,
    at the template's line (``templates/x.html`` of the site, or ``theme: x.html``)."""
    if lang.split("-")[0].lower() == SOURCE_LANGUAGE:
        return []
    diags, seen = Diagnostics(), set()
    where = f"templates/{LOCALE}/{lang.split('-')[0].lower()}.po"
    name = language_name(lang)
    for template, line, message in sorted(template_messages(env, names)):
        if message not in seen and not catalogue.has(message):
            seen.add(message)
            diags.warning(
                f"templates/{template}", line, f"interface text {message!r} has no {name} translation; add it to {where}", "interface-text"
            )
    for message in python_messages(theme):
        if message not in seen and not catalogue.has(message):
            seen.add(message)
            diags.warning(where, 0, f"interface text {message!r} has no {name} translation; add it to this file", "interface-text")
    return diags.items
