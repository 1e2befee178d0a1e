"""Golden output: the theme fixture site (tests/sites/theme) must build to exactly the files
recorded in tests/golden/theme.json (relative path → sha256 of the bytes).

This guards refactors: a change that is meant to keep the output must leave every file
byte-identical. The site is built with the real command line (``python -m spinesite build
--no-search``, so Pagefind's index, whose bytes depend on the Pagefind version, is left out)
on a fixed "today" (SOURCE_DATE_EPOCH 2026-05-01), twice, in two different environments
(``-j 1``/``-j 2``, PYTHONHASHSEED, TZ on either side of UTC's date line, UTF-8 and ASCII
locales): the two trees must match each other before either is compared with the golden file.

When the output is *meant* to change (a theme or Markdown change), regenerate the manifest on
purpose, review ``git diff tests/golden/`` and commit it with the change:

    SPINESITE_UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q -p no:randomly tests/test_golden.py

The theme site is too small for ``-j 2`` to fork workers (parallel.MIN_TASKS_PER_WORKER), so
a second test builds it with 100 extra pages, where ``-j 2`` does run two workers, and compares
the ``-j 1`` and ``-j 2`` trees with each other (no golden file for that one).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SITES, copy_site, many_pages

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("SPINESITE_UPDATE_GOLDEN") == "1"
TODAY = "1777593600"  # 2026-05-01T00:00:00Z: after the theme site's reviews, before knee-rolls is due
REGENERATE = "SPINESITE_UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q -p no:randomly tests/test_golden.py"

# Two environments that must not change a single output byte.
ENVIRONMENTS: dict[str, tuple[str, dict[str, str]]] = {
    "A": ("1", {"PYTHONHASHSEED": "0", "TZ": "UTC", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}),
    "B": (
        "2",
        {
            "PYTHONHASHSEED": "4242",
            "TZ": "HST10",  # 10 hours behind UTC: still 2026-04-30 locally at the fixed "today"
            "LC_ALL": "C",  # the ASCII locale, with Python's UTF-8 coercion turned off
            "LANG": "C",
            "PYTHONCOERCECLOCALE": "0",
            "PYTHONUTF8": "0",
        },
    ),
}


def manifest(root: Path) -> dict[str, str]:
    """Relative path → sha256 of every file below ``root`` (sorted; links and folders are
    not expected in an output tree and are listed as such so that they show up in a diff)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            out[rel] = f"link:{os.readlink(path)}" if path.is_symlink() else hashlib.sha256(path.read_bytes()).hexdigest()
    return dict(sorted(out.items()))


def describe(expected: dict[str, str], got: dict[str, str]) -> str:
    """Which files changed, were added or were removed, one per line (empty: none)."""
    lines = [f"  changed: {p}" for p in sorted(expected.keys() & got.keys()) if expected[p] != got[p]]
    lines += [f"  added:   {p}" for p in sorted(got.keys() - expected.keys())]
    lines += [f"  removed: {p}" for p in sorted(expected.keys() - got.keys())]
    if not lines:
        return ""
    return f"{len(lines)} of {len(expected.keys() | got.keys())} files differ:\n" + "\n".join(lines)


def build(site: Path, out: Path, env_name: str) -> dict[str, str]:
    """Build ``site`` (a private copy) into ``out`` with the command line in one environment."""
    jobs, extra = ENVIRONMENTS[env_name]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_")}
    env.update(extra)
    env["SOURCE_DATE_EPOCH"] = TODAY
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    cmd = [sys.executable, "-m", "spinesite", "build", str(site), "-o", str(out), "--no-search", "-j", jobs, "-q"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600, check=False)
    assert proc.returncode == 0, f"build in environment {env_name} failed:\n{proc.stdout}{proc.stderr}"
    return manifest(out)


def build_twice(base: Path, tmp_path: Path, extra_pages: int = 0) -> dict[str, str]:
    """Build fresh copies of ``base`` in both environments; the trees must be identical."""
    got = {}
    for name in ENVIRONMENTS:
        site = copy_site(tmp_path / f"site-{name}", base=base)
        if extra_pages:
            many_pages(site, extra_pages)
        got[name] = build(site, tmp_path / f"out-{name}", name)
    diff = describe(got["A"], got["B"])
    if diff:
        pytest.fail(f"the output depends on the environment (A → B, see ENVIRONMENTS):\n{diff}", pytrace=False)
    return got["A"]


def test_theme_site_output_matches_the_golden_manifest(tmp_path: Path) -> None:
    got = build_twice(SITES / "theme", tmp_path)
    golden = GOLDEN / "theme.json"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(json.dumps(got, indent=1) + "\n", encoding="utf-8")
    assert golden.is_file(), f"no golden manifest yet: create it with\n  {REGENERATE}"
    expected = json.loads(golden.read_text(encoding="utf-8"))
    diff = describe(expected, got)
    if diff:
        pytest.fail(
            f"the theme site's output changed ({golden.relative_to(ROOT)}):\n{diff}\nIf the change is intended: {REGENERATE}", pytrace=False
        )


def test_parallel_build_writes_the_same_tree_as_a_serial_one(tmp_path: Path) -> None:
    got = build_twice(SITES / "theme", tmp_path, extra_pages=100)
    assert len(got) > 100
