"""Shared helpers for the generator tests.

- ``make_site(tmp_path, files)`` (fixture): copy ``tests/sites/minimal`` to ``tmp_path/site`` and
  overwrite/add/delete files (``str`` is written as-is, ``bytes`` raw, ``None`` deletes).
- ``tree_hash(dir)``: one hash over every path, file type and file content below ``dir``.
- ``snapshot(dir)``: path → content digest of everything below ``dir`` (to show what changed).
- ``run_cli(capsys, *args)``: ``spinesite.cli.main`` → (exit code, stdout, stderr).
- ``fm(...)`` / ``page(...)``: valid front matter for each content type, to build small sites.
- ``--run-slow`` runs the tests marked ``slow``; builds use a private XDG_CACHE_HOME; "today" is 2026-06-01.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

SITES = Path(__file__).resolve().parent / "sites"
MINIMAL = SITES / "minimal"

# The common, valid review block every page of the minimal site uses (6 lines).
REVIEW = """\
last_reviewed: 2026-01-01
next_review: 2027-01-01
reviewed_by: Test Reviewer (placeholder)
sources:
  - title: NICE NG59
    url: https://www.nice.org.uk/guidance/ng59
"""

# Type-specific required keys, one per line, so tests can count lines.
REQUIRED = {
    "conditions": "region: lumbar\nspine_levels: [L4-L5]\n",
    "stretches": "kind: stretch\nstarting_position: Lie on your back.\nsteps: [Breathe.]\nstop_if: [It hurts]\n",
    "causes": "frequency: common\n",
    "treatments": "category: self-care\nevidence: recommended\nguidelines:\n  - name: NICE NG59\n",
    "glossary": "",
    "pages": "",
}


def fm(kind: str, title: str = "A page", extra: str = "", summary: str = "A short summary.") -> str:
    """Valid front matter (with its '---' lines) for ``kind``, plus ``extra`` YAML lines at the end."""
    return f"---\ntitle: {title}\nsummary: {summary}\n{REQUIRED[kind]}{REVIEW}{extra}---\n"


def page(kind: str, title: str = "A page", body: str = "Some text.\n", extra: str = "") -> str:
    return fm(kind, title, extra) + body


def write_files(root: Path, files: dict[str, str | bytes | None]) -> None:
    for rel, content in files.items():
        path = root / rel
        if content is None:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))


def copy_site(dest: Path, files: dict[str, str | bytes | None] | None = None, base: Path = MINIMAL) -> Path:
    shutil.copytree(base, dest, symlinks=True)
    write_files(dest, files or {})
    return dest


MakeSite = Callable[..., Path]


@pytest.fixture(scope="session", autouse=True)
def _private_user_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Builds keep a per-user cache (XDG_CACHE_HOME/spinesite): keep the tests' out of ~/.cache."""
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if old is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = old


# Builds and `spinesite check` judge review dates against "today" (SOURCE_DATE_EPOCH when set,
# else the computer's date). The fixtures' dates are fixed, so the whole test session, subprocesses
# included, runs on 2026-06-01 unless a test sets its own date (or drops it to use the clock).
os.environ["SOURCE_DATE_EPOCH"] = "1780272000"  # 2026-06-01T00:00:00Z


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="also run tests marked slow (long fuzzing)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow") or "slow" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def make_site() -> MakeSite:
    """``make_site(tmp_path, files=None, name="site", base=MINIMAL)`` → the new site folder."""

    def _make(tmp_path: Path, files: dict[str, str | bytes | None] | None = None, name: str = "site", base: Path = MINIMAL) -> Path:
        return copy_site(tmp_path / name, files, base)

    return _make


def _entries(root: Path) -> list[tuple[str, str, bytes]]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                out.append((rel, "link", os.readlink(path).encode()))
            elif path.is_dir():
                out.append((rel, "dir", b""))
            else:
                out.append((rel, "file", path.read_bytes()))
    return sorted(out)


CACHE_DIR = ".spinesite-cache"  # the incremental-build cache build.py keeps in the site folder


def snapshot(root: Path, cache: bool = False) -> dict[str, str]:
    """rel path → 'dir' | 'link:<target>' | sha256 of the bytes, for everything below ``root``.

    The site's build cache (``.spinesite-cache/``) is left out unless ``cache`` is true.
    """
    out = {}
    for rel, kind, data in _entries(root):
        if not cache and CACHE_DIR in rel.split("/"):
            continue
        out[rel] = hashlib.sha256(data).hexdigest() if kind == "file" else f"{kind}:{data.decode()}"
    return out


def tree_hash(root: Path) -> str:
    h = hashlib.sha256()
    for rel, kind, data in _entries(root):
        h.update(f"{rel}\0{kind}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def run_cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    from spinesite.cli import main

    capsys.readouterr()
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def error_lines(err: str) -> list[str]:
    """The diagnostic lines of a CLI run (everything but the final summary line)."""
    return [
        line
        for line in err.splitlines()
        if not line.startswith(
            (
                "Failed:",
                "Built ",
                "Checked ",
                "Note: ",
                "Not checked by build",
                "Reading grade:",
                "Spanish reading ease",
                "Translations into ",
            )
        )
    ]


def many_pages(site: Path, n: int, body: str = "Short text.\n") -> None:
    """Add ``n`` small pages (content/pages/p0000.md ...) to ``site``."""
    folder = site / "content" / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"p{i:04d}.md").write_text(page("pages", f"Page {i}", body), encoding="utf-8")


def example_epoch() -> str:
    """SOURCE_DATE_EPOCH for building the bundled example site strictly: the day after its newest
    ``last_reviewed`` (the session's fixed "today" is earlier than its review dates)."""
    import datetime as dt
    import re

    text = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "content").rglob("*.md"))
    newest = max(re.findall(r"^last_reviewed: (\d{4}-\d\d-\d\d)", text, re.MULTILINE))
    return str(int(dt.datetime.fromisoformat(newest).replace(tzinfo=dt.UTC).timestamp()) + 86400)


def ctrl_c_reaches(argv: list[str | Path]) -> list[str]:
    """``argv`` started with Ctrl-C (SIGINT) at its default, whatever this test process has: a
    program started while SIGINT is ignored ignores it too (Python then never raises
    KeyboardInterrupt), and a test worker can be left ignoring it."""
    restore = "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])"
    return [sys.executable, "-c", restore, *map(str, argv)]
