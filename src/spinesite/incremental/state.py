"""What a successful build leaves behind for the next one: :class:`Cache`.

A page's output is a pure function of
- the global inputs: spinesite's version, the config, every template and theme asset,
  the build date, the footer menu and the glossary (first-use links), the URL map;
- its own source file (front matter + body);
- the source files of every page it shows data from: references, reverse links,
  parent chain and children.
Its render key (:mod:`.keys`) hashes exactly these. When a page's key matches the previous
build's and the previous output file is still the one we wrote (size and mtime), the page
is neither rendered nor rewritten. Validated front matter and rendered Markdown are kept by
content digest (so a site copied elsewhere with its cache reuses them). Written builds keep
all of it in the cache folder's database (:mod:`.store`); deleting it only costs time.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spinesite import __version__
from spinesite.content.contenttypes import by_folder
from spinesite.content.loader import body_line
from spinesite.content.translations import split_name, translation_fields
from spinesite.diagnostics import Diagnostic
from spinesite.incremental import codec
from spinesite.incremental.fieldshapes import Check, fields_checker
from spinesite.incremental.store import Store

FORMAT = 8
RACY_NS = 2_000_000_000  # files changed this close to a build's start are never trusted by stat
SourceStat = tuple[int, int, int, int, str, int]  # size, mtime_ns, ctime_ns, inode, sha256, body line
PageState = tuple[str, str, int, int]  # render key, output path, size and mtime of the file we wrote


@dataclass
class Cache:
    """What the previous successful build left behind."""

    salt: str = ""  # spinesite + Python version: any change discards everything
    parsed: dict[str, Any] = field(default_factory=dict)  # source digest -> (Parsed, body or None, body_line); in memory only
    markdown: dict[str, Any] = field(default_factory=dict)  # markdown key -> (html, toc, fields_html, linked, diags)
    pages: dict[str, PageState] = field(default_factory=dict)  # source rel -> state
    out: str = ""  # output folder the page states refer to
    templates_key: str = ""  # digest of every template file...
    kinds_read: dict[str, frozenset[str] | None] = field(default_factory=dict)  # ...the templates reading by_kind: which types (None: all)
    uses_levels: set[str] = field(default_factory=set)  # ...those that read the conditions by level
    uses_date: set[str] = field(default_factory=set)  # ...those that read the build date
    template_keys: dict[str, str] = field(default_factory=dict)  # ...and the digest of what each one uses
    search_key: str = ""  # inputs of the search index last built
    sources: dict[str, SourceStat] = field(default_factory=dict)  # rel -> stat and digest when last read
    read_ns: int = 0  # when the previous build started reading sources
    validated: dict[str, Any] = field(default_factory=dict)  # rel + digest -> (data, diagnostics)
    _stored: frozenset[str] | None = field(default=None, repr=False)  # validated keys in the store (None: unknown)

    def trusted_sources(self) -> dict[str, SourceStat]:
        """rel -> stat, digest and body line of the sources whose stat can stand in for reading them.

        Like git's index: a file whose size, mtime, ctime and inode are those recorded when
        the last build read it, and which had not been touched for two seconds before that
        read, still holds the bytes that build read. Only files whose validated data is
        cached qualify (their YAML then need not be parsed either). A site copied to another
        folder has other stats: its files are read and hashed, and found by digest.
        """
        racy = self.read_ns - RACY_NS
        return {rel: st for rel, st in self.sources.items() if st[1] < racy and st[2] < racy and f"{rel}\x1f{st[4]}" in self.validated}

    def validated_digests(self) -> set[str]:
        return {key.rpartition("\x1f")[2] for key in self.validated}

    def validated_rels(self, site: Path, rels: Iterable[str], max_bytes: int) -> dict[str, SourceStat]:
        """The rels among ``rels`` whose file holds bytes whose validated front matter is cached
        (read and hashed, as the loader does, never parsed): nothing to validate again for them.
        Each with its stat as read, digest and body line, so that the loader need not read it again.

        A site copied elsewhere with its cache has new stats, so none of its files is
        trusted by stat (:meth:`trusted_sources`), yet every one is found here by digest.
        """
        found: dict[str, SourceStat] = {}
        for rel in rels:
            try:
                with open(site / rel, "rb") as fh:
                    st = os.fstat(fh.fileno())
                    raw = fh.read(max_bytes + 1)
            except OSError:
                continue
            digest = hashlib.sha256(raw).hexdigest()
            if len(raw) <= max_bytes and len(raw) == st.st_size and f"{rel}\x1f{digest}" in self.validated:
                line = body_line(raw)
                if line:
                    found[rel] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, digest, line)
        return found

    @classmethod
    def empty(cls) -> Cache:
        return cls(salt=cls.current_salt())

    @staticmethod
    def current_salt() -> str:
        return f"{FORMAT}:{__version__}:{sys.version_info[:3]}"

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

    def remember_in_memory(self, sources: list[Any], markdown: dict[str, Any], validated: dict[str, Any], read_ns: int) -> Cache:
        """A copy holding what an in-memory build (``spinesite serve``) can reuse next time: the
        files' stats too, so that the next one reads only the files that changed."""
        return Cache(
            salt=self.salt,
            parsed={s.digest: (s.parsed, s.body, s.body_line) for s in sources},
            sources={s.rel: (*s.stat, s.digest, s.body_line) for s in sources if s.stat},
            read_ns=read_ns,
            markdown=markdown,
            templates_key=self.templates_key,
            kinds_read=self.kinds_read,
            uses_levels=self.uses_levels,
            uses_date=self.uses_date,
            template_keys=self.template_keys,
            validated={f"{s.rel}\x1f{s.digest}": validated[s.rel] for s in sources if s.rel in validated},
        )

    @classmethod
    def load(cls, store: Store | None) -> Cache:
        """The previous build's state from ``store`` (an empty cache when there is none, it is
        from another version, or it is not what we wrote)."""
        if store is None:
            return cls.empty()
        cache = store.get("meta", "state", _state_from_plain)
        if cache is None or cache.salt != cls.current_salt():
            return cls.empty()
        types: dict[str, Check] = {}  # content folder -> the check of its fields
        cache.validated = store.get_all("validated", lambda key, value, budget: _validated_from_plain(key, value, budget, types))
        cache._stored = frozenset(cache.validated)
        return cache

    def save(self, store: Store | None) -> None:
        """Write the state, and the validated front matter that changed; silently skipped when impossible."""
        if store is None:
            return
        stored = self._stored if self._stored is not None else frozenset(store.keys("validated"))
        fresh = {k: codec.validated_to_plain(v) for k, v in self.validated.items() if k not in stored}
        if store.update("validated", fresh, stored - self.validated.keys()):
            self._stored = frozenset(self.validated)
        store.put("meta", "state", _state_to_plain(self))


