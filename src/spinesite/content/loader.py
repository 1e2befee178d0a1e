"""Load content files: walk ``content/``, decode safely, split front matter, parse YAML.

Handles the awkward inputs explicitly: UTF-8 BOM, CRLF/CR line endings, bytes that are
not UTF-8 (reported with their offset), empty files, unclosed front matter, symlinks that
leave the site, oversized files and names that collide by case or Unicode normalisation.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from spinesite.content.contenttypes import folders
from spinesite.content.fields import SLUG_RE
from spinesite.content.model import SourceFile
from spinesite.content.translations import split_name
from spinesite.content.yamlnodes import LazyParsed, Parsed, YamlError, parse
from spinesite.diagnostics import Diagnostics, show

CONTENT = "content"
Known = tuple[int, int, int, int, str, int]  # size, mtime_ns, ctime_ns, inode, sha256, body line
BOM = b"\xef\xbb\xbf"


def load_content(
    site: Path,
    diags: Diagnostics,
    max_bytes: int = 1024 * 1024,
    parsed_cache: dict[str, Any] | None = None,
    known: dict[str, Known] | None = None,
    lazy: set[str] | None = None,
) -> list[SourceFile]:
    """Every content file of the site, sorted by path; problems go to ``diags``."""
    return list(iter_content(site, diags, max_bytes, parsed_cache, known, lazy))


def iter_content(
    site: Path,
    diags: Diagnostics,
    max_bytes: int = 1024 * 1024,
    parsed_cache: dict[str, Any] | None = None,
    known: dict[str, Known] | None = None,
    lazy: set[str] | None = None,
) -> Iterator[SourceFile]:
    """:func:`load_content` one file at a time, so a consumer can keep less than every file.

    What an earlier build learnt saves work (all three are optional):
    - ``parsed_cache`` (in-memory builds) maps a content digest to its (Parsed, body, body line);
    - ``known`` maps a rel to the stat, digest and body line it had when the last written
      build read it (only entries the cache trusts, see ``Cache.trusted_sources``): such a
      file is not even read, and its body and YAML are read only if needed;
    - ``lazy`` holds digests whose validated data is cached: their YAML is parsed only if needed.
    """
    root = site / CONTENT
    if not root.is_dir():
        diags.error(CONTENT, 0, "no content folder: create content/conditions/, content/stretches/, ...")
        return
    if root.is_symlink() and not root.resolve().is_relative_to(site.resolve()):
        diags.error(CONTENT, 0, "symbolic link to outside the site is not followed; make content/ a real folder")
        return
    names: list[str] = []
    prefix, kinds = len(os.fspath(root)) + 1, folders()
    for path in _walk(root, site, diags):
        sub = path[prefix:]
        rel = f"{CONTENT}/{sub}"
        parts = tuple(sub.split(os.sep))
        if not rel.isprintable():  # a newline in a name would break every "path:line: message"
            diags.error(show(rel, 300), 0, "file name contains control characters; rename the file")
            continue
        if len(parts) != 2 or parts[0] not in kinds:
            diags.warning(rel, 0, f"ignored: content files belong in content/<type>/, where type is one of {', '.join(kinds)}")
            continue
        suffix = os.path.splitext(path)[1]
        if suffix != ".md":
            if suffix.lower() == ".md":
                diags.warning(rel, 0, "ignored: content files must end in lower-case '.md'")
            else:
                diags.warning(rel, 0, "ignored: not a Markdown (.md) file")
            continue
        names.append(rel)
        loaded = load_file(path, rel, parts[0], diags, max_bytes, parsed_cache, (known or {}).get(rel), lazy)
        if loaded is not None:
            yield loaded
    _check_collisions(names, diags)


def content_rels(site: Path) -> list[str]:
    """``content/<type>/<name>.md`` of the plain content files (a quick listing for the
    workers that validate ahead; the loader's own walk checks and reports everything)."""
    rels = []
    for kind in folders():
        folder = site / CONTENT / kind
        if folder.is_symlink():
            continue
        try:
            with os.scandir(folder) as entries:  # regular files only: never a link, never a FIFO
                rels += [f"{CONTENT}/{kind}/{e.name}" for e in entries if e.name.endswith(".md") and e.is_file(follow_symlinks=False)]
        except OSError:
            continue
    return sorted(rels)


def release_text(site: Path, src: SourceFile) -> None:
    """Let go of a loaded file's body and parsed YAML (kept: digest, body line). Both are read
    again from the file if a later stage needs them: a written build of a large site then never
    holds every page's text, and the workers it forks inherit a small process."""
    if src.body is None:  # not read this time: already lazy
        return
    path, digest = site / src.rel, src.digest
    src.body = None
    src.parsed = LazyParsed(lambda: _part_of_file(path, digest, 0))


def _walk(root: Path, site: Path, diags: Diagnostics) -> list[str]:
    """Candidate content files under ``root``, sorted (``scandir``: no stat for plain files)."""
    out = []
    site_real = site.resolve()
    stack = [os.fspath(root)]
    while stack:
        with os.scandir(stack.pop()) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            if entry.name.startswith("."):  # .git, .obsidian, .DS_Store, editor swap files
                continue
            if entry.is_symlink():
                if not _symlink(Path(entry.path), site, site_real, diags):  # to a folder, or out of the site
                    continue
            elif entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
                continue
            if not entry.is_file():  # a FIFO or device would block or never end
                diags.error(show(Path(entry.path).relative_to(site).as_posix(), 300), 0, "not a regular file")
                continue
            out.append(entry.path)
    return sorted(out)


def _symlink(p: Path, site: Path, site_real: Path, diags: Diagnostics) -> bool:
    """True when a symlinked file stays inside the site (it is then read like any file)."""
    rel = show(p.relative_to(site).as_posix(), 300)
    target = p.resolve()
    if p.is_dir() or not target.is_relative_to(site_real) or not target.is_file():
        diags.error(rel, 0, "symbolic link to outside the site (or to a folder) is not followed; copy the file instead")
        return False
    return True


def load_file(
    path: Path | str,
    rel: str,
    kind: str,
    diags: Diagnostics,
    max_bytes: int,
    parsed_cache: dict[str, Any] | None = None,
    known: Known | None = None,
    lazy: set[str] | None = None,
) -> SourceFile | None:
    slug, lang = split_name(os.path.splitext(rel.rpartition("/")[2])[0])
    try:
        st = os.stat(path)
        size = st.st_size
        stat = (size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        if known is not None and known[:4] == stat and SLUG_RE.match(slug):
            digest = known[4]
            cached = (parsed_cache or {}).get(digest)  # in memory (serve): as the last build parsed it
            if cached is not None:
                return SourceFile(rel, kind, slug, cached[0], cached[1], cached[2], digest, stat, lang)
            lazy_yaml = LazyParsed(lambda: _part_of_file(path, digest, 0))
            return SourceFile(rel, kind, slug, lazy_yaml, None, known[5], digest, stat, lang)
        if size > max_bytes:
            diags.error(rel, 0, f"file is too large ({size // 1024} KB; the limit is {max_bytes // 1024} KB, see limits.max_file_kb)")
            return None
        with open(path, "rb") as fh:
            raw = fh.read(max_bytes + 1)  # the file may grow after stat()
    except OSError as exc:
        diags.error(rel, 0, f"cannot read the file: {exc.strerror or exc}")
        return None
    if len(raw) > max_bytes:
        diags.error(rel, 0, f"file is too large (the limit is {max_bytes // 1024} KB, see limits.max_file_kb)")
        return None
    digest = hashlib.sha256(raw).hexdigest()
    if known is not None and known[4] == digest and digest in (lazy or ()) and SLUG_RE.match(slug):
        # the bytes the last build read, under a new stat (a fresh checkout): they loaded cleanly then
        lazy_yaml = LazyParsed(lambda: _part_of_file(path, digest, 0))
        return SourceFile(rel, kind, slug, lazy_yaml, None, known[5], digest, stat, lang)
    cached = (parsed_cache or {}).get(digest)
    if cached is not None and SLUG_RE.match(slug):
        parsed, body, body_line = cached
        return SourceFile(rel, kind, slug, parsed, body, body_line, digest, stat, lang)
    text = decode(raw, rel, diags)
    if text is None:
        return None
    if not SLUG_RE.match(slug):
        ascii_name = unicodedata.normalize("NFKD", slug).encode("ascii", "ignore").decode().lower()
        better = "-".join("".join(c if c.isalnum() else " " for c in ascii_name).split()) or "page"
        diags.error(
            rel,
            0,
            f"file name '{os.path.basename(path)}' is not a valid slug: use lower-case letters, digits and hyphens (e.g. '{better}.md')",
        )
    split = split_front_matter(text, rel, diags)
    if split is None:
        return None
    front, body, body_line = split
    if digest in (lazy or set()):  # loaded cleanly before; its validated data is cached
        return SourceFile(rel, kind, slug, LazyParsed(lambda: front), body, body_line, digest, stat, lang)
    try:
        parsed = parse(front, first_line=2)
    except YamlError as exc:
        diags.error(rel, exc.line, exc.message)
        return None
    if parsed.value is None:
        parsed = Parsed({}, {(): 1})
    if not isinstance(parsed.value, dict):
        got = "a list" if isinstance(parsed.value, list) else f"'{show(str(parsed.value))}'"
        diags.error(rel, parsed.line(()), f"front matter must be a mapping of 'key: value' lines, got {got}")
        return None
    return SourceFile(rel, kind, slug, parsed, body, body_line, digest, stat, lang)


def read_body(site: Path, rel: str, digest: str) -> str | None:
    """The Markdown body of a source not read by this build, if the file still has ``digest``."""
    return _part_of_file(site / rel, digest, 1)


def _part_of_file(path: Path | str, digest: str, part: int) -> str | None:
    """Front matter (0) or body (1) of a file that loaded cleanly before, if it still has ``digest``."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError:
        return None
    return _part_of(raw, part) if hashlib.sha256(raw).hexdigest() == digest else None


def body_line(raw: bytes) -> int:
    """The line where the body of a file starts, if the file loads without a word (else 0)."""
    quiet = Diagnostics()
    text = decode(raw, "", quiet)
    split = split_front_matter(text, "", quiet) if text is not None else None
    return split[2] if split is not None and not quiet.items else 0


def _part_of(raw: bytes, part: int) -> str | None:
    quiet = Diagnostics()
    text = decode(raw, "", quiet)
    split = split_front_matter(text, "", quiet) if text is not None else None
    return split[part] if split is not None else None  # type: ignore[return-value]


def decode(raw: bytes, rel: str, diags: Diagnostics) -> str | None:
    """UTF-8 text with BOM removed and line endings normalised to LF."""
    skip = len(BOM) if raw.startswith(BOM) else 0
    try:
        text = raw[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + skip  # offset in the file as saved, BOM included
        line = raw.count(b"\n", 0, offset) + 1
        diags.error(rel, line, f"not valid UTF-8: byte 0x{raw[offset]:02x} at offset {offset}; save the file as UTF-8")
        return None
    if "\x00" in text:
        diags.error(rel, text[: text.index("\x00")].count("\n") + 1, "contains a NUL character; is this a binary file?")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_front_matter(text: str, rel: str, diags: Diagnostics) -> tuple[str, str, int] | None:
    """(front matter YAML, body, body's first line). Front matter must open on line 1."""
    if not text.strip():
        diags.error(rel, 1, "empty file: a page starts with front matter between two '---' lines")
        return None
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        diags.error(rel, 1, "missing front matter: the first line must be '---'")
        return None
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "\n".join(lines[1:i]) + "\n", "\n".join(lines[i + 1 :]), i + 2
    diags.error(rel, 1, "front matter is not closed: add a '---' line after the last key")
    return None


def _check_collisions(rels: list[str], diags: Diagnostics) -> None:
    """Names that differ only by case or Unicode normalisation collide on some file systems.

    Checked on every content file name, loaded or not: one error per colliding pair.
    """
    seen: dict[str, str] = {}
    for rel in rels:
        key = unicodedata.normalize("NFC", rel).casefold()
        if key in seen:
            diags.error(rel, 0, f"file name collides with {seen[key]} (names differ only in letter case or Unicode form)")
        else:
            seen[key] = rel
