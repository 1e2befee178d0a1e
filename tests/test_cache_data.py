"""The incremental-build cache is plain data in one SQLite database (``incremental/store.py``).

A damaged, truncated, foreign or tampered database can at worst cost a rebuild: the build
succeeds and its output is byte for byte a clean build's. The cache is content-addressed, so
a site copied elsewhere with its cache reuses it, and ``--cache-dir`` puts it anywhere.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cbor2
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import ROOT, run_cli
from spinesite.build import build
from spinesite.content import validate
from spinesite.incremental.store import CACHE_DIR, DB_FILE, row_checksum
from spinesite.render import markdown
from test_incremental import make_site as make_linked_site
from test_incremental import tree


def _diagnostics(result: Any) -> list[str]:
    return sorted(d.format() for d in result.diagnostics.items)


def _rows(db_path: Path, table: str) -> list[str]:
    with sqlite3.connect(db_path) as db:
        return [k for (k,) in db.execute(f"SELECT key FROM {table} ORDER BY key")]


def test_no_pickle_or_marshal_in_spinesite() -> None:
    """Loading a pickle (or marshalled code) from a folder someone else can write runs their code."""
    found = []
    for path in sorted((ROOT / "src" / "spinesite").rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(r"\s*(import|from)\s+(c?pickle|_pickle|dill|shelve|marshal|jsonpickle)\b", line):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert found == []


PLAIN = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6) | st.dates() | st.binary(max_size=4),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4) | st.integers(), inner, max_size=4),
    max_leaves=10,
)
DAMAGE = st.one_of(
    st.tuples(st.just("flip"), st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)), min_size=1, max_size=8)),
    st.tuples(st.just("truncate"), st.floats(0, 1, exclude_max=True)),
    st.tuples(
        st.just("flip in value"),
        st.sampled_from(["meta", "validated", "markdown"]),
        st.integers(0, 1000),
        st.floats(0, 1, exclude_max=True),
    ),
    st.tuples(st.just("garbage"), st.binary(max_size=64)),
    st.tuples(st.just("value"), st.sampled_from(["meta", "validated", "markdown"]), st.integers(0, 1000), PLAIN),
    st.tuples(
        st.just("schema"), st.sampled_from(["CREATE TABLE extra (x)", "CREATE TRIGGER t AFTER INSERT ON meta BEGIN DELETE FROM meta; END"])
    ),
)


def _damage(db_path: Path, damage: tuple[Any, ...]) -> None:
    kind = damage[0]
    data = bytearray(db_path.read_bytes())
    if kind == "flip":
        for where, bits in damage[1]:
            data[int(where * len(data))] ^= bits
        db_path.write_bytes(bytes(data))
    elif kind == "truncate":
        db_path.write_bytes(bytes(data[: int(damage[1] * len(data))]))
    elif kind == "flip in value":  # one bit of one stored value, its checksum left as it was
        table, index, where = damage[1:]
        key = (keys := _rows(db_path, table))[index % len(keys)]
        with sqlite3.connect(db_path) as db:
            (value,) = db.execute(f"SELECT value FROM {table} WHERE key = ?", (key,)).fetchone()
            value = bytearray(value)
            value[int(where * len(value))] ^= 0x01
            db.execute(f"UPDATE {table} SET value = ? WHERE key = ?", (bytes(value), key))
    elif kind == "garbage":
        db_path.write_bytes(damage[1])
    elif kind == "value":  # valid CBOR of the wrong shape, with a correct checksum (as if forged)
        _table, index, value = damage[1:]
        assume(not (_table == "markdown" and isinstance(value, list) and len(value) == 3))  # the one accepted shape
        key = (keys := _rows(db_path, _table))[index % len(keys)]
        encoded = cbor2.dumps(value)
        with sqlite3.connect(db_path) as db:
            db.execute(f"UPDATE {_table} SET sum = ?, value = ? WHERE key = ?", (row_checksum(_table, key, encoded), encoded, key))
    else:
        with sqlite3.connect(db_path) as db:
            db.execute(damage[1])


def test_a_damaged_cache_costs_a_rebuild_never_a_wrong_page(tmp_path: Path) -> None:
    site, out = tmp_path / "site", tmp_path / "out"
    make_linked_site(site, n=4)
    assert build(site, out, jobs=1).ok()
    db_path = site / CACHE_DIR / DB_FILE
    assert sorted(os.listdir(site / CACHE_DIR)) == [".gitignore", f"build-{_lock_name(out)}.lock", DB_FILE]  # one file of data
    pristine_db = db_path.read_bytes()
    pristine_out = tmp_path / "pristine-out"
    shutil.copytree(out, pristine_out, copy_function=shutil.copy2)  # mtimes kept: the page states still match
    clean = build(site, tmp_path / "clean", jobs=1, incremental=False)
    expected, expected_diags = tree(tmp_path / "clean"), _diagnostics(clean)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(damage=DAMAGE, fresh_output=st.booleans())
    def check(damage: tuple[Any, ...], fresh_output: bool) -> None:
        """``fresh_output``: every page is rendered (from the cached front matter and Markdown);
        else the previous output is there and the page states say which pages need rendering."""
        shutil.rmtree(out, ignore_errors=True)  # an earlier failing example may have left none
        if not fresh_output:
            shutil.copytree(pristine_out, out, copy_function=shutil.copy2)
        db_path.write_bytes(pristine_db)
        _damage(db_path, damage)
        result = build(site, out, jobs=1)
        assert result.ok() and _diagnostics(result) == expected_diags
        assert tree(out) == expected
        assert build(site, out, jobs=1).rendered == []  # and the cache works again

    check()


@pytest.mark.parametrize("table", ["meta", "validated", "markdown"])
def test_a_flipped_bit_in_any_stored_value_is_a_miss(tmp_path: Path, table: str) -> None:
    """Each row's checksum catches what CBOR alone would take: a changed letter in a page's HTML."""
    site = tmp_path / "site"
    make_linked_site(site, n=3)
    assert build(site, tmp_path / "first", jobs=1).ok()
    with sqlite3.connect(site / CACHE_DIR / DB_FILE) as db:
        for key, value in db.execute(f"SELECT key, value FROM {table}").fetchall():
            flipped = bytearray(value)
            flipped[len(value) * 2 // 3] ^= 0x01
            db.execute(f"UPDATE {table} SET value = ? WHERE key = ?", (bytes(flipped), key))
    result = build(site, tmp_path / "out", jobs=1)
    clean = build(site, tmp_path / "clean", jobs=1, incremental=False)
    assert result.ok() and _diagnostics(result) == _diagnostics(clean)
    assert tree(tmp_path / "out") == tree(tmp_path / "clean")


def _lock_name(out: Path) -> str:
    from spinesite.incremental.keys import digest

    return digest(str(out.absolute()))[:16]


def test_a_site_copied_elsewhere_reuses_its_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache is keyed by content, not by folder, times or inodes: a copy (new mtimes and
    inodes, as on CI restoring it) validates no front matter and renders no Markdown again."""
    first = tmp_path / "first"
    make_linked_site(first, n=5)
    assert build(first, tmp_path / "out1", jobs=1).ok()
    moved = tmp_path / "elsewhere" / "moved"
    shutil.copytree(first, moved, copy_function=shutil.copy)  # new mtimes and inodes
    calls: list[str] = []
    real_render, real_validate = markdown.Renderer.render_page, validate.validate_fields

    def render_page(self: markdown.Renderer, page: Any) -> None:
        calls.append(f"markdown {page.rel}")
        real_render(self, page)

    def validate_fields(*args: Any, **kwargs: Any) -> Any:
        calls.append("validate")
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(markdown.Renderer, "render_page", render_page)
    monkeypatch.setattr(validate, "validate_fields", validate_fields)
    result = build(moved, tmp_path / "out2", jobs=1)
    assert result.ok() and calls == []
    assert len(result.rendered) == len(result.graph.pages)  # type: ignore[union-attr]  # templates: a new output folder
    monkeypatch.undo()
    assert build(moved, tmp_path / "clean", jobs=1, incremental=False).ok()
    assert tree(tmp_path / "out2") == tree(tmp_path / "clean")


