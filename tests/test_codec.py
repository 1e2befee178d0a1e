"""Cache values are trees of plain data: CBOR's shared values (tags 28/29), which could make a
small entry decode into a huge or cyclic value, are refused in every form their head can take."""

from __future__ import annotations

import cbor2
import pytest

from spinesite.incremental import codec


def test_shared_values_are_refused() -> None:
    inner = ["x"] * 3
    shared = cbor2.dumps([inner, inner, inner], value_sharing=True)
    assert cbor2.loads(shared) == [inner] * 3  # cbor2 itself would accept it
    with pytest.raises(codec.BadValue, match="shared"):
        codec.loads(shared)


@pytest.mark.parametrize("tag", [28, 29])
@pytest.mark.parametrize("head", [[0xD8], [0xD9, 0], [0xDA, 0, 0, 0], [0xDB, 0, 0, 0, 0, 0, 0, 0]])
def test_every_head_of_a_sharing_tag_is_refused(tag: int, head: list[int]) -> None:
    with pytest.raises(codec.BadValue):
        codec.loads(bytes([*head, tag, 0x01]))


def test_plain_values_read_back() -> None:
    import datetime as dt

    value = {"title": "Bridge", "when": dt.date(2026, 11, 1), "items": [1, "two", None, True]}
    assert codec.loads(codec.dumps(value)) == value
