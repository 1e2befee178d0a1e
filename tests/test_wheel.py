"""The wheel carries everything a site needs: built, installed into a fresh venv outside the
checkout, and used there as a pip user would (``init``, ``build --strict``, ``check``, ``new``,
``schema``, ``init --example``, ``serve``), with the checkout nowhere on the path.

The new venv gets spinesite's dependencies from the test venv's site-packages through a
``.pth`` line (a plain path: the editable install's own ``.pth`` there is not processed, so
``/work/main/src`` stays off the path), and the wheel through this venv's pip (``--python``),
offline. About 10 s.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import site
import subprocess
import sys
import threading
import urllib.request
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ctrl_c_reaches, example_epoch
from spinesite import __version__

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(importlib.util.find_spec("hatchling") is None, reason="needs hatchling (pip install -e '.[test]')")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("spinesite-*.whl")
    return found


@pytest.fixture(scope="module")
def pip_user(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """(A venv with the wheel installed, the environment to run it in), both outside the checkout."""
    home = tmp_path_factory.mktemp("pip-user")
    env_dir = home / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], capture_output=True, text=True, check=True
    )
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    Path(purelib.stdout.strip(), "spinesite-test-deps.pth").write_text("".join(f"{p}\n" for p in deps), encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        check=True,
        capture_output=True,
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["NO_COLOR"] = "1"
    yield env_dir, env


def spinesite(
    pip_user: tuple[Path, dict[str, str]], cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env_dir, base_env = pip_user
    run_env = base_env | (env or {})
    return subprocess.run([env_dir / "bin" / "spinesite", *args], cwd=cwd, env=run_env, capture_output=True, text=True, timeout=120)


def test_wheel_carries_the_theme_archetypes_starter_and_example(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "spinesite/theme/base.html",
        "spinesite/theme/assets/site.css",
        "spinesite/archetypes/stretch.md",
        "spinesite/starter/site.yml",
        "spinesite/starter/gitignore",
        "spinesite/starter/README.md",
        "spinesite/starter/content/conditions/low-back-pain.md",
        "spinesite/example/spinesite.yaml",
    }
    assert expected <= names
    example = {n.removeprefix("spinesite/example/") for n in names if n.startswith("spinesite/example/")}
    repo = {p.relative_to(ROOT).as_posix() for folder in ("content", "static") for p in (ROOT / folder).rglob("*") if p.is_file()}
    missing = sorted(repo - example)
    assert missing == [], (
        'files of the example site missing from the wheel (static/? add "static" = "spinesite/example/static" to force-include)'
    )
    assert example == repo | {"spinesite.yaml"}


def test_installed_wheel_runs_outside_the_checkout(pip_user: tuple[Path, dict[str, str]]) -> None:
    env_dir, env = pip_user
    work = env_dir.parent
    where = subprocess.run(
        [env_dir / "bin" / "python", "-c", "import spinesite; print(spinesite.__file__)"], cwd=work, env=env, capture_output=True, text=True
    )
    assert Path(where.stdout.strip()).is_relative_to(env_dir), where
    assert not Path(where.stdout.strip()).is_relative_to(ROOT)

    r = spinesite(pip_user, work, "--version")
    assert r.stdout.strip() == f"spinesite {__version__}"
    (work / "nosite").mkdir()
    r = spinesite(pip_user, work, "build", "nosite")
    assert (r.returncode, r.stderr) == (
        2,
        "spinesite: error: no spinesite.yaml in nosite; start a site there with: spinesite init nosite\n",
    )

    r = spinesite(pip_user, work, "init", "mysite")
    assert r.returncode == 0, r.stderr
    site_dir = work / "mysite"
    assert f"pip install spinesite=={__version__}" in (site_dir / ".github/workflows/site.yml").read_text(encoding="utf-8")
    r = spinesite(pip_user, site_dir, "build", "--strict")
    assert r.returncode == 0, r.stderr
    assert "0 errors, 0 warnings" in r.stderr
    assert (site_dir / "_site/pagefind/pagefind.js").is_file()  # the search index, from the installed pagefind
    r = spinesite(pip_user, site_dir, "check", "--strict")
    assert r.returncode == 0, r.stderr
    r = spinesite(pip_user, site_dir, "new", "stretch", "X")
    assert r.returncode == 0, r.stderr
    assert (site_dir / "content/stretches/x.md").read_text(encoding="utf-8").startswith("---\n# A new stretch.")
    r = spinesite(pip_user, site_dir, "schema")
    assert r.returncode == 0, r.stderr
    assert (site_dir / "schemas/stretches.schema.json").is_file()

    r = spinesite(pip_user, work, "init", "example", "--example")
    assert r.returncode == 0, r.stderr
    r = spinesite(pip_user, work / "example", "build", "--strict", "--no-search", env={"SOURCE_DATE_EPOCH": example_epoch()})
    assert r.returncode == 0, r.stderr
    assert (work / "example/_site/conditions/lumbar-foraminal-narrowing/index.html").is_file()


def test_installed_wheel_serves_a_new_site(pip_user: tuple[Path, dict[str, str]]) -> None:
    env_dir, env = pip_user
    site_dir = env_dir.parent / "served"
    assert spinesite(pip_user, env_dir.parent, "init", str(site_dir)).returncode == 0
    proc = subprocess.Popen(
        ctrl_c_reaches([env_dir / "bin" / "spinesite", "serve", "--port", "0"]),
        cwd=site_dir,
        env={**env, "PYTHONFAULTHANDLER": "1"},  # a hang is shown: SIGABRT prints every thread's stack
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(120, proc.kill)  # a server that never starts ends the loop below instead of hanging
    watchdog.start()
    try:
        assert proc.stderr is not None
        seen = []
        for line in proc.stderr:  # ends when the server exits: no sleeping, no timing
            seen.append(line)
            found = re.search(r"http://127\.0\.0\.1:\d+/", line)
            if found:
                break
        assert found, "".join(seen)
        with urllib.request.urlopen(found.group(0), timeout=30) as response:
            assert response.status == 200
            assert "Spine guide" in response.read().decode()
    finally:
        watchdog.cancel()
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)  # where it hangs, for the failure message
            rest = proc.communicate(timeout=30)[1]
            state = f"SIGINT handler {signal.getsignal(signal.SIGINT)!r}, blocked here: {signal.pthread_sigmask(signal.SIG_BLOCK, [])}"
            pytest.fail(f"serve did not stop on Ctrl-C ({state}):\n" + "".join(seen) + rest[-6000:])
        finally:
            if proc.poll() is None:
                proc.kill()
    shutil.rmtree(site_dir)
