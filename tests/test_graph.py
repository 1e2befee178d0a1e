"""The site graph: references between pages, URLs and their collisions, reverse links, levels."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MINIMAL, MakeSite, error_lines, fm, page, run_cli
from spinesite.build import build

BACK_PAIN = "content/conditions/back-pain.md"
BACK_PAIN_TEXT = (MINIMAL / BACK_PAIN).read_text()


def check(capsys: pytest.CaptureFixture[str], site: Path) -> tuple[int, list[str]]:
    code, _out, err = run_cli(capsys, "check", site)
    return code, error_lines(err)


def condition(stretches: str = "[bridge]", extra: str = "") -> str:
    return BACK_PAIN_TEXT.replace(
        "stretches: [bridge]\n", f"stretches:{stretches}\n" if stretches.startswith("\n") else f"stretches: {stretches}\n"
    ).replace("---\n## What", f"{extra}---\n## What")


def test_unknown_reference_with_did_you_mean_at_the_item_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite
) -> None:
    site = make_site(
        tmp_path,
        {
            BACK_PAIN: condition("\n  - bridge\n  - knee-rotation\n  - knee-rotaton"),
            "content/stretches/knee-rotation.md": page("stretches", "Knee rotation"),
        },
    )
    assert check(capsys, site) == (1, [f"{BACK_PAIN}:9: stretches[2]: unknown stretch 'knee-rotaton' (did you mean 'knee-rotation'?)"])


def test_unknown_reference_without_a_close_match(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {BACK_PAIN: condition("[bridge, zzz]")})
    assert check(capsys, site) == (1, [f"{BACK_PAIN}:6: stretches[1]: unknown stretch 'zzz'"])


def test_reference_to_the_wrong_type(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {BACK_PAIN: condition("[bridge, disc-wear]")})
    assert check(capsys, site) == (1, [f"{BACK_PAIN}:6: stretches[1]: 'disc-wear' is a cause, not a stretch (content/causes/disc-wear.md)"])


def test_reference_to_the_wrong_type_names_the_real_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(
        tmp_path,
        {BACK_PAIN: condition("[worn]"), "content/causes/wear.md": fm("causes", "Wear", extra="slug: worn\n")},
    )
    assert check(capsys, site) == (1, [f"{BACK_PAIN}:6: stretches[0]: 'worn' is a cause, not a stretch (content/causes/wear.md)"])


def test_reference_to_a_draft(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(
        tmp_path,
        {
            "content/stretches/bridge.md": (MINIMAL / "content/stretches/bridge.md")
            .read_text()
            .replace("---\nCheck", "draft: true\n---\nCheck")
        },
    )
    assert check(capsys, site) == (  # left out with a warning (see test_drafts.py)
        0,
        [
            f"{BACK_PAIN}:6: warning: stretches[0]: stretch 'bridge' is a draft (content/stretches/bridge.md), "
            "so it is left out until it is published",
            f"{BACK_PAIN}:22: warning: link '../stretches/bridge.md' goes to a draft (content/stretches/bridge.md), "
            "so it is plain text until the draft is published",
        ],
    )


def test_reference_and_link_to_a_file_that_did_not_load_are_not_reported_twice(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite
) -> None:
    site = make_site(tmp_path, {"content/stretches/bridge.md": "---\ntitle: [\n---\n"})
    assert check(capsys, site) == (
        1,
        [
            "content/stretches/bridge.md:2: the '[' at column 8 starts a list that is never closed: add the missing ']', "
            "or if the '[' is part of the text, write title: \"[\""
        ],
    )


def test_self_reference_and_parent_loops(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(
        tmp_path,
        {
            BACK_PAIN: condition(extra="parent: back-pain\n"),
            "content/conditions/a.md": fm("conditions", "A", extra="parent: b\n"),
            "content/conditions/b.md": fm("conditions", "B", extra="parent: c\n"),
            "content/conditions/c.md": fm("conditions", "C", extra="parent: a\n"),
            "content/conditions/d.md": fm("conditions", "D", extra="parent: a\n"),
        },
    )
    assert check(capsys, site) == (
        1,
        ["content/conditions/a.md:12: parent: conditions form a loop", f"{BACK_PAIN}:19: parent: a page cannot refer to itself"],
    )


def test_parent_chain_and_children(tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(
        tmp_path,
        {
            "content/conditions/top.md": fm("conditions", "Top"),
            "content/conditions/mid.md": fm("conditions", "Mid", extra="parent: top\n"),
            BACK_PAIN: condition(extra="parent: mid\n"),
        },
    )
    result = build(site, write=False, jobs=1)
    assert result.ok(), result.diagnostics.sorted()
    assert result.graph is not None
    top, mid, leaf = (result.graph.get("conditions", s) for s in ("top", "mid", "back-pain"))
    assert top is not None and mid is not None and leaf is not None
    assert (leaf.parent, mid.parent, top.parent) == (mid, top, None)
    assert (top.children, mid.children) == ([mid], [leaf])


def test_reverse_links_sorted_by_title(tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(
        tmp_path,
        {
            "content/conditions/zz.md": fm("conditions", "Arm pain", extra="stretches: [bridge]\ncauses: [disc-wear]\n"),
            "content/conditions/aa.md": fm("conditions", "Zebra pain", extra="stretches: [bridge]\n"),
        },
    )
    result = build(site, write=False, jobs=1)
    assert result.ok(), result.diagnostics.sorted()
    assert result.graph is not None
    bridge = result.graph.get("stretches", "bridge")
    wear = result.graph.get("causes", "disc-wear")
    assert bridge is not None and wear is not None
    assert [p.title for p in bridge.backlinks["conditions"]] == ["Arm pain", "Back pain", "Zebra pain"]
    assert [p.title for p in wear.backlinks["conditions"]] == ["Arm pain", "Back pain"]
    assert sorted(result.graph.levels) == ["L4-L5"]
    assert [p.title for p in result.graph.levels["L4-L5"]] == ["Arm pain", "Back pain", "Zebra pain"]


# ----------------------------------------------------------------------------- URLs


def test_slug_override_onto_another_page_is_one_error_naming_both(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite
) -> None:
    # a.md sorts before about.md: the error still goes to the slug: line that caused it.
    for name in ("a", "x"):
        site = make_site(tmp_path, {f"content/pages/{name}.md": page("pages", "Other", extra="slug: about\n")}, name=f"site-{name}")
        assert check(capsys, site) == (
            1,
            [f"content/pages/{name}.md:10: URL /about/ is also used by content/pages/about.md; rename one of the files or change its slug"],
        )


def test_two_overrides_onto_one_slug(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(
        tmp_path,
        {
            "content/pages/one.md": page("pages", "One", extra="slug: same\n"),
            "content/pages/two.md": page("pages", "Two", extra="slug: same\n"),
        },
    )
    assert check(capsys, site) == (
        1,
        ["content/pages/two.md:10: URL /same/ is also used by content/pages/one.md; rename one of the files or change its slug"],
    )


@pytest.mark.parametrize("name", ["conditions", "stretches", "search", "levels", "handouts", "assets", "images"])
def test_reserved_urls(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite, name: str) -> None:
    site = make_site(tmp_path, {f"content/pages/{name}.md": page("pages", "Reserved")})
    assert check(capsys, site) == (1, [f"content/pages/{name}.md: URL /{name}/ is reserved for a generated page; choose another slug"])


def test_reserved_url_by_slug_override(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {"content/pages/find.md": page("pages", "Find", extra="slug: search\n")})
    assert check(capsys, site) == (1, ["content/pages/find.md:10: URL /search/ is reserved for a generated page; choose another slug"])


def test_same_slug_in_different_types_is_fine(tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {"content/causes/bridge.md": fm("causes", "Bridge cause")})
    result = build(site, write=False, jobs=1)
    assert result.ok(), result.diagnostics.sorted()
    assert result.graph is not None
    assert {"/stretches/bridge/", "/causes/bridge/"} <= set(result.graph.by_url)


@pytest.mark.parametrize("slug", ["../../x", "/abs", "..\\\\x", "../_site-evil/x", "a/b", "UPPER", "x.html", "-x"])
def test_slug_overrides_that_are_not_slugs(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite, slug: str) -> None:
    site = make_site(tmp_path, {"content/pages/x.md": page("pages", "X", extra=f'slug: "{slug}"\n')})
    shown = slug.replace("\\\\", "\\")
    assert check(capsys, site) == (
        1,
        [f"content/pages/x.md:10: slug: '{shown}' is not a valid slug (lower-case letters, digits and hyphens)"],
    )


def test_illustration_must_exist_inside_static(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    bridge = (MINIMAL / "content/stretches/bridge.md").read_text()
    for i, src in enumerate(["/images/nope.svg", "/../../spinesite.yaml"]):
        site = make_site(tmp_path, {"content/stretches/bridge.md": bridge.replace("/images/bridge.svg", src)}, name=f"site{i}")
        assert check(capsys, site) == (1, [f"content/stretches/bridge.md:9: illustration.src: no file static{src}"])
