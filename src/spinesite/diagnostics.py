"""Diagnostics: every problem found in a build, reported as ``path:line: message``.

Stages never raise for bad content; they append :class:`Diagnostic` objects to a
:class:`Diagnostics` collector, and the CLI prints them sorted at the end.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Literal

from spinesite.hints import closest

Level = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem. ``path`` is relative to the site folder, ``line`` is 1-based (0 = whole file)."""

    path: str
    line: int
    message: str
    level: Level = "error"
    code: str = ""

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        prefix = "warning: " if self.level == "warning" else ""
        return f"{where}: {prefix}{self.message}"

    def github(self) -> str:
        kind = "error" if self.level == "error" else "warning"
        msg = _escape(self.message)
        path = _escape(self.path).replace(",", "%2C").replace(":", "%3A")
        loc = f"file={path}" + (f",line={self.line}" if self.line else "")
        return f"::{kind} {loc}::{msg}"


def _escape(text: str) -> str:
    """GitHub workflow-command escaping of data (properties also escape ',' and ':')."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


@dataclass
class Diagnostics:
    """Collects diagnostics; ``strict`` turns warnings into errors when counting."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, path: str, line: int, message: str, code: str = "") -> None:
        self.items.append(Diagnostic(path, line, message, "error", code))

    def warning(self, path: str, line: int, message: str, code: str = "") -> None:
        self.items.append(Diagnostic(path, line, message, "warning", code))

    def extend(self, other: Iterable[Diagnostic]) -> None:
        self.items.extend(other)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level == "warning"]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors) or (strict and bool(self.warnings))

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.items), key=_sort_key)


def _sort_key(d: Diagnostic) -> tuple[str, int, str, str]:
    return (d.path, d.line, d.level, d.message)


def format_text(diags: list[Diagnostic]) -> str:
    return "".join(d.format() + "\n" for d in diags)


def format_github(diags: list[Diagnostic]) -> str:
    return "".join(d.github() + "\n" for d in diags)


def format_json(diags: list[Diagnostic], summary: dict[str, object] | None = None) -> str:
    doc = {
        "diagnostics": [{**asdict(d), "line": d.line or None} for d in diags],  # null: the whole file
        "errors": sum(d.level == "error" for d in diags),
        "warnings": sum(d.level == "warning" for d in diags),
        **({"summary": summary} if summary else {}),
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def did_you_mean(word: str, choices: Iterable[str], synonyms: Mapping[str, str] | None = None) -> str:
    """`` (did you mean 'x'?)`` when a close match exists (see :func:`hints.closest`), else ''."""
    match = closest(word, choices, synonyms)
    return f" (did you mean '{match}'?)" if match else ""


# ----------------------------------------------------------------------------- writing messages


def show(text: str, limit: int = 40) -> str:
    """Author text made safe for a one-line diagnostic: control characters escaped as Python
    writes them (``\\t``, ``\\x00``), text longer than ``limit`` cut to ``limit`` characters, the last one "…"."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[: limit + 1])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def show_url(text: str, limit: int = 80) -> str:
    """A URL found in a built file, for a one-line diagnostic: control characters as ``\\xNN`` or
    ``\\uNNNN``, text longer than ``limit`` cut to ``limit`` characters followed by "…"."""
    out = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}" for c in text[: limit + 1])
    return out[:limit] + "…" if len(out) > limit else out


def line_of(text: str, needle: str, first_line: int, *, missing: int) -> int:
    """Line of the first ``needle`` in ``text``, whose first line is ``first_line``; ``missing``
    when it is not there or ``needle`` is empty (callers choose: the block's first line, or 0
    for "the whole file")."""
    idx = text.find(needle) if needle else -1
    return first_line + text.count("\n", 0, idx) if idx >= 0 else missing
