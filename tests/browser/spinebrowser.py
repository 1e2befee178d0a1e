"""Headless-Chromium tests of the theme: shared constants and helpers. The fixtures that use
them (``sites``, ``browser``, ``axe_source``, ``screenshots_dir``) are in conftest.py.

- ``Sites``: the theme fixture site (``tests/sites/theme``, one page of every type) and the
  bundled example site (the repo root), each copied, built with the real command line and
  served by a ``ThreadingHTTPServer`` on 127.0.0.1 at a random port, on first use;
- ``PAGE_TYPES``: every kind of page, recognised by its URL path;
- ``focus_ring`` and ``contrast``: what keyboard focus looks like.

Import this module as ``spinebrowser`` (conftest.py puts this folder on sys.path).
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

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
    "free-page": re.compile(r"^/(?!(?:conditions|stretches|causes|treatments|glossary|levels|handouts|search|urgent-help)/)[^/]+/$"),
    "urgent-help": re.compile(r"^/urgent-help/$"),
    **{f"{kind}-index": re.compile(rf"^/{kind}/$") for kind in _SECTIONS},
    "level": re.compile(r"^/levels/[^/]+/$"),
    "handout": re.compile(r"^/handouts/[^/]+/$"),
    "search": re.compile(r"^/search/$"),
    "404": re.compile(r"^/404\.html$"),
}
# Pages picked for a type by preference (the richest page of the theme fixture).
PREFERRED = {"condition": "/conditions/sciatica/", "stretch": "/stretches/bridge/", "handout": "/handouts/sciatica/"}


JAVA_FOR_VNU = "java (for vnu.jar)"  # only test_validity.py needs it


def missing_tools() -> list[str]:
    """Everything the browser tests need that is not here, all of it at once (so one look
    says what to install); empty when they can all run."""
    missing = []
    if not CHROMIUM.is_file():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if shutil.which("java") is None:
        missing.append(JAVA_FOR_VNU)
    if packages := [name for name, path in (("axe-core", AXE_JS), ("vnu-jar", VNU_JAR)) if not path.is_file()]:
        missing.append(f"npm packages {' and '.join(packages)} in tests/browser/node_modules (run `cd tests/browser && npm ci`)")
    if not importable("playwright.sync_api"):
        missing.append("the playwright Python package (run `pip install -e '.[test]'`)")
    return missing


def importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:  # its parent package is missing
        return False


def skip_reason(missing: list[str], needs_java: bool = False) -> str:
    """'' when tests can run without what is ``missing``; else a reason naming all of it."""
    if not [m for m in missing if needs_java or m != JAVA_FOR_VNU]:
        return ""
    return "browser tests skipped: missing " + ", ".join(missing)


def vnu_errors(files: list[str]) -> list[str]:
    """The Nu Html Checker's errors in ``files`` (``path:line: message``), in one invocation (the
    JVM is slow to start); fails the test when the checker itself fails."""
    java = shutil.which("java")
    assert java is not None
    proc = subprocess.run(
        [java, "-Xss1m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(proc.stderr or proc.stdout)
    errors = [f"{m.get('url', '?')}:{m.get('lastLine', '?')}: {m.get('message')}" for m in report["messages"] if m.get("type") == "error"]
    assert errors or proc.returncode == 0, proc.stderr[-2000:]
    return errors


def have_tools(needs_java: bool = False) -> str:
    """Why the browser tests cannot run here, or '' when they can (``needs_java``: the Nu checker's)."""
    return skip_reason(missing_tools(), needs_java)


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


def copy_site(site: Path, dest: Path) -> Path:
    """A private copy of a site folder's sources: builds keep an incremental cache in the site
    folder, which parallel test workers (and people building by hand) must not share."""
    dest.mkdir(parents=True)
    for name in ("spinesite.yaml", "content", "static", "templates"):
        src = site / name
        if name == "templates" and site.resolve() == ROOT:
            continue  # the repo's templates/ is the built-in theme itself
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns(".*"))
        elif src.is_file():
            shutil.copy2(src, dest / name)
    return dest


def build_site(site: Path, out: Path) -> tuple[bool, str]:
    """Build with the real command line; returns (ok, output)."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}  # the bundled site: today's date
    if (site / "content" / "stretches" / "knee-rolls.md").is_file():  # the theme fixture: a fixed "today", 2026-05-01,
        env["SOURCE_DATE_EPOCH"] = "1777593600"  # after its reviews, before knee-rolls is due (2026-06-01)
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
    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
    }

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve(out: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(out)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name=f"serve-{out.name}", daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


class Sites:
    """Site name → BuiltSite, built and served on first use; or the reason it does not build.

    The theme fixture site is ours and must always build. The bundled site is being written
    by others and may be broken for a while: its tests then skip with the build's errors."""

    def __init__(self, sources: dict[str, Path], tmp: Path) -> None:
        self.sources, self.tmp = sources, tmp
        self.built: dict[str, BuiltSite | str] = {}
        self.servers: list[http.server.ThreadingHTTPServer] = []

    def __getitem__(self, name: str) -> BuiltSite | str:
        if name not in self.built:
            dest = self.tmp / name
            ok, log = build_site(copy_site(self.sources[name], self.tmp / f"{name}-source"), dest)
            if not ok:
                self.built[name] = f"the {name} site does not build: " + " | ".join(log.splitlines()[:5])
            else:
                server, base = serve(dest)
                self.servers.append(server)
                self.built[name] = BuiltSite(name, dest, base, sorted(url_path(dest, f) for f in dest.rglob("*.html")))
        return self.built[name]

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


# How many rows the site navigation takes (distinct tops of its items).
NAV_ROWS = "() => new Set([...document.querySelectorAll('.site-nav li')].map(li => Math.round(li.getBoundingClientRect().top))).size"


def get_site(sites: Sites, name: str) -> BuiltSite:
    site = sites[name]
    if isinstance(site, str):
        if name == "theme":
            pytest.fail(site)
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
                color: s.color, background: s.backgroundColor,
              };
            }"""
        )
    )


def _rgba(css: str) -> tuple[float, ...]:
    parts = [float(x) for x in re.findall(r"[\d.]+", css)]
    return tuple(parts + [1.0] * (4 - len(parts)))


def contrast(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two opaque CSS rgb() colours."""

    def lum(css: str) -> float:
        def channel(c: float) -> float:
            c /= 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b, _ = _rgba(css)
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)

    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def focus_text_contrast(ring: dict[str, Any]) -> float | None:
    """Contrast of a focused element's text on its own focus background, if it paints one."""
    if _rgba(ring["background"])[3] < 1 or ring["inMap"]:
        return None
    return contrast(ring["color"], ring["background"])
