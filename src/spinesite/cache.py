"""Incremental builds: content hashes and a dependency-aware render key per page.

A page's output is a pure function of
- the global inputs: spinesite's version, the config, every template and theme asset,
  the build date, the footer menu and the glossary (first-use links), the URL map;
- its own source file (front matter + body);
- the source files of every page it shows data from: references, reverse links,
  parent chain and children.
The render key hashes exactly these. When a page's key matches the previous build's and
the previous output file is still the one we wrote (size and mtime), the page is neither
rendered nor rewritten. Parsed front matter and rendered Markdown are cached by content
hash. The cache lives in ``SITE/.spinesite-cache/``; deleting it only costs time.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import pickle
import secrets
import stat
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from . import __version__
from .blobs import BlobDir
from .graph import SiteGraph
from .model import Listing, Page
from .safefiles import read_file, write_file_atomic

CACHE_DIR = ".spinesite-cache"
CACHE_FILE = "state.pickle"
MARKDOWN_DIR = "markdown"
FORMAT = 6
RACY_NS = 2_000_000_000  # files changed this close to a build's start are never trusted by stat
SourceStat = tuple[int, int, int, int, str, int]  # size, mtime_ns, ctime_ns, inode, sha256, body line


PageState = tuple[str, str, int, int]  # render key, output path, size and mtime of the file we wrote (a tuple: fast to pickle)
VALIDATED_SHARDS = 32  # validated front matter is saved in this many files: an edit rewrites one


@dataclass
class Cache:
    """What the previous successful build left behind."""

    salt: str = ""  # spinesite + Python version: any change discards everything
    parsed: dict[str, Any] = field(default_factory=dict)  # source digest -> (Parsed, body or None, body_line)
    markdown: dict[str, Any] = field(default_factory=dict)  # markdown key -> (html, toc, fields_html, linked, diags)
    pages: dict[str, PageState] = field(default_factory=dict)  # source rel -> state
    out: str = ""  # output folder the page states refer to
    templates_key: str = ""  # digest of every template file...
    kinds_read: dict[str, frozenset[str] | None] = field(default_factory=dict)  # ...the templates reading by_kind: which types (None: all)
    uses_levels: set[str] = field(default_factory=set)  # ...those that read the conditions by level
    template_keys: dict[str, str] = field(default_factory=dict)  # ...and the digest of what each one uses
    search_key: str = ""  # inputs of the search index last built
    sources: dict[str, SourceStat] = field(default_factory=dict)  # rel -> stat and digest when last read
    read_ns: int = 0  # when the previous build started reading sources
    validated: dict[str, Any] = field(default_factory=dict)  # rel + digest -> (data, diagnostics)
    _saved_shards: dict[int, frozenset[str]] = field(default_factory=dict, repr=False)  # entries of each shard file

    @staticmethod
    def bytecode_dir() -> Path | None:
        """Folder for Jinja's compiled templates: in the user's cache, never in the (untrusted) site."""
        folder = user_cache_dir() / "jinja"
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError:
            return None
        return folder

    @staticmethod
    def markdown_store(site: Path) -> BlobDir | None:
        """Where written builds keep each page's rendered Markdown (see ``blobs.py``)."""
        return BlobDir.open(site / CACHE_DIR / MARKDOWN_DIR, _user_key())

    def trusted_sources(self) -> dict[str, SourceStat]:
        """rel -> stat, digest and body line of the sources whose stat can stand in for reading them.

        Like git's index: a file whose size, mtime, ctime and inode are those recorded when
        the last build read it, and which had not been touched for two seconds before that
        read, still holds the bytes that build read. Only files whose validated data is
        cached qualify (their YAML then need not be parsed either).
        """
        racy = self.read_ns - RACY_NS
        return {rel: st for rel, st in self.sources.items() if st[1] < racy and st[2] < racy and f"{rel}\x1f{st[4]}" in self.validated}

    def validated_digests(self) -> set[str]:
        return {key.rpartition("\x1f")[2] for key in self.validated}

    @classmethod
    def empty(cls) -> Cache:
        return cls(salt=cls.current_salt())

    def remember(
        self,
        sources: list[Any],
        markdown: dict[str, Any],
        keys: dict[str, str],
        out: Path,
        targets: dict[str, str],
        rendered: set[str],
        search_key: str,
        read_ns: int,
        validated: dict[str, Any],
    ) -> None:
        """Record a successful build: parsed sources, Markdown, and each output's state.

        ``targets`` maps each page rel and generated-page id to its output path.
        """
        old = self.pages if self.out == str(out) else {}
        self.pages = {}
        for target, path in targets.items():
            if target not in rendered and target in old:
                self.pages[target] = old[target]
                continue
            st = (out / path).stat()
            self.pages[target] = (keys[target], path, st.st_size, st.st_mtime_ns)
        self.salt, self.out, self.markdown, self.search_key = self.current_salt(), str(out), markdown, search_key
        self.parsed = {}  # in-memory builds only: a written build parses again only what it needs
        self.sources = {s.rel: (*s.stat, s.digest, s.body_line) for s in sources if s.stat}
        self.read_ns = read_ns
        self.validated = {f"{s.rel}\x1f{s.digest}": validated[s.rel] for s in sources if s.rel in validated}

    def remember_in_memory(self, sources: list[Any], markdown: dict[str, Any], validated: dict[str, Any]) -> Cache:
        """A copy holding what an in-memory build (``spinesite serve``) can reuse next time."""
        return Cache(
            salt=self.salt,
            parsed={s.digest: (s.parsed, s.body, s.body_line) for s in sources},
            markdown=markdown,
            templates_key=self.templates_key,
            kinds_read=self.kinds_read,
            uses_levels=self.uses_levels,
            template_keys=self.template_keys,
            validated={f"{s.rel}\x1f{s.digest}": validated[s.rel] for s in sources if s.rel in validated},
        )

    @staticmethod
    def current_salt() -> str:
        return f"{FORMAT}:{__version__}:{sys.version_info[:3]}"

    @classmethod
    def load(cls, site: Path) -> Cache:
        """The previous build's state, if it carries our own signature (else an empty cache).

        The site folder is untrusted input (a pull request can add any file), so the pickle
        is only loaded when its HMAC matches the per-user key kept outside the site.
        """
        cache = read_signed(site / CACHE_DIR / CACHE_FILE)
        if not isinstance(cache, Cache) or cache.salt != cls.current_salt():
            return cls.empty()
        if any(not hasattr(cache, f.name) for f in fields(cls) if f.name != "validated"):  # from a development version
            return cls.empty()
        cache.validated, cache._saved_shards = {}, {}
        for i in range(VALIDATED_SHARDS):
            shard = read_signed(_shard_path(site, i))
            if isinstance(shard, dict) and all(_shard_of(k) == i for k in shard):  # entries are pure: any copy is right
                cache.validated |= shard
                cache._saved_shards[i] = frozenset(shard)
        return cache

    def save(self, site: Path) -> None:
        """Write atomically; a cache that cannot be written is simply not used next time.

        The validated front matter (the largest part) goes to shard files, and only the
        shards whose entries changed are written again.
        """
        shards: dict[int, dict[str, Any]] = {i: {} for i in range(VALIDATED_SHARDS)}
        for k, v in self.validated.items():
            shards[_shard_of(k)][k] = v
        for i, shard in shards.items():
            if self._saved_shards.get(i) != frozenset(shard):
                write_signed(_shard_path(site, i), shard)
        write_signed(site / CACHE_DIR / CACHE_FILE, self)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["validated"], state["_saved_shards"] = {}, {}  # in the shard files
        return state


