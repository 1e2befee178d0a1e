"""Is a cached value of validated front matter one that validation can have produced?

``fields.validate_fields`` returns, for every field of a content type, either what the
field's type makes of a good value (a :class:`~spinesite.fields.Str` gives text, a
:class:`~spinesite.fields.Date` a date, a :class:`~spinesite.fields.List` a list of its
items' values, an :class:`~spinesite.fields.Obj` a map of every sub-field) or the field's
default. :func:`check_fields` checks exactly that, by type (and the cheap limits: an
:class:`~spinesite.fields.Enum`'s values, an :class:`~spinesite.fields.Int`'s range), never
by running validation again: a forged entry of the right shape but the wrong types is then
a miss, not a traceback or a changed page. One pass over the value, no regular expressions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from spinesite.content.fields import Bool, Date, Enum, Field, FieldType, Int, List, Obj, Ref, Str
from spinesite.incremental.codec import BadValue

KNOWN_TYPES = (Str, Int, Bool, Date, Enum, Ref, List, Obj)  # every FieldType subclass (tests/test_cache_data.py checks)


def check_fields(data: dict[str, Any], fields: Sequence[Field]) -> None:
    """Raise :class:`BadValue` unless ``data`` holds every field of ``fields`` (no other), each
    either of its type's shape or the field's default."""
    if len(data) != len(fields):
        raise BadValue("not the fields of its content type")
    for f in fields:
        if f.name not in data:
            raise BadValue("not the fields of its content type")
        value = data[f.name]
        if not _fits(value, f.type) and not _is_default(value, f):
            raise BadValue(f"{f.name}: not what a {type(f.type).__name__} field holds")


def _is_default(value: Any, f: Field) -> bool:
    default = f.default() if callable(f.default) else f.default
    return type(value) is type(default) and value == default


def _fits(value: Any, kind: FieldType) -> bool:
    """True when ``value`` has the shape ``kind.check`` returns for a good value."""
    if isinstance(kind, Str):  # Slug, Url and Ref's slugs too
        return type(value) is str
    if isinstance(kind, Enum):
        return type(value) is str and value in kind.values
    if isinstance(kind, Ref):
        return type(value) is str
    if isinstance(kind, Int):
        return type(value) is int and kind.minimum <= value <= kind.maximum
    if isinstance(kind, Bool):
        return type(value) is bool
    if isinstance(kind, Date):
        return type(value) is dt.date  # a datetime is refused by Date.check
    if isinstance(kind, List):
        return type(value) is list and all(_fits(item, kind.item) for item in value)
    if isinstance(kind, Obj):
        if type(value) is not dict:
            return False
        try:
            check_fields(value, kind.fields)
        except BadValue:
            return False
        return True
    return False  # a field type this module does not know: never trusted from the cache
