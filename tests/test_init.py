"""``spinesite init``: a new site that builds with ``--strict`` at once; the commented config
generated from ``config.FIELDS``; the workflow for a content-only repository; refusals; the
one-line answer of ``build``/``check``/``serve`` in a folder without ``spinesite.yaml``;
``build --base-url``."""

from __future__ import annotations

import argparse
import dataclasses
import re
from pathlib import Path

import pytest
import yaml

from conftest import MINIMAL, ROOT, copy_site, example_epoch, run_cli
from spinesite import __version__
from spinesite.authoring.sitestart import EXAMPLES, config_text, default_value, site_files
from spinesite.cli import make_parser
from spinesite.content.config import FIELDS, load_config
from spinesite.content.fields import Obj
from spinesite.diagnostics import Diagnostics

STARTER_FILES = [
    ".github/workflows/site.yml",
    ".gitignore",
    "README.md",
    "content/causes/muscle-strain.md",
    "content/conditions/low-back-pain.md",
    "content/glossary/lumbar.md",
    "content/pages/about.md",
    "content/stretches/knee-hug.md",
    "content/treatments/staying-active.md",
    "spinesite.yaml",
]


def files_below(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_init_starts_a_site_that_builds_and_checks_strictly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "new" / "mysite"
    code, out, err = run_cli(capsys, "init", site)
    assert (code, out) == (0, "")
    assert err.splitlines()[0] == f"Started a new site in {site} (6 pages)."
    assert files_below(site) == STARTER_FILES
    assert (site / ".gitignore").read_text(encoding="utf-8").splitlines()[1:4] == ["_site/", "_preview/", ".spinesite-cache/"]
    code, _out, err = run_cli(capsys, "build", site, "--strict")
    assert code == 0, err
    assert "6 pages (1 condition, 1 stretch, 1 cause, 1 treatment, 1 glossary term, 1 page); 0 errors, 0 warnings" in err
    code, _out, err = run_cli(capsys, "check", site, "--strict")
    assert code == 0, err
    assert "0 errors, 0 warnings" in err
    assert not list(site.rglob("*TODO*"))
    assert "TODO" not in "".join((site / rel).read_text(encoding="utf-8") for rel in STARTER_FILES if rel.startswith("content/"))


def test_new_pages_have_review_dates_from_today(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "init", tmp_path / "s")[0] == 0  # the session's "today" is 2026-06-01 (conftest)
    text = (tmp_path / "s/content/stretches/knee-hug.md").read_text(encoding="utf-8")
    assert "last_reviewed: 2026-06-01\nnext_review: 2027-06-01\n" in text


def test_init_example_copies_the_bundled_site(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", example_epoch())  # the example's own "today"
    site = tmp_path / "example"
    code, _out, err = run_cli(capsys, "init", site, "--example")
    assert code == 0, err
    assert err.startswith(f"Started a copy of the example site in {site} (")
    assert [f for f in files_below(site) if f.startswith(("content/", "static/"))] == [
        f for f in files_below(ROOT) if f.startswith(("content/", "static/"))
    ]
    assert (site / "spinesite.yaml").read_bytes() == (ROOT / "spinesite.yaml").read_bytes()
    assert {".gitignore", "README.md", ".github/workflows/site.yml"} <= set(files_below(site))
    assert (site / "README.md").read_text(encoding="utf-8").startswith("# Spine Guide\n")
    code, _out, err = run_cli(capsys, "build", site, "--strict", "--no-search")
    assert code == 0, err


@pytest.mark.parametrize("existing", ["notes.txt", ".hidden", "sub/"])
def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str], existing: str) -> None:
    site = tmp_path / "site"
    (site / existing.rstrip("/")).parent.mkdir(parents=True)
    (site / existing.rstrip("/")).mkdir() if existing.endswith("/") else (site / existing).write_text("x")
    code, out, err = run_cli(capsys, "init", site)
    name = existing.rstrip("/")
    assert (code, out) == (2, "")
    assert err == f"spinesite: error: {site} is not empty ({name}); start the site in a new or empty folder\n"
    assert sorted(p.name for p in site.iterdir()) == [name]


