"""What the previous build left, for the one pipeline to ask: two kinds, one interface.

- :class:`FolderMemo`: builds into an output folder (``spinesite build``). The previous
  build's :class:`~.state.Cache` comes from the store; a page is unchanged when its render
  key is the one recorded and the file it wrote is still there untouched.
- :class:`MemoryMemo`: builds held in memory (``spinesite serve`` and ``check``). The
  previous in-memory result stands for the folder.

The pipeline (``build.run_pipeline``) never asks which kind it has.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spinesite.incremental.keys import output_unchanged
from spinesite.incremental.state import Cache, SourceStat
from spinesite.incremental.store import MarkdownStore, Store
from spinesite.parallel import MIN_TASKS_PER_WORKER

if TYPE_CHECKING:
    from spinesite.buildresult import BuildResult
    from spinesite.content.model import SourceFile


@dataclass
class Remembered:
    """What one successful build hands to :meth:`FolderMemo.remember` / :meth:`MemoryMemo.remember`."""

    sources: list[SourceFile]
    markdown: dict[str, Any]  # markdown key -> (html or None, toc, fields_html, linked, diagnostics)
    keys: dict[str, str]  # page rel or generated-page id -> render key
    targets: dict[str, str]  # ...-> output path
    rendered: set[str]  # the targets rendered this time
    search_key: str  # "" when no search index was built
    read_ns: int  # when the build started reading sources
    validated: dict[str, Any]  # rel -> (data, diagnostics)


class FolderMemo:
    """The cache of builds that write an output folder (kept in ``store``)."""

    rereads_text = True  # a page's text is dropped once validated: the workers read it again

    def __init__(self, cache: Cache, store: Store | None, out: Path) -> None:
        self.cache, self.store, self.out = cache, store, out
        self._markdown = store.markdown() if store is not None else None

    def known_sources(self) -> tuple[dict[str, SourceStat], set[str]]:
        """(sources whose stat stands for their bytes, digests whose validation is cached)."""
        return self.cache.trusted_sources(), self.cache.validated_digests()

    def prevalidates(self, known: dict[str, SourceStat]) -> bool:
        """Whether enough files must be parsed (a cold build, a checkout) to do it on the worker pool first."""
        return not self.cache.sources or len(self.cache.sources) - len(known) >= 2 * MIN_TASKS_PER_WORKER

    def markdown_store(self) -> MarkdownStore | None:
        return self._markdown

    def let_go(self) -> None:
        """Close the store's connection before a worker pool forks (it opens again when next used)."""
        if self.store is not None:
            self.store.close()

    def dirty(self, targets: dict[str, str], keys: dict[str, str]) -> set[str]:
        """Pages and generated pages to render: their render key changed or their output file did."""
        same_out = self.cache.out == str(self.out)
        return {t for t in targets if not (same_out and output_unchanged(self.out, self.cache.pages.get(t), keys[t]))}

    def remember(self, done: Remembered, result: BuildResult) -> None:
        cache = self.cache
        cache.remember(
            done.sources, done.markdown, done.keys, self.out, done.targets, done.rendered, done.search_key, done.read_ns, done.validated
        )
        cache.save(self.store)
        if self._markdown is not None:
            self._markdown.prune(set(done.markdown))


class MemoryMemo:
    """The cache of in-memory builds: what the previous in-memory result kept."""

    rereads_text = False

    def __init__(self, cache: Cache, previous: BuildResult | None) -> None:
        self.cache, self.previous = cache, previous

    def known_sources(self) -> tuple[dict[str, SourceStat], set[str]]:
        return self.cache.trusted_sources(), set()  # their parsed YAML and body are in cache.parsed

    def prevalidates(self, known: dict[str, SourceStat]) -> bool:
        return False

    def markdown_store(self) -> MarkdownStore | None:
        return None

    def let_go(self) -> None:
        pass

    def dirty(self, targets: dict[str, str], keys: dict[str, str]) -> set[str]:
        previous = self.previous
        if previous is None:
            return set(targets)
        return {t for t, path in targets.items() if previous.keys.get(t) != keys[t] or path not in previous.files}

    def remember(self, done: Remembered, result: BuildResult) -> None:
        result.cache = self.cache.remember_in_memory(done.sources, done.markdown, done.validated, done.read_ns)


Memo = FolderMemo | MemoryMemo
