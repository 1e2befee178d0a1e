"""Every command in the docs runs as written.

The shell blocks (```sh / ```bash / ```shell) of docs/*.md and README.md are read line by line,
in order, and run in a temporary site folder (a git repository holding a copy of the bundled
example site), one bash script per document, with ``spinesite`` on the PATH as a pip user has
it. A line fails the test when it exits with anything but 0.

- ``spinesite serve`` never returns: its arguments are checked by the real argument parser.
- Lines that install software, reach the network or touch this repository's development tools
  (``pip``, ``npm``, ``code``, ``rsync``, ``python3 -m venv``, ``pytest``, ``ruff``, ``bench/``)
  are left out; the wheel test (tests/test_wheel.py) installs spinesite as a pip user does.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
BLOCK_RE = re.compile(r"^```(sh|bash|shell)\n(.*?)^```", re.M | re.S)
LEFT_OUT = re.compile(
    r"^(?:\S+/)?(?:pip3?|npm|npx|code|rsync|scp|curl|wget|pytest|ruff|mypy|sudo|apt|apt-get)\b|python3? -m (?:venv|pip|pytest)|bench/|\.venv/bin/(?:pip|python|ruff|mypy)"
)
SPINESITE_RE = re.compile(r"(?:^|\s|/)spinesite\s+(\S+)")
BIN = Path(sys.executable).parent


def commands(text: str) -> list[str]:
    """The command lines of a document's shell blocks, continuations joined, comments kept off."""
    found = []
    for block in BLOCK_RE.finditer(text):
        for line in block.group(2).replace("\\\n", " ").splitlines():
            line = _strip_comment(line).strip()
            if line:
                found.append(line)
    return found


def _strip_comment(line: str) -> str:
    quote = None
    for i, ch in enumerate(line):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i]
    return line


def script(lines: list[str]) -> tuple[str, list[str]]:
    """A bash script running the safe ``lines`` (and checking ``serve`` lines' arguments); the lines left out."""
    out = ["set -euo pipefail", "trap 'echo \"FAILED: $BASH_COMMAND\" >&2' ERR"]
    left_out = []
    for line in lines:
        if LEFT_OUT.search(line) and "spinesite" not in line.split("&&")[-1]:
            left_out.append(line)
            continue
        if "pip install" in line:  # "python3 -m venv .venv && .venv/bin/pip install ... && .venv/bin/spinesite build"
            left_out.append(line)
            line = line.split("&&")[-1].strip()
        line = re.sub(r"(?:\.venv/bin/)?spinesite\b", "spinesite", line)
        m = SPINESITE_RE.search(line)
        if m and m.group(1) == "serve":
            args = shlex.split(line[m.start(0) :].strip().lstrip("/"))[1:]
            code = f"from spinesite.cli import make_parser; make_parser().parse_args({args!r})"
            out.append(f"python -c {shlex.quote(code)}")
            continue
        out.append(line)
    return "\n".join(out) + "\n", left_out


def _site(tmp_path: Path) -> Path:
    """A copy of the bundled example site, as a git repository (the docs use ``git log``)."""
    site = tmp_path / "site"
    site.mkdir()
    for name in ("content", "static"):
        if (ROOT / name).is_dir():  # the example has no static/ today: git keeps no empty folder
            shutil.copytree(ROOT / name, site / name, symlinks=True)
    shutil.copy(ROOT / "spinesite.yaml", site / "spinesite.yaml")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    for command in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "site"]):
        subprocess.run(command, cwd=site, check=True, env=env, capture_output=True)
    return site


@pytest.mark.skipif(not (BIN / "spinesite").exists(), reason="the spinesite command is not installed in this venv")
@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_command_in_the_docs_runs_as_written(doc: Path, tmp_path: Path) -> None:
    lines = commands(doc.read_text(encoding="utf-8"))
    text, _left_out = script(lines)
    if text.count("\n") <= 2:
        pytest.skip(f"{doc.name} has no command to run")
    site = _site(tmp_path)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path / "home"), "NO_COLOR": "1"}
    env.pop("SOURCE_DATE_EPOCH", None)  # the bundled site is judged on today's date, as its readers see it
    proc = subprocess.run(["bash", "-c", text], cwd=site, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"{doc.name}: a command failed\n{proc.stderr[-3000:]}"


def test_commands_are_read_from_shell_blocks_only() -> None:
    text = (
        "Run:\n\n```sh\nspinesite build --strict   # writes _site/\nspinesite check \\\n  --strict\n```\n\n```text\nspinesite nope\n```\n"
    )
    assert commands(text) == ["spinesite build --strict", "spinesite check    --strict"]


def test_installs_and_network_commands_are_left_out_and_serve_is_parsed() -> None:
    text, left_out = script(
        [
            "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/spinesite build",
            "rsync -a _site/ x:/y",
            "spinesite serve --port 8001",
        ]
    )
    assert left_out == ["python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/spinesite build", "rsync -a _site/ x:/y"]
    assert "spinesite build" in text and "rsync" not in text
    assert "make_parser().parse_args(" in text and "8001" in text and "spinesite serve" not in text