def test_init_refuses_a_file_and_accepts_an_empty_clone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_text("x")
    code, out, err = run_cli(capsys, "init", tmp_path / "file")
    assert (code, out) == (2, "")
    assert err == f"spinesite: error: {tmp_path / 'file'} is a file, not a folder; give a new or empty folder for the site\n"
    (tmp_path / "clone" / ".git").mkdir(parents=True)  # `git clone` of a new, empty repository
    assert run_cli(capsys, "init", tmp_path / "clone")[0] == 0
    assert (tmp_path / "clone/spinesite.yaml").is_file()


def test_init_in_the_current_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _out, err = run_cli(capsys, "init")
    assert code == 0
    assert "Next: `spinesite serve` to preview it at http://127.0.0.1:8000/." in err.splitlines()
    assert (tmp_path / "spinesite.yaml").is_file()


# --- spinesite.yaml ---------------------------------------------------------------------------


def _uncommented(text: str) -> str:
    """The config with every commented-out setting switched on (comment lines left as they are)."""
    return "\n".join(line[1:] if re.match(r"#(?:[a-z_]+:|  +(?:- )?[a-z_]+:| +- )", line) else line for line in text.split("\n"))


def test_config_shows_every_setting_with_its_default() -> None:
    text = config_text()
    for f in FIELDS:
        assert re.search(rf"^#?{f.name}:", text, re.MULTILINE), f"{f.name} missing from the generated spinesite.yaml"
        assert f"# {f.doc}" in text
        if isinstance(f.type, Obj):
            for sub in f.type.fields:
                assert re.search(rf"^#?  {sub.name}: .*  # {re.escape(sub.doc)}$", text, re.MULTILINE), f"{f.name}.{sub.name} missing"
    # switched on: the two required settings, and the red flags and disclaimer every patient site needs
    active = yaml.safe_load(text)
    assert active == {
        "title": "Spine guide",
        "base_url": "https://example.org/",
        "care_cards": EXAMPLES["care_cards"],
        "disclaimer": EXAMPLES["disclaimer"],
    }
    assert [card["level"] for card in active["care_cards"]] == ["emergency", "urgent"]
    assert "sciatica in both legs (nerve pain going down both legs)" in active["care_cards"][0]["items"]


def test_a_new_site_has_an_urgent_help_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(capsys, "init", tmp_path / "s")
    code, _out, err = run_cli(capsys, "build", tmp_path / "s", "--strict", "--no-search")
    assert code == 0, err
    urgent = (tmp_path / "s/_site/urgent-help/index.html").read_text(encoding="utf-8")
    assert "Call 999 or go to A&amp;E now if you have:" in urgent
    assert 'href="/urgent-help/"' in (tmp_path / "s/_site/index.html").read_text(encoding="utf-8")


