"""The on-disk store of incremental builds: one SQLite database of plain data.

``CACHE/cache.sqlite3`` (``CACHE`` is ``SITE/.spinesite-cache`` unless ``--cache-dir`` says
otherwise) holds three tables of ``key → value``: ``meta`` (the build state and the
no-change stamp), ``validated`` (each file's validated front matter, keyed by its path and
content digest) and ``markdown`` (each page's rendered Markdown, keyed by a digest of its
inputs). Values are CBOR (:mod:`.codec`), never pickles: loading them cannot run code. Each
row carries a checksum of its key and value, so a damaged row reads as missing.

The site folder is untrusted input, and so is everything in it: a database that is not
ours (garbage, a truncated file, another schema, a trigger someone added) is deleted and
made again, a row that is damaged or of the wrong shape is a miss, and a file planted as a
link under any of the database's names is removed, never followed. At worst the next build
does all its work again. The database is in WAL mode: builds of one site can run at once,
and the workers of a build's process pool read and write Markdown entries themselves, each
process on its own connection: a :class:`Store` opens one per process when first used
(keyed by process id) and never uses, nor closes, one its process inherited across a fork.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import stat
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from spinesite.incremental import codec

T = TypeVar("T")
CACHE_DIR = ".spinesite-cache"
DB_FILE = "cache.sqlite3"
SCHEMA_VERSION = 1
TABLES = ("meta", "validated", "markdown")
BUSY_MS = 60_000  # another build holding the write lock: wait, do not fail
_FILES = ("", "-wal", "-shm", "-journal")
_CREATE = {t: f"CREATE TABLE {t} (key TEXT PRIMARY KEY, sum BLOB NOT NULL, value BLOB NOT NULL)" for t in TABLES}
_SCHEMA = sorted(
    [("table", t, t, sql) for t, sql in _CREATE.items()] + [("index", f"sqlite_autoindex_{t}_1", t, None) for t in TABLES],
    key=repr,
)
_FAILED = (sqlite3.Error, OSError, ValueError)  # ValueError: also a key SQLite cannot take, a bad value


class CacheFolderError(Exception):
    """The cache folder cannot be used safely (reported as a diagnostic at ``path``, exit 1)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path


def cache_folder(site: Path, cache_dir: Path | None = None) -> Path:
    """The cache folder (``SITE/.spinesite-cache`` or ``cache_dir``), made when missing, with its ``.gitignore``.

    The site folder is untrusted input: inside it, the cache folder and every folder on the
    way to it must be real folders, never symbolic links (refused, not followed), so that a
    planted link can never make a build write outside the site and output folders. A
    ``--cache-dir`` outside the site is the user's own choice and is made as given.
    """
    folder = Path(os.path.abspath(cache_dir if cache_dir is not None else site / CACHE_DIR))
    root = Path(os.path.abspath(site))
    if folder != root and folder.is_relative_to(root):
        here = root
        for part in folder.relative_to(root).parts:
            here = here / part
            _real_folder(here, here.relative_to(root).as_posix(), last=here == folder)
    elif folder == root:
        raise CacheFolderError(CACHE_DIR, "the cache folder cannot be the site folder itself; choose another --cache-dir")
    else:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheFolderError(str(folder), f"cannot make the cache folder: {exc.strerror or exc}") from exc
        if not folder.is_dir():
            raise CacheFolderError(str(folder), f"{folder} is not a folder; choose another --cache-dir")
    with contextlib.suppress(FileExistsError, OSError):
        fd = os.open(folder / ".gitignore", os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "w") as fh:
            fh.write("*\n")
    return folder


def _real_folder(path: Path, rel: str, last: bool) -> None:
    """Make ``path`` when missing; refuse a link or a file there."""
    with contextlib.suppress(FileExistsError):
        os.mkdir(path, 0o755)
    st = os.lstat(path)
    whose = "it holds only the build cache" if last else "or choose another --cache-dir"
    if stat.S_ISLNK(st.st_mode):
        raise CacheFolderError(
            rel, f"{rel} is a symbolic link; spinesite never follows links in the site folder: delete it ({whose}) and build again"
        )
    if not stat.S_ISDIR(st.st_mode):
        raise CacheFolderError(rel, f"{rel} is not a folder; delete it ({whose}) and build again")


