"""The sandbox remembers its attribute verdicts per (type, name) (issue 18: templates ask on
every attribute): the remembered answer is always the sandbox's own, asked in any order."""

from __future__ import annotations

import collections
import sys
import types
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2.sandbox import ImmutableSandboxedEnvironment

from spinesite.render.templates import make_env


def _function() -> None:
    pass


def _generator() -> Any:
    yield 1


async def _coroutine() -> None:
    pass


class _Thing:
    def method(self) -> None:
        pass


def _objects() -> list[Any]:
    coroutine = _coroutine()
    coroutine.close()
    try:
        raise ValueError("x")
    except ValueError as exc:
        traceback = exc.__traceback__
    return [
        _function,
        _Thing().method,
        _Thing,
        _Thing(),
        _generator(),
        coroutine,
        _function.__code__,
        sys._getframe(),
        traceback,
        {},
        [],
        set(),
        collections.deque(),
        collections.OrderedDict(),
        "text",
        1,
        None,
        types.SimpleNamespace(a=1),
        str,
        type,
    ]


NAMES = [
    "mro", "clear", "append", "pop", "update", "keys", "items", "get", "add", "discard", "extend", "insert", "remove",
    "__class__", "__globals__", "__code__", "__subclasses__", "_private", "func_code", "gi_frame", "gi_code", "cr_frame",
    "f_locals", "tb_frame", "im_func", "__self__", "__func__", "upper", "format", "title", "real", "method", "a",
]  # fmt: skip

OBJECTS = _objects()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(OBJECTS) - 1), st.sampled_from(NAMES)), min_size=1, max_size=60))
def test_remembered_verdicts_are_the_sandboxs_own(asks: list[tuple[int, str]]) -> None:
    env, plain = make_env(Path("/nonexistent")), ImmutableSandboxedEnvironment()
    for index, name in asks + asks:  # each asked twice: the second answer comes from memory
        obj = OBJECTS[index]
        assert env.is_safe_attribute(obj, name, None) == plain.is_safe_attribute(obj, name, None), (obj, name)


def test_unsafe_attributes_stay_unsafe_after_safe_ones_of_the_same_name() -> None:
    env = make_env(Path("/nonexistent"))
    assert env.is_safe_attribute({}, "keys", None) and not env.is_safe_attribute({}, "clear", None)
    assert env.is_safe_attribute("text", "upper", None)
    assert not env.is_safe_attribute(_function, "__globals__", None)
    assert not env.is_safe_attribute(_Thing, "mro", None)  # a class: its mro is internal