def test_cache_dir_keeps_the_site_folder_clean(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "ci-cache" / "spinesite"
    make_linked_site(site, n=3)
    for _ in range(2):
        code, _out, err = run_cli(capsys, "build", site, "-o", tmp_path / "out", "--cache-dir", cache)
        assert code == 0, err
    assert not (site / CACHE_DIR).exists()
    assert _rows(cache / DB_FILE, "meta") == ["stamp", "state"]
    assert build(site, tmp_path / "out", jobs=1, cache_dir=cache).rendered == []
    code, _out, err = run_cli(capsys, "check", site, "--cache-dir", cache)
    assert code == 0, err
    assert not (site / CACHE_DIR).exists()


def test_a_cache_dir_reached_through_a_link_in_the_site_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    site, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    make_linked_site(site, n=2)
    elsewhere.mkdir()
    (site / "build").symlink_to(elsewhere, target_is_directory=True)
    code, _out, err = run_cli(capsys, "build", site, "-o", tmp_path / "out", "--cache-dir", site / "build" / "cache")
    assert code == 1
    assert err.splitlines()[0] == (
        "build: build is a symbolic link; spinesite never follows links in the site folder: "
        "delete it (or choose another --cache-dir) and build again"
    )
    assert list(elsewhere.iterdir()) == [] and not (tmp_path / "out").exists()


def test_a_database_that_is_a_link_is_never_followed(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Even in a --cache-dir of the user's choosing: the link is removed, its target untouched."""
    site, cache, target = tmp_path / "site", tmp_path / "cache", tmp_path / "precious.db"
    make_linked_site(site, n=2)
    cache.mkdir()
    target.write_bytes(b"not a cache")
    for suffix in ("", "-wal", "-shm"):
        (cache / (DB_FILE + suffix)).symlink_to(target)
    code, _out, err = run_cli(capsys, "build", site, "-o", tmp_path / "out", "--cache-dir", cache)
    assert code == 0, err
    assert target.read_bytes() == b"not a cache"
    assert not (cache / DB_FILE).is_symlink() and _rows(cache / DB_FILE, "meta") == ["stamp", "state"]


def test_values_are_plain_cbor(tmp_path: Path) -> None:
    """Every value decodes with cbor2 alone into lists, maps, text, numbers and dates."""
    site = tmp_path / "site"
    make_linked_site(site, n=2)
    assert build(site, tmp_path / "out", jobs=1).ok()

    def plain(value: Any) -> bool:
        if isinstance(value, list):
            return all(plain(v) for v in value)
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        return value is None or isinstance(value, str | int | float | dt.date)

    with sqlite3.connect(site / CACHE_DIR / DB_FILE) as db:
        for table in ("meta", "validated", "markdown"):
            values = [cbor2.loads(v) for (v,) in db.execute(f"SELECT value FROM {table}")]
            assert values and all(plain(v) for v in values), table


BUILD = "import sys; from spinesite.cli import main; sys.exit(main(sys.argv[1:]))"


def test_builds_of_one_site_at_once_share_the_cache(tmp_path: Path) -> None:
    """Two builds (each with two worker processes writing Markdown entries) into two output
    folders at the same time, twice, with an edit in between: both match a clean build."""
    site = tmp_path / "site"
    make_linked_site(site, n=25)  # 101 pages: enough for two workers
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests")}
    for round_ in range(2):
        if round_:
            stretch = site / "content" / "stretches" / "s1.md"
            stretch.write_text(stretch.read_text() + "\nEdited.\n")
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", BUILD, "-q", "build", str(site), "-o", str(tmp_path / f"out{i}"), "-j", "2"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
            )
            for i in range(2)
        ]
        for proc in procs:
            _stdout, stderr = proc.communicate(timeout=300)
            assert proc.returncode == 0, stderr.decode()
        assert build(site, tmp_path / f"clean{round_}", jobs=1, incremental=False).ok()
        assert tree(tmp_path / "out0") == tree(tmp_path / "out1") == tree(tmp_path / f"clean{round_}")


