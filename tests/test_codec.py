"""Cache values are walked with a budget of one node per byte read: CBOR's shared values
(tags 28/29) cannot make a small entry decode into a huge or cyclic value that a check would
walk for ever. Shared values are not refused by their bytes: an integer's bytes (a file's mtime)
can look like a sharing tag."""

from __future__ import annotations

import datetime as dt

import cbor2
import pytest

from spinesite.incremental import codec


def test_a_small_entry_that_unfolds_into_a_huge_value_is_refused() -> None:
    value: list[object] = ["x"]
    for _ in range(40):  # 2**40 nodes once unfolded
        value = [value, value]
    data = cbor2.dumps(value, value_sharing=True)
    assert len(data) < 1000
    with pytest.raises(codec.BadValue, match="too many nodes"):
        codec.check_plain(codec.loads(data), len(data) + 1)


def test_integers_whose_bytes_look_like_a_sharing_tag_read_back() -> None:
    value = {"mtime": int.from_bytes(b"\x17\xd8\x1c\xd8\x1d\x00\x01\x02", "big"), "n": 0xD81C}
    data = codec.dumps(value)
    assert b"\xd8\x1c" in data
    assert codec.check_plain(codec.loads(data), len(data) + 1) == value


def test_plain_values_read_back() -> None:
    value = {"title": "Bridge", "when": dt.date(2026, 11, 1), "items": [1, "two", None, True]}
    data = codec.dumps(value)
    assert codec.check_plain(codec.loads(data), len(data) + 1) == value
