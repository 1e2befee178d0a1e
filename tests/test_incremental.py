"""Incremental and parallel builds must be impossible to tell apart from clean serial ones."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import re
import sqlite3
from pathlib import Path

import pytest

from conftest import REVIEW, ROOT
from spinesite import parallel
from spinesite.build import build
from spinesite.incremental import state as cachemod
from spinesite.incremental.store import CACHE_DIR, DB_FILE
from spinesite.render.templates import theme_dir


def _page(kind: str, i: int, rng: random.Random, n: int) -> str:
    fm = [f"title: {kind.title()} number {i}", f"summary: Summary of {kind} {i}."]
    body = f"Body of {kind} {i}. See [a stretch](../stretches/s{rng.randrange(n)}.md).\n\n## Part two\n\nMore text about the foramen.\n"
    if kind == "conditions":
        fm += ["region: lumbar", f"spine_levels: [L{1 + i % 4}-L{2 + i % 4}]"]
        fm.append(f"stretches: [{', '.join(sorted({f's{rng.randrange(n)}' for _ in range(3)}))}]")
        fm.append(f"causes: [c{rng.randrange(n)}]")
        fm.append(f"treatments: [t{rng.randrange(n)}]")
    elif kind == "stretches":
        fm += ["kind: stretch", "starting_position: Lie down.", "steps: [Breathe in., Breathe out.]", "stop_if: [It hurts]"]
    elif kind == "causes":
        fm += ["frequency: common"]
    elif kind == "treatments":
        fm += ["category: self-care", "evidence: option", "guidelines: [{name: NICE NG59}]"]
    return "---\n" + "\n".join(fm) + "\n" + REVIEW + "---\n" + body


def make_site(root: Path, n: int = 12, seed: int = 1) -> None:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "spinesite.yaml").write_text("title: Incremental\nbase_url: https://example.org/\nsearch: false\n")
    for kind, prefix in (("conditions", "d"), ("stretches", "s"), ("causes", "c"), ("treatments", "t")):
        (root / "content" / kind).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            (root / "content" / kind / f"{prefix}{i}.md").write_text(_page(kind, i, rng, n))
    (root / "content" / "glossary").mkdir()
    (root / "content" / "glossary" / "foramen.md").write_text("---\ntitle: Foramen\nsummary: An opening.\n" + REVIEW + "---\n")


def tree(root: Path) -> dict[str, str]:
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.name != ".spinesite-output":
            out[p.relative_to(root).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _edit(site: Path, rng: random.Random, step: int) -> str:
    files = sorted((site / "content").rglob("*.md"))
    choice = rng.choice(["body", "title", "refs", "delete", "add", "template", "config"])
    target = rng.choice([f for f in files if f.parent.name != "glossary"])
    text = target.read_text()
    if choice == "body":
        target.write_text(text + f"\nEdit {step}.\n")
    elif choice == "title":
        target.write_text(text.replace("title: ", f"title: Renamed {step} ", 1))
    elif choice == "refs" and target.parent.name == "conditions":
        target.write_text(
            text.replace("stretches: [", "stretches: [s0, ", 1) if "s0," not in text and "[s0]" not in text else text.replace("s0, ", "", 1)
        )
    elif choice == "delete" and target.parent.name == "causes":
        referenced = any(f"c{target.stem[1:]}]" in f.read_text() for f in files if f.parent.name == "conditions")
        if not referenced:
            target.unlink()
    elif choice == "add":
        (site / "content" / "stretches" / f"new{step}.md").write_text(_page("stretches", 100 + step, rng, 3))
    elif choice == "template":
        tpl = site / "templates" / "cause.html"
        tpl.parent.mkdir(exist_ok=True)
        if tpl.exists():
            tpl.unlink()
        else:
            tpl.write_text('{% extends "base.html" %}{% block main %}<h1>{{ page.title }}</h1><p>custom</p>{% endblock %}\n')
    elif choice == "config":
        cfg = site / "spinesite.yaml"
        cfg.write_text(
            cfg.read_text() + f"description: Step {step}\n"
            if "description" not in cfg.read_text()
            else cfg.read_text().split("description")[0]
        )
    return choice


def _diagnostics(result: object) -> list[str]:
    return sorted(d.format() for d in result.diagnostics.items)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("seed", "trust_stat"), [(1, False), (2, False), (3, True), (4, True)])
def test_random_edits_match_clean_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int, trust_stat: bool) -> None:
    """With ``trust_stat`` the racy-file window is off, so unchanged sources are taken from the
    cache by their stat alone (not read, their body read on demand), as on a real machine."""
    if trust_stat:
        monkeypatch.setattr(cachemod, "RACY_NS", 0)
    site = tmp_path / "site"
    make_site(site, seed=seed)
    inc_out = tmp_path / "inc"
    rng = random.Random(seed)
    assert build(site, inc_out, jobs=1).ok()
    removed: dict[Path, str] = {}
    for step in range(12):
        _edit(site, rng, step)
        if step == 6:  # break the references of unchanged pages: their lines are needed again
            removed = {p: p.read_text() for p in sorted((site / "content" / "stretches").glob("s*.md"))[:3]}
            for path in removed:
                path.unlink()
        elif step == 7:
            for path, text in removed.items():
                path.write_text(text)
        if step % 5 == 4:  # a lost Markdown cache entry is rendered again, never shown empty
            _cache_rows(site, "DELETE FROM markdown")
        inc = build(site, inc_out, jobs=1)
        clean_out = tmp_path / f"clean{step}"
        clean = build(site, clean_out, jobs=1, incremental=False)
        assert _diagnostics(inc) == _diagnostics(clean), f"step {step}"
        if clean.ok():
            assert tree(inc_out) == tree(clean_out), f"step {step}"


def test_unchanged_sources_are_not_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cachemod, "RACY_NS", 0)
    site = tmp_path / "site"
    make_site(site)
    out = tmp_path / "out"
    assert build(site, out, jobs=1).ok()
    stretch = site / "content" / "stretches" / "s1.md"
    stretch.write_text(stretch.read_text() + "\nOne more line.\n")
    opened: list[str] = []
    real_read_bytes = Path.read_bytes
    real_open = open

    def spy_read_bytes(self: Path) -> bytes:
        opened.append(self.as_posix())
        return real_read_bytes(self)

    def spy_open(file: object, *args: object, **kwargs: object) -> object:
        opened.append(str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "read_bytes", spy_read_bytes)
    monkeypatch.setattr("builtins.open", spy_open)
    assert build(site, out, jobs=1).ok()
    read = {Path(p).relative_to(site).as_posix() for p in opened if "/content/" in p}
    assert read == {"content/stretches/s1.md"}


def test_no_change_rebuild_renders_nothing_and_keeps_mtimes(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site)
    out = tmp_path / "out"
    first = build(site, out, jobs=1)
    assert first.ok() and first.rendered
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    second = build(site, out, jobs=1)
    assert second.rendered == []
    assert second.written == 0
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before


def test_editing_a_stretch_rerenders_it_and_the_conditions_that_show_it(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site)
    out = tmp_path / "out"
    build(site, out, jobs=1)
    stretch = site / "content" / "stretches" / "s1.md"
    stretch.write_text(stretch.read_text() + "\nOne more line.\n")
    result = build(site, out, jobs=1)
    graph = result.graph
    assert graph is not None
    page = graph.by_rel["content/stretches/s1.md"]
    shown_on = page.backlinks.get("conditions", [])
    expected = {page.output_path} | {c.output_path for c in shown_on}
    assert set(result.rendered) == expected
    # generated pages: the stretches index (lists it), the search page (reads by_kind.get(kind))
    # and the handouts of the conditions that show it; not the level pages (their spine map
    # counts conditions), not the home page (it reads by_kind.conditions), not the 404 page
    handouts = {f"handouts/{c.slug}/index.html" for c in shown_on}
    assert set(result.rendered_listings) == {"stretches/index.html", "search/index.html"} | handouts


def test_editing_a_condition_rerenders_every_page_with_the_spine_map(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site)
    out = tmp_path / "out"
    build(site, out, jobs=1)
    condition = site / "content" / "conditions" / "d1.md"
    condition.write_text(condition.read_text().replace("title: Conditions number 1", "title: Renamed", 1))
    result = build(site, out, jobs=1)
    assert {f"levels/l{n}-l{n + 1}/index.html" for n in range(1, 5)} <= set(result.rendered_listings)


def test_parallel_build_is_identical_to_serial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_TASKS_PER_WORKER", 2)
    site = tmp_path / "site"
    make_site(site, n=20)
    todo = site / "content" / "stretches" / "s3.md"
    todo.write_text(todo.read_text().replace("summary: Summary", "summary: TODO Summary", 1))  # a warning
    serial = build(site, tmp_path / "serial", jobs=1, incremental=False)
    par = build(site, tmp_path / "par", jobs=2, incremental=False)
    assert serial.ok() and par.ok()
    assert tree(tmp_path / "serial") == tree(tmp_path / "par")
    assert _diagnostics(serial) == _diagnostics(par) != []
    # files with problems are loaded (and reported) by the main process, as in a serial build
    (site / "content" / "causes" / "c2.md").write_text("---\ntitle: [unclosed\n---\n")
    serial, par = build(site, tmp_path / "s2", jobs=1), build(site, tmp_path / "p2", jobs=2)
    assert not par.ok() and _diagnostics(serial) == _diagnostics(par)


def test_in_memory_rebuild_reuses_unchanged_pages(tmp_path: Path) -> None:
    """``spinesite serve`` rebuilds in memory: only the edited page and its dependants render."""
    site = tmp_path / "site"
    make_site(site)
    first = build(site, write=False, jobs=1)
    assert first.ok()
    stretch = site / "content" / "stretches" / "s2.md"
    stretch.write_text(stretch.read_text() + "\nEdited.\n")
    second = build(site, write=False, jobs=1, previous=first)
    assert second.graph is not None
    page = second.graph.by_rel["content/stretches/s2.md"]
    assert set(second.rendered) == {page.output_path} | {c.output_path for c in page.backlinks.get("conditions", [])}
    clean = build(site, write=False, jobs=1, incremental=False)
    assert second.files == clean.files


def test_scaffold_placeholders_are_warnings(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site)
    page = site / "content" / "causes" / "c1.md"
    page.write_text(page.read_text().replace("summary: Summary of causes 1.", "summary: TODO say what it is") + "\nTODO write this.\n")
    result = build(site, write=False, jobs=1)
    lines = [d.format() for d in result.diagnostics.sorted() if d.code != "orphan"]
    assert lines == [
        "content/causes/c1.md:3: warning: summary: placeholder text 'TODO' still here; replace it",
        "content/causes/c1.md:18: warning: placeholder text 'TODO' still in the page text; replace it",
    ]
    assert result.ok() and not result.ok(strict=True)


def test_no_change_fast_path_notices_every_kind_of_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stat-based fast path must fall back to a real build on any input or output change."""
    from spinesite.incremental import stamp

    monkeypatch.setattr(stamp, "RACY_NS", 0)  # the test edits files within the same second
    site = tmp_path / "site"
    make_site(site)
    out = tmp_path / "out"
    assert build(site, out, jobs=1).ok()
    assert build(site, out, jobs=1).rendered == []
    assert stamp.unchanged(site, out.absolute(), theme_dir(), stamp.environment(out.absolute(), True))[0] is not None
    changes = [
        lambda: (site / "content" / "causes" / "c3.md").write_text((site / "content" / "causes" / "c3.md").read_text() + "\nMore.\n"),
        lambda: (out / "causes" / "c3" / "index.html").write_text("tampered"),
        lambda: (out / "causes" / "c4" / "index.html").unlink(),
        lambda: (site / "spinesite.yaml").write_text((site / "spinesite.yaml").read_text() + "description: Changed.\n"),
        lambda: monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000"),
    ]
    for i, change in enumerate(changes):
        change()
        inc = build(site, out, jobs=1)
        # the stamp's output stats come from the commit, not a walk: they must match one
        assert stamp.unchanged(site, out.absolute(), theme_dir(), stamp.environment(out.absolute(), True))[0] is not None, i
        clean_out = tmp_path / f"clean{i}"
        assert inc.ok() and build(site, clean_out, jobs=1, incremental=False).ok()
        assert tree(out) == tree(clean_out), i