def _shard_of(key: str) -> int:
    """Shard of a validated entry (``rel + \\x1f + sha256``): from the file's digest."""
    return int(key[-2:], 16) % VALIDATED_SHARDS


def _shard_path(site: Path, i: int) -> Path:
    return site / CACHE_DIR / f"validated-{i:02d}.pickle"


class CacheFolderError(Exception):
    """The site's cache folder cannot be used safely (reported as a diagnostic, exit 1)."""


def cache_folder(site: Path) -> Path:
    """``SITE/.spinesite-cache``, made when missing (with its ``.gitignore``).

    The site folder is untrusted input: a cache folder that is a symbolic link (or not a
    folder) is refused rather than followed, so a planted link can never make a build
    write outside the site and output folders. Files inside it are only ever opened
    without following links (:func:`read_file`, :func:`write_file_atomic`).
    """
    folder = site / CACHE_DIR
    with contextlib.suppress(FileExistsError):
        os.mkdir(folder, 0o755)
    st = os.lstat(folder)
    if stat.S_ISLNK(st.st_mode):
        raise CacheFolderError(
            f"{CACHE_DIR} is a symbolic link; spinesite never follows links in the site folder: delete it "
            f"(it holds only the build cache) and build again"
        )
    if not stat.S_ISDIR(st.st_mode):
        raise CacheFolderError(f"{CACHE_DIR} is not a folder; delete it (it holds only the build cache) and build again")
    with contextlib.suppress(FileExistsError, OSError):
        fd = os.open(folder / ".gitignore", os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "w") as fh:
            fh.write("*\n")
    return folder


def read_signed(path: Path) -> Any:
    """Unpickle ``path`` only if its HMAC matches the per-user key (else None)."""
    try:
        blob = read_file(path)
        key = _user_key()
        mac, data = blob[:32], blob[32:]
        if key is None or not hmac.compare_digest(mac, hmac.new(key, data, hashlib.sha256).digest()):
            return None
        return pickle.loads(data)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError, IndexError):
        return None


def write_signed(path: Path, value: Any) -> None:
    """Pickle ``value`` to ``path`` atomically with an HMAC; silently skipped when impossible."""
    try:
        key = _user_key()
        if key is None:
            return
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        write_file_atomic(path, hmac.new(key, data, hashlib.sha256).digest(), data)  # not mac + data: no copy
    except (OSError, CacheFolderError):
        pass


