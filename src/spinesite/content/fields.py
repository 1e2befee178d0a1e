"""Declarative field types: one description drives validation, JSON Schema and docs.

A schema is a tuple of :class:`Field`. ``validate_fields`` checks a parsed YAML mapping
against it and reports every problem (with the line of the offending key), returning the
cleaned data with defaults filled in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from spinesite.content.yamlnodes import Key, Parsed
from spinesite.diagnostics import Diagnostics, did_you_mean, show
from spinesite.hints import date_hint

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
LEVELS = tuple(
    [f"C{i}-C{i + 1}" for i in range(1, 7)]
    + ["C7-T1"]
    + [f"T{i}-T{i + 1}" for i in range(1, 12)]
    + ["T12-L1"]
    + [f"L{i}-L{i + 1}" for i in range(1, 5)]
    + ["L5-S1"]
)


class _Invalid:
    pass


INVALID: Any = _Invalid()


@dataclass
class Ctx:
    """Where we are: the file, its parsed lines, and the collector."""

    path: str
    parsed: Parsed
    diags: Diagnostics

    def describe(self, value: Any, key: Key) -> str:
        """``_describe`` using the text as the author wrote it (``1.10``, not ``1.1``)."""
        return _describe(value, self.parsed.source_text(key))

    def error(self, key: Key, message: str) -> Any:
        label = _label(key)
        self.diags.error(self.path, self.parsed.line(key), f"{label}: {message}" if label else message)
        return INVALID


def _label(key: Key) -> str:
    out = ""
    for part in key:
        out += f"[{part}]" if isinstance(part, int) else (f".{show(part)}" if out else show(part))
    return out


def _describe(value: Any, written: str | None = None) -> str:
    if isinstance(value, bool):
        return f"a yes/no value ({written or str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({written or value})"
    if isinstance(value, dt.datetime):
        return f"a date and time ({written})" if written else "a date and time"
    if isinstance(value, dt.date):
        return f"a date ({written or value.isoformat()})"
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"'{show(str(value), 60)}'"


class FieldType:
    """Base class. Subclasses implement ``check``, ``json_schema`` and ``doc``."""

    def check(self, value: Any, ctx: Ctx, key: Key) -> Any:
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def doc(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Str(FieldType):
    min_len: int = 1
    max_len: int = 100_000
    pattern: str = ""
    hint: str = "text"

    def check(self, value: Any, ctx: Ctx, key: Key) -> Any:
        if not isinstance(value, str):
            quote = " (put it in quotes)" if isinstance(value, (bool, int, float, dt.date)) else ""
            return ctx.error(key, f"expected {self.hint}, got {ctx.describe(value, key)}{quote}")
        value = value.strip()
        if len(value) < self.min_len:
            return ctx.error(key, "must not be empty")
        if len(value) > self.max_len:
            return ctx.error(key, f"too long ({len(value)} characters, at most {self.max_len})")
        if self.pattern and not re.match(self.pattern, value):
            return ctx.error(key, f"'{show(value, 60)}' is not a valid {self.hint}")
        return value

    def json_schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "string", "minLength": self.min_len, "maxLength": self.max_len}
        if self.pattern:
            out["pattern"] = self.pattern
        return out

    def doc(self) -> str:
        return self.hint


@dataclass(frozen=True)
class CodeStr(Str):
    """Text, or a whole number taken as its digits (a SNOMED CT id written without quotes)."""

    def check(self, value: Any, ctx: Ctx, key: Key) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        return super().check(value, ctx, key)

    def json_schema(self) -> dict[str, Any]:
        return {**super().json_schema(), "type": ["string", "integer"]}


def Slug() -> Str:
    return Str(pattern=SLUG_RE.pattern, hint="slug (lower-case letters, digits and hyphens)", max_len=80)


def is_web_address(value: str) -> bool:
    """An http(s) URL that the standard library can also take apart (host, port): the pattern
    alone lets through ``https://[x/docs`` or ``https://x.org:99999/``, which would make the build fail."""
    if not URL_RE.match(value):
        return False
    try:
        parts = urlsplit(value)
        _port = parts.port  # raises ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        return False
    return bool(parts.hostname)