def user_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "spinesite"


def bytecode_dir() -> Path | None:
    """Folder for Jinja's compiled templates (marshalled code): in the user's own cache,
    never in the site's (untrusted, and movable between machines)."""
    folder = user_cache_dir() / "jinja"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return folder


def row_checksum(table: str, key: str, value: bytes) -> bytes:
    """What a row's ``sum`` column holds: a digest of its table, key and value."""
    h = hashlib.blake2b(key.encode("utf-8"), digest_size=16, person=table.encode())
    h.update(value)
    return h.digest()


def _remove_files(path: Path) -> None:
    for suffix in _FILES:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")


def _remove_old_format(folder: Path) -> None:
    """Delete what spinesite 0.1's signed pickle cache left in ``folder`` (never read now)."""
    old = ["state.pickle", "stamp.pickle", *(f"validated-{i:02d}.pickle" for i in range(32))]
    for name in old:
        with contextlib.suppress(OSError):
            os.unlink(folder / name)
    markdown = folder / "markdown"
    with contextlib.suppress(OSError):
        if stat.S_ISLNK(os.lstat(markdown).st_mode):
            os.unlink(markdown)
        else:
            shutil.rmtree(markdown)  # never follows a link inside it


def _connect(path: Path) -> sqlite3.Connection:
    """A connection to ``path``; anything but a regular file under its names (a planted link,
    a folder, a FIFO) is removed first, so SQLite never opens a file through a link."""
    for suffix in _FILES:
        name = f"{path}{suffix}"
        try:
            mode = os.lstat(name).st_mode
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(mode):
            if stat.S_ISDIR(mode):
                os.rmdir(name)  # OSError when not empty: the store is not used
            else:
                os.unlink(name)
    conn = sqlite3.connect(path, timeout=BUSY_MS / 1000, isolation_level=None, check_same_thread=False)
    try:
        for pragma in ("trusted_schema=OFF", "cell_size_check=ON", f"busy_timeout={BUSY_MS}", "journal_mode=WAL", "synchronous=NORMAL"):
            conn.execute(f"PRAGMA {pragma}").fetchall()
    except BaseException:
        conn.close()
        raise
    return conn


