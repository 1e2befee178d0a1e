"""A folder of signed, content-addressed cache entries, read one at a time.

The rendered Markdown of every page is the largest thing an incremental build keeps. It
lives here, one file per Markdown key, instead of in the main cache pickle: a rebuild
after one edit loads only the entries of the pages it renders, and neither the main
process nor the cache file ever holds the HTML of the whole site. Workers write and read
entries themselves, so cold builds do not ship HTML between processes either.

Each file is ``HMAC(user key, data) + pickle`` (see ``cache.read_signed``): a file that
does not carry our signature is never unpickled. Entries are written atomically and named
by their key, so two builds writing the same entry write the same bytes. A missing or bad
entry is simply a miss; the caller renders the page's Markdown again.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import pickle
from pathlib import Path
from typing import Any

from .safefiles import read_file, write_file_atomic


class BlobDir:
    """Signed pickles named by (hex) key under ``folder``; fan-out by the first two characters."""

    def __init__(self, folder: Path, key: bytes) -> None:
        self.folder = folder
        self.key = key

    @classmethod
    def open(cls, folder: Path, key: bytes | None) -> BlobDir | None:
        """The store in ``folder`` with its 256 shard folders made, or None when there is no
        key, a folder on the way is a link (the site is untrusted), or the disk refuses."""
        if key is None or folder.is_symlink() or folder.parent.is_symlink():
            return None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(256):
                shard = folder / f"{i:02x}"
                shard.mkdir(exist_ok=True)
                if shard.is_symlink():
                    return None
        except OSError:
            return None
        return cls(folder, key)

    def _path(self, name: str) -> Path:
        if len(name) < 2 or not all(c in "0123456789abcdef" for c in name):
            raise ValueError(f"bad cache key: {name!r}")
        return self.folder / name[:2] / name

    def get(self, name: str) -> Any:
        """The value stored under ``name``, or None when absent or not ours."""
        try:
            blob = read_file(self._path(name))
            mac, data = blob[:32], blob[32:]
            if not hmac.compare_digest(mac, hmac.new(self.key, data, hashlib.sha256).digest()):
                return None
            return pickle.loads(data)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError, IndexError):
            return None

    def put(self, name: str, value: Any) -> None:
        """Store ``value`` atomically; silently skipped when the disk refuses."""
        path = self._path(name)
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        with contextlib.suppress(OSError):  # the shard folder exists and is not a link (see open)
            write_file_atomic(path, hmac.new(self.key, data, hashlib.sha256).digest(), data)

    def prune(self, keep: set[str]) -> None:
        """Delete every entry (and stray temporary file) not named in ``keep``."""
        try:
            shards = list(os.scandir(self.folder))
        except OSError:
            return
        for shard in shards:
            if not shard.is_dir(follow_symlinks=False):
                continue
            with contextlib.suppress(OSError):
                for entry in os.scandir(shard.path):
                    if entry.name not in keep:
                        with contextlib.suppress(OSError):
                            os.unlink(entry.path)
