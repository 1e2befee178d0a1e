"""Headless-Chromium tests of the theme: fixtures.

Once per test session (per xdist worker) this builds the theme fixture site
(``tests/sites/theme``, one page of every type) and, when it builds, the bundled example
site at the repo root; serves each with a ``ThreadingHTTPServer`` on 127.0.0.1 and a
random port; and launches one Chromium (Debian's, through Playwright's sync API).

Every test here is marked ``browser``. They skip, with the reason, when /usr/bin/chromium,
Playwright or ``tests/browser/node_modules`` (``cd tests/browser && npm ci``) is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from spinebrowser import AXE_JS, CHROMIUM, CHROMIUM_ARGS, HERE, ROOT, SCREENSHOTS, THEME_SITE, BuiltSite, build_site, have_tools, serve, url_path


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = have_tools()
    for item in items:
        if Path(item.path).resolve().is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, BuiltSite | str]]:
    """Site name → BuiltSite, or → the reason it could not be built."""
    if have_tools():
        pytest.skip(have_tools())
    out: dict[str, BuiltSite | str] = {}
    servers = []
    for name, source in (("theme", THEME_SITE), ("bundled", ROOT)):
        dest = tmp_path_factory.mktemp(f"site-{name}") / "out"
        ok, log = build_site(source, dest)
        if not ok:
            out[name] = f"the {name} site does not build: " + " | ".join(log.splitlines()[:5])
            continue
        server, base = serve(dest)
        servers.append(server)
        pages = sorted(url_path(dest, f) for f in dest.rglob("*.html"))
        out[name] = BuiltSite(name, dest, base, pages)
    if not isinstance(out["theme"], BuiltSite):
        pytest.fail(str(out["theme"]))  # the fixture site is ours: it must always build
    yield out
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium, once per test module: Playwright's sync API allows one driver at a time per
    process, and other modules here (the search tests) start their own."""
    if have_tools():
        pytest.skip(have_tools())
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