@dataclass(frozen=True)
class _UrlStr(Str):
    def check(self, value: Any, ctx: Ctx, key: Key) -> Any:
        checked = super().check(value, ctx, key)
        if isinstance(checked, str) and not is_web_address(checked):
            return ctx.error(key, f"'{show(checked, 60)}' is not a valid {self.hint}")
        return checked


def Url() -> Str:
    return _UrlStr(pattern=URL_RE.pattern, hint="web address (http:// or https://)", max_len=2000)


@dataclass(frozen=True)
class Int(FieldType):
    minimum: int = 0
    maximum: int = 10**9

    def check(self, value: Any, ctx: Ctx, key: Key) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            return ctx.error(key, f"expected a whole number, got {ctx.describe(value, key)}")
        if not self.minimum <= value <= self.maximum:
            return ctx.error(key, f"must be between {self.minimum} and {self.maximum}, got {value}")
        return value

    def json_schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}

    def doc(self) -> str:
        return f"whole number ({self.minimum}–{self.maximum})"


@dataclass(frozen=True)
class Bool(FieldType):
    def check(self, value: Any, ctx: Ctx, key: Key) -> Any:
        if not isinstance(value, bool):
            return ctx.error(key, f"expected true or false, got {ctx.describe(value, key)}")
        return value

    def json_schema(self) -> dict[str, Any]:
        return {"type": "boolean"}

    def doc(self) -> str:
        return "true / false"


@dataclass(frozen=True)
class Date(FieldType):
    def check(self, value: Any, ctx: Ctx, key: Key) -> Any:
        if isinstance(value, dt.datetime):
            return ctx.error(key, "expected a date (YYYY-MM-DD) without a time")
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str) and DATE_RE.match(value.strip()):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError as exc:
                return ctx.error(key, f"'{value.strip()}' is not a real date ({exc})")
        hint = date_hint(value) if isinstance(value, str) else ""  # 20/11/2026: write it as 2026-11-20
        return ctx.error(key, f"expected a date (YYYY-MM-DD), got {ctx.describe(value, key)}{hint}")

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}

    def doc(self) -> str:
        return "date (YYYY-MM-DD)"


@dataclass(frozen=True)
class Enum(FieldType):
    values: tuple[str, ...]
    synonyms: tuple[tuple[str, str], ...] = ()  # (what editors may write, the value it means), for hints

    def check(self, value: Any, ctx: Ctx, key: Key) -> Any:
        if not isinstance(value, str) or value not in self.values:
            hint = did_you_mean(value, self.values, dict(self.synonyms)) if isinstance(value, str) else ""
            allowed = ", ".join(self.values)
            return ctx.error(key, f"{ctx.describe(value, key)} is not one of: {allowed}{hint}")
        return value

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.values)}

    def doc(self) -> str:
        return "one of " + ", ".join(f"`{v}`" for v in self.values)


@dataclass(frozen=True)
class Ref(FieldType):
    """A slug naming another page of type ``target``; resolved when the graph is built."""

    target: str

    def check(self, value: Any, ctx: Ctx, key: Key) -> Any:
        return Slug().check(value, ctx, key)

    def json_schema(self) -> dict[str, Any]:
        return Slug().json_schema()

    def doc(self) -> str:
        return f"slug of a {self.target} page"


@dataclass(frozen=True)
class List(FieldType):
    item: FieldType
    min_items: int = 0
    unique: bool = False

    def check(self, value: Any, ctx: Ctx, key: Key) -> Any:
        if isinstance(value, (str, int, float)) and not isinstance(self.item, Obj):
            value = [value]  # a single item is accepted where a list is expected
            ctx.parsed.lines.setdefault((*key, 0), ctx.parsed.line(key))
            written = ctx.parsed.source_text(key)
            if written is not None:
                ctx.parsed.raw.setdefault((*key, 0), written)
        if not isinstance(value, list):
            return ctx.error(key, f"expected a list, got {ctx.describe(value, key)}")
        if len(value) < self.min_items:
            return ctx.error(key, f"needs at least {self.min_items} item(s), got {len(value)}")
        out, seen = [], set()
        for i, item in enumerate(value):
            checked = self.item.check(item, ctx, (*key, i))
            if checked is INVALID:
                continue
            if self.unique and isinstance(checked, str):
                if checked in seen:
                    ctx.error((*key, i), f"'{checked}' is listed twice")
                    continue
                seen.add(checked)
            out.append(checked)
        return out

    def json_schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "array", "items": self.item.json_schema(), "minItems": self.min_items}
        if self.unique:
            out["uniqueItems"] = True
        return out

    def doc(self) -> str:
        return f"list of {self.item.doc()}" + (f" (at least {self.min_items})" if self.min_items else "")


