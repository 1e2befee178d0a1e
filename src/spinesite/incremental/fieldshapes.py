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
from collections.abc import Callable, Sequence
from typing import Any

from spinesite.content.fields import Bool, Date, Enum, Field, FieldType, Int, List, Obj, Ref, Str
from spinesite.incremental.codec import BadValue

KNOWN_TYPES = (Str, Int, Bool, Date, Enum, Ref, List, Obj)  # every FieldType subclass (tests/test_cache_data.py checks)


Check = Callable[[Any], bool]


def check_fields(data: dict[str, Any], fields: Sequence[Field]) -> None:
    """Raise :class:`BadValue` unless ``data`` holds every field of ``fields`` (no other), each
    either of its type's shape or the field's default."""
    if not fields_checker(tuple(fields))(data):
        raise BadValue("not the fields of its content type, or a value of the wrong type")


def fields_checker(fields: tuple[Field, ...]) -> Check:
    """A function telling whether a mapping holds every field of ``fields`` (no other), each of
    its type's shape or the field's default. Made once per content type: the checks are closures,
    so a cached entry costs one call per value, not a walk through the field types."""
    names = frozenset(f.name for f in fields)
    checks = tuple((f.name, _checker(f.type), _default(f)) for f in fields)

    def check(data: Any) -> bool:
        if type(data) is not dict or data.keys() != names:
            return False
        for name, fits, default in checks:
            value = data[name]
            if not fits(value) and not (type(value) is type(default) and value == default):
                return False
        return True

    return check


def _default(f: Field) -> Any:
    return f.default() if callable(f.default) else f.default


def _checker(kind: FieldType) -> Check:
    """A function telling whether a value has the shape ``kind.check`` returns for a good value."""
    if isinstance(kind, Enum):
        values = frozenset(kind.values)
        return lambda value: type(value) is str and value in values
    if isinstance(kind, Str | Ref):  # Slug and Url too
        return lambda value: type(value) is str
    if isinstance(kind, Int):
        low, high = kind.minimum, kind.maximum
        return lambda value: type(value) is int and low <= value <= high
    if isinstance(kind, Bool):
        return lambda value: type(value) is bool
    if isinstance(kind, Date):
        return lambda value: type(value) is dt.date  # a datetime is refused by Date.check
    if isinstance(kind, List):
        item = _checker(kind.item)
        return lambda value: type(value) is list and all(map(item, value))
    if isinstance(kind, Obj):
        return fields_checker(kind.fields)
    return lambda value: False  # a field type this module does not know: never trusted from the cache
