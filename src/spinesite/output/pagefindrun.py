"""Running the Pagefind program, and making the bundle it writes the one to publish.

``run_pagefind`` writes the pages to index into a scratch folder and runs ``pagefind --site``
(the program of the installed ``pagefind_bin`` package; nothing is downloaded) with its
output folder set to where the bundle belongs: for a build, ``pagefind/`` in the staging
folder, so that it is committed atomically with the pages. No settings reach Pagefind but
spinesite's: not a ``pagefind.yml`` in the current folder, nor ``PAGEFIND_*`` variables.
``finish_bundle`` then checks that the bundle is complete, puts its filter files in a stable
order, and deletes the files the search page never loads. Imports nothing of spinesite's.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import subprocess
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import cbor2

# Prebuilt UIs the theme does not use (it uses the Pagefind JS API): not published.
UNUSED_FILES = frozenset(
    {
        "pagefind-ui.js",
        "pagefind-ui.css",
        "pagefind-modular-ui.js",
        "pagefind-modular-ui.css",
        "pagefind-component-ui.js",
        "pagefind-component-ui.css",
        "pagefind-highlight.js",
    }
)
# Hidden elements that only carry a filter value (type, region) are not words of the page.
EXCLUDE = ("[data-pagefind-filter][hidden]",)
PAGEFIND_INSTALL = "pip install 'pagefind_bin>=1.1,<2'"
TIMEOUT = (60.0, 0.1)  # Pagefind is stopped after 60 s plus 0.1 s a page
RAM_SCRATCH = "/dev/shm"  # a folder of our own is made inside it, mode 0700
RAM_SCRATCH_MIN_FREE = 1 << 30  # used only with a GiB free (a container's 64 MB /dev/shm is not)
_STABLE_FILES = re.compile(r"pagefind-entry\.json|filter/[\w-]+\.pf_filter|pagefind\.[\w-]+\.pf_meta")  # what stable_filters rewrites


def run_pagefind(pages: Callable[[], Iterable[tuple[str, str]]], language: str, dest: Path) -> None:
    """Index the pages ``pages()`` gives (output path, HTML, one at a time) with the Pagefind
    program into ``dest``: they are written to a scratch folder (in memory when the system has
    room, see :func:`ram_scratch`), and ``pagefind --site`` reads them. Raises ``PagefindError``
    (or OSError, ValueError: a bundle not complete) with a reason in plain words."""
    program = pagefind_program()
    folders = [f for f in (ram_scratch(), None) if f is not None] + [None]
    for i, folder in enumerate(folders):
        with tempfile.TemporaryDirectory(prefix="spinesite-search-", dir=folder) as tmp:
            site = Path(tmp, "site")
            site.mkdir()
            try:
                count = write_pages(site, pages())
            except OSError:
                if i + 1 < len(folders):  # the folder in memory had no room after all: the usual one
                    continue
                raise
            _index(site, count, tmp, language, dest, program)
            return


def ram_scratch() -> str | None:
    """A folder in memory for the pages Pagefind reads, when the system has one with room
    (Linux's ``/dev/shm``) and ``TMPDIR`` does not name another: creating ten thousand small
    files there takes a fraction of a second, against many seconds on some disks. None: the
    usual temporary folder. The pages are written to a private folder (mode 0700) either way."""
    if os.environ.get("TMPDIR"):
        return None
    try:
        room = os.statvfs(RAM_SCRATCH)
    except OSError:
        return None
    if not os.path.isdir(RAM_SCRATCH) or not os.access(RAM_SCRATCH, os.W_OK | os.X_OK):
        return None
    return RAM_SCRATCH if room.f_bavail * room.f_frsize >= RAM_SCRATCH_MIN_FREE else None


def _index(site: Path, count: int, tmp: str, language: str, dest: Path, program: Path) -> None:
    """Run Pagefind on the ``count`` pages written under ``site``, its bundle into ``dest``."""
    command = [str(program), "--site", str(site), "--output-path", str(dest), "--silent"]
    if language:  # else: one index per language, from each page's <html lang>
        command += ["--force-language", language]
    for selector in EXCLUDE:
        command += ["--exclude-selectors", selector]
    done = subprocess.run(
        command,
        cwd=tmp,  # Pagefind reads a pagefind.yml/.toml/.json in the folder it runs in: none here
        env={k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")},  # nor settings from the environment
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=TIMEOUT[0] + TIMEOUT[1] * count,
        check=False,
    )
    if done.returncode < 0:
        raise PagefindError(f"Pagefind was stopped by signal {-done.returncode}{_said(done.stdout)}")
    if done.returncode != 0:
        raise PagefindError(f"Pagefind stopped with exit code {done.returncode}{_said(done.stdout)}")
    finish_bundle(dest)


def write_pages(site: Path, pages: Iterable[tuple[str, str]]) -> int:
    """Write ``pages`` (path under ``site``, text), one at a time; returns how many."""
    count, made = 0, set()
    for rel, text in pages:
        path = site / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(text.encode("utf-8"))
        count += 1
    return count


class PagefindError(RuntimeError):
    """Pagefind is missing or failed; the message says so in plain words."""


def pagefind_program() -> Path:
    """The Pagefind program of the installed ``pagefind_bin`` package (nothing is downloaded)."""
    try:
        from pagefind_bin import get_executable

        return Path(get_executable())
    except (ImportError, OSError) as exc:
        raise PagefindError(f"Pagefind is not installed; {PAGEFIND_INSTALL} installs it") from exc


def _said(output: bytes) -> str:
    """What Pagefind said about its failure (its first error line, else its last line), as ``: …``."""
    lines = [line.strip() for line in output.decode("utf-8", "replace").splitlines() if line.strip()]
    errors = [line.removeprefix("Error:").strip() for line in lines if line.startswith("Error:")]
    said = errors[0] if errors else lines[-1] if lines else ""
    return f": {said}" if said else ""


def finish_bundle(dest: Path) -> None:
    """Make the bundle Pagefind wrote into ``dest`` the one to publish: check that it is
    complete, give its filter files a stable order (``stable_filters``), and delete the files
    the search page never loads (``_unused``)."""
    names = bundle_files(dest)
    check_bundle(_FolderBundle(dest, names))
    small = {rel: (dest / rel).read_bytes() for rel in names if _STABLE_FILES.fullmatch(rel)}
    stable = stable_filters(small)
    for rel in sorted(set(small) - set(stable)):
        (dest / rel).unlink()
    for rel, data in sorted(stable.items()):
        if small.get(rel) != data:
            (dest / rel).write_bytes(data)
    for rel in sorted(_unused(stable["pagefind-entry.json"], names)):
        (dest / rel).unlink()


def bundle_files(root: Path) -> set[str]:
    """Files under ``root``, as relative paths."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


class _FolderBundle(Mapping[str, bytes]):
    """The files ``names`` under ``root`` as a bundle (relative path → bytes), read when asked for."""

    def __init__(self, root: Path, names: set[str]) -> None:
        self.root, self.names = root, names

    def __getitem__(self, rel: str) -> bytes:
        if rel not in self.names:
            raise KeyError(rel)
        return (self.root / rel).read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.names))

    def __len__(self) -> int:
        return len(self.names)