def test_page_template_reading_every_page_makes_every_page_a_dependency(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site)
    (site / "templates").mkdir()
    (site / "templates" / "cause.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>{{ page.title }}</h1>'
        "<ul>{% for s in by_kind.stretches %}<li>{{ s.title }}</li>{% endfor %}</ul>{% endblock %}\n"
    )
    out = tmp_path / "out"
    assert build(site, out, jobs=1).ok()
    stretch = site / "content" / "stretches" / "s5.md"
    stretch.write_text(stretch.read_text().replace("title: Stretches number 5", "title: A renamed stretch"))
    assert build(site, out, jobs=1).ok()
    assert "A renamed stretch" in (out / "causes" / "c0" / "index.html").read_text()
    assert build(site, tmp_path / "clean", jobs=1, incremental=False).ok()
    assert tree(out) == tree(tmp_path / "clean")


def test_editing_one_template_rerenders_only_the_pages_it_makes(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site)
    out = tmp_path / "out"
    assert build(site, out, jobs=1).ok()
    (site / "templates").mkdir()
    theme_cause = (theme_dir() / "cause.html").read_text()
    (site / "templates" / "cause.html").write_text(theme_cause.replace("{% block main %}", "{% block main %}<!-- edited -->", 1))
    result = build(site, out, jobs=1)
    assert result.ok() and result.graph is not None
    assert set(result.rendered) == {p.output_path for p in result.graph.by_kind["causes"]}
    assert result.rendered_listings == []
    # a template every page uses (through extends) re-renders everything
    (site / "templates" / "base.html").write_text((theme_dir() / "base.html").read_text() + "\n")
    result = build(site, out, jobs=1)
    assert len(result.rendered) == len(result.graph.pages)  # type: ignore[union-attr]


