"""Mistakes in ``--jobs`` and ``--port`` are usage errors: argparse's usage line, then what is
wrong, exit 2, before anything is built or served."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MakeSite, snapshot
from spinesite.cli import main


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "-j", "0"], "spinesite build: error: argument -j/--jobs: must be at least 1"),
        (["build", "--jobs", "-2"], "spinesite build: error: argument -j/--jobs: must be at least 1"),
        (["build", "-j", "two"], "spinesite build: error: argument -j/--jobs: invalid int value: 'two'"),
        (["serve", "--port", "65536"], "spinesite serve: error: argument --port: must be between 0 and 65535"),
        (["serve", "--port", "-1"], "spinesite serve: error: argument --port: must be between 0 and 65535"),
        (["serve", "--port", "http"], "spinesite serve: error: argument --port: invalid int value: 'http'"),
    ],
)
def test_bad_jobs_or_port_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite, args: list[str], message: str
) -> None:
    site = make_site(tmp_path)
    before = snapshot(tmp_path, cache=True)
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main([*args, str(site)])
    assert info.value.code == 2
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert out == ""
    assert lines[0].startswith(f"usage: spinesite {args[0]} ")
    assert lines[-1] == message
    assert snapshot(tmp_path, cache=True) == before  # nothing built, no cache written


@pytest.mark.parametrize(("option", "value"), [("--jobs", "1"), ("-j", "2")])
def test_good_jobs_still_build(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite, option: str, value: str) -> None:
    site = make_site(tmp_path)
    assert main(["build", str(site), "--no-search", option, value]) == 0
    assert (site / "_site" / "index.html").is_file()
