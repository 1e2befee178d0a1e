"""The Nu Html Checker (vnu.jar, from npm) finds no errors in any built page of any site."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from spinebrowser import SITE_NAMES, VNU_JAR, BuiltSite, Sites, have_tools


def test_every_page_is_valid_html(sites: Sites) -> None:
    if reason := have_tools(needs_java=True):
        pytest.skip(reason)
    java = shutil.which("java")
    assert java is not None
    built = [s for name in SITE_NAMES if isinstance(s := sites[name], BuiltSite)]
    files = [str(f) for site in built for f in site.html_files()]
    assert len(files) >= 20
    # One invocation for every file: the JVM is slow to start.
    proc = subprocess.run(
        [java, "-Xss1m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(proc.stderr or proc.stdout)
    errors = [f"{m.get('url', '?')}:{m.get('lastLine', '?')}: {m.get('message')}" for m in report["messages"] if m.get("type") == "error"]
    assert errors == [], "\n".join(errors[:40])
    assert proc.returncode == 0, proc.stderr[-2000:]
