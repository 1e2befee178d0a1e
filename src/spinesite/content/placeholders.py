"""Placeholder text left by ``spinesite new`` (``TODO``): found so the build can warn about it."""

from __future__ import annotations

import re
from typing import Any

from spinesite.content.yamlnodes import Key

PLACEHOLDER_RE = re.compile(r"\bTODO\b")


def find_placeholders(data: Any, key: Key = ()) -> list[Key]:
    """Key paths (as in ``Parsed.lines``) of front-matter strings still containing ``TODO``."""
    if isinstance(data, str):
        return [key] if PLACEHOLDER_RE.search(data) else []
    if isinstance(data, dict):
        return [k for name, value in data.items() for k in find_placeholders(value, (*key, name))]
    if isinstance(data, list):
        return [k for i, value in enumerate(data) for k in find_placeholders(value, (*key, i))]
    return []


def find_body_placeholders(body: str, first_line: int = 1) -> list[int]:
    """Lines of a Markdown body (numbered from ``first_line``) containing ``TODO``, outside code fences."""
    lines, fence = [], ""
    for n, line in enumerate(body.split("\n"), first_line):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            marker = stripped[:3]
            fence = "" if fence == marker else (fence or marker)
            continue
        if not fence and PLACEHOLDER_RE.search(line):
            lines.append(n)
    return lines
