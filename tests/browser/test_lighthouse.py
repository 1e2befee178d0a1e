"""Lighthouse (npm ``lighthouse``, pinned in package.json) on the bundled site, built and served
on 127.0.0.1 by the shared ``sites`` fixture: the home page, a condition page, a stretch page and
the search page each score at least 95 in performance, accessibility, best practices and SEO.

Lighthouse drives Debian's Chromium (``CHROME_PATH``) headless, with its defaults: the mobile form
factor and *simulated* throttling, which computes load times from one trace instead of slowing the
machine down, so a busy machine moves the score little. A page below the bar is measured again, at
most three runs in all, and each category keeps its best score. The scores go to
``test-artifacts/lighthouse/scores.json`` (with the audits that lost points in each run).

Skips, saying why, when node or the lighthouse package is missing (``cd tests/browser && npm ci``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from spinebrowser import ARTIFACTS, CHROMIUM, NODE_MODULES, BuiltSite, Sites, get_site

LIGHTHOUSE_CLI = NODE_MODULES / "lighthouse" / "cli" / "index.js"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
MIN_SCORE = 95
MAX_RUNS = 3
RUN_TIMEOUT_S = 240
OUT = ARTIFACTS / "lighthouse"
# Page name → URL path on the bundled site ("stretch": the stretch the theme tests prefer).
PAGES = {
    "home": "/",
    "condition": "/conditions/l4-l5-foraminal-narrowing/",
    "stretch": "stretch",
    "search": "/search/",
}


def missing_lighthouse() -> list[str]:
    """What running Lighthouse needs beyond the other browser tests' tools; empty when it can run."""
    missing = []
    if shutil.which("node") is None:
        missing.append("node (apt-get install nodejs)")
    if not LIGHTHOUSE_CLI.is_file():
        missing.append("the npm package lighthouse in tests/browser/node_modules (run `cd tests/browser && npm ci`)")
    return missing


@pytest.fixture(scope="module")
def bundled(sites: Sites) -> BuiltSite:
    if missing := missing_lighthouse():
        pytest.skip("Lighthouse tests skipped: missing " + ", ".join(missing))
    return get_site(sites, "bundled")


def save(name: str, result: dict[str, Any]) -> None:
    """Add one page's result to test-artifacts/lighthouse/scores.json (page name → result)."""
    OUT.mkdir(parents=True, exist_ok=True)
    scores = OUT / "scores.json"
    try:
        table = json.loads(scores.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        table = {}
    table[name] = result
    scores.write_text(json.dumps(table, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def run_lighthouse(url: str, report: Path) -> dict[str, Any]:
    """One Lighthouse run: category → score out of 100, and the audits that cost points."""
    env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
    proc = subprocess.run(
        [
            "node",
            str(LIGHTHOUSE_CLI),
            url,
            "--output=json",
            f"--output-path={report}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            "--only-categories=" + ",".join(CATEGORIES),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    if proc.returncode != 0 or not report.is_file():
        pytest.fail(f"lighthouse failed on {url} (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}")
    lhr = json.loads(report.read_text(encoding="utf-8"))
    if lhr.get("runtimeError"):
        pytest.fail(f"lighthouse could not load {url}: {lhr['runtimeError']}")
    scores = {cat: round((lhr["categories"][cat]["score"] or 0) * 100) for cat in CATEGORIES}
    lost = [
        f"{cat}: {ref['id']} {lhr['audits'][ref['id']]['score']} {lhr['audits'][ref['id']].get('displayValue', '')}".strip()
        for cat in CATEGORIES
        for ref in lhr["categories"][cat]["auditRefs"]
        if ref["weight"] > 0 and lhr["audits"][ref["id"]]["score"] is not None and lhr["audits"][ref["id"]]["score"] < 1
    ]
    return {"scores": scores, "lost": lost}


@pytest.mark.parametrize("name", list(PAGES))
def test_lighthouse_scores_at_least_95(bundled: BuiltSite, tmp_path: Path, name: str) -> None:
    path = bundled.of_type("stretch") if PAGES[name] == "stretch" else PAGES[name]
    assert path and path in bundled.pages, f"no {name} page in the bundled site"
    runs: list[dict[str, Any]] = []
    best = dict.fromkeys(CATEGORIES, 0)
    for attempt in range(MAX_RUNS):
        run = run_lighthouse(bundled.url(path), tmp_path / f"{name}-{attempt}.json")
        runs.append(run)
        best = {cat: max(best[cat], run["scores"][cat]) for cat in CATEGORIES}
        if min(best.values()) >= MIN_SCORE:
            break
    save(name, {"path": path, "best": best, "runs": runs})
    low = {cat: score for cat, score in best.items() if score < MIN_SCORE}
    assert not low, f"{path}: below {MIN_SCORE} after {len(runs)} runs: {low}; audits that lost points: {runs[-1]['lost']}"
