"""What a build leaves behind: :class:`BuildResult`, the data the build (``build.py``) fills in
and that the content checks, the CLI, the preview server and its search read.

A module of its own so that those readers need not import the build pipeline: ``checks``
runs inside the build and reads a result afterwards (``spinesite check``).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spinesite.content.codes import CodeEntry
    from spinesite.content.config import Config
    from spinesite.content.graph import SiteGraph
    from spinesite.diagnostics import Diagnostics
    from spinesite.incremental.state import Cache
    from spinesite.render.templates import SiteRenderer


@dataclass
class BuildResult:
    diagnostics: Diagnostics
    graph: SiteGraph | None = None
    config: Config | None = None
    files: dict[str, bytes] = field(default_factory=dict)  # every output file (in-memory builds only)
    keys: dict[str, str] = field(default_factory=dict)  # render key per page rel (in-memory builds)
    counts: Counter[str] = field(default_factory=Counter)
    rendered: list[str] = field(default_factory=list)  # output paths of pages rendered this time
    rendered_listings: list[str] = field(default_factory=list)  # ...and of generated pages (indexes, levels...)
    listing_paths: list[str] = field(default_factory=list)  # output paths of every generated page (rendered or not)
    written: int = 0  # files created or replaced in the output folder
    committed: bool = False  # the output now holds this build (it did not fail)
    digests: dict[str, str] = field(default_factory=dict)  # content file -> sha256 of the bytes this build read
    notes: list[str] = field(default_factory=list)  # one line each: a check that could not run, and why
    unrendered: set[str] = field(default_factory=set)  # in-memory builds with errors: output paths not rendered
    seconds: float = 0.0
    codes: list[CodeEntry] = field(default_factory=list)  # every code the site carries, with its description and pages
    reading_ease: dict[str, float] = field(default_factory=dict)  # spinesite check: Spanish pages' reading ease, by source file
    linked: dict[str, set[str]] = field(default_factory=dict)  # page rel -> rels its body links to
    cache: Cache | None = None  # parsed sources and Markdown, for the next in-memory build
    renderer: SiteRenderer | None = None  # the templates with this build's site graph (serve's quick preview)
    timings: list[tuple[str, float]] = field(default_factory=list)  # (stage, seconds), printed with -v
    _last: float = field(default_factory=time.perf_counter)  # end of the previous stage

    def lap(self, stage: str) -> None:
        """Record that ``stage`` just ended (its time runs from the previous lap)."""
        now = time.perf_counter()
        self.timings.append((stage, now - self._last))
        self._last = now

    def ok(self, strict: bool = False) -> bool:
        return not self.diagnostics.failed(strict)
