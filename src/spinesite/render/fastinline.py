"""Python-Markdown's inline stage without the calls that cannot match.

For every text node, Python-Markdown tries each inline pattern in turn (15 with our
extensions): a registry lookup, a method call and a regex search each, about a thousand
per page, most on text without a single ``[``, ``*`` or ``<``. That is its largest cost.
Every built-in pattern needs a particular character to match (a link needs ``[``, emphasis
``*`` or ``_``, a line break two spaces before a newline...). :class:`FastInlineProcessor`
skips a pattern when none of its triggers is in the text, which is exactly what the pattern
would have concluded itself, and otherwise does what Python-Markdown does. Patterns not
listed here (from other extensions) are always tried.

It overrides one private method of ``markdown.treeprocessors.InlineProcessor`` (pyproject.toml
bounds Python-Markdown to ``>=3.6,<4``); ``tests/test_fastinline.py`` renders the same texts
with and without it and requires identical HTML.
"""

from __future__ import annotations

import re
from typing import Any

from markdown import Markdown, util
from markdown.treeprocessors import InlineProcessor

# Pattern name -> strings one of which must occur in the text for the pattern to match.
TRIGGERS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",),
    "escape": ("\\",),
    "footnote": ("[^",),
    "reference": ("[",),
    "link": ("[",),
    "image_link": ("![",),
    "image_reference": ("![",),
    "short_reference": ("[",),
    "short_image_ref": ("![",),
    "autolink": ("<",),
    "automail": ("<",),
    "linebreak": ("  \n",),
    "html": ("<",),
    "entity": ("&",),
    "em_strong": ("*", "_"),
    "em_strong2": ("_",),
    "not_strong": ("*", "_"),
}


_ANY_TRIGGER = re.compile("|".join(sorted({re.escape(t) for ts in TRIGGERS.values() for t in ts})))


class FastInlineProcessor(InlineProcessor):
    """Python-Markdown's ``InlineProcessor`` with a trigger check before each pattern."""

    def __init__(self, md: Markdown) -> None:
        super().__init__(md)
        self._plan: list[tuple[Any, tuple[str, ...] | None]] | None = None
        self._all_known = False  # every pattern has triggers: text without any of them is skipped whole

    def _patterns(self) -> list[tuple[Any, tuple[str, ...] | None]]:
        registry = self.inlinePatterns
        if self._plan is None or len(self._plan) != len(registry):
            triggers = {registry.get_index_for_name(name): t for name, t in TRIGGERS.items() if name in registry}
            self._plan = [(pattern, triggers.get(i)) for i, pattern in enumerate(registry)]
            self._all_known = all(t is not None for _p, t in self._plan)
        return self._plan

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # overrides the base class's private method
        if isinstance(data, util.AtomicString):
            return data
        plan = self._patterns()
        if self._all_known and not _ANY_TRIGGER.search(data):
            return data  # plain text (most of it): no pattern can match
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        start = 0
        count = len(plan)
        while patternIndex < count:
            pattern, triggers = plan[patternIndex]
            if triggers is not None:
                for trigger in triggers:
                    if trigger in data:
                        break
                else:
                    patternIndex += 1
                    start = 0
                    continue
            data, matched, start = apply(pattern, data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


def install(md: Markdown) -> None:
    """Replace ``md``'s inline stage (same name and priority as Python-Markdown's own), and
    answer ``is_block_level`` from a set of its (by then complete) block-level tags instead of
    scanning their list: Python-Markdown asks it for every element, hundreds of times a page."""
    md.treeprocessors.register(FastInlineProcessor(md), "inline", 20)
    block_level = frozenset(md.block_level_elements)

    def is_block_level(tag: Any) -> bool:
        return isinstance(tag, str) and tag.lower().rstrip("/") in block_level

    md.is_block_level = is_block_level  # type: ignore[method-assign]