def test_a_computed_include_makes_a_template_depend_on_every_template(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site)
    (site / "templates").mkdir()
    (site / "templates" / "cause.html").write_text(
        '{% extends "base.html" %}{% block main %}{% include "part_" ~ page.kind ~ ".html" %}{% endblock %}\n'
    )
    (site / "templates" / "part_causes.html").write_text("<p>one</p>\n")
    out = tmp_path / "out"
    assert build(site, out, jobs=1).ok()
    (site / "templates" / "part_causes.html").write_text("<p>two</p>\n")
    result = build(site, out, jobs=1)
    clean = build(site, tmp_path / "clean", jobs=1, incremental=False)
    assert result.ok() and clean.ok()
    assert tree(out) == tree(tmp_path / "clean")
    assert "<p>two</p>" in (out / "causes" / "c1" / "index.html").read_text()


def test_files_written_just_before_a_build_are_checked_by_content(tmp_path: Path) -> None:
    """Racily clean files (changed within 2 s of the build) cannot be trusted by stat alone:
    the no-change path then compares their bytes with what the build read."""
    site = tmp_path / "site"
    make_site(site)
    out = tmp_path / "out"
    assert build(site, out, jobs=1).ok()
    fast = build(site, out, jobs=1)
    assert fast.graph is None, "the fast path is taken, although every file is racy"
    cause = site / "content" / "causes" / "c3.md"
    before = cause.stat()
    cause.write_text(cause.read_text().replace("Summary of", "Sxmmary of", 1))  # same size, same inode
    os.utime(cause, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert cause.stat().st_size == before.st_size and cause.stat().st_mtime_ns == before.st_mtime_ns
    again = build(site, out, jobs=1)
    assert again.ok() and again.graph is not None, "no fast path: the file changed"
    assert "Sxmmary of" in (out / "causes" / "c3" / "index.html").read_text()


def _cache_rows(site: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(site / CACHE_DIR / DB_FILE) as db:
        return db.execute(sql).fetchall()


def test_an_edit_writes_one_entry_of_the_validation_cache(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site)
    out = tmp_path / "out"
    assert build(site, out, jobs=1).ok()
    before = dict(_cache_rows(site, "SELECT key, rowid FROM validated"))
    assert len(before) == len(list((site / "content").rglob("*.md")))
    stretch = site / "content" / "stretches" / "s1.md"
    stretch.write_text(stretch.read_text() + "\nOne more line.\n")
    assert build(site, out, jobs=1).ok()
    after = dict(_cache_rows(site, "SELECT key, rowid FROM validated"))
    gone, new = before.keys() - after.keys(), after.keys() - before.keys()
    assert [k.split("\x1f")[0] for k in (*gone, *new)] == ["content/stretches/s1.md"] * 2  # the old entry and the new one
    assert all(after[k] == before[k] for k in before.keys() & after.keys())  # the others were not written again
    assert build(site, tmp_path / "again", jobs=1).ok()  # and the cache still loads whole


@pytest.mark.parametrize(
    ("source", "kinds"),
    [
        ("{{ by_kind.conditions | length }}", {"conditions"}),
        ('{% for s in by_kind.get("stretches", []) %}{{ s.title }}{% endfor %}', {"stretches"}),
        ('{{ by_kind["causes"] }}{{ by_kind.treatments }}', {"causes", "treatments"}),
        ("{{ by_kind[kind] }}", None),
        ("{{ by_kind.get(kind) }}", None),
        ("{{ by_kind.items() | list }}", None),
        ("{% set all = by_kind %}{{ all.causes }}", None),
        ("{% for kind in by_kind %}{{ kind }}{% endfor %}", None),
        ("no pages here", set()),
    ],
)
def test_which_content_types_a_template_reads(source: str, kinds: set[str] | None) -> None:
    import jinja2

    from spinesite.incremental.templatedeps import by_kind_reads

    found = by_kind_reads(jinja2.Environment().parse(source))
    assert (None if found is None else set(found)) == kinds


def test_a_listing_reading_one_type_ignores_edits_to_others(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site)
    (site / "templates").mkdir()
    (site / "templates" / "home.html").write_text(
        '{% extends "base.html" %}{% block main %}<ul>{% for c in by_kind.causes %}<li>{{ c.title }}</li>{% endfor %}</ul>{% endblock %}\n'
    )
    out = tmp_path / "out"
    assert build(site, out, jobs=1).ok()
    stretch = site / "content" / "stretches" / "s1.md"
    stretch.write_text(stretch.read_text().replace("title: ", "title: Renamed ", 1))
    assert "index.html" not in build(site, out, jobs=1).rendered_listings
    cause = site / "content" / "causes" / "c1.md"
    cause.write_text(cause.read_text().replace("title: ", "title: Renamed ", 1))
    assert "index.html" in build(site, out, jobs=1).rendered_listings
    assert "Renamed Causes number 1" in (out / "index.html").read_text()


def test_a_new_day_rerenders_only_the_pages_whose_review_became_overdue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """issue 18 (CI on every commit, each built on the day of its commit): a page shows the day
    only through its overdue notice, so a build on another day re-renders just the pages whose
    next_review passed in between, and equals a clean build of that day."""
    site, out = tmp_path / "site", tmp_path / "out"
    make_site(site, n=4)
    due = site / "content" / "stretches" / "s1.md"
    text = re.sub(r"next_review: \S+", "next_review: 2030-06-15", due.read_text(), count=1)
    text = re.sub(r"reviewed_by: .*", "reviewed_by: Ann Example", text, count=1)  # reviewed: it shows the notice
    due.write_text(re.sub(r"last_reviewed: \S+", "last_reviewed: 2029-06-15", text, count=1))
    config = site / "spinesite.yaml"
    config.write_text(config.read_text() + "reviewers:\n  - name: Ann Example\n    qualification: Physiotherapist\n")
    day = lambda iso: str(int(dt.datetime.fromisoformat(iso + "T12:00:00+00:00").timestamp()))  # noqa: E731
    monkeypatch.setenv("SOURCE_DATE_EPOCH", day("2030-06-01"))
    assert build(site, out, jobs=1).ok()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", day("2030-06-10"))  # another day, nothing overdue yet
    result = build(site, out, jobs=1)
    assert result.ok() and result.rendered == []
    before = (out / "stretches/s1/index.html").read_text()
    assert 'overdue-notice" data-next-review="2030-06-15" hidden data-pagefind-ignore>' in before
    monkeypatch.setenv("SOURCE_DATE_EPOCH", day("2030-06-20"))  # s1's review is now overdue
    result = build(site, out, jobs=1)
    assert result.ok() and result.rendered == ["stretches/s1/index.html"]
    assert 'overdue-notice" data-next-review="2030-06-15" data-pagefind-ignore>' in (out / "stretches/s1/index.html").read_text()  # shown
    clean = tmp_path / "clean"
    assert build(site, clean, jobs=1, incremental=False).ok()
    assert tree(out) == tree(clean)


def test_a_template_showing_the_build_date_makes_every_day_a_new_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site, out = tmp_path / "site", tmp_path / "out"
    make_site(site, n=2)
    theme = (ROOT / "templates" / "stretch.html").read_text()
    (site / "templates").mkdir()
    (site / "templates" / "stretch.html").write_text(theme.replace("{% block main %}", "{% block main %}<p>Built {{ build_date }}</p>", 1))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1900000000")
    assert build(site, out, jobs=1).ok()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1900000000 + 86400))
    result = build(site, out, jobs=1)
    assert result.ok() and "stretches/s0/index.html" in result.rendered
    assert "<p>Built 2030-03-18</p>" in (out / "stretches/s0/index.html").read_text()
