"""``spinesite schema``, the generated reference docs, and the publishing workflow."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from spinesite.authoring.schemadoc import (
    CONFIG_BEGIN,
    CONFIG_END,
    EDITOR_DRAFT,
    config_markdown,
    front_matter_markdown,
    replace_config_section,
    schema_files,
)
from spinesite.content.config import FIELDS as CONFIG_FIELDS
from spinesite.content.contenttypes import TYPES as CONTENT_TYPES
from spinesite.content.fields import Enum, List
from spinesite.content.yamlnodes import parse

SCHEMAS = {t.folder: t.fields for t in CONTENT_TYPES}
TYPES = tuple(SCHEMAS)
DOCS = ROOT / "docs"


def test_writes_one_schema_per_type_and_one_for_the_config(tmp_path: Path, make_site, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    site = make_site(tmp_path)
    code, out, err = run_cli(capsys, "schema", site)
    assert (code, out) == (0, "")
    assert err == f"Wrote 13 JSON Schemas to {site / 'schemas'}/ (editor set-up: docs/editing.md).\n"
    names = sorted(p.name for p in (site / "schemas").iterdir())
    translations = [f"{kind}.translation.schema.json" for kind in TYPES]
    assert names == sorted([f"{kind}.schema.json" for kind in TYPES] + translations + ["spinesite.schema.json"])
    stretch = json.loads((site / "schemas" / "stretches.translation.schema.json").read_text(encoding="utf-8"))
    assert stretch["required"] == ["title", "summary", "translated_from", "translated_by"]
    assert stretch["properties"]["illustration"]["properties"].keys() == {"alt"}  # its image comes from the source
    assert "hold_seconds" not in stretch["properties"] and stretch["additionalProperties"] is False
    for kind in TYPES:
        schema = json.loads((site / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8"))
        assert schema["$schema"] == EDITOR_DRAFT
        assert list(schema["properties"]) == [f.name for f in SCHEMAS[kind]]  # declaration order, for completion
        assert schema["required"] == [f.name for f in SCHEMAS[kind] if f.required]
        assert schema["additionalProperties"] is False
        for f in SCHEMAS[kind]:
            assert schema["properties"][f.name]["description"] == f.doc
            if isinstance(f.type, Enum):
                assert schema["properties"][f.name]["enum"] == list(f.type.values)
            if isinstance(f.type, List) and isinstance(f.type.item, Enum):
                assert schema["properties"][f.name]["items"]["enum"] == list(f.type.item.values)
    config = json.loads((site / "schemas" / "spinesite.schema.json").read_text(encoding="utf-8"))
    assert config["required"] == ["title", "base_url"]
    assert list(config["properties"]) == [f.name for f in CONFIG_FIELDS]


def test_output_folder_option_and_rewrites(tmp_path: Path, make_site, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    site = make_site(tmp_path)
    out = tmp_path / "editor" / "schemas"
    assert run_cli(capsys, "-q", "schema", site, "-o", out)[0] == 0
    (out / "pages.schema.json").write_text("stale", encoding="utf-8")
    assert run_cli(capsys, "schema", site, "--output", out)[0] == 0
    assert json.loads((out / "pages.schema.json").read_text(encoding="utf-8")) == schema_files()["pages.schema.json"]


def test_refuses_to_write_into_content(tmp_path: Path, make_site, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    site = make_site(tmp_path)
    code, _, err = run_cli(capsys, "schema", site, "-o", site / "content" / "schemas")
    assert code == 2 and "is inside the content folder" in err
    assert not (site / "content" / "schemas").exists()


def test_schemas_accept_the_bundled_content_keys() -> None:
    """Every key used in the bundled site's front matter is one the editor schema knows."""
    known = {kind: set(schema_files()[f"{kind}.schema.json"]["properties"]) for kind in TYPES}
    translated = {kind: set(schema_files()[f"{kind}.translation.schema.json"]["properties"]) for kind in TYPES}
    for kind in TYPES:
        for path in sorted((ROOT / "content" / kind).glob("*.md")):
            front = path.read_text(encoding="utf-8").split("\n---\n", 1)[0].removeprefix("---\n")
            value = parse(front).value
            assert isinstance(value, dict)
            assert set(value) <= (translated if "." in path.stem else known)[kind], path


def test_markdown_flag_prints_the_reference(tmp_path: Path, make_site, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    site = make_site(tmp_path)
    code, out, _ = run_cli(capsys, "schema", site, "--markdown")
    assert code == 0 and out == front_matter_markdown()
    assert not (site / "schemas").exists()


def test_front_matter_doc_is_current() -> None:
    """docs/front-matter.md is generated: run `python -m spinesite.authoring.schemadoc --write docs` after changing schema.py."""
    assert (DOCS / "front-matter.md").read_text(encoding="utf-8") == front_matter_markdown()


def test_site_owners_config_table_is_current() -> None:
    """The spinesite.yaml table in docs/site-owners.md is generated from config.py (same command)."""
    text = (DOCS / "site-owners.md").read_text(encoding="utf-8")
    assert config_markdown() in text
    assert replace_config_section(text) == text


def test_reference_lists_every_key_and_value() -> None:
    doc = front_matter_markdown()
    for kind in TYPES:
        assert f"## {kind.capitalize()}" in doc
        for f in SCHEMAS[kind]:
            assert f"| `{f.name}` |" in doc
    assert "L5-S1" in doc and "not-recommended" in doc
    assert CONFIG_BEGIN in config_markdown() and CONFIG_END in config_markdown()


def test_workflow_checks_builds_and_deploys() -> None:
    workflow = parse((ROOT / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8")).value
    steps = workflow["jobs"]["build"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    uses = [s.get("uses", "") for s in steps] + [s.get("uses", "") for s in workflow["jobs"]["deploy"]["steps"]]
    assert any(u.startswith("actions/checkout@") for u in uses)
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert [s["with"]["python-version"] for s in steps if s.get("uses", "").startswith("actions/setup-python@")] == ["3.11"]
    assert "pip install ." in runs
    assert runs.index("spinesite check --format github") < runs.index("spinesite build --strict")
    assert "SOURCE_DATE_EPOCH" in runs
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    assert workflow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert workflow["permissions"] == {"contents": "read"}