def user_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "spinesite"


def _user_key() -> bytes | None:
    """A random per-user secret (created on first use) that signs the site caches."""
    path = user_cache_dir() / "cache-key"
    try:
        key = path.read_bytes()
        if len(key) == 32:
            return key
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        key = secrets.token_bytes(32)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
        return key
    except OSError:
        return None


def digest(*parts: str | bytes) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def tree_digests(*roots: Path, prefixes: tuple[str, ...]) -> tuple[str, ...]:
    """Hash of every file (path + bytes) under the given folders whose path starts with each
    prefix ("" for all), reading every file once."""
    parts: list[list[str | bytes]] = [[] for _ in prefixes]
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            rel, data = path.relative_to(root).as_posix(), path.read_bytes()
            for i, prefix in enumerate(prefixes):
                if rel.startswith(prefix):
                    parts[i] += [rel, data]
    return tuple(digest(*p) for p in parts)


def glossary_key(graph: SiteGraph) -> str:
    parts: list[str | bytes] = []
    for p in graph.by_kind.get("glossary", []):
        parts += [p.rel, p.url, p.title, "\x1f".join(p.data.get("also_called") or [])]
    return digest(*parts)


def url_key(graph: SiteGraph) -> str:
    return digest(*(f"{p.kind}\x1f{p.slug}\x1f{p.rel}\x1f{p.url}" for p in graph.pages))


def neighbours(page: Page) -> list[Page]:
    """Every page whose data ``page``'s template can show (each once; keyed by rel, as
    hashing a Page runs Python code)."""
    out: dict[str, Page] = {}
    for refs in page.refs.values():
        out.update((p.rel, p) for p in refs)
    for back in page.backlinks.values():
        out.update((p.rel, p) for p in back)
    out.update((p.rel, p) for p in page.children)
    p = page.parent
    while p is not None and p.rel not in out:
        out[p.rel] = p
        p = p.parent
    out.pop(page.rel, None)
    return list(out.values())


def render_keys(graph: SiteGraph, digests: dict[str, str], global_key: str, template_keys: dict[str, str]) -> dict[str, str]:
    """Render key per page rel (see the module docstring); ``template_keys``: per content type."""
    keys = {}
    for page in graph.pages:
        deps = "\x1e".join(sorted(f"{n.rel}\x1f{digests[n.rel]}" for n in neighbours(page)))  # rels are printable
        keys[page.rel] = digest(global_key, template_keys[page.kind], page.rel, page.url, digests[page.rel], deps)
    return keys


def listing_id(listing: Listing) -> str:
    return "listing:" + listing.url


def level_pages(graph: SiteGraph) -> list[Page]:
    """The pages a template can reach through the ``levels`` global."""
    return list({p.rel: p for pages in graph.levels.values() for p in pages}.values())


def listing_keys(listings: list[Listing], graph: SiteGraph, digests: dict[str, str], global_key: str, cache: Cache) -> dict[str, str]:
    """Render key per generated page: the sources of the pages it lists.

    Handouts list one condition's exercises; level pages their conditions; an index every
    page of its type. A template reading ``by_kind`` depends on the pages of the types it
    reads (every page when that cannot be told, see ``templates.by_kind_reads``), one reading
    ``levels`` (the spine map) on every condition with a level; a page listing nothing (404)
    depends on no page.
    """
    entry = {p.rel: f"{p.rel}\x1f{digests[p.rel]}" for p in graph.pages}
    levels = digest("\x1e".join(sorted(entry[p.rel] for p in level_pages(graph))))
    keys = {}
    for listing in listings:
        ctx = listing.context
        extra = levels if listing.template in cache.uses_levels else ""
        deps: list[Page] = []
        if "condition" in ctx:
            deps = [ctx["condition"], *neighbours(ctx["condition"])]
        elif "items" in ctx:
            deps = list(ctx["items"])
        if listing.template in cache.kinds_read:  # by_kind.conditions...: those types' pages
            deps += pages_of_kinds(graph, cache.kinds_read[listing.template])
        parts = "\x1e".join(sorted({entry[p.rel] for p in deps}))
        template = cache.template_keys.get(listing.template, cache.templates_key)
        keys[listing_id(listing)] = digest(global_key, template, listing.url, listing.template, parts, extra)
    return keys


def pages_of_kinds(graph: SiteGraph, kinds: frozenset[str] | None) -> list[Page]:
    """The pages of the given content types (every page for None)."""
    return list(graph.pages) if kinds is None else [p for kind in sorted(kinds) for p in graph.by_kind.get(kind, [])]


def output_unchanged(out: Path, state: PageState | None, key: str) -> bool:
    """True when the previous build wrote this page with the same key and the file is untouched."""
    if state is None or state[0] != key:
        return False
    try:
        st = os.stat(os.path.join(out, state[1]))
    except OSError:
        return False
    return st.st_size == state[2] and st.st_mtime_ns == state[3]
