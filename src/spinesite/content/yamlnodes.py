"""Safe YAML parsing that keeps the source line of every key and list item.

We compose the YAML into a node graph (safe loader, C-accelerated when present) and
convert it ourselves, so that we can
- record the line of each mapping key and sequence item (``lines[("stretches", 2)] = 7``),
- refuse aliases (no alias bombs), duplicate keys, non-standard tags and deep nesting
  (checked on the event stream first, so a hostile document costs almost nothing),
- never construct arbitrary Python objects.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from spinesite.content.yamlexplain import explain, runaway_item
from spinesite.diagnostics import show

try:  # PyYAML's C loader when libyaml is present: much faster
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the platform build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Key = tuple[str | int, ...]
MAX_DEPTH = 50  # nested lists/mappings; libyaml's scanner is quadratic in nesting depth
TOO_DEEP = f"YAML is nested too deeply (more than {MAX_DEPTH} levels)"
# libyaml 0.2.6 stops at 1000 levels while scanning ahead ("exceeded maximum nesting depth"),
# which can happen before our event-stream check sees level 51: report it in our words.
_NESTING_LIMIT_HIT = re.compile(r"nesting depth|too deep|nested too deeply", re.IGNORECASE)
YAML_PREFIX = "tag:yaml.org,2002:"

_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


class YamlError(Exception):
    """A YAML problem with a 1-based line inside the parsed text (0 when unknown)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class Parsed:
    value: Any
    lines: dict[Key, int] = field(default_factory=dict)
    raw: dict[Key, str] = field(default_factory=dict)  # source text of scalars that are not strings
    text_lines: dict[Key, int] = field(default_factory=dict)  # first line of block scalars' text (``|``, ``>``)

    # getattr: tolerate Parsed objects pickled by an older version (incremental-build cache)
    def source_text(self, key: Key) -> str | None:
        """How a non-string scalar was written (``1.10``, ``No``), or None."""
        return getattr(self, "raw", {}).get(key)

    def text_line(self, key: Key) -> int:
        """Line where a string value's text starts: the line after ``key: |``, else the key's line."""
        return getattr(self, "text_lines", {}).get(key) or self.line(key)

    def line(self, key: Key, default: int = 0) -> int:
        """Line of ``key``, falling back to its closest recorded ancestor."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), default)


class LazyParsed(Parsed):
    """A :class:`Parsed` that parses its YAML only when first used.

    Incremental builds take an unchanged file's validated data from the cache; its lines are
    needed only to report a problem (a reference that broke) or to render a Markdown field
    again, so the YAML is parsed then, from ``load()`` (None: the file is gone or changed).
    """

    def __init__(self, load: Callable[[], str | None], first_line: int = 2) -> None:
        self._load = load
        self._first_line = first_line
        self._parsed: Parsed | None = None

    def _get(self) -> Parsed:
        if self._parsed is None:
            text = self._load()
            try:
                parsed = parse(text, self._first_line) if text is not None else None
            except YamlError:
                parsed = None
            self._parsed = parsed if parsed is not None and isinstance(parsed.value, dict) else Parsed({}, {(): 1})
        return self._parsed

    def line(self, key: Key, default: int = 0) -> int:
        """As :meth:`Parsed.line`; a top-level key written once at the start of a line is found
        without parsing the YAML (the review-date warnings of a large unchanged site)."""
        if self._parsed is None and len(key) == 1 and isinstance(key[0], str):
            found = self._top_level_line(key[0])
            if found:
                return found
        return super().line(key, default)

    def _top_level_line(self, name: str) -> int:
        """Line of ``name:`` when exactly one line starts with it (0: parse to be sure)."""
        text = self._load()
        if text is None:
            return 0
        found = [m.start() for m in re.finditer(rf"^{re.escape(name)}[ \t]*:(?:[ \t]|$)", text, re.MULTILINE)]
        return text.count("\n", 0, found[0]) + self._first_line if len(found) == 1 else 0

    @property  # type: ignore[override]
    def value(self) -> Any:
        return self._get().value

    @property
    def lines(self) -> dict[Key, int]:  # type: ignore[override]
        return self._get().lines

    @property
    def raw(self) -> dict[Key, str]:  # type: ignore[override]
        return self._get().raw

    @property
    def text_lines(self) -> dict[Key, int]:  # type: ignore[override]
        return self._get().text_lines


def parse(text: str, first_line: int = 1) -> Parsed:
    """Parse one YAML document. Lines are shifted so that the text starts at ``first_line``."""
    try:
        _prescan(text, first_line)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else 0
        problem = exc.problem or exc.context or "invalid YAML"
        if _NESTING_LIMIT_HIT.search(problem):  # libyaml's own limit (0.2.6+) fired before ours could: same problem
            raise YamlError(line, TOO_DEEP) from None
        plain = explain(text, problem, _at(exc.problem_mark), exc.context or "", _at(exc.context_mark), first_line)
        if plain is not None:  # the line to fix and how, in plain words (yamlexplain.py)
            raise YamlError(plain[0] + first_line, plain[1]) from None
        raise YamlError(line, f"YAML syntax error: {problem}") from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (control characters)
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        line = text.count("\n", 0, max(0, int(exc.position))) + first_line
        raise YamlError(line, f"character U+{char:04X} is not allowed in front matter ({exc.reason})") from None
    except yaml.YAMLError as exc:
        raise YamlError(0, "YAML error: " + " ".join(str(exc).split())) from None
    except UnicodeError as exc:  # lone surrogates: only from callers, never from a decoded file
        raise YamlError(first_line, f"text is not valid Unicode ({exc})") from None
    except RecursionError:  # pragma: no cover - _prescan bounds the depth first
        raise YamlError(first_line, TOO_DEEP) from None
    out = Parsed(None)
    if node is None:
        return out
    out.lines[()] = node.start_mark.line + first_line
    out.value = _Converter(first_line, out, text).convert(node, ())
    return out


def _at(mark: yaml.Mark | None) -> tuple[int, int] | None:
    return (mark.line, mark.column) if mark is not None else None


def _prescan(text: str, first_line: int) -> None:
    """Refuse aliases and deep nesting while streaming events, before anything is composed.

    Stops at the first offence, so an alias bomb or ``[[[[...`` costs microseconds.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        line = event.start_mark.line + first_line if event.start_mark else first_line
        if isinstance(event, yaml.AliasEvent):
            raise YamlError(line, f"YAML aliases (*{event.anchor}) are not allowed; write the value out")
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlError(line, TOO_DEEP)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _tag(tag: str) -> str:
    return "!!" + tag[len(YAML_PREFIX) :] if tag.startswith(YAML_PREFIX) else tag


class _Converter:
    def __init__(self, first_line: int, out: Parsed, text: str = "") -> None:
        self.offset = first_line
        self.text = text
        self.lines = out.lines
        self.raw = out.raw
        self.text_lines = out.text_lines
        self.seen: set[int] = set()
        self.constructor = SafeConstructor()

    def line_of(self, node: Node) -> int:
        return int(node.start_mark.line) + self.offset

    def _visit(self, node: Node) -> None:
        if id(node) in self.seen:  # pragma: no cover - _prescan refuses aliases first
            raise YamlError(self.line_of(node), "YAML aliases (*name) are not allowed; write the value out")
        self.seen.add(id(node))
        if node.tag not in _STANDARD_TAGS:
            raise YamlError(self.line_of(node), f"unsupported YAML tag '{_tag(node.tag)}'")

    def convert(self, node: Node, key: Key) -> Any:
        self._visit(node)
        if isinstance(node, MappingNode):
            return self._mapping(node, key)
        if isinstance(node, SequenceNode):
            items = []
            for i, child in enumerate(node.value):
                if isinstance(child, ScalarNode) and not child.style and child.end_mark.line > child.start_mark.line:
                    runaway = runaway_item(self.text, node.start_mark.line, child.start_mark.line, child.end_mark.line, self.offset)
                    if runaway is not None:  # '- x' indented too far reads as more text of the item above
                        raise YamlError(runaway[0] + self.offset, runaway[1])
                self.lines[(*key, i)] = self.line_of(child)
                items.append(self.convert(child, (*key, i)))
            return items
        assert isinstance(node, ScalarNode)
        if node.tag != YAML_PREFIX + "str":
            self.raw[key] = show(str(node.value))
        elif node.style in ("|", ">"):
            self.text_lines[key] = self.line_of(node) + 1
        try:
            return self.constructor.construct_object(node, deep=True)
        except (ConstructorError, ValueError, OverflowError) as exc:
            if node.tag == YAML_PREFIX + "timestamp":
                return str(node.value)  # e.g. 2026-02-30: the field type reports it as not a date
            if node.tag == YAML_PREFIX + "int":
                raise YamlError(
                    self.line_of(node), f"number '{show(str(node.value))}' is too long (put it in quotes if it is text)"
                ) from None
            raise YamlError(self.line_of(node), f"invalid value '{show(str(node.value))}': {show(str(exc), 120)}") from None

    def _mapping(self, node: MappingNode, key: Key) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == YAML_PREFIX + "merge":
                raise YamlError(self.line_of(key_node), "YAML merge keys (<<) are not allowed")
            if not isinstance(key_node, ScalarNode):
                raise YamlError(self.line_of(key_node), "a key must be plain text")
            self._visit(key_node)
            name = key_node.value
            if name in result:
                first = self.lines[(*key, name)]
                raise YamlError(self.line_of(key_node), f"duplicate key '{show(name)}': it is already on line {first}; keep one of the two")
            self.lines[(*key, name)] = self.line_of(key_node)
            result[name] = self.convert(value_node, (*key, name))
        return result