class Store:
    """The cache database of one cache folder. Every read that fails is a miss and every write
    that fails is skipped: the store only ever saves time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self._inherited: list[sqlite3.Connection] = []  # a forked worker's copy of its parent's: never used nor closed

    @classmethod
    def open(cls, folder: Path) -> Store | None:
        """The store in ``folder``, made (again, if it was not ours) when needed; None when the disk refuses."""
        store = cls(folder / DB_FILE)
        for _attempt in range(2):
            try:
                store._check_schema()
                return store
            except _FAILED:
                store.close()
                with contextlib.suppress(OSError):
                    _remove_files(store.path)
        return None

    @classmethod
    @contextlib.contextmanager
    def session(cls, folder: Path) -> Iterator[Store | None]:
        """:meth:`open` for the length of a ``with`` block, closed after it (SQLite then folds
        its write-ahead log into the database file: one file to keep or copy)."""
        store = cls.open(folder)
        try:
            yield store
        finally:
            if store is not None:
                store.close()

    def _db(self) -> sqlite3.Connection:
        """This process's connection, opened when first needed. A forked worker finds its
        parent's connection here: it never uses it (SQLite's rule) and opens its own."""
        pid = os.getpid()
        if self._conn is None or self._pid != pid:
            self._let_go()
            self._conn = _connect(self.path)
            self._pid = pid
        return self._conn

    def _let_go(self) -> None:
        """Forget the connection: closed when this process opened it, else (a copy inherited
        across a fork) kept, never closed, so its memory is never finalised in this process."""
        if self._conn is not None:
            if self._pid == os.getpid():
                with contextlib.suppress(sqlite3.Error):
                    self._conn.close()
            else:
                self._inherited.append(self._conn)
        self._conn = None

    def close(self) -> None:
        self._let_go()

    def _check_schema(self) -> None:
        """Make the tables in a new database; raise ValueError for one that is not ours."""
        db = self._db()
        rows = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
        if not rows:
            with self._transaction() as db:
                if not db.execute("SELECT 1 FROM sqlite_master").fetchall():  # another build may have made them
                    for sql in _CREATE.values():
                        db.execute(sql)
                    db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                    _remove_old_format(self.path.parent)
            rows = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
        if sorted(rows, key=repr) != _SCHEMA or db.execute("PRAGMA user_version").fetchone() != (SCHEMA_VERSION,):
            raise ValueError("not a spinesite cache of this version")

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def get(self, table: str, key: str, read: Callable[[Any, int], T]) -> T | None:
        """The value under ``key`` as ``read(plain value, budget)`` makes it, or None (absent, damaged, wrong shape)."""
        try:
            row = self._db().execute(f"SELECT sum, value FROM {table} WHERE key = ?", (key,)).fetchone()
            return None if row is None else self._read(table, key, row[0], row[1], read)
        except _FAILED:
            return None

    def get_all(self, table: str, read: Callable[[str, Any, int], T]) -> dict[str, T]:
        """Every good entry of ``table`` as ``read(key, plain value, budget)`` makes it (damaged ones left out)."""
        out: dict[str, T] = {}
        try:
            for key, checksum, value in self._db().execute(f"SELECT key, sum, value FROM {table}"):
                if type(key) is str and (found := self._read(table, key, checksum, value, partial(read, key))) is not None:
                    out[key] = found
        except _FAILED:
            pass
        return out

    @staticmethod
    def _read(table: str, key: str, checksum: Any, value: Any, read: Callable[[Any, int], T]) -> T | None:
        if type(value) is not bytes or checksum != row_checksum(table, key, value):
            return None
        try:
            return read(codec.loads(value), len(value) + 1)
        except Exception:  # not CBOR, or not the shape ``read`` expects: a miss
            return None

    def put(self, table: str, key: str, value: Any) -> None:
        """Store one plain value (its own small transaction)."""
        self.update(table, {key: value})

    def update(self, table: str, values: dict[str, Any], delete: Iterable[str] = ()) -> bool:
        """Write ``values`` and delete the keys ``delete`` in one transaction; False when the disk refused."""
        try:
            rows = []
            for key, value in values.items():
                data = codec.dumps(value)
                rows.append((key, row_checksum(table, key, data), data))
            with self._transaction() as db:
                db.executemany(f"DELETE FROM {table} WHERE key = ?", [(k,) for k in delete])
                db.executemany(f"INSERT OR REPLACE INTO {table} (key, sum, value) VALUES (?, ?, ?)", rows)
        except Exception:  # the disk refused, a value cbor2 cannot write, a key SQLite cannot take
            return False
        return True

    def keys(self, table: str) -> set[str]:
        try:
            return {k for (k,) in self._db().execute(f"SELECT key FROM {table}") if type(k) is str}
        except _FAILED:
            return set()

    def prune(self, table: str, keep: set[str]) -> None:
        """Delete every entry of ``table`` not named in ``keep``."""
        if stale := self.keys(table) - keep:
            self.update(table, {}, stale)

    def markdown(self) -> MarkdownStore:
        return MarkdownStore(self)


class MarkdownStore:
    """Each page's rendered Markdown (html, table of contents, Markdown fields), by Markdown key:
    written and read by the workers themselves, so HTML never travels between processes."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, key: str) -> tuple[str, list[dict[str, Any]], dict[str, Any]] | None:
        return self.store.get("markdown", key, codec.rendered_from_plain)

    def put(self, key: str, value: tuple[str, list[dict[str, Any]], dict[str, Any]]) -> None:
        self.store.put("markdown", key, codec.rendered_to_plain(value))

    def prune(self, keep: set[str]) -> None:
        self.store.prune("markdown", keep)

    def close(self) -> None:
        """Close this process's connection (before forking workers); it opens again when next used."""
        self.store.close()
