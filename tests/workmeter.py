"""Work measures for tests that must not depend on the machine being fast or slow.

CI runs on shared, busy machines, so "this took less than N seconds" is not a test. These
helpers count what the code under test does instead:

- ``watch_yaml(monkeypatch)``: every event stream PyYAML is asked for (how many events the
  caller pulled, how far into the text libyaml got) and every text it composed into nodes;
- ``watch_markdown(monkeypatch, stall_at=...)``: every text Python-Markdown converted and every
  paragraph its block parser reached; a paragraph containing ``stall_at`` waits until the
  Markdown time budget's alarm interrupts it, so the budget expires at a known step on any
  machine (no real text is slow on every machine, and none is fast on every machine).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import markdown
import pytest
import yaml
from markdown.blockprocessors import ParagraphProcessor

STALL_LIMIT = 30.0  # a stalled paragraph gives up after this long (the test then fails: no alarm came)


@dataclass
class YamlStream:
    text: str
    events: int = 0  # events the caller pulled from the stream
    furthest: int = 0  # furthest index libyaml reported reaching (an event's end, or an error's mark)


@dataclass
class YamlWork:
    streams: list[YamlStream] = field(default_factory=list)
    composed: list[str] = field(default_factory=list)  # texts composed into a node graph

    def of(self, needle: str) -> YamlStream:
        """The one stream whose text contains ``needle``."""
        found = [s for s in self.streams if needle in s.text]
        assert len(found) == 1, f"{len(found)} YAML streams contain {needle!r}"
        return found[0]


def watch_yaml(monkeypatch: pytest.MonkeyPatch) -> YamlWork:
    """Count the work of ``yaml.parse`` and ``yaml.compose`` (what ``yamlnodes`` calls) until the test ends."""
    work = YamlWork()
    real_parse, real_compose = yaml.parse, yaml.compose

    def parse(stream: Any, Loader: Any = yaml.Loader) -> Iterator[Any]:
        seen = YamlStream(str(stream))
        work.streams.append(seen)
        try:
            for event in real_parse(stream, Loader=Loader):
                seen.events += 1
                seen.furthest = max(seen.furthest, event.end_mark.index if event.end_mark else 0)
                yield event
        except yaml.MarkedYAMLError as exc:
            if exc.problem_mark is not None:
                seen.furthest = max(seen.furthest, exc.problem_mark.index)
            raise

    def compose(stream: Any, Loader: Any = yaml.Loader) -> Any:
        work.composed.append(str(stream))
        return real_compose(stream, Loader=Loader)

    monkeypatch.setattr(yaml, "parse", parse)
    monkeypatch.setattr(yaml, "compose", compose)
    return work


@dataclass
class MarkdownWork:
    converted: list[str] = field(default_factory=list)  # texts given to Python-Markdown
    paragraphs: list[str] = field(default_factory=list)  # paragraphs its block parser reached, in order


def watch_markdown(monkeypatch: pytest.MonkeyPatch, stall_at: str | None = None) -> MarkdownWork:
    """Record what Python-Markdown is asked to do until the test ends. A paragraph containing
    ``stall_at`` stalls (sleeping in short steps) until a signal handler raises, i.e. until the
    time budget's alarm goes off: rendering then stops at that paragraph whatever the machine."""
    work = MarkdownWork()
    real_convert, real_run = markdown.Markdown.convert, ParagraphProcessor.run

    def convert(self: markdown.Markdown, source: str) -> str:
        work.converted.append(source)
        return real_convert(self, source)

    def run(self: ParagraphProcessor, parent: Any, blocks: list[str]) -> Any:
        work.paragraphs.append(blocks[0])
        if stall_at is not None and stall_at in blocks[0]:
            deadline = time.monotonic() + STALL_LIMIT
            while time.monotonic() < deadline:
                time.sleep(0.005)  # the alarm's handler raises out of here
        return real_run(self, parent, blocks)

    monkeypatch.setattr(markdown.Markdown, "convert", convert)
    monkeypatch.setattr(ParagraphProcessor, "run", run)
    return work
