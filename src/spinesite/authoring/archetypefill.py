"""Filling an archetype for ``spinesite new``: a sandboxed Jinja template and a ``yaml`` filter.

An archetype is rendered by a sandboxed Jinja environment (no autoescape: the output is YAML and
Markdown, not HTML; undefined names are an error; ``{#`` stays text, as Markdown uses it for
heading ids) with the values ``title``, ``slug``, ``today``, ``next_review`` (dates) and ``year``.
Values reach the front matter through the ``yaml`` filter, built on ``yaml.safe_dump``, so any
title gives YAML that loads back to exactly that title: ``title: {{ title | yaml }}``. Inside
quotes written in the archetype, ``yaml_in`` escapes for that kind of quote
(``"{{ title | yaml_in('"') }} words"``).

Archetypes written before Jinja use bare ``{{ title }}`` in front matter; :func:`fill` first
rewrites each to the filtered form its place needs (inside quotes, an item of a flow list, part
of a plain value, a lone value), so that they mean what they meant. Bare tokens in comments,
block scalars and the Markdown body are text. Names other than the values are reported as
``path:line: unknown placeholder``. Imports nothing else of spinesite.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Mapping
from typing import Any

import yaml
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment

_NO_WRAP = 1 << 30  # never fold long values over lines
_OTHER_BOOLEANS = ("y", "n")  # YAML 1.1 booleans that PyYAML reads as text but other tools may not: quoted
TOKEN_RE = re.compile(r"\{\{\s*([A-Za-z_]+)\s*\}\}")  # a bare placeholder (no filter)
_TAG_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")  # any Jinja tag on the line, kept as it is
DATE_TOKENS = ("today", "next_review", "year")  # alone as a value, these stay a date or a number
_KEY_RE = re.compile(r"\s*(?:-\s+)*(?:[^\s#'\"{\[][^:#]*:(?:\s+|$))?")
_BLOCK_SCALAR_RE = re.compile(r"(?:^|:|-)\s*[|>][-+0-9]*\s*(?:#.*)?$")


class FillError(Exception):
    """The archetype cannot be filled: ``message`` is ``where:line: what`` (or ``where: what``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def to_yaml(value: Any, style: str | None = None, flow: bool = True) -> str:
    """``value`` written as a YAML value with ``yaml.safe_dump``, on one line unless ``flow=False``.

    Text is plain when YAML reads it back as the same text, else double-quoted (``style='"'`` or
    ``"'"`` forces those quotes); dates and numbers stay dates and numbers; lists and mappings are
    ``[a, b]`` / ``{k: v}`` (``flow=False``: block style, for a value on the lines below its key).
    """
    if style is not None:
        value = str(value)
    dumped = _dump(value, style, flow)
    if style is None and isinstance(value, str) and (dumped[:1] in ("'", '"') or value.lower() in _OTHER_BOOLEANS):
        dumped = _dump(value, '"', flow)
    return dumped


def yaml_in(value: Any, quote: str) -> str:
    """The text of ``value`` escaped to sit between the ``quote`` marks (``'`` or ``"``) of the archetype."""
    if quote not in ("'", '"'):
        raise ValueError("yaml_in takes ' or \"")
    return to_yaml(value, quote)[1:-1]


def yaml_scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when unambiguous, else double-quoted (the ``yaml`` filter)."""
    return to_yaml(text)


def _dump(value: Any, style: str | None, flow: bool) -> str:
    text = yaml.safe_dump(value, default_style=style, default_flow_style=flow, allow_unicode=True, width=_NO_WRAP, sort_keys=False)
    return text.removesuffix("\n...\n").rstrip("\n")  # the end-of-document mark after a plain scalar


def environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        comment_start_string="{##",  # `{#id}` is Markdown (attr_list), not a Jinja comment
        comment_end_string="##}",
    )
    env.filters["yaml"] = to_yaml
    env.filters["yaml_in"] = yaml_in
    return env


def fill(text: str, values: Mapping[str, Any], where: str) -> str:
    """The archetype ``text`` rendered with ``values``; :class:`FillError` says what is wrong and where."""
    env = environment()
    source = jinja_source(text)
    try:
        ast = env.parse(source)
    except TemplateSyntaxError as exc:
        raise FillError(f"{where}:{exc.lineno}: {exc.message}") from None
    unknown = meta.find_undeclared_variables(ast) - set(values) - set(env.globals)
    if unknown:
        first = min((n.lineno, n.name) for n in ast.find_all(nodes.Name) if n.name in unknown)
        known = ", ".join(sorted(values))
        raise FillError(f"{where}:{first[0]}: unknown placeholder '{{{{ {first[1]} }}}}' (known: {known})")
    try:
        return env.from_string(source).render(values)
    except (TemplateError, yaml.YAMLError, ValueError, TypeError, LookupError, ArithmeticError) as exc:  # from a filter too
        lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == "<template>"]
        what = getattr(exc, "message", None) or str(exc)
        raise FillError(f"{where}:{lines[-1]}: {what}" if lines else f"{where}: {what}") from None


def jinja_source(text: str) -> str:
    """The archetype with newlines normalised and each bare ``{{ name }}`` of its front matter
    given the filter its place needs (lines stay where they are, for the line numbers)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    closing = 0  # index of the line closing the front matter (0: no front matter)
    if lines[0].rstrip() == "---":
        closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), 0)
    block = -1  # indentation of a key whose value is a block scalar (| or >); its lines are text
    for n, line in enumerate(lines[:closing]):
        indent = len(line) - len(line.lstrip())
        in_block = block >= 0 and (indent > block or not line.strip())
        if not in_block:
            block = indent if _BLOCK_SCALAR_RE.search(line) else -1
            if TOKEN_RE.search(line):
                lines[n] = _front_matter_line(line)
    return "\n".join(lines)


