"""No-change fast path: skip the whole build when no input and no output file changed.

Like make (and git's index), a build records the size, mtime and inode of every input
file (config, content, static, the site's and the theme's templates), of every output file
it left, and the environment that matters (spinesite's version, ``SOURCE_DATE_EPOCH``,
search on or off, the output folder). The next build compares: if everything is identical,
the output is already exactly what a build would produce and nothing runs. Files modified
within two seconds of the last build are "racily clean" and never trusted. Any doubt falls
back to the content-hashed incremental build (``cache.py``).
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .cache import CACHE_DIR, Cache, read_signed, write_signed
from .diagnostics import Diagnostic

STAMP_FILE = "stamp.pickle"
RACY_NS = 2_000_000_000
Stat = tuple[int, int, int]


@dataclass
class Stamp:
    env: str
    inputs: dict[str, Stat]
    outputs: dict[str, Stat]
    written_ns: int
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)


def environment(out: Path, search: bool) -> str:
    return "\x1f".join([Cache.current_salt(), os.environ.get("SOURCE_DATE_EPOCH", ""), str(search), str(out)])


def input_stats(site: Path, theme: Path) -> dict[str, Stat]:
    stats = _tree(site / "content", "content") | _tree(site / "static", "static") | _tree(site / "templates", "templates")
    stats |= _tree(theme, "theme:")
    config = _stat(site / "spinesite.yaml")
    if config is not None:
        stats["spinesite.yaml"] = config
    return stats


def output_stats(out: Path) -> dict[str, Stat]:
    return _tree(out, "")


def unchanged(site: Path, out: Path, theme: Path, search: bool) -> tuple[Stamp | None, dict[str, Stat]]:
    """(The previous build's stamp when nothing changed since, else None; the input stats now).

    The caller passes these input stats back to :func:`record`: a file changed while the
    build runs then no longer matches them, so the next build is not skipped.
    """
    inputs = input_stats(site, theme)
    stamp = read_signed(site / CACHE_DIR / STAMP_FILE)
    if not isinstance(stamp, Stamp) or stamp.env != environment(out, search):
        return None, inputs
    newest = max((st[1] for st in inputs.values()), default=0)
    if newest >= stamp.written_ns - RACY_NS or inputs != stamp.inputs:
        return None, inputs
    return (stamp if output_stats(out) == stamp.outputs else None), inputs


def record(
    site: Path,
    out: Path,
    search: bool,
    counts: dict[str, int],
    warnings: list[Diagnostic],
    started_ns: int,
    inputs: dict[str, Stat],
    outputs: dict[str, Stat],
) -> None:
    """Remember this build's inputs (as found before it) and outputs (call only after a
    successful, written build; ``outputs`` as left by ``Transaction.commit``)."""
    stamp = Stamp(environment(out, search), inputs, outputs, started_ns, counts, warnings)
    write_signed(site / CACHE_DIR / STAMP_FILE, stamp)


def forget(site: Path) -> None:
    with contextlib.suppress(OSError):
        (site / CACHE_DIR / STAMP_FILE).unlink()


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
