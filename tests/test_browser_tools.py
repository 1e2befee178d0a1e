"""The browser tests' skip reason names everything that is missing, all at once (no Chromium needed:
this file lives outside tests/browser so it is never marked ``browser`` or skipped)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

if str(Path(__file__).resolve().parent / "browser") not in sys.path:  # as tests/browser/conftest.py does
    sys.path.append(str(Path(__file__).resolve().parent / "browser"))

import spinebrowser

NPM = "run `cd tests/browser && npm ci`"
CHROMIUM = "{tmp}/chromium (apt-get install chromium)"
JAVA = "java (for vnu.jar)"
PLAYWRIGHT = "the playwright Python package (run `pip install -e '.[test]'`)"


def machine(monkeypatch: pytest.MonkeyPatch, tmp: Path, have: set[str]) -> None:
    """Pretend that only the tools named in ``have`` are installed."""
    for name, attr in (("chromium", "CHROMIUM"), ("axe-core", "AXE_JS"), ("vnu-jar", "VNU_JAR")):
        path = tmp / name
        if name in have:
            path.write_text("")
        monkeypatch.setattr(spinebrowser, attr, path)
    monkeypatch.setattr(shutil, "which", lambda cmd: f"/usr/bin/{cmd}" if cmd in have else None)
    monkeypatch.setattr(spinebrowser, "importable", lambda module: module.split(".")[0] in have)


EVERYTHING = {"chromium", "java", "axe-core", "vnu-jar", "playwright"}


@pytest.mark.parametrize(
    ("have", "missing"),
    [
        (EVERYTHING, []),
        (set(), [CHROMIUM, JAVA, f"npm packages axe-core and vnu-jar in tests/browser/node_modules ({NPM})", PLAYWRIGHT]),
        (EVERYTHING - {"chromium", "java"}, [CHROMIUM, JAVA]),
        (EVERYTHING - {"vnu-jar", "playwright"}, [f"npm packages vnu-jar in tests/browser/node_modules ({NPM})", PLAYWRIGHT]),
        (EVERYTHING - {"axe-core"}, [f"npm packages axe-core in tests/browser/node_modules ({NPM})"]),
    ],
    ids=["all-here", "nothing-here", "no-chromium-no-java", "no-vnu-no-playwright", "no-axe"],
)
def test_missing_tools_names_all_of_them(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, have: set[str], missing: list[str]) -> None:
    machine(monkeypatch, tmp_path, have)
    expected = [m.format(tmp=tmp_path) for m in missing]
    assert spinebrowser.missing_tools() == expected
    reason = "browser tests skipped: missing " + ", ".join(expected) if expected else ""
    assert spinebrowser.have_tools(needs_java=True) == reason
    assert spinebrowser.have_tools() == reason


def test_only_the_html_checker_needs_java(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    machine(monkeypatch, tmp_path, EVERYTHING - {"java"})
    assert spinebrowser.missing_tools() == [JAVA]
    assert spinebrowser.have_tools() == ""  # the Chromium tests run
    assert spinebrowser.have_tools(needs_java=True) == "browser tests skipped: missing java (for vnu.jar)"


def test_importable() -> None:
    assert spinebrowser.importable("json.decoder")
    assert not spinebrowser.importable("no_such_package_here.sub")
