"""Full builds of small fixture sites: output, reverse links, atomicity, determinism, exit codes."""

from __future__ import annotations

import errno
import re
from pathlib import Path

import pytest

from conftest import MINIMAL, MakeSite, copy_site, error_lines, fm, page, run_cli, snapshot, tree_hash
from spinesite.build import build

ABOUT = "content/pages/about.md"


def html(out: Path, rel: str) -> str:
    return (out / rel).read_text(encoding="utf-8")


def test_minimal_site_builds(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site, out = make_site(tmp_path), tmp_path / "out"
    code, stdout, err = run_cli(capsys, "build", site, "-o", out)
    assert code == 0
    assert stdout == ""
    assert re.fullmatch(
        r"Built 6 pages \(1 condition, 1 stretch, 1 cause, 1 treatment, 1 glossary term, 1 page\); 0 errors, 0 warnings; \d+\.\d\d s\.\n"
        r"Not checked by build \(run `spinesite check`\): reading grade; links, #anchors and <img> alt text in the built pages\.\n",
        err,
    )
    for rel in (
        "index.html",
        "404.html",
        "about/index.html",
        "conditions/index.html",
        "conditions/back-pain/index.html",
        "stretches/bridge/index.html",
        "causes/disc-wear/index.html",
        "treatments/keep-active/index.html",
        "glossary/foramen/index.html",
        "levels/l4-l5/index.html",
        "handouts/back-pain/index.html",
        "images/bridge.svg",
        "sitemap.xml",
        "robots.txt",
        "feed.xml",
        ".spinesite-output",
    ):
        assert (out / rel).is_file(), rel
    assert (out / "images/bridge.svg").read_bytes() == (MINIMAL / "static/images/bridge.svg").read_bytes()


def test_links_reverse_links_and_literal_braces(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(
        tmp_path,
        {
            "content/conditions/neck-pain.md": page(
                "conditions",
                "Neck pain",
                "Try the [bridge](bridge.md#steps) or [rest](../treatments/keep-active.md). {{ 7*7 }} {% raw %}\n",
                extra="stretches: [bridge]\n",
            ),
            "content/stretches/lonely.md": page("stretches", "Lonely stretch"),  # nothing refers to it
            "content/causes/lonely.md": fm("causes", "Lonely cause"),
            "content/treatments/lonely.md": fm("treatments", "Lonely treatment"),
        },
    )
    out = tmp_path / "out"
    code, _out, err = run_cli(capsys, "build", site, "-o", out)
    assert code == 0, err
    neck = html(out, "conditions/neck-pain/index.html")
    assert '<a href="/stretches/bridge/#steps">bridge</a>' in neck
    assert '<a href="/treatments/keep-active/">rest</a>' in neck
    assert "{{ 7*7 }} {% raw %}" in neck and ">49<" not in neck
    bridge = html(out, "stretches/bridge/index.html")
    recommended = bridge[bridge.index('id="can-help-with"') :]
    assert recommended.index('href="/conditions/back-pain/">Back pain</a>') < recommended.index(
        'href="/conditions/neck-pain/">Neck pain</a>'
    )
    assert 'id="can-help-with"' not in html(out, "stretches/lonely/index.html")


def test_two_builds_are_identical(tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path)
    first, second = tmp_path / "one", tmp_path / "two"
    # search=False: the Pagefind bundle is checked in test_hostile (it is not deterministic yet)
    assert build(site, first, search=False).ok()
    assert build(site, second, incremental=False, search=False).ok()
    assert tree_hash(first) == tree_hash(second)
    before = tree_hash(first)
    assert build(site, first, search=False).ok()  # rebuilding in place changes nothing
    assert tree_hash(first) == before


def test_crlf_and_bom_give_byte_identical_output(tmp_path: Path, make_site: MakeSite) -> None:
    lf_site = make_site(tmp_path, name="lf")
    crlf = {}
    for path in [*sorted((MINIMAL / "content").rglob("*.md")), MINIMAL / "spinesite.yaml"]:
        data = path.read_bytes().replace(b"\n", b"\r\n")
        crlf[path.relative_to(MINIMAL).as_posix()] = (b"\xef\xbb\xbf" if path.suffix == ".md" else b"") + data
    crlf_site = make_site(tmp_path, crlf, name="crlf")
    assert (crlf_site / ABOUT).read_bytes().startswith(b"\xef\xbb\xbf---\r\n")
    assert build(lf_site, tmp_path / "out-lf", search=False).ok()
    assert build(crlf_site, tmp_path / "out-crlf", search=False).ok()
    assert tree_hash(tmp_path / "out-lf") == tree_hash(tmp_path / "out-crlf")


def test_deleted_page_is_gone_from_the_next_output(tmp_path: Path, make_site: MakeSite) -> None:
    site, out = make_site(tmp_path, {"content/pages/extra.md": page("pages", "Extra")}), tmp_path / "out"
    assert build(site, out).ok()
    assert (out / "extra/index.html").is_file()
    (site / "content/pages/extra.md").unlink()
    assert build(site, out).ok()
    assert not (out / "extra").exists()
    assert "/extra/" not in (out / "sitemap.xml").read_text()


def test_source_date_epoch_sets_the_feed_date(tmp_path: Path, make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path)
    result = build(site, write=False)
    feed = result.files["feed.xml"].decode()
    assert re.search(r"</id>\s*<updated>2026-01-01T00:00:00Z</updated>", feed)  # newest review date, not the clock
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    feed = build(site, write=False).files["feed.xml"].decode()
    assert re.search(r"</id>\s*<updated>2023-11-14T00:00:00Z</updated>", feed)


# ----------------------------------------------------------------------------- failures


def test_failed_build_leaves_the_previous_output(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site, out = make_site(tmp_path), tmp_path / "out"
    assert run_cli(capsys, "build", site, "-o", out)[0] == 0
    before = snapshot(tmp_path)
    (site / ABOUT).write_text(fm("pages", "No"))
    code, _out, err = run_cli(capsys, "build", site, "-o", out)
    assert (code, err.splitlines()) == (
        1,
        [
            f"{ABOUT}:2: title: expected text, got a yes/no value (No) (put it in quotes)",
            "Failed: 1 error, 0 warnings; nothing was written.",
        ],
    )
    after = snapshot(tmp_path)
    after[f"site/{ABOUT}"] = before[f"site/{ABOUT}"]
    assert after == before


def test_template_error_leaves_the_previous_output(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site, out = (
        make_site(tmp_path, {f"content/pages/p{i}.md": page("pages", f"P{i}", extra="menu: 1\n") for i in range(5)}),
        tmp_path / "out",
    )
    assert build(site, out).ok()
    before = snapshot(tmp_path)
    template = '{% extends "base.html" %}{% block main %}{% if page.slug == "p3" %}{{ no_such_thing }}{% endif %}{{ body }}{% endblock %}\n'
    (site / "templates").mkdir()
    (site / "templates/page.html").write_text(template)
    code, _out, err = run_cli(capsys, "build", site, "-o", out)
    assert (code, error_lines(err)) == (1, ["content/pages/p3.md: template error: 'no_such_thing' is undefined"])
    after = snapshot(tmp_path)
    del after["site/templates"], after["site/templates/page.html"]
    assert after == before


@pytest.mark.parametrize("jobs", [1, 2])
def test_disk_full_while_writing(tmp_path: Path, make_site: MakeSite, jobs: int) -> None:
    site = make_site(tmp_path, {f"content/pages/p{i:03d}.md": page("pages", f"P{i}") for i in range(100)})
    out = tmp_path / "out"
    assert build(site, out).ok()
    for i in range(100):  # every page changes, so every page must be written again
        (site / f"content/pages/p{i:03d}.md").write_text(page("pages", f"Changed {i}"))
    before = snapshot(tmp_path)
    written: list[Path] = []

    def full_disk(path: Path, data: bytes) -> None:
        if len(written) >= 10:
            raise OSError(errno.ENOSPC, "No space left on device")
        path.write_bytes(data)
        written.append(path)

    with pytest.raises(OSError) as info:
        build(site, out, writer=full_disk, jobs=jobs)
    assert info.value.errno == errno.ENOSPC
    assert snapshot(tmp_path) == before


def test_disk_full_from_the_cli(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    import functools

    import spinesite.cli

    def full_disk(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    site, out = make_site(tmp_path), tmp_path / "out"
    monkeypatch.setattr(spinesite.cli, "build", functools.partial(build, writer=full_disk))
    before = snapshot(tmp_path)
    code, _out, err = run_cli(capsys, "build", site, "-o", out)
    assert code == 1
    assert err.splitlines()[-1].startswith("spinesite: error: ")
    assert "No space left on device" in err
    assert snapshot(tmp_path) == before


# ----------------------------------------------------------------------------- exit codes


def test_strict_turns_a_warning_into_exit_1(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {"content/pages/notes.txt": "not a page"})
    code, _out, err = run_cli(capsys, "build", site, "-o", tmp_path / "out")
    assert code == 0
    assert err.splitlines()[0] == "content/pages/notes.txt: warning: ignored: not a Markdown (.md) file"
    assert err.splitlines()[1].startswith("Built 6 pages")
    before = snapshot(tmp_path)
    code, _out, err = run_cli(capsys, "build", site, "-o", tmp_path / "out2", "--strict")
    assert (code, err.splitlines()) == (
        1,
        [
            "content/pages/notes.txt: warning: ignored: not a Markdown (.md) file",
            "Failed: 0 errors, 1 warning (--strict: warnings count as errors); nothing was written.",
        ],
    )
    assert snapshot(tmp_path) == before


def test_missing_site_folder_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _out, err = run_cli(capsys, "build", tmp_path / "nope", "-o", tmp_path / "out")
    assert (code, err) == (2, f"spinesite: error: site folder {tmp_path / 'nope'} does not exist\n")
    assert list(tmp_path.iterdir()) == []


def test_site_without_config(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {"spinesite.yaml": None})
    code, _out, err = run_cli(capsys, "build", site, "-o", tmp_path / "out")
    assert (code, err) == (2, f"spinesite: error: no spinesite.yaml in {site}; start a site there with: spinesite init {site}\n")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind", ["file", "foreign", "site", "content", "static", "inside-file"])
def test_bad_output_folders_are_usage_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str) -> None:
    site = copy_site(tmp_path / "site")
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "thesis.docx").write_text("precious")
    out = {
        "file": tmp_path / "a-file",
        "foreign": tmp_path / "foreign",
        "site": site,
        "content": site / "content",
        "static": site / "static" / "out",
        "inside-file": tmp_path / "a-file" / "out",
    }[kind]
    before = snapshot(tmp_path)
    code, _out, err = run_cli(capsys, "build", site, "-o", out)
    assert code == 2
    assert err.startswith("spinesite: error: ") and err.count("\n") == 1
    assert snapshot(tmp_path) == before


def test_argparse_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    from spinesite.cli import main

    with pytest.raises(SystemExit) as info:
        main(["build", "--no-such-option"])
    assert info.value.code == 2
    assert main([]) == 2