def _front_matter_line(line: str) -> str:
    """One front-matter line with its bare tokens filtered so that it means what it says.

    Inside quotes a token is escaped for that kind of quote; a plain value containing a token
    is dumped as a whole; in a flow list or mapping a token becomes a quoted item; in a comment
    it is inserted as it is.
    """
    prefix = _KEY_RE.match(line).group(0)  # type: ignore[union-attr]  # the pattern can match nothing
    value = line[len(prefix) :]
    flow = value.startswith(("[", "{")) and not _TAG_RE.match(value)
    out: list[str] = []
    comment, quote, plain_token, i = "", "", False, 0
    while i < len(value):
        tag = _TAG_RE.match(value, i)
        if tag:
            token = TOKEN_RE.fullmatch(tag.group(0))
            if token is None:  # already Jinja (a filter, a block): as it is
                out.append(tag.group(0))
            elif quote:
                out.append(f"{{{{ {token[1]} | yaml_in({quote!r}) }}}}")
            elif flow:
                out.append(f"{{{{ {token[1]} | yaml('\"') }}}}")
            else:
                plain_token = True
                out.append(tag.group(0))
            i = tag.end()
            continue
        c = value[i]
        if quote == '"' and c == "\\":
            out.append(value[i : i + 2])
            i += 2
            continue
        if quote and c == quote:
            if quote == "'" and value[i + 1 : i + 2] == "'":
                out.append("''")
                i += 2
                continue
            quote = ""
        elif not quote and c in "\"'" and (i == 0 or value[i - 1] in " [{,:"):
            quote = c
        elif not quote and c == "#" and (i == 0 or value[i - 1] in " \t"):
            comment = value[i:]
            break
        out.append(c)
        i += 1
    filled = "".join(out)
    stripped = filled.rstrip()
    if plain_token and not flow:
        lone = TOKEN_RE.fullmatch(stripped)
        whole = f"{{{{ {lone[1]} | yaml }}}}" if lone else "{% filter yaml %}" + stripped + "{% endfilter %}"
        filled = whole + filled[len(stripped) :]
    return prefix + filled + comment