def check_bundle(bundle: Mapping[str, bytes]) -> None:
    """Raise ValueError unless the bundle is complete: its entry file names an index whose
    files are all there, and every compressed file decompresses to the end."""
    if not bundle.get("pagefind.js") or "pagefind-entry.json" not in bundle:
        raise ValueError("Pagefind wrote no pagefind.js")
    try:
        languages = json.loads(bundle["pagefind-entry.json"])["languages"]
        needed = {f"pagefind.{lang['hash']}.pf_meta" for lang in languages.values()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError("Pagefind wrote an incomplete pagefind-entry.json") from exc
    missing = sorted(needed - set(bundle))
    if missing:
        raise ValueError(f"Pagefind did not write {missing[0]}")
    for rel, data in bundle.items():
        if rel.endswith((".pf_meta", ".pf_fragment", ".pf_index", ".pf_filter", ".pagefind")):
            try:
                gzip.decompress(data)
            except (OSError, EOFError, zlib.error) as exc:
                raise ValueError(f"Pagefind wrote an incomplete {rel}") from exc
        elif rel.endswith(".js") and not data:
            raise ValueError(f"Pagefind wrote an empty {rel}")


def _unused(entry: bytes, names: Iterable[str]) -> set[str]:
    """Bundle files (of ``names``) the search page never loads: the prebuilt UIs, and the WASM
    of languages the index does not have (``wasm.unknown.pagefind`` when every page is English);
    ``entry`` is the bundle's ``pagefind-entry.json``."""
    languages = json.loads(entry)["languages"]
    wanted = {f"wasm.{lang.get('wasm') or 'unknown'}.pagefind" for lang in languages.values()}
    return {rel for rel in names if rel in UNUSED_FILES or (rel.startswith("wasm.") and rel not in wanted)}


# ----------------------------------------------------------------------------- stable output

_DCD = b"pagefind_dcd"  # Pagefind's marker at the start of every compressed index file
_FILTER_FILE = re.compile(r"filter/([\w-]+)_([0-9a-f]+)\.pf_filter")
_META_FILE = re.compile(r"pagefind\.([\w-]+)_([0-9a-f]+)\.pf_meta")


def stable_filters(bundle: dict[str, bytes]) -> dict[str, bytes]:
    """The same bundle for the same site. Pagefind writes filters and their values in hash-map
    order, so the filter files, the meta file that lists them and ``pagefind-entry.json``
    differ on every run (https://github.com/Pagefind/pagefind/issues/638). Sort them and name
    those files after their new contents. Anything unexpected: the bundle as it was."""
    out, renamed = dict(bundle), {}
    try:
        for rel, data in bundle.items():
            if m := _FILTER_FILE.fullmatch(rel):
                name, values = _cbor(gzip.decompress(data)[len(_DCD) :])
                body = _DCD + _cbor_encode([name, sorted(values, key=lambda v: str(v[0]))])
                renamed[f"{m[1]}_{m[2]}"] = new = f"{m[1]}_{_digest(body, len(m[2]))}"
                del out[rel]
                out[f"filter/{new}.pf_filter"] = _gzip(body)
        for rel, data in bundle.items():
            if m := _META_FILE.fullmatch(rel):
                meta = _cbor(gzip.decompress(data)[len(_DCD) :])  # [version, pages, words, filters, sorts, fields]
                filters = meta[3]
                if {f[1] for f in filters} - set(renamed):
                    raise ValueError(f"{rel} names a filter file that is not in the bundle")
                meta[3] = sorted(([f[0], renamed[f[1]]] for f in filters), key=lambda f: str(f[0]))
                body = _DCD + _cbor_encode(meta)
                new = f"{m[1]}_{_digest(body, len(m[2]))}"
                del out[rel]
                out[f"pagefind.{new}.pf_meta"] = _gzip(body)
                out["pagefind-entry.json"] = out["pagefind-entry.json"].replace(f'"{m[1]}_{m[2]}"'.encode(), f'"{new}"'.encode())
        out["pagefind-entry.json"] = _languages_in_order(out["pagefind-entry.json"])
    except (ValueError, TypeError, IndexError, KeyError, OSError, EOFError, zlib.error):
        return bundle
    return out


def _languages_in_order(entry: bytes) -> bytes:
    """``pagefind-entry.json`` with its languages (one index each) in a stable order: Pagefind
    writes them in hash-map order, so a site in several languages got another file each build."""
    data = json.loads(entry)
    languages = data.get("languages") if isinstance(data, dict) else None
    if not isinstance(languages, dict) or len(languages) < 2:
        return entry
    data["languages"] = dict(sorted(languages.items()))
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _digest(data: bytes, length: int) -> str:
    return hashlib.sha256(data).hexdigest()[:length]


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def _cbor(data: bytes) -> Any:
    """Decode the CBOR of Pagefind's meta and filter files (unsigned integers, text, arrays);
    ValueError unless encoding it again gives the same bytes."""
    try:
        value = cbor2.loads(data)
    except cbor2.CBORError as exc:  # not all of them are ValueErrors (a short file is an EOFError)
        raise ValueError("unexpected CBOR") from exc
    if not _pagefind_cbor(value) or cbor2.dumps(value) != data:
        raise ValueError("unexpected CBOR")
    return value


def _cbor_encode(value: Any) -> bytes:
    """Pagefind's CBOR: definite lengths and the shortest integer heads, as ``cbor2`` writes them."""
    if not _pagefind_cbor(value):
        raise TypeError(type(value).__name__)
    return cbor2.dumps(value)


def _pagefind_cbor(value: Any) -> bool:
    """Only what Pagefind's meta and filter files hold: unsigned 64-bit integers, text, arrays."""
    if isinstance(value, list):
        return all(_pagefind_cbor(v) for v in value)
    return isinstance(value, str) or (type(value) is int and 0 <= value < 1 << 64)
