"""The typed, frozen Config: one attribute per declared setting, each default written once (in FIELDS)."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import pytest

from spinesite.content.config import FIELDS, CareCard, Checks, Config, Language, Limits, Reviewer, load_config
from spinesite.content.fields import Obj
from spinesite.diagnostics import Diagnostics


def _names(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


def test_config_attributes_are_the_declared_settings() -> None:
    assert _names(Config) == [f.name for f in FIELDS]
    by_name = {f.name: f for f in FIELDS}
    for name, cls in (("limits", Limits), ("checks", Checks)):
        obj = by_name[name].type
        assert isinstance(obj, Obj)
        assert _names(cls) == [f.name for f in obj.fields]
    care = by_name["care_cards"].type.item  # type: ignore[attr-defined]
    assert _names(CareCard) == [f.name for f in care.fields]
    reviewer = by_name["reviewers"].type.item  # type: ignore[attr-defined]
    assert _names(Reviewer) == [f.name for f in reviewer.fields]
    language = by_name["languages"].type.value  # type: ignore[attr-defined]
    assert _names(Language) == ["code", *(f.name for f in language.fields)]


def test_a_minimal_config_takes_every_default(tmp_path: Path) -> None:
    (tmp_path / "spinesite.yaml").write_text("title: T\nbase_url: https://example.org/x\n", encoding="utf-8")
    diags = Diagnostics()
    config = load_config(tmp_path, diags)
    assert not diags.items
    assert config.base == "https://example.org/x/"
    assert config.limits == Limits(max_file_kb=1024, markdown_seconds=10)
    assert config.checks.reading_grade == 8 and config.checks.orphans is True
    assert config.care_cards == () and config.reviewers == ()
    assert config.language == "en-GB" and config.search is True
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.title = "other"  # type: ignore[misc]


def test_a_partial_nested_setting_keeps_the_other_defaults(tmp_path: Path) -> None:
    (tmp_path / "spinesite.yaml").write_text(
        "title: T\nbase_url: https://example.org/\nchecks:\n  reading_grade: 10\n"
        "care_cards:\n  - level: urgent\n    heading: H\n    items: [a, b]\n"
        "reviewers:\n  - name: Dr A\n    qualification: Q\n",
        encoding="utf-8",
    )
    diags = Diagnostics()
    config = load_config(tmp_path, diags)
    assert not diags.items
    assert config.checks == dataclasses.replace(config.checks, reading_grade=10)
    assert config.checks.review_warn_days == 90
    assert config.care_cards == (CareCard("urgent", "H", ("a", "b"), None, ()),)
    assert config.reviewers == (Reviewer("Dr A", "Q", ""),)


def test_the_config_module_has_no_any_typed_attribute() -> None:
    hints = typing.get_type_hints(Config)
    assert all(hint is not typing.Any for hint in hints.values())
