"""Safe YAML parsing that keeps the source line of every key and list item.

We compose the YAML into a node graph (safe loader, C-accelerated when present) and
convert it ourselves, so that we can
- record the line of each mapping key and sequence item (``lines[("stretches", 2)] = 7``),
- refuse aliases (no alias bombs), duplicate keys and non-standard tags,
- never construct arbitrary Python objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:  # PyYAML's C loader when libyaml is present: much faster
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the platform build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Key = tuple[str | int, ...]

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

    def line(self, key: Key, default: int = 0) -> int:
        """Line of ``key``, falling back to its closest recorded ancestor."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), default)


def parse(text: str, first_line: int = 1) -> Parsed:
    """Parse one YAML document. Lines are shifted so that the text starts at ``first_line``."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else 0
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(line, f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlError(0, f"YAML error: {exc}") from None
    out = Parsed(None)
    if node is None:
        return out
    out.lines[()] = node.start_mark.line + first_line
    out.value = _Converter(first_line, out.lines).convert(node, ())
    return out


class _Converter:
    def __init__(self, first_line: int, lines: dict[Key, int]) -> None:
        self.offset = first_line
        self.lines = lines
        self.seen: set[int] = set()
        self.constructor = SafeConstructor()

    def line_of(self, node: Node) -> int:
        return int(node.start_mark.line) + self.offset

    def convert(self, node: Node, key: Key) -> Any:
        if id(node) in self.seen:
            raise YamlError(self.line_of(node), "YAML anchors and aliases (*name) are not allowed")
        self.seen.add(id(node))
        if node.tag not in _STANDARD_TAGS:
            raise YamlError(self.line_of(node), f"unsupported YAML tag {node.tag!r}")
        if isinstance(node, MappingNode):
            return self._mapping(node, key)
        if isinstance(node, SequenceNode):
            items = []
            for i, child in enumerate(node.value):
                self.lines[(*key, i)] = self.line_of(child)
                items.append(self.convert(child, (*key, i)))
            return items
        assert isinstance(node, ScalarNode)
        try:
            return self.constructor.construct_object(node, deep=True)
        except (ConstructorError, ValueError, OverflowError) as exc:
            raise YamlError(self.line_of(node), f"invalid value {node.value!r}: {exc}") from None

    def _mapping(self, node: MappingNode, key: Key) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError(self.line_of(key_node), "YAML merge keys (<<) are not allowed")
            if not isinstance(key_node, ScalarNode):
                raise YamlError(self.line_of(key_node), "a key must be plain text")
            name = key_node.value
            if name in result:
                raise YamlError(self.line_of(key_node), f"duplicate key '{name}'")
            self.lines[(*key, name)] = self.line_of(key_node)
            result[name] = self.convert(value_node, (*key, name))
        return result
