"""No-change fast path: skip the whole build when no input and no output file changed.

Like make (and git's index), a build records the size, mtime and inode of every input
file (config, content, static, the site's and the theme's templates), of every output file
it left, and the environment that matters (spinesite's version, ``SOURCE_DATE_EPOCH``,
search on or off, the output folder). The next build compares: if everything is identical,
the output is already exactly what a build would produce and nothing runs. Files modified
within two seconds before the last build are "racily clean" (a later change could keep the
same stat): a content file is then trusted only if its bytes still hash to what the build
read, any other such file is not trusted. Any doubt falls back to the content-hashed
incremental build (:mod:`.state`). The stamp is kept in the cache database (:mod:`.store`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spinesite import clock
from spinesite.diagnostics import Diagnostic
from spinesite.incremental import codec
from spinesite.incremental.state import RACY_NS, Cache
from spinesite.incremental.store import CACHE_DIR, Store
from spinesite.output.transaction import scan

STAMP = "stamp"  # its key in the store's meta table
Stat = tuple[int, int, int]


@dataclass
class Stamp:
    env: str
    inputs: dict[str, Stat]
    outputs: dict[str, Stat]
    written_ns: int
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)
    racy: dict[str, str] = field(default_factory=dict)  # content file -> sha256 the build read, for racy files


def environment(out: Path, search: bool, base_url: str | None = None, *, drafts: bool = False, today: dt.date | None = None) -> str:
    """What a build depends on besides its files: "today" too (review notices and warnings;
    the build's own date, else :func:`clock.check_today`), a ``--base-url`` given on the
    command line, and ``--drafts``."""
    day = today or clock.check_today()
    return "\x1f".join([Cache.current_salt(), day.isoformat(), str(search), str(out), base_url or "", f"drafts={drafts}"])


def input_stats(site: Path, theme: Path) -> dict[str, Stat]:
    stats = _tree(site / "content", "content") | _tree(site / "static", "static") | _tree(site / "templates", "templates")
    stats |= _tree(theme, "theme:")
    config = _stat(site / "spinesite.yaml")
    if config is not None:
        stats["spinesite.yaml"] = config
    return stats


def output_stats(out: Path) -> dict[str, Stat]:
    """What ``Transaction.commit`` records (``output.scan``); a link planted since shows up too."""
    try:
        files, links = scan(out)
    except OSError:
        return {}
    return files | {rel: st for rel in links if (st := _stat(out / rel)) is not None}


def unchanged(site: Path, out: Path, theme: Path, env: str, store: Store | None = None) -> tuple[Stamp | None, dict[str, Stat]]:
    """(The previous build's stamp when nothing changed since, else None; the input stats now).

    The caller passes these input stats back to :func:`record`: a file changed while the
    build runs then no longer matches them, so the next build is not skipped. ``env``: see
    :func:`environment`; ``store``: the cache database (default: the one in
    ``SITE/.spinesite-cache``, if any).
    """
    inputs = input_stats(site, theme)
    store = store or _site_store(site)
    stamp = store.get("meta", STAMP, _stamp_from_plain) if store is not None else None
    if stamp is None or stamp.env != env:
        return None, inputs
    if inputs != stamp.inputs:
        return None, inputs
    for rel, st in inputs.items():  # racily clean: trusted only if its bytes are still those the build read
        if st[1] >= stamp.written_ns - RACY_NS and stamp.racy.get(rel, "-") != _sha256(_path(site, theme, rel)):
            return None, inputs
    return (stamp if output_stats(out) == stamp.outputs else None), inputs


def racy_digests(site: Path, theme: Path, inputs: dict[str, Stat], started_ns: int) -> dict[str, str]:
    """sha256 of the inputs (but content files: the loader hashes those as it reads them)
    changed within two seconds before ``started_ns``; taken before the build reads them."""
    return {
        rel: _sha256(_path(site, theme, rel))
        for rel, st in inputs.items()
        if st[1] >= started_ns - RACY_NS and not rel.startswith("content/")
    }


def _path(site: Path, theme: Path, rel: str) -> Path:
    return theme / rel[len("theme:") :] if rel.startswith("theme:") else site / rel


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def made(
    env: str,
    *,
    inputs: dict[str, Stat],
    outputs: dict[str, Stat],
    started_ns: int,
    counts: dict[str, int],
    warnings: list[Diagnostic],
    digests: dict[str, str],
) -> Stamp:
    """The stamp of a successful, written build: its inputs as found before it, its outputs as
    ``Transaction.commit`` left them. ``digests`` are the sha256 of the inputs as the build read
    them (content files; the others from :func:`racy_digests`): files changed just before the
    build (racily clean) are trusted next time only if their bytes still have them."""
    racy = {rel: digests[rel] for rel, st in inputs.items() if st[1] >= started_ns - RACY_NS and rel in digests}
    return Stamp(env, inputs, outputs, started_ns, counts, warnings, racy)


def record(site: Path, stamp: Stamp, store: Store | None = None) -> None:
    """Remember ``stamp`` (see :func:`made`) for the next build's :func:`unchanged`."""
    store = store or _site_store(site)
    if store is not None:
        store.put("meta", STAMP, _stamp_to_plain(stamp))


def forget(site: Path, store: Store | None = None) -> None:
    """From here on the output may change: the next build must not be skipped."""
    store = store or _site_store(site)
    if store is not None:
        store.update("meta", {}, [STAMP])


def _site_store(site: Path) -> Store | None:
    """The store in the site's default cache folder, when that is a real folder."""
    folder = site / CACHE_DIR
    return Store.open(folder) if folder.is_dir() and not folder.is_symlink() else None


def _stamp_to_plain(stamp: Stamp) -> dict[str, Any]:
    return {
        "env": stamp.env,
        "inputs": stamp.inputs,
        "outputs": stamp.outputs,
        "written_ns": stamp.written_ns,
        "counts": stamp.counts,
        "warnings": [codec.diagnostic_to_plain(d) for d in stamp.warnings],
        "racy": stamp.racy,
    }


def _stamp_from_plain(value: Any, _budget: int) -> Stamp:
    plain = codec.expect(value, dict)
    if plain.keys() != {"env", "inputs", "outputs", "written_ns", "counts", "warnings", "racy"}:
        raise codec.BadValue("not a stamp of this version")
    return Stamp(
        codec.expect(plain["env"], str),
        _stats_from_plain(plain["inputs"]),
        _stats_from_plain(plain["outputs"]),
        codec.expect(plain["written_ns"], int),
        codec.text_map(plain["counts"], lambda v: codec.expect(v, int)),
        _warnings_from_plain(plain["warnings"]),
        codec.text_map(plain["racy"], lambda v: codec.expect(v, str)),
    )


def _warnings_from_plain(value: Any) -> list[Diagnostic]:
    """What a skipped build reports again: warnings only (a successful build left no error)."""
    found = codec.diagnostics_from_plain(value)
    if any(d.level != "warning" for d in found):
        raise codec.BadValue("a stamp keeps warnings only")
    return found


def _stats_from_plain(value: Any) -> dict[str, Stat]:
    """rel -> (size, mtime, inode): thousands of them on the no-change path, so checked in one pass."""
    stats = {k: tuple(v) for k, v in codec.expect(value, dict).items() if type(v) is list}
    if len(stats) != len(value) or not all(
        type(k) is str and len(v) == 3 and type(v[0]) is int and type(v[1]) is int and type(v[2]) is int for k, v in stats.items()
    ):
        raise codec.BadValue("not file stats")
    return stats  # type: ignore[return-value]


def now_ns() -> int:
    return time.time_ns()


def _stat(path: Path) -> Stat | None:
    try:
        st = path.lstat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _tree(root: Path, prefix: str) -> dict[str, Stat]:
    """lstat of every entry below ``root`` (links are recorded, never followed)."""
    out: dict[str, Stat] = {}
    stack = [(root, prefix)]
    while stack:
        folder, rel = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = f"{rel}/{entry.name}" if rel and not rel.endswith(":") else f"{rel}{entry.name}"
            st = entry.stat(follow_symlinks=False)
            if entry.is_dir(follow_symlinks=False):
                stack.append((Path(entry.path), name))
            else:
                out[name] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return out
