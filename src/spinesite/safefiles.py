"""Files inside the site's cache folder, opened without ever following a link.

The site folder is untrusted input (a pull request can add any file, links included), so
the cache folder's files are read only when they are regular files, and written through a
fresh temporary file created with ``O_EXCL | O_NOFOLLOW`` and renamed into place: a link
planted under any of their names is replaced, never written through.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path


def open_lock(path: Path) -> int:
    """A file descriptor of the lock file ``path``; a link planted there is removed, never followed."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        return os.open(path, flags, 0o600)
    except OSError:
        if not path.is_symlink():
            raise
        path.unlink()  # ours to remove: it is inside the cache folder
        return os.open(path, flags, 0o600)


def read_file(path: Path) -> bytes:
    """The bytes of the regular file ``path``; OSError for a link, a device or a FIFO."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path} is not a regular file")
        return fh.read()


def write_file_atomic(path: Path, *chunks: bytes) -> None:
    """Write ``chunks`` to a new temporary file beside ``path`` (never through a link), then rename it over ``path``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)  # a stale one, or a planted link: removed, never followed
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