# Forged entries: well-formed CBOR, correct checksums, the right outline, the wrong types.
WRONG = st.recursive(
    st.integers() | st.floats() | st.booleans() | st.binary(max_size=4) | st.datetimes(timezones=st.just(dt.UTC)),
    lambda inner: (
        st.lists(inner, min_size=1, max_size=3) | st.dictionaries(st.text(max_size=3) | st.integers(), inner, min_size=1, max_size=3)
    ),
    max_leaves=6,
)  # never text, None or an empty list or map: nothing any field or part of an entry can hold in its place
FORGERY = st.one_of(
    st.tuples(st.just("replace"), WRONG),  # a value by one of another type
    st.tuples(st.just("append"), WRONG),  # a list gets one more item of the wrong type
    st.tuples(st.just("add key"), st.text(min_size=1, max_size=4), WRONG),  # a map one more key
)


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield path, value
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from _nodes(item, (*path, i))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _nodes(item, (*path, key))


def _forge(value: Any, where: float, forgery: tuple[Any, ...]) -> Any:
    """``value`` with one node (chosen by ``where``) forged; ``assume`` skips what cannot be."""
    kind = forgery[0]
    fits = {"replace": object, "append": list, "add key": dict}[kind]
    nodes = [(p, v) for p, v in _nodes(value) if v is not None and isinstance(v, fits)]
    assume(nodes)  # e.g. no list to append to
    path, node = nodes[int(where * len(nodes))]
    if kind == "replace":
        assume(type(forgery[1]) is not type(node))
        new = forgery[1]
    elif kind == "append":
        new = [*node, forgery[1]]
    else:
        assume(forgery[1] not in node)
        new = {**node, forgery[1]: forgery[2]}
    if not path:
        return new
    parent = value
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = new
    return value


