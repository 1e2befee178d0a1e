"""serve's quick preview (issue 18: edit-to-reload at 10,000 pages): a page whose text alone
changed is rendered at once with the previous build's graph, exactly as the full rebuild then
renders it; anything else waits for the full rebuild. And tabs reload only when what they
show changed."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from conftest import copy_site
from spinesite.build import build
from spinesite.buildresult import BuildResult
from spinesite.console import QUIET, Console
from spinesite.serve.pages import Snapshot, unchanged_for
from spinesite.serve.quick import quick_files
from spinesite.serve.server import Server

BACK_PAIN = "content/conditions/back-pain.md"


def edited(site: Path, rel: str, old: str, new: str) -> set[str]:
    path = site / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return {str(path)}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_site(tmp_path / "site")


@pytest.fixture
def previous(site: Path) -> BuildResult:
    result = build(site, write=False)
    assert result.ok()
    return result


def test_a_text_edit_is_rendered_as_the_full_rebuild_renders_it(site: Path, previous: BuildResult) -> None:
    paths = edited(site, BACK_PAIN, "Back pain is common.", "Back pain is very common, and *usually* gets better.")
    quick = quick_files(previous, site, paths)
    assert quick is not None and set(quick) == {"conditions/back-pain/index.html"}
    assert b"Back pain is very common, and <em>usually</em> gets better." in quick["conditions/back-pain/index.html"]
    full = build(site, write=False, previous=previous)
    assert full.ok() and full.files["conditions/back-pain/index.html"] == quick["conditions/back-pain/index.html"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("summary: Pain in the lower back.", "summary: Pain low in the back."),  # front matter: other pages show it
        ("region: lumbar\n", "region: lumbar\n# a comment moves the body\n"),  # the body's line numbers change
        ("Back pain is common.", "Back pain is [common](../nowhere.md)."),  # a broken link: an error to report
        ("Back pain is common.", "Back pain is common.\n\n<script>alert(1)</script>"),  # raw HTML: sanitised, warned about
        ("---\ntitle", "title"),  # no front matter any more
    ],
)
def test_anything_but_a_clean_text_edit_waits_for_the_full_rebuild(site: Path, previous: BuildResult, old: str, new: str) -> None:
    paths = edited(site, BACK_PAIN, old, new)
    assert quick_files(previous, site, paths) is None


def test_other_files_wait_for_the_full_rebuild(site: Path, previous: BuildResult) -> None:
    new_page = site / "content/stretches/new.md"
    new_page.write_text((site / "content/stretches/bridge.md").read_text(encoding="utf-8"), encoding="utf-8")
    assert quick_files(previous, site, {str(new_page)}) is None
    assert quick_files(previous, site, {str(site / "templates/base.html")}) is None
    assert quick_files(previous, site, {str(site / "spinesite.yaml")}) is None
    assert quick_files(previous, site, set()) is None
    both = edited(site, BACK_PAIN, "Back pain is common.", "Back pain is common!") | {str(new_page)}
    assert quick_files(previous, site, both) is None  # all or nothing


def snap(generation: int, files: dict[str, bytes], ok: bool = True) -> Snapshot:
    return Snapshot(generation, ok, files)


def test_a_tab_reloads_only_when_what_it_shows_changed() -> None:
    page, other, css = b"<p>page</p>", b"<p>other</p>", b"p{}"
    old = snap(1, {"a/index.html": page, "b/index.html": other, "assets/site.css": css, "404.html": b"nf"})
    same_page = snap(2, {**old.files, "b/index.html": b"<p>other, edited</p>"})
    assert unchanged_for("/a/", old, same_page)  # another page changed
    assert not unchanged_for("/b/", old, same_page)  # this page changed
    assert not unchanged_for("/a/", old, snap(2, {**old.files, "assets/site.css": b"p{color:red}"}))  # a style sheet changed
    assert unchanged_for("/a/", old, snap(2, {**old.files, "a/index.html": bytes(page)}))  # rendered again, the same bytes
    assert unchanged_for("/a/", old, snap(2, {**old.files, "assets/site.css": bytes(css)}))  # the sitemap, feed...: the same bytes
    assert not unchanged_for("/a/", old, snap(2, old.files, ok=False))  # the error page
    assert not unchanged_for("/a/", snap(1, old.files, ok=False), old)
    assert not unchanged_for("/gone/", old, snap(2, {**old.files, "gone/index.html": b"new"}))  # was the 404 page


def test_a_saved_text_edit_shows_at_once_and_the_full_rebuild_does_not_reload_the_tab_again(site: Path) -> None:
    from test_serve import EventStream

    server = Server(site, port=0, console=Console(QUIET, stream=io.StringIO()))
    server.start()
    try:
        events = EventStream(server, "/conditions/back-pain/")
        other = EventStream(server, "/stretches/bridge/")
        try:
            assert events.next_event(30)[0] == "hello" and other.next_event(30)[0] == "hello"
            start = server.snapshot.generation
            edited(site, BACK_PAIN, "Back pain is common.", "Back pain is common, edited.")
            first, _ = events.next_event(60)  # a hang, not a speed limit
            assert first == "reload"
            assert b"Back pain is common, edited." in server.snapshot.files["conditions/back-pain/index.html"]
            deadline = time.monotonic() + 60
            while server.snapshot.generation < start + 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert server.snapshot.generation == start + 2  # the quick preview, then the full rebuild
            assert events.next_event(60)[0] == "same"  # the full rebuild shows this tab the same page
            assert [other.next_event(60)[0], other.next_event(60)[0]] == ["same", "same"]  # the stretch did not change
        finally:
            events.close()
            other.close()
    finally:
        server.stop()