def _plain(value: object) -> object:
    """A typed config value as the YAML data it came from (dataclasses as mappings, tuples as lists)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def test_config_uncommented_is_valid_and_means_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "spinesite.yaml").write_text(_uncommented(config_text()), encoding="utf-8")
    diags = Diagnostics()
    config = load_config(tmp_path, diags)
    assert diags.sorted() == []
    for f in FIELDS:
        if f.name in ("title", "base_url"):
            continue
        expected = EXAMPLES[f.name] if f.name in EXAMPLES else default_value(f)
        got = _plain(getattr(config, f.name))
        if f.name == "languages":  # typed: a tuple of Language, each with its code
            got = {lang.pop("code"): {k: v for k, v in lang.items() if v is not None} for lang in got}
            for strings in got.values():
                strings["care_cards"] = [{k: v for k, v in c.items() if v} for c in strings["care_cards"]]
        if isinstance(expected, list) and expected and isinstance(expected[0], dict):  # validated items gain their defaults
            got = [{k: v for k, v in item.items() if k in expected[i]} for i, item in enumerate(got)]
        assert got == expected, f.name


def test_bundled_starter_matches_what_init_writes(tmp_path: Path) -> None:
    files = site_files()
    assert sorted(files) == STARTER_FILES
    assert files["spinesite.yaml"].decode() == config_text()


# --- the workflow and the README -----------------------------------------------------------


def test_workflow_publishes_a_content_only_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(capsys, "init", tmp_path / "s")
    text = (tmp_path / "s/.github/workflows/site.yml").read_text(encoding="utf-8")
    flow = yaml.safe_load(text)
    steps = flow["jobs"]["build"]["steps"]
    runs = [s.get("run", "") for s in steps]
    uses = [s.get("uses", "") for s in steps] + [s.get("uses", "") for s in flow["jobs"]["deploy"]["steps"]]
    assert f"pip install spinesite=={__version__}" in runs
    assert "spinesite check --format github" in runs
    assert 'spinesite build --strict --base-url "${{ steps.pages.outputs.base_url }}/"' in runs
    assert "spinesite build --strict" in runs  # a pull request is built too, not published
    assert 'echo "SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)" >> "$GITHUB_ENV"' in runs
    assert runs.index('echo "SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)" >> "$GITHUB_ENV"') < runs.index(
        "spinesite check --format github"
    )
    assert [u.split("@")[0] for u in uses if u] == [
        "actions/checkout",
        "actions/setup-python",
        "actions/cache",
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    ]
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache"))  # issue 18: CI reuses the last build
    assert cache["with"]["path"].split() == [".spinesite-cache", "_site"]
    assert steps.index(cache) < runs.index("spinesite check --format github")
    assert "${{ github.sha }}" in cache["with"]["key"] and cache["with"]["restore-keys"].split()
    assert "pyproject" not in text and "pip install ." not in text  # nothing from spinesite's own repository
    assert flow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}


def test_editors_readme_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(capsys, "init", tmp_path / "s")
    text = (tmp_path / "s/README.md").read_text(encoding="utf-8")
    assert text.startswith("# Spine guide\n")
    assert f"pip install spinesite=={__version__}" in text
    assert "{{" not in text
    code, _out, err = run_cli(capsys, "new", "stretch", "Cat stretch", tmp_path / "s")  # the README's example
    assert code == 0, err


# --- no spinesite.yaml; help --------------------------------------------------------------


@pytest.mark.parametrize("command", ["build", "check", "serve"])
def test_no_config_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    (tmp_path / "content").mkdir()
    code, out, err = run_cli(capsys, command, tmp_path)
    assert (code, out) == (2, "")
    assert err == f"spinesite: error: no spinesite.yaml in {tmp_path}; start a site there with: spinesite init {tmp_path}\n"
    (tmp_path / "my site").mkdir()
    code, _out, err = run_cli(capsys, command, tmp_path / "my site")
    assert (
        err
        == f"spinesite: error: no spinesite.yaml in {tmp_path / 'my site'}; start a site there with: spinesite init '{tmp_path / 'my site'}'\n"
    )


def test_every_subcommand_has_a_description() -> None:
    parser = make_parser()
    subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in subs.choices.items():
        assert sub.description and len(sub.description) > 30, name


# --- build --base-url -------------------------------------------------------------------------


def test_build_base_url_overrides_the_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = copy_site(tmp_path / "site")
    code, _out, err = run_cli(capsys, "build", site, "--no-search", "--base-url", "https://user.github.io/repo/")
    assert code == 0, err
    html = (site / "_site/stretches/bridge/index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://user.github.io/repo/stretches/bridge/">' in html
    assert 'href="/repo/assets/site.css"' in html
    assert "https://user.github.io/repo/stretches/bridge/" in (site / "_site/sitemap.xml").read_text(encoding="utf-8")
    assert "example.org" not in (site / "_site/sitemap.xml").read_text(encoding="utf-8")
    # the same sources with another base URL: not skipped as "nothing changed"
    code, _out, err = run_cli(capsys, "build", site, "--no-search")
    assert code == 0, err
    assert 'href="/assets/site.css"' in (site / "_site/stretches/bridge/index.html").read_text(encoding="utf-8")
    assert (site / "spinesite.yaml").read_bytes() == (MINIMAL / "spinesite.yaml").read_bytes()


@pytest.mark.parametrize("url", ["user.github.io/repo", "ftp://x.org/", ""])
def test_build_base_url_must_be_a_web_address(tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str) -> None:
    site = copy_site(tmp_path / "site")
    code, out, err = run_cli(capsys, "build", site, "--base-url", url)
    assert (code, out) == (2, "")
    assert err == f"spinesite: error: --base-url {url!r} is not a web address; give one like https://user.github.io/repo/\n"
    assert not (site / "_site").exists()
