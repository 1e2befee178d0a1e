"""writer and output: refusing dangerous output folders; staged, atomic commits."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from conftest import copy_site, snapshot
from spinesite.output.transaction import Transaction, Writer, write_new
from spinesite.output.writer import MARKER, OutputError, check_output_dir


def write_site(out: Path, files: dict[str, bytes], writer: Writer = write_new) -> tuple[int, int]:
    """Stage and commit ``files`` as the whole new output, as a build does."""
    txn = Transaction(out, writer)
    txn.begin()
    try:
        for rel, data in files.items():
            txn.put(rel, data)
        return txn.commit(set(files))
    except BaseException:
        txn.abort()
        raise


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "users" / "me"
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    return copy_site(home / "site")


def refused(site: Path, out: Path) -> str:
    with pytest.raises(OutputError) as info:
        check_output_dir(site, out)
    return str(info.value)


def test_refuses_the_site_and_its_source_folders(site: Path) -> None:
    assert refused(site, site) == f"output folder {site} is (or contains) the site folder; use a sub-folder such as _site"
    assert refused(site, site.parent) == f"output folder {site.parent} is (or contains) the site folder; use a sub-folder such as _site"
    for name in ("content", "templates", "static"):
        assert refused(site, site / name) == f"output folder {site / name} is inside the site's {name}/ folder"
        assert refused(site, site / name / "deeper") == f"output folder {site / name / 'deeper'} is inside the site's {name}/ folder"


def test_refuses_home_and_the_root(site: Path, tmp_path: Path) -> None:
    other = copy_site(tmp_path / "elsewhere" / "site")  # a site outside HOME
    home = Path(os.environ["HOME"])
    for out in (home, home.parent):
        assert refused(other, out) == f"refusing to use {out} as the output folder (it is, or contains, your home folder)"
    assert refused(other, Path("/")).startswith("output folder / is (or contains) the site folder")


def test_refuses_files_foreign_folders_and_symlinks(site: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    assert refused(site, tmp_path / "file") == f"output path {tmp_path / 'file'} exists and is not a folder"
    assert (
        refused(site, tmp_path / "file" / "out")
        == f"cannot create output folder {tmp_path / 'file' / 'out'}: {tmp_path / 'file'} is not a folder"
    )
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"\xff\xd8")
    assert (
        refused(site, foreign)
        == f"output folder {foreign} is not empty and was not created by spinesite; choose another folder or empty it"
    )
    real = tmp_path / "real-out"
    real.mkdir()
    (tmp_path / "link-out").symlink_to(real, target_is_directory=True)
    assert refused(site, tmp_path / "link-out") == f"output folder {tmp_path / 'link-out'} is a symbolic link; give the real folder"
    (tmp_path / "link-to-site").symlink_to(site, target_is_directory=True)
    assert "symbolic link" in refused(site, tmp_path / "link-to-site")


def test_accepts_new_empty_and_previous_output(site: Path, tmp_path: Path) -> None:
    check_output_dir(site, site / "_site")
    check_output_dir(site, tmp_path / "new" / "deep" / "out")
    (tmp_path / "empty").mkdir()
    check_output_dir(site, tmp_path / "empty")
    previous = tmp_path / "previous"
    previous.mkdir()
    (previous / MARKER).write_text("x")
    (previous / "index.html").write_text("old")
    check_output_dir(site, previous)


# ----------------------------------------------------------------------------- write_site


def test_write_site_replaces_the_whole_tree(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert write_site(out, {"a/index.html": b"A", "b.txt": b"B"}) == (2, 0)
    assert write_site(out, {"a/index.html": b"A", "c.txt": b"C"}) == (1, 1)
    assert snapshot(out) == snapshot(out) and sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        MARKER,
        "a/index.html",
        "c.txt",
    ]
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_write_site_keeps_unchanged_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site(out, {"same.txt": b"same", "changed.txt": b"old"})
    inode, mtime = (out / "same.txt").stat().st_ino, (out / "same.txt").stat().st_mtime_ns
    write_site(out, {"same.txt": b"same", "changed.txt": b"new"})
    assert ((out / "same.txt").stat().st_ino, (out / "same.txt").stat().st_mtime_ns) == (inode, mtime)
    assert (out / "changed.txt").read_bytes() == b"new"


@pytest.mark.parametrize("exc", [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()])
def test_write_site_failure_leaves_the_previous_tree(tmp_path: Path, exc: BaseException) -> None:
    out = tmp_path / "out"
    write_site(out, {f"p{i}/index.html": b"old %d" % i for i in range(20)})
    before = snapshot(tmp_path)
    count = 0

    def failing(path: Path, data: bytes) -> None:
        nonlocal count
        count += 1
        if count > 5:
            raise exc
        path.write_bytes(data)

    with pytest.raises(type(exc)):
        write_site(out, {f"p{i}/index.html": b"new %d" % i for i in range(20)}, failing)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("rel", ["../evil.txt", "/abs/evil.txt", "a/../../evil.txt", ".", ""])
def test_write_site_refuses_paths_outside_the_output(tmp_path: Path, rel: str) -> None:
    out = tmp_path / "out"
    with pytest.raises(OSError, match="refusing to write outside the output folder"):
        write_site(out, {"ok.txt": b"x", rel: b"evil"})
    assert sorted(os.listdir(tmp_path)) == []


def test_write_site_does_not_link_files_from_outside(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    write_site(out, {"index.html": b"x"})
    elsewhere.mkdir()
    (elsewhere / "secret.txt").write_bytes(b"same bytes")
    (out / "assets").symlink_to(elsewhere, target_is_directory=True)  # someone tampered with the output
    write_site(out, {"index.html": b"x", "assets/secret.txt": b"same bytes"})
    assert (out / "assets").is_dir() and not (out / "assets").is_symlink()
    assert (out / "assets/secret.txt").stat().st_ino != (elsewhere / "secret.txt").stat().st_ino
