"""Cache values as plain data: CBOR (``cbor2``) of text, numbers, dates, lists and maps.

Nothing here can build an object of a class the bytes choose: values are decoded by cbor2's
standard decoder with no tag hook and no object hook, and every decoded value is then
checked against the shape its reader expects before it is used. Our few dataclasses
(:class:`Diagnostic`) go through explicit to-plain / from-plain functions. Anything
unexpected (bytes that are not CBOR, a value of the wrong shape, a type that is not plain
data) raises :class:`BadValue`, and the caller treats the entry as missing.

:func:`check_plain` walks free-form values (validated front matter, a table of contents)
with a budget of one node per byte read, so shared references (CBOR tags 28/29) cannot
make a small value cost a long walk, nor a cycle an endless one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import cbor2

from spinesite.diagnostics import Diagnostic

T = TypeVar("T")
_LEAVES = (str, int, float, bool, type(None), dt.date, dt.datetime)


class BadValue(ValueError):
    """A cached value that is not what its reader expects: treated as missing."""


def dumps(value: Any) -> bytes:
    """CBOR of a plain value (tuples are written as arrays, read back as lists)."""
    return cbor2.dumps(value)


def loads(data: bytes) -> Any:
    """The value in ``data`` (shape still to be checked by the caller), or :class:`BadValue`."""
    try:
        return cbor2.loads(data)
    except Exception as exc:  # cbor2 raises several kinds for bad input (CBORDecodeError, EOFError, RecursionError...)
        raise BadValue(f"not CBOR: {exc}") from exc


def check_plain(value: Any, budget: int) -> Any:
    """``value`` if it is only text, numbers, dates, lists and text-keyed maps (at most
    ``budget`` nodes), else :class:`BadValue`."""
    left = budget
    stack = [value]
    while stack:
        item = stack.pop()
        left -= 1
        if left < 0:
            raise BadValue("too many nodes (shared or cyclic references)")
        kind = type(item)
        if kind is list:
            stack.extend(item)
        elif kind is dict:
            for key, sub in item.items():
                if type(key) is not str:
                    raise BadValue("a map key that is not text")
                stack.append(sub)
        elif kind not in _LEAVES:
            raise BadValue(f"not plain data: {kind.__name__}")
    return value


def expect(value: Any, kind: type[T]) -> T:
    """``value`` if it is exactly of type ``kind`` (``True`` is not an int here), else :class:`BadValue`."""
    if type(value) is not kind:
        raise BadValue(f"expected {kind.__name__}, got {type(value).__name__}")
    return value  # type: ignore[no-any-return]


def text_map(value: Any, item: Callable[[Any], T]) -> dict[str, T]:
    """A map with text keys, each value read by ``item``."""
    return {expect(k, str): item(v) for k, v in expect(value, dict).items()}


def texts(value: Any) -> list[str]:
    return [expect(v, str) for v in expect(value, list)]


def ints(value: Any, n: int) -> tuple[int, ...]:
    """A tuple of ``n`` integers (written as an array)."""
    if type(value) is not list or len(value) != n:
        raise BadValue(f"expected {n} integers")
    for v in value:
        if type(v) is not int:
            raise BadValue(f"expected {n} integers")
    return tuple(value)


def diagnostic_to_plain(d: Diagnostic) -> list[Any]:
    return [d.path, d.line, d.message, d.level, d.code]


def diagnostic_from_plain(value: Any) -> Diagnostic:
    items = expect(value, list)
    if len(items) != 5:
        raise BadValue("a diagnostic has five parts")
    path, line, message, level, code = items
    if level not in ("error", "warning"):
        raise BadValue("a diagnostic is an error or a warning")
    if type(line) is int and line < 0:
        raise BadValue("a diagnostic's line is 0 (the whole file) or more")
    return Diagnostic(expect(path, str), expect(line, int), expect(message, str), level, expect(code, str))


def diagnostics_from_plain(value: Any) -> list[Diagnostic]:
    return [diagnostic_from_plain(v) for v in expect(value, list)]


def validated_to_plain(entry: tuple[dict[str, Any], list[Diagnostic]]) -> list[Any]:
    """A file's validated front matter and its diagnostics (``validate.validate_pages``)."""
    data, found = entry
    return [data, [diagnostic_to_plain(d) for d in found]]


def validated_from_plain(value: Any, budget: int) -> tuple[dict[str, Any], list[Diagnostic]]:
    items = expect(value, list)
    if len(items) != 2:
        raise BadValue("a validated entry has two parts")
    return check_plain(expect(items[0], dict), budget), diagnostics_from_plain(items[1])  # then its fields by .fieldshapes


def rendered_to_plain(entry: tuple[str, list[dict[str, Any]], dict[str, Any]]) -> list[Any]:
    """A page's rendered Markdown: (html, table of contents, Markdown fields' html)."""
    return list(entry)


def rendered_from_plain(value: Any, budget: int) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    items = expect(value, list)
    if len(items) != 3:
        raise BadValue("a rendered entry has three parts")
    html, toc, fields_html = items
    return expect(html, str), _toc(toc), text_map(fields_html, _field_html)


def _toc(value: Any) -> list[dict[str, str]]:
    """A table of contents: ``{"id": text, "name": text}`` per heading (``markdown.Renderer.render_page``)."""
    for entry in expect(value, list):
        if type(entry) is not dict or entry.keys() != {"id", "name"} or type(entry["id"]) is not str or type(entry["name"]) is not str:
            raise BadValue("not a table of contents")
    return value  # type: ignore[no-any-return]


def _field_html(value: Any) -> str | list[str]:
    """A Markdown field's html: text, or a list of texts (one per FAQ answer)."""
    return expect(value, str) if type(value) is not list else texts(value)


def markdown_to_plain(entry: tuple[Any, ...]) -> list[Any]:
    """What the build keeps per Markdown key: (html, toc, fields_html) or three Nones when the
    rendered Markdown is in the store, then the pages it links to and its diagnostics."""
    html, toc, fields_html, linked, found = entry
    return [html, toc, fields_html, list(linked), [diagnostic_to_plain(d) for d in found]]


def markdown_from_plain(value: Any, budget: int) -> tuple[Any, ...]:
    items = expect(value, list)
    if len(items) != 5:
        raise BadValue("a Markdown entry has five parts")
    html, toc, fields_html, linked, found = items
    if html is None:
        if toc is not None or fields_html is not None:
            raise BadValue("a stored Markdown entry has no table of contents here")
    else:
        html, toc, fields_html = rendered_from_plain([html, toc, fields_html], budget)
    return html, toc, fields_html, texts(linked), diagnostics_from_plain(found)