def _forging_site(site: Path) -> None:
    """The linked site, with Markdown fields (FAQ, diagnosis) and warnings kept in the cache."""
    make_linked_site(site, n=3)
    condition = site / "content" / "conditions" / "d0.md"
    condition.write_text(
        condition.read_text().replace(
            "region: lumbar",
            "region: lumbar\ndiagnosis: A *short* talk.\nfaq:\n  - question: Is it bad?\n    answer: Usually **not**.\n",
            1,
        )
    )
    treatment = site / "content" / "treatments" / "t0.md"
    treatment.write_text(treatment.read_text().replace("{name: NICE NG59}", "{name: Local advice}", 1))  # a warning


@pytest.mark.parametrize("target", ["stamp", "state", "validated", "markdown"])
def test_a_forged_entry_of_the_wrong_types_costs_a_rebuild(tmp_path: Path, target: str) -> None:
    """Issue 15: loading a tampered cache can at worst cause a rebuild, never a traceback nor
    another page. Each example forges one node of one entry of ``target`` (the stamp and the
    build state are the meta table's two entries), then builds into the output the cache
    describes (a fresh one too, for the other tables) and compares with a clean build."""
    site, out = tmp_path / "site", tmp_path / "out"
    _forging_site(site)
    clean = build(site, tmp_path / "clean", jobs=1, incremental=False)
    expected, expected_diags = tree(tmp_path / "clean"), _diagnostics(clean)
    assert clean.ok() and any("warning:" in d for d in expected_diags)
    assert build(site, out, jobs=1).ok()
    db_path = site / CACHE_DIR / DB_FILE
    table = "meta" if target in ("stamp", "state") else target
    pristine_db = db_path.read_bytes()
    pristine_out = tmp_path / "pristine-out"
    shutil.copytree(out, pristine_out, copy_function=shutil.copy2)

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(index=st.integers(0, 1000), where=st.floats(0, 1, exclude_max=True), forgery=FORGERY, fresh_output=st.booleans())
    def check(index: int, where: float, forgery: tuple[Any, ...], fresh_output: bool) -> None:
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(pristine_out, out, copy_function=shutil.copy2)
        db_path.write_bytes(pristine_db)
        assert build(site, out, jobs=1).rendered == []  # the stamp now describes this output
        if fresh_output and target != "stamp":
            shutil.rmtree(out)  # every page rendered, from the cached front matter and Markdown
        keys = ["stamp"] if target == "stamp" else ["state"] if target == "state" else _rows(db_path, table)
        key = keys[index % len(keys)]
        with contextlib.closing(sqlite3.connect(db_path)) as db, db:
            (value,) = db.execute(f"SELECT value FROM {table} WHERE key = ?", (key,)).fetchone()
            encoded = cbor2.dumps(_forge(cbor2.loads(value), where, forgery))
            db.execute(f"UPDATE {table} SET sum = ?, value = ? WHERE key = ?", (row_checksum(table, key, encoded), encoded, key))
            if target != "stamp":
                db.execute("DELETE FROM meta WHERE key = 'stamp'")  # else nothing is read but the stamp
        result = build(site, out, jobs=1)
        assert result.ok() and _diagnostics(result) == expected_diags
        assert tree(out) == expected

    check()