def _state_to_plain(cache: Cache) -> dict[str, Any]:
    return {
        "salt": cache.salt,
        "markdown": {k: codec.markdown_to_plain(v) for k, v in cache.markdown.items()},
        "pages": cache.pages,
        "out": cache.out,
        "templates_key": cache.templates_key,
        "kinds_read": {k: None if v is None else sorted(v) for k, v in cache.kinds_read.items()},
        "uses_levels": sorted(cache.uses_levels),
        "uses_date": sorted(cache.uses_date),
        "template_keys": cache.template_keys,
        "search_key": cache.search_key,
        "sources": cache.sources,
        "read_ns": cache.read_ns,
    }


def _state_from_plain(value: Any, budget: int) -> Cache:
    state = codec.expect(value, dict)
    if state.keys() != {"salt", "markdown", "pages", "out", "templates_key", "kinds_read", "uses_levels", "uses_date"} | {
        "template_keys",
        "search_key",
        "sources",
        "read_ns",
    }:
        raise codec.BadValue("not the state of this version")
    return Cache(
        salt=codec.expect(state["salt"], str),
        markdown=codec.text_map(state["markdown"], lambda v: codec.markdown_from_plain(v, budget)),
        pages=codec.text_map(state["pages"], _page_state),
        out=codec.expect(state["out"], str),
        templates_key=codec.expect(state["templates_key"], str),
        kinds_read=codec.text_map(state["kinds_read"], lambda v: None if v is None else frozenset(codec.texts(v))),
        uses_levels=set(codec.texts(state["uses_levels"])),
        uses_date=set(codec.texts(state["uses_date"])),
        template_keys=codec.text_map(state["template_keys"], lambda v: codec.expect(v, str)),
        search_key=codec.expect(state["search_key"], str),
        sources=codec.text_map(state["sources"], _source_stat),
        read_ns=codec.expect(state["read_ns"], int),
    )


def _validated_from_plain(key: str, value: Any, budget: int, types: dict[str, Check]) -> tuple[dict[str, Any], list[Diagnostic]]:
    """A validated entry (key ``content/<folder>/<file>\\x1f<sha256>``): every field of its type
    (no other) as validation leaves it (:mod:`.fieldshapes`), and diagnostics about that file."""
    data, found = codec.validated_from_plain(value, budget)
    rel = key.partition("\x1f")[0]
    _content, folder, name = rel.split("/", 2)
    translation = bool(split_name(name.removesuffix(".md"))[1])
    kind = f"{folder}.translation" if translation else folder
    if kind not in types:
        types[kind] = fields_checker(translation_fields(folder) if translation else by_folder(folder).fields)
    if not types[kind](data):
        raise codec.BadValue("not the fields of its content type, or a value of the wrong type")
    if any(d.path != rel for d in found):
        raise codec.BadValue("a diagnostic about another file")
    return data, found


def _page_state(value: Any) -> PageState:
    items = codec.expect(value, list)
    if len(items) != 4:
        raise codec.BadValue("a page state has four parts")
    key, path, size, mtime = items
    return codec.expect(key, str), codec.expect(path, str), codec.expect(size, int), codec.expect(mtime, int)


def _source_stat(value: Any) -> SourceStat:
    items = codec.expect(value, list)
    if len(items) != 6:
        raise codec.BadValue("a source stat has six parts")
    size, mtime, ctime, inode = codec.ints(items[:4], 4)
    return size, mtime, ctime, inode, codec.expect(items[4], str), codec.expect(items[5], int)
