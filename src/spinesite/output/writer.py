"""The output folder's guard: :func:`check_output_dir` refuses, before a build writes anything,
an output folder that could destroy something (the site itself, a folder of the site, the home
folder, a symbolic link, a non-empty folder spinesite did not create), raising :class:`OutputError`.

The writing itself is :class:`output.Transaction`: staged, then committed all or nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

MARKER = ".spinesite-output"


class OutputError(Exception):
    """The output folder cannot be used (a usage error, exit 2)."""


def check_output_dir(site: Path, out: Path) -> None:
    """Refuse output folders that could destroy something: raise :class:`OutputError`."""
    site_r, out_abs = site.resolve(), Path(os.path.abspath(out))
    if out_abs.is_symlink():
        raise OutputError(f"output folder {out} is a symbolic link; give the real folder")
    out_r = out_abs.resolve()
    home = Path.home().resolve()
    if out_r == site_r or site_r.is_relative_to(out_r):
        raise OutputError(f"output folder {out} is (or contains) the site folder; use a sub-folder such as _site")
    for protected in ("content", "templates", "static"):
        if out_r.is_relative_to(site_r / protected):
            raise OutputError(f"output folder {out} is inside the site's {protected}/ folder")
    if home.is_relative_to(out_r) or out_r == Path(out_r.anchor):
        raise OutputError(f"refusing to use {out} as the output folder (it is, or contains, your home folder)")
    if out_r.exists() and not out_r.is_dir():
        raise OutputError(f"output path {out} exists and is not a folder")
    parent = out_r.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(f"cannot create output folder {out}: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot create output folder {out}: {parent} is not writable")
    if out_r.is_dir() and any(out_r.iterdir()) and not (out_r / MARKER).is_file():
        raise OutputError(f"output folder {out} is not empty and was not created by spinesite; choose another folder or empty it")