def test_every_field_type_is_checked_in_cached_entries() -> None:
    """A field type :mod:`spinesite.incremental.fieldshapes` does not know would make every
    entry with such a field a miss (correct, but never cached): keep the two in step."""
    from spinesite.content.contenttypes import TYPES
    from spinesite.content.fields import FieldType, List, Obj
    from spinesite.incremental.fieldshapes import KNOWN_TYPES

    def types(kind: FieldType) -> Iterator[type]:
        yield type(kind)
        if isinstance(kind, List):
            yield from types(kind.item)
        elif isinstance(kind, Obj):
            for f in kind.fields:
                yield from types(f.type)

    used = {t for ct in TYPES for f in ct.fields for t in types(f.type)}
    assert used and all(issubclass(t, KNOWN_TYPES) for t in used)


def test_the_bundled_sites_validated_front_matter_reads_back(tmp_path: Path) -> None:
    """Every front matter the bundled site validates (dates, lists, maps, defaults, warnings)
    passes the cache's type checks: none is a miss."""
    from spinesite.content.loader import content_rels, load_file
    from spinesite.diagnostics import Diagnostics
    from spinesite.incremental.state import Cache
    from spinesite.incremental.store import Store

    site = ROOT / "content" / ".."
    cache = Cache.empty()
    for rel in content_rels(site):
        src = load_file(site / rel, rel, rel.split("/")[1], Diagnostics(), 1 << 20)
        assert src is not None
        results: dict[str, Any] = {}
        validate.validate_pages([src], Diagnostics(), results=results)
        cache.validated[f"{rel}\x1f{src.digest}"] = results[rel]
    assert len(cache.validated) > 20
    with Store.session(tmp_path) as store:
        cache.save(store)
        assert Cache.load(store).validated == cache.validated


def test_a_copied_sites_validated_files_are_found_by_digest(tmp_path: Path) -> None:
    """``Cache.validated_rels``: what ``build.prevalidate_all`` need not send to the workers
    (a copied site has new stats, so no file is trusted by stat, but every digest is cached)."""
    from spinesite.content.loader import content_rels
    from spinesite.incremental.state import Cache
    from spinesite.incremental.store import Store

    first, moved = tmp_path / "first", tmp_path / "moved"
    make_linked_site(first, n=3)
    assert build(first, tmp_path / "out", jobs=1).ok()
    shutil.copytree(first, moved, copy_function=shutil.copy)
    edited = moved / "content" / "stretches" / "s1.md"
    edited.write_text(edited.read_text() + "\nEdited.\n")
    (moved / "content" / "causes" / "c9.md").write_text((moved / "content" / "causes" / "c0.md").read_text())  # same bytes, new rel
    with Store.session(moved / CACHE_DIR) as store:
        cache = Cache.load(store)
    rels = content_rels(moved)
    found = cache.validated_rels(moved, rels, 1 << 20)
    assert sorted(set(rels) - found.keys()) == ["content/causes/c9.md", "content/stretches/s1.md"]
    # each with its stat as read, digest and body line: the loader does not read it again
    rel = "content/causes/c0.md"
    raw, st = (moved / rel).read_bytes(), (moved / rel).stat()
    body_line = raw.decode().split("\n")[1:].index("---") + 3
    assert found[rel] == (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, hashlib.sha256(raw).hexdigest(), body_line)
    assert cache.validated_rels(moved, rels, 10) == {}  # files over the size limit are left to the loader


