"""Headless-Chromium tests of the theme: fixtures.

Once per test session (per xdist worker) this builds the theme fixture site
(``tests/sites/theme``, one page of every type) and, when it builds, the bundled example
site at the repo root; serves each with a ``ThreadingHTTPServer`` on 127.0.0.1 and a
random port; and launches one Chromium (Debian's, through Playwright's sync API).

Every test here is marked ``browser``. They skip when /usr/bin/chromium, Playwright or the npm
packages in ``tests/browser/node_modules`` (``cd tests/browser && npm ci``) are missing, and
test_validity.py also when java is; the reason names everything that is missing at once
(``spinebrowser.missing_tools``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# This folder is a package (tests/browser/__init__.py) so that this conftest is imported as
# browser.conftest and `from conftest import ...` in tests/ keeps finding tests/conftest.py.
# Its helpers are imported under the one name `spinebrowser`, by this file and the tests.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from spinebrowser import AXE_JS, CHROMIUM, CHROMIUM_ARGS, HERE, ROOT, SCREENSHOTS, THEME_SITE, BuiltSite, Sites, get_site, have_tools


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = have_tools()
    for item in items:
        if Path(item.path).resolve().is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    """The theme fixture site and the bundled site, each built and served on first use."""
    if reason := have_tools():
        pytest.skip(reason)
    registry = Sites({"theme": THEME_SITE, "bundled": ROOT}, tmp_path_factory.mktemp("sites"))
    yield registry
    registry.close()


@pytest.fixture(scope="module")
def bundled(sites: Sites) -> BuiltSite:
    """The bundled example site, built and served (some test files add checks of their own)."""
    return get_site(sites, "bundled")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium per session (per xdist worker). Playwright's sync API allows one driver
    per process at a time, so every browser test shares this one: do not start another."""
    if reason := have_tools():
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