@dataclass(frozen=True)
class Field:
    name: str
    type: FieldType
    required: bool = False
    default: Any = None
    doc: str = ""
    example: Any = None


@dataclass(frozen=True)
class Obj(FieldType):
    fields: tuple[Field, ...]
    hint: str = "mapping"

    def check(self, value: Any, ctx: Ctx, key: Key) -> Any:
        if not isinstance(value, dict):
            return ctx.error(key, f"expected a {self.hint} with keys {', '.join(f.name for f in self.fields)}")
        return validate_fields(value, self.fields, ctx, key)

    def json_schema(self) -> dict[str, Any]:
        return object_schema(self.fields)

    def defaults(self) -> dict[str, Any]:
        """The mapping every sub-field's default makes (a field's default when the key is left out)."""
        return {f.name: f.default() if callable(f.default) else f.default for f in self.fields}

    def doc(self) -> str:
        return f"{self.hint} (" + ", ".join(f.name + ("" if f.required else "?") for f in self.fields) + ")"


@dataclass(frozen=True)
class Map(FieldType):
    """A mapping whose keys the editor chooses (matching ``key_pattern``), each holding a ``value``."""

    value: FieldType
    key_pattern: str
    key_hint: str = "key"

    def check(self, value: Any, ctx: Ctx, key: Key) -> Any:
        if not isinstance(value, dict):
            return ctx.error(key, f"expected a mapping of {self.key_hint} to settings, got {ctx.describe(value, key)}")
        out = {}
        for name, item in value.items():
            if not isinstance(name, str) or not re.match(self.key_pattern, name):
                ctx.error((*key, name), f"'{show(str(name), 60)}' is not a valid {self.key_hint}")
                continue
            checked = self.value.check(item if item is not None else {}, ctx, (*key, name))
            if checked is not INVALID:
                out[name] = checked
        return out

    def json_schema(self) -> dict[str, Any]:
        return {"type": "object", "patternProperties": {self.key_pattern: self.value.json_schema()}, "additionalProperties": False}

    def doc(self) -> str:
        return f"mapping of {self.key_hint} to {self.value.doc()}"


def validate_fields(data: dict[str, Any], fields: Sequence[Field], ctx: Ctx, key: Key = ()) -> dict[str, Any]:
    """Check ``data`` against ``fields``, reporting every problem.

    Always returns a complete mapping (invalid or missing values replaced by defaults) so
    later stages can keep looking for problems; the diagnostics decide whether the build fails.
    """
    by_name = {f.name: f for f in fields}
    out: dict[str, Any] = {}
    for name in data:
        if name not in by_name:
            ctx.error((*key, name), f"unknown key{did_you_mean(str(name), by_name)}")
    for f in fields:
        value = data.get(f.name)
        checked = INVALID
        if value is None:
            if f.required and f.name in data:  # written, but with no value: point at it
                ctx.error((*key, f.name), "must not be empty")
            elif f.required:
                where = f" in {_label(key)}" if key else ""
                ctx.diags.error(ctx.path, ctx.parsed.line(key), f"missing required key '{f.name}'{where}")
        else:
            checked = f.type.check(value, ctx, (*key, f.name))
        if checked is INVALID:
            checked = f.default() if callable(f.default) else f.default
        out[f.name] = checked
    return out


def object_schema(fields: Sequence[Field]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for f in fields:
        props[f.name] = {**f.type.json_schema(), "description": f.doc}
        if f.default not in (None, [], {}) and not callable(f.default):
            props[f.name]["default"] = f.default
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in fields if f.required],
        "properties": props,
    }