def test_a_store_used_before_and_after_a_fork(tmp_path: Path) -> None:
    """Each process opens its own connection (no registry of connections, no fork hook): a
    forked child never uses its parent's, writes through its own, and the parent goes on."""
    import multiprocessing

    from spinesite.incremental.store import Store

    source = (ROOT / "src" / "spinesite" / "incremental" / "store.py").read_text(encoding="utf-8")
    assert "register_at_fork" not in source and "weakref" not in source
    with Store.session(tmp_path) as store:
        assert store is not None
        store.put("markdown", "parent", ["<p>1</p>", [], {}])
        ctx = multiprocessing.get_context("fork")
        child = ctx.Process(target=_child_writes, args=(store,))
        child.start()
        child.join(60)
        assert child.exitcode == 0
        assert store.get("markdown", "child", lambda v, _b: v) == ["<p>2</p>", [], {}]
        store.put("markdown", "parent again", ["<p>3</p>", [], {}])
    with Store.session(tmp_path) as store:
        assert store is not None and store.keys("markdown") == {"parent", "child", "parent again"}


def _child_writes(store: Any) -> None:
    inherited = store._conn
    assert store.get("markdown", "parent", lambda v, _b: v) == ["<p>1</p>", [], {}]
    store.put("markdown", "child", ["<p>2</p>", [], {}])
    assert store._conn is not inherited and store._inherited == [inherited]
    store.close()  # its own connection; the inherited one stays open (never closed in the child)
    assert store._inherited == [inherited]


def test_a_stamp_never_reports_an_error_again(tmp_path: Path) -> None:
    """A skipped build reports the stamp's warnings again: a stamp holding an error (which no
    successful build leaves) is forged, and a miss."""
    site, out = tmp_path / "site", tmp_path / "out"
    _forging_site(site)
    first = build(site, out, jobs=1)
    assert first.ok() and build(site, out, jobs=1).rendered == []
    db_path = site / CACHE_DIR / DB_FILE
    with contextlib.closing(sqlite3.connect(db_path)) as db, db:
        (value,) = db.execute("SELECT value FROM meta WHERE key = 'stamp'").fetchone()
        plain = cbor2.loads(value)
        assert plain["warnings"]
        plain["warnings"][0][3] = "error"
        encoded = cbor2.dumps(plain)
        db.execute("UPDATE meta SET sum = ?, value = ? WHERE key = 'stamp'", (row_checksum("meta", "stamp", encoded), encoded))
    result = build(site, out, jobs=1)
    assert result.ok() and _diagnostics(result) == _diagnostics(first)


def test_a_copied_site_built_on_workers_validates_nothing_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A site copied with its cache (new stats; its files just written, so none is trusted by
    stat) is built with -j 2: its front matter is found by digest, the workers validate none."""
    first = tmp_path / "first"
    make_linked_site(first, n=25)  # 101 files: enough for the pool that validates ahead
    assert build(first, tmp_path / "out1", jobs=1).ok()
    moved = tmp_path / "moved"
    shutil.copytree(first, moved, copy_function=shutil.copy)
    calls = tmp_path / "calls"
    real_validate = validate.validate_fields

    def validate_fields(*args: Any, **kwargs: Any) -> Any:
        with open(calls, "a", encoding="utf-8") as fh:  # the workers are other processes
            fh.write(f"{os.getpid()}\n")
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(validate, "validate_fields", validate_fields)
    result = build(moved, tmp_path / "out2", jobs=2)
    assert result.ok()
    assert not calls.exists()
