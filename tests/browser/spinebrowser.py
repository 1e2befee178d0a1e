"""Headless-Chromium tests of the theme: shared constants and helpers (fixtures are in conftest.py).

Once per test session (per xdist worker) this builds the theme fixture site
(``tests/sites/theme``, one page of every type) and, when it builds, the bundled example
site at the repo root; serves each with a ``ThreadingHTTPServer`` on 127.0.0.1 and a
random port; and launches one Chromium (Debian's, through Playwright's sync API).

Every test here is marked ``browser``. They skip, with the reason, when /usr/bin/chromium,
Playwright or ``tests/browser/node_modules`` (``cd tests/browser && npm ci``) is missing.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
THEME_SITE = ROOT / "tests" / "sites" / "theme"
SITE_NAMES = ("theme", "bundled")

# Page types, recognised by URL path. Every one must exist in the theme fixture site.
_SECTIONS = ("conditions", "stretches", "causes", "treatments", "glossary")
PAGE_TYPES: dict[str, re.Pattern[str]] = {
    "home": re.compile(r"^/$"),
    "condition": re.compile(r"^/conditions/[^/]+/$"),
    "stretch": re.compile(r"^/stretches/[^/]+/$"),
    "cause": re.compile(r"^/causes/[^/]+/$"),
    "treatment": re.compile(r"^/treatments/[^/]+/$"),
    "glossary-term": re.compile(r"^/glossary/[^/]+/$"),
    "free-page": re.compile(r"^/(?!(?:conditions|stretches|causes|treatments|glossary|levels|handouts|search)/)[^/]+/$"),
    **{f"{kind}-index": re.compile(rf"^/{kind}/$") for kind in _SECTIONS},
    "level": re.compile(r"^/levels/[^/]+/$"),
    "handout": re.compile(r"^/handouts/[^/]+/$"),
    "search": re.compile(r"^/search/$"),
    "404": re.compile(r"^/404\.html$"),
}
# Pages picked for a type by preference (the richest page of the theme fixture).
PREFERRED = {"condition": "/conditions/sciatica/", "stretch": "/stretches/bridge/", "handout": "/handouts/sciatica/"}


def have_tools() -> str:
    """Why the browser tests cannot run here, or '' when they can."""
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    if not AXE_JS.is_file() or not VNU_JAR.is_file():
        return f"{NODE_MODULES} is missing (cd tests/browser && npm ci)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    return ""


@dataclass
class BuiltSite:
    """A built site, served over HTTP on 127.0.0.1."""

    name: str
    out: Path
    base: str = ""  # http://127.0.0.1:PORT
    pages: list[str] = field(default_factory=list)  # URL paths of every HTML page

    def url(self, path: str) -> str:
        return self.base + path

    def of_type(self, page_type: str) -> str | None:
        """The URL path of one page of ``page_type`` (the preferred one when present)."""
        matches = [p for p in self.pages if PAGE_TYPES[page_type].match(p)]
        if PREFERRED.get(page_type) in matches:
            return PREFERRED[page_type]
        return matches[0] if matches else None

    def html_files(self) -> list[Path]:
        return sorted(self.out.rglob("*.html"))


def url_path(out: Path, file: Path) -> str:
    rel = file.relative_to(out).as_posix()
    if rel == "index.html":
        return "/"
    if rel.endswith("/index.html"):
        return "/" + rel[: -len("index.html")]
    return "/" + rel


def build_site(site: Path, out: Path) -> tuple[bool, str]:
    """Build with the real command line; returns (ok, output)."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH", "")]))
    proc = subprocess.run(
        [sys.executable, "-m", "spinesite", "build", str(site), "-o", str(out), "-q"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    return proc.returncode == 0, (proc.stdout + proc.stderr).strip()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm", ".js": "text/javascript"}

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve(out: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(out)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name=f"serve-{out.name}", daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def get_site(sites: dict[str, BuiltSite | str], name: str) -> BuiltSite:
    site = sites[name]
    if isinstance(site, str):
        pytest.skip(site)
    return site


def focus_ring(page: Any) -> dict[str, Any]:
    """The focused element and whether it shows a visible focus indicator."""
    return dict(
        page.evaluate(
            """() => {
              const el = document.activeElement;
              if (!el || el === document.body) return {tag: null, visible: false};
              const s = getComputedStyle(el);
              const transparent = (c) => c === 'transparent' || /rgba\\([^)]*,\\s*0\\)$/.test(c);
              const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && !transparent(s.outlineColor);
              const shadow = s.boxShadow !== 'none' && s.boxShadow !== '';
              const r = el.getBoundingClientRect();
              return {
                tag: el.tagName.toLowerCase(), cls: el.getAttribute('class') || '', href: el.getAttribute('href'),
                text: (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 60),
                inMap: !!el.closest('svg.spine-map'), outline, shadow, visible: (outline || shadow) && r.width > 0 && r.height > 0,
              };
            }"""
        )
    )
