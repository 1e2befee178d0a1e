"""The two outputs behind one interface: a folder (Transaction) and memory (MemoryOutput)
end up holding the same files for the same sequence of puts, fills and commits."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from spinesite.output.transaction import MemoryOutput, Output, Transaction

NAMES = st.sampled_from(["index.html", "a/index.html", "a/b/index.html", "c.css", "pagefind/x.pf"])
BUILD = st.lists(st.tuples(NAMES, st.binary(max_size=8)), max_size=6, unique_by=lambda x: x[0])  # a build puts a path once


def _folder_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != ".spinesite-output"}


def _run(output: Output, puts: list[tuple[str, bytes]], keep: set[str]) -> set[str]:
    output.begin()
    for rel, data in puts:
        output.put(rel, data)
    filled = output.fill("search", lambda dest: (dest.mkdir(parents=True), (dest / "i.json").write_bytes(b"{}"), True)[-1])
    output.commit(keep | filled | {rel for rel, _ in puts})  # the contract: keep names every file put (workers put unseen)
    return filled


@settings(max_examples=40, deadline=None)
@given(first=BUILD, second=BUILD, keep_first=st.booleans())
def test_memory_and_folder_outputs_hold_the_same_files(
    tmp_path_factory: object, first: list[tuple[str, bytes]], second: list[tuple[str, bytes]], keep_first: bool
) -> None:
    out = tmp_path_factory.mktemp("out") / "site"  # type: ignore[attr-defined]
    txn = Transaction(out)
    mem = MemoryOutput()
    assert _run(txn, first, set()) == _run(mem, first, set()) == {"search/i.json"}
    assert _folder_files(out) == mem.files
    keep = {rel for rel, _ in first} if keep_first else set()
    txn2, mem2 = Transaction(out), MemoryOutput(mem.files)
    _run(txn2, second, keep)
    _run(mem2, second, keep)
    assert _folder_files(out) == mem2.files
    assert txn2.existing("search") == mem2.existing("search") == {"search/i.json"}


def test_a_failed_fill_adds_nothing(tmp_path: Path) -> None:
    for output in (Transaction(tmp_path / "site"), MemoryOutput()):
        output.begin()
        assert output.fill("search", lambda dest: False) == set()
        output.abort()


def test_only_folder_outputs_are_filled_by_the_workers() -> None:
    assert Transaction.in_workers and not MemoryOutput.in_workers
