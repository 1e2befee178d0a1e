"""Search in ``spinesite serve``: the Pagefind bundle, rebuilt in the background and served from memory.

The preview builds in memory and answers each edit within a fraction of a second; Pagefind takes
longer (a process to start, every page to read). So the server hands each good build's pages to
a :class:`PreviewSearch` *after* it has told the open tabs to reload, and a thread of its own
indexes them:

- requests are debounced: a burst of saves is indexed once, after the last one (and never later
  than ``max_wait`` after the first, so that a steady stream of saves still gets indexed);
- only the newest request is indexed; one arriving meanwhile is indexed next;
- a bundle is published only when complete (``search.build_index`` checks it), as a whole, by
  replacing one reference: a request never sees half of a bundle. The previous bundle stays
  readable for the files the new one does not have, so a search page that loaded ``pagefind.js``
  just before the swap still finds the (content-named) index files it asks for next;
- when indexing fails (Pagefind missing or broken) the previous bundle stays and the problem is
  reported once per distinct message, never as a build error: the pages still preview.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from spinesite.buildresult import BuildResult
from spinesite.diagnostics import Diagnostics
from spinesite.output.search import BUNDLE_DIR, SearchTerms, build_index, search_terms, searchable

Indexer = Callable[[dict[str, bytes], str, Diagnostics, Mapping[str, SearchTerms]], dict[str, bytes]]


@dataclass(frozen=True)
class Job:
    """What to index: the HTML pages of one build (output path → bytes) and their search terms."""

    generation: int  # the serve snapshot these pages come from
    pages: dict[str, bytes]
    language: str
    terms: Mapping[str, SearchTerms] = field(default_factory=dict)


@dataclass(frozen=True)
class Bundle:
    """A complete Pagefind bundle (``pagefind/…`` → bytes) and the generation it indexes."""

    generation: int
    files: Mapping[str, bytes]


class PreviewSearch:
    """Indexes the newest requested build in a background thread (``run``) and serves the
    newest complete bundle (``get``). Thread-safe; ``run`` returns after ``stop``."""

    def __init__(
        self,
        report: Callable[[str], None],
        *,
        debounce_seconds: float = 0.3,
        max_wait: float = 3.0,
        indexer: Indexer = build_index,
    ) -> None:
        self.report = report
        self.debounce_seconds, self.max_wait = debounce_seconds, max_wait
        self.indexer = indexer
        self._cond = threading.Condition()
        self._pending: Job | None = None
        self._busy = False  # a job is being indexed
        self._stopping = False
        self._bundle: Bundle | None = None
        self._older: Mapping[str, bytes] = {}  # the bundle before, for pages that loaded it just before the swap
        self._reported: set[str] = set()
        self._last_request = 0.0

    # --- the server's side ---------------------------------------------------------------

    def request(self, job: Job) -> None:
        """Index ``job`` soon (replacing any request not started yet)."""
        with self._cond:
            self._pending = job
            self._last_request = time.monotonic()
            self._cond.notify_all()

    def get(self, key: str) -> bytes | None:
        """The file ``key`` (``pagefind/…``) of the newest bundle, else of the one before it."""
        bundle, older = self._bundle, self._older
        if bundle is not None and key in bundle.files:
            return bundle.files[key]
        return older.get(key)

    def paths(self) -> list[str]:
        """The files of the newest bundle."""
        bundle = self._bundle
        return sorted(bundle.files) if bundle is not None else []

    @property
    def indexing(self) -> bool:
        """A request is waiting or being indexed."""
        with self._cond:
            return self._pending is not None or self._busy

    @property
    def generation(self) -> int:
        """Generation of the newest bundle served (0: none yet)."""
        bundle = self._bundle
        return bundle.generation if bundle is not None else 0

    def wait_for(self, generation: int, timeout: float) -> bool:
        """Wait until a bundle of ``generation`` or newer is served; False after ``timeout`` s."""
        with self._cond:
            return self._cond.wait_for(lambda: self.generation >= generation, timeout)

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()

    # --- the indexing thread -------------------------------------------------------------

    def run(self) -> None:
        while (job := self._next()) is not None:
            diags = Diagnostics()
            try:
                files = self.indexer(job.pages, job.language, diags, job.terms)
            except Exception as exc:  # a bug must not end the thread: the previous bundle stays
                diags.error("search", 0, f"could not build the search index: {exc!r}")
                files = {}
            with self._cond:
                self._busy = False
                if files and not diags.errors and job.generation > self.generation:
                    self._older = self._bundle.files if self._bundle is not None else {}
                    self._bundle = Bundle(job.generation, files)
                self._cond.notify_all()
            for d in diags.errors:
                if d.message not in self._reported:
                    self._reported.add(d.message)
                    self.report(f"search (preview): {d.message}")

    def _next(self) -> Job | None:
        """The newest request once no other came for ``debounce_seconds``; None when stopping."""
        with self._cond:
            while True:
                if self._stopping:
                    return None
                if self._pending is None:
                    self._cond.wait()
                    continue
                first = time.monotonic()
                while not self._stopping:  # debounce
                    quiet = self._last_request + self.debounce_seconds - time.monotonic()
                    left = first + self.max_wait - time.monotonic()
                    if quiet <= 0 or left <= 0:
                        break
                    self._cond.wait(min(quiet, left))
                if self._stopping:
                    return None
                job, self._pending, self._busy = self._pending, None, True
                return job


def bundle_key(key: str) -> bool:
    """``key`` (an output path) is a file of the search bundle."""
    return key.startswith(BUNDLE_DIR + "/")


def search_job(generation: int, result: BuildResult, base_path: str) -> Job | None:
    """The indexing request for a good in-memory build; None when the site has search off."""
    if result.graph is None or result.config is None or not result.config.search:
        return None
    pages = {path: result.files[path] for path in searchable(result.graph, result.listing_paths) if path in result.files}
    language = "" if result.config.languages else result.config.language  # "": by each page's <html lang>
    return Job(generation, pages, language, search_terms(result.graph, base_path))
