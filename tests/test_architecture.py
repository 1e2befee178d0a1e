"""The folder tree shows the pipeline: each stage package may import only the shared base and
the stages before it (imports under ``TYPE_CHECKING`` are annotations, not dependencies), each
package says in its docstring what it owns and may import, and modules stay small."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "spinesite"

# Floors, bottom up: a module may import from its own floor and the floors below it.
FLOORS = {
    "": 0,  # the shared base: diagnostics, hints, console, parallel, safefiles, siteurls, clock, buildresult
    "content": 1,  # reading content: YAML, fields, schema, content types, config, loader, validate, graph
    "render": 2,  # Markdown, templates, JSON-LD, generated pages
    "output": 3,  # transactional output, safety scan, search index
    "incremental": 4,  # what a build can skip, and its store
    "checks": 5,  # content and output checks, readability, external links
    "authoring": 6,  # new, init, schema
    "build": 7,  # the pipeline
    "pagework": 7,  # its per-page work on the worker pool
    "serve": 8,  # the preview server (runs the pipeline in memory)
    "cli": 9,
    "__main__": 9,
}


def _module(path: Path) -> str:
    return ".".join(path.relative_to(PKG.parent).with_suffix("").parts).removesuffix(".__init__")


def _floor(module: str) -> int:
    """Floor of ``spinesite.x[.y]``: its package's, or its own for the top-level stage modules."""
    parts = module.split(".")
    if len(parts) == 1:
        return 0
    if parts[1] in FLOORS:
        return FLOORS[parts[1]]
    assert (PKG / f"{parts[1]}.py").is_file(), f"{module}: not a module of the package"
    return 0


def _runtime_imports(path: Path, package: str) -> list[tuple[int, str]]:
    """(line, absolute module) of every import of spinesite not under ``if TYPE_CHECKING:``
    in the module ``path`` of ``package``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_only |= {id(n) for n in ast.walk(node)}
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base) if node.level else (node.module or "")
            if module == "spinesite":  # from spinesite import x: x is a module
                found += [(node.lineno, f"spinesite.{a.name}") for a in node.names]
            elif module.startswith("spinesite."):
                found.append((node.lineno, module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("spinesite.")]
    return found


SOURCES = sorted(PKG.rglob("*.py"))


def _later_stages(path: Path, module: str) -> list[str]:
    """The imports of ``module`` (its source at ``path``) from a floor above its own."""
    mine = FLOORS.get(module.split(".")[1], 0) if module.count(".") == 1 else _floor(module)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    return [
        f"line {line}: {name}"
        for line, name in _runtime_imports(path, package)
        if (FLOORS.get(name.split(".")[1], 0) if name.count(".") == 1 else _floor(name)) > mine
    ]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(PKG).as_posix())
def test_no_import_from_a_later_stage(path: Path) -> None:
    assert _later_stages(path, _module(path)) == [], f"{path.relative_to(PKG)} imports a later stage"


def test_every_module_has_a_floor_and_every_stage_a_docstring() -> None:
    packages = sorted(p.parent.name for p in PKG.glob("*/__init__.py"))
    assert packages == sorted(k for k in FLOORS if k and not (PKG / f"{k}.py").is_file())
    for name in packages:
        doc = ast.get_docstring(ast.parse((PKG / name / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "may import" in doc.casefold(), f"{name}/__init__.py: say what the stage owns and may import"


def test_the_floor_check_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from spinesite.build import build\n"
        "from spinesite.serve import server\nfrom ..render import markdown\nfrom .loader import load_file\nfrom spinesite import diagnostics\n"
    )
    assert _later_stages(bad, "spinesite.content.bad") == ["line 4: spinesite.serve", "line 5: spinesite.render"]
    assert _later_stages(bad, "spinesite.cli") == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(PKG).as_posix())
def test_modules_stay_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 450, f"{path.relative_to(PKG)} has {lines} lines: split it by what it does"
