"""Adversarial input (issue 8). For every bad case: exit 1 with ``path:line: message``, the
previous output byte-identical, and nothing written anywhere else (the whole tmp tree is
snapshotted before and after). The dev-server cases live in test_serve.py.
"""

from __future__ import annotations

import errno
import functools
import html
import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import MINIMAL, REVIEW, copy_site, ctrl_c_reaches, error_lines, fm, many_pages, page, run_cli, snapshot, tree_hash
from spinesite.build import build
from workmeter import watch_markdown, watch_yaml

ABOUT = "content/pages/about.md"
NO_SEARCH = "search: false\n"  # Pagefind is slow and not what these tests are about


@dataclass
class Case:
    root: Path  # tmp_path: everything below it is snapshotted
    site: Path
    out: Path  # holds the previous, good build


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("base")
    site = copy_site(root / "site", {"spinesite.yaml": (MINIMAL / "spinesite.yaml").read_text() + NO_SEARCH})
    assert build(site, root / "out").ok()
    return site, root / "out"


@pytest.fixture
def case(tmp_path: Path, base: tuple[Path, Path]) -> Case:
    site, out = base
    shutil.copytree(site, tmp_path / "site", symlinks=True, ignore=shutil.ignore_patterns(".spinesite-cache"))
    shutil.copytree(out, tmp_path / "out", symlinks=True)
    return Case(tmp_path, tmp_path / "site", tmp_path / "out")


def write(case: Case, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = case.site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())


def fails(capsys: pytest.CaptureFixture[str], case: Case, files: dict[str, str | bytes], *extra: str) -> list[str]:
    """Write ``files``, build, assert exit 1 and that nothing changed; the diagnostic lines."""
    write(case, files)
    before = snapshot(case.root)
    code, _out, err = run_cli(capsys, "build", case.site, "-o", case.out, *extra)
    assert code == 1, err
    assert err.splitlines()[-1].startswith("Failed: ")
    assert snapshot(case.root) == before
    return error_lines(err)


def succeeds(capsys: pytest.CaptureFixture[str], case: Case, files: dict[str, str | bytes]) -> None:
    write(case, files)
    code, _out, err = run_cli(capsys, "build", case.site, "-o", case.out)
    assert code == 0, err


# ----------------------------------------------------------------------------- front matter


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "---\ntitle: [unclosed\n---\n",
            [
                "content/pages/about.md:2: the '[' at column 8 starts a list that is never closed: add the missing ']', "
                "or if the '[' is part of the text, write title: \"[unclosed\""
            ],
        ),
        ("---\ntitle: x\nsummary: y\n", ["content/pages/about.md:1: front matter is not closed: add a '---' line after the last key"]),
        ("---\n- a\n- b\n---\n", ["content/pages/about.md:2: front matter must be a mapping of 'key: value' lines, got a list"]),
        ("---\nhello\n---\n", ["content/pages/about.md:2: front matter must be a mapping of 'key: value' lines, got 'hello'"]),
        (
            fm("pages", extra="title: again\n"),
            ["content/pages/about.md:10: duplicate key 'title': it is already on line 2; keep one of the two"],
        ),
        (fm("pages", "No"), ["content/pages/about.md:2: title: expected text, got a yes/no value (No) (put it in quotes)"]),
        (fm("pages", "1.10"), ["content/pages/about.md:2: title: expected text, got a number (1.10) (put it in quotes)"]),
        (fm("pages", "2026-01-01"), ["content/pages/about.md:2: title: expected text, got a date (2026-01-01) (put it in quotes)"]),
        ('{"title": "x", "summary": "y"}\n', ["content/pages/about.md:1: missing front matter: the first line must be '---'"]),
        ("{\n", ["content/pages/about.md:1: missing front matter: the first line must be '---'"]),
        ("", ["content/pages/about.md:1: empty file: a page starts with front matter between two '---' lines"]),
        (" \n\t\n", ["content/pages/about.md:1: empty file: a page starts with front matter between two '---' lines"]),
        ("---\na: " + "[" * 100_000 + "\n---\n", ["content/pages/about.md:2: YAML is nested too deeply (more than 50 levels)"]),
    ],
    ids=["syntax", "unclosed", "list", "scalar", "duplicate", "No", "1.10", "date", "json", "brace", "empty", "whitespace", "deep"],
)
def test_bad_front_matter(capsys: pytest.CaptureFixture[str], case: Case, content: str, expected: list[str]) -> None:
    assert fails(capsys, case, {ABOUT: content}) == expected


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system",
        "!!python/object/apply:subprocess.call",
        "!!python/object/new:os.system",
        "!!python/name:os.system",
    ],
)
def test_python_tags_run_nothing(capsys: pytest.CaptureFixture[str], case: Case, tag: str) -> None:
    pwned = case.root / "pwned"
    lines = fails(capsys, case, {ABOUT: fm("pages", extra=f'menu: {tag} ["touch {pwned}"]\n')})
    assert lines == [f"content/pages/about.md:10: unsupported YAML tag '{tag}'"]
    assert not pwned.exists()


def test_billion_laughs_is_refused_before_expanding(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], case: Case
) -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        bomb += f"{name}: &{name} [{','.join([f'*{prev}'] * 9)}]\n"
    write(case, {ABOUT: "---\n" + bomb + "---\n"})
    work = watch_yaml(monkeypatch)
    assert fails(capsys, case, {}) == ["content/pages/about.md:3: YAML aliases (*a) are not allowed; write the value out"]
    # Work, not time: the bomb's event stream is dropped at its first alias (the 18th event) and it
    # is never composed (composing is where 9**9 strings would appear).
    assert work.of('"lol"').events == 18
    assert not any('"lol"' in text for text in work.composed)


def test_bom_and_crlf_parse(capsys: pytest.CaptureFixture[str], case: Case) -> None:
    original = (case.site / ABOUT).read_bytes()
    succeeds(capsys, case, {ABOUT: b"\xef\xbb\xbf" + original.replace(b"\n", b"\r\n")})
    assert "We write it." in (case.out / "about/index.html").read_text()


# ----------------------------------------------------------------------------- files


def test_not_utf8_names_the_byte_offset(capsys: pytest.CaptureFixture[str], case: Case) -> None:
    content = fm("pages").encode() + b"Caf\xe9 au lait\n"
    offset = content.index(b"\xe9")
    assert fails(capsys, case, {ABOUT: content}) == [
        f"content/pages/about.md:11: not valid UTF-8: byte 0xe9 at offset {offset}; save the file as UTF-8"
    ]


def test_nfc_and_nfd_names(capsys: pytest.CaptureFixture[str], case: Case) -> None:
    nfc, nfd = (unicodedata.normalize(form, "café") for form in ("NFC", "NFD"))
    write(case, {f"content/pages/{nfc}.md": page("pages", "One"), f"content/pages/{nfd}.md": page("pages", "Two")})
    if len([n for n in os.listdir(case.site / "content/pages") if n.startswith("caf")]) < 2:
        pytest.skip("this file system normalises Unicode file names")
    first, second = sorted([f"content/pages/{nfc}.md", f"content/pages/{nfd}.md"])
    lines = fails(capsys, case, {})
    assert f"{second}: file name collides with {first} (names differ only in letter case or Unicode form)" in lines
    assert len(lines) == 3  # two "not a valid slug" and one collision


def test_case_collision(capsys: pytest.CaptureFixture[str], case: Case) -> None:
    assert fails(capsys, case, {"content/pages/About.md": page("pages", "About 2")}) == [
        "content/pages/About.md: file name 'About.md' is not a valid slug: use lower-case letters, digits and hyphens (e.g. 'about.md')",
        "content/pages/about.md: file name collides with content/pages/About.md (names differ only in letter case or Unicode form)",
    ]


def test_symlink_outside_the_site(capsys: pytest.CaptureFixture[str], case: Case) -> None:
    secret = case.root / "secret.md"
    secret.write_text(page("pages", "Private notes", body="TOP SECRET\n"))
    (case.site / "content/pages/notes.md").symlink_to(secret)
    assert fails(capsys, case, {}) == [
        "content/pages/notes.md: symbolic link to outside the site (or to a folder) is not followed; copy the file instead"
    ]


def test_ten_megabyte_page(capsys: pytest.CaptureFixture[str], case: Case) -> None:
    big = page("pages", "Big", body="word " * (2 * 1024 * 1024))
    assert fails(capsys, case, {"content/pages/big.md": big}) == [
        "content/pages/big.md: file is too large (10240 KB; the limit is 1024 KB, see limits.max_file_kb)"
    ]


def test_size_limit_is_configurable(capsys: pytest.CaptureFixture[str], case: Case) -> None:
    config = (case.site / "spinesite.yaml").read_text() + "limits:\n  max_file_kb: 1\n"
    assert fails(capsys, case, {"spinesite.yaml": config, "content/pages/two-kb.md": page("pages", "Two", body="x" * 2048 + "\n")}) == [
        "content/pages/two-kb.md: file is too large (2 KB; the limit is 1 KB, see limits.max_file_kb)"
    ]


def with_budget(case: Case, seconds: int = 1) -> str:
    return (case.site / "spinesite.yaml").read_text() + f"limits:\n  markdown_seconds: {seconds}\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "[" * 8000 + "\n",
            "content/pages/slow.md:11: paragraph has too much Markdown markup (more than 500 '[' characters); split it up or simplify it",
        ),
        (
            "*a" * 80000 + "\n",
            "content/pages/slow.md:11: paragraph has too much Markdown markup (more than 20000 '*' characters); split it up or simplify it",
        ),
        (
            "Hi.\n\n" + "> " * 5000 + "deep\n",
            "content/pages/slow.md:13: Markdown is nested too deeply (more than 25 levels of quotes or lists); simplify this text",
        ),
        (
            "".join("  " * i + "- x\n" for i in range(1000)),
            "content/pages/slow.md:61: Markdown is nested too deeply (more than 25 levels of quotes or lists); simplify this text",
        ),
        (
            "Before.\n\nSTALL here.\n\nAfter the stall.\n",  # its second paragraph waits for the 1 s budget's alarm
            "content/pages/slow.md:11: Markdown took longer than 1 s to render; simplify this text (limits.markdown_seconds)",
        ),
    ],
    ids=["brackets", "emphasis", "quotes", "list", "time-budget"],
)
def test_pathological_markdown_fails_fast_with_the_file_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], case: Case, body: str, expected: str
) -> None:
    # Work, not time. No real text is slow on every machine: for the time budget, a paragraph
    # stalls until the budget's alarm interrupts it (see workmeter.py), whatever the machine.
    work = watch_markdown(monkeypatch, stall_at="STALL")
    assert fails(capsys, case, {"spinesite.yaml": with_budget(case), "content/pages/slow.md": page("pages", "Slow", body=body)}) == [
        expected
    ]
    if "STALL" in body:  # rendering stopped at the stalled paragraph
        assert work.paragraphs.count("STALL here.") == 1 and "After the stall." not in work.paragraphs
    else:  # the shape check refused it: Python-Markdown (seconds on these texts) never saw it
        assert not any(body.strip() in text for text in work.converted)


# ----------------------------------------------------------------------------- paths


@pytest.mark.parametrize("slug", ["../../x", "/abs", "..\\x", "../_site-evil/x"])
def test_slug_overrides_cannot_leave_the_output(capsys: pytest.CaptureFixture[str], case: Case, slug: str) -> None:
    quoted = json.dumps(slug)  # a valid YAML double-quoted string
    assert fails(capsys, case, {"content/pages/evil.md": page("pages", "Evil", extra=f"slug: {quoted}\n")}) == [
        f"content/pages/evil.md:10: slug: '{slug}' is not a valid slug (lower-case letters, digits and hyphens)"
    ]


def test_two_pages_on_one_url(capsys: pytest.CaptureFixture[str], case: Case) -> None:
    assert fails(capsys, case, {"content/pages/a.md": page("pages", "A", extra="slug: about\n")}) == [
        "content/pages/a.md:10: URL /about/ is also used by content/pages/about.md; rename one of the files or change its slug"
    ]


def test_page_on_a_generated_url(capsys: pytest.CaptureFixture[str], case: Case) -> None:
    assert fails(capsys, case, {"content/pages/conditions.md": page("pages", "Conditions")}) == [
        "content/pages/conditions.md: URL /conditions/ is reserved for a generated page; choose another slug"
    ]


@pytest.mark.parametrize("where", ["site", "content", "home", "foreign", "symlink", "file"])
def test_dangerous_output_folders_are_refused(
    capsys: pytest.CaptureFixture[str], case: Case, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    home = case.root / "home"
    home.mkdir()
    (home / ".bashrc").write_text("# mine\n")
    monkeypatch.setenv("HOME", str(home))
    foreign = case.root / "documents"
    foreign.mkdir()
    (foreign / "letter.txt").write_text("dear")
    (case.root / "link").symlink_to(case.out, target_is_directory=True)
    (case.root / "a-file").write_text("x")
    out = {
        "site": case.site,
        "content": case.site / "content",
        "home": home,
        "foreign": foreign,
        "symlink": case.root / "link",
        "file": case.root / "a-file",
    }[where]
    before = snapshot(case.root, cache=True)
    code, _out, err = run_cli(capsys, "build", case.site, "-o", out)
    assert code == 2
    assert re.fullmatch(r"spinesite: error: .+\n", err)
    assert snapshot(case.root, cache=True) == before


def test_symlink_planted_in_the_output_is_not_written_through(capsys: pytest.CaptureFixture[str], case: Case) -> None:
    """The previous output is not trusted either: a folder in it replaced by a symbolic link
    to somewhere else must not make the next build write (or delete) there."""
    victim = case.root / "victim"
    victim.mkdir()
    (victim / "index.html").write_text("precious\n")
    shutil.rmtree(case.out / "about")
    (case.out / "about").symlink_to(victim, target_is_directory=True)
    write(case, {ABOUT: page("pages", "About", body="Changed.\n")})
    run_cli(capsys, "build", case.site, "-o", case.out)
    assert (victim / "index.html").read_text() == "precious\n"


# ----------------------------------------------------------------------------- faults


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory, base: tuple[Path, Path]) -> Path:
    """1,000 extra small pages; the previous output is the small base site's."""
    site = copy_site(tmp_path_factory.mktemp("big") / "site", {"spinesite.yaml": (MINIMAL / "spinesite.yaml").read_text() + NO_SEARCH})
    many_pages(site, 1000)
    return site


@pytest.fixture
def big_case(tmp_path: Path, big: Path, base: tuple[Path, Path]) -> Case:
    shutil.copytree(big, tmp_path / "site", symlinks=True)
    shutil.copytree(base[1], tmp_path / "out", symlinks=True)
    return Case(tmp_path, tmp_path / "site", tmp_path / "out")


def test_template_error_on_the_500th_of_1000_pages(capsys: pytest.CaptureFixture[str], big_case: Case) -> None:
    template = (
        '{% extends "base.html" %}{% block main %}{% if page.slug == "p0500" %}{{ undefined_var }}{% endif %}{{ body }}{% endblock %}\n'
    )
    found = fails(capsys, big_case, {"templates/page.html": template})
    assert [line for line in found if "no other page links to this page" not in line] == [
        "content/pages/p0500.md: template error: 'undefined_var' is undefined"
    ]


@pytest.mark.parametrize("jobs", [1, 2])
def test_full_disk(big_case: Case, jobs: int) -> None:
    before = snapshot(big_case.root)
    calls = 0

    def full_disk(path: Path, data: bytes) -> None:
        nonlocal calls
        calls += 1
        if calls > 50:
            raise OSError(errno.ENOSPC, "No space left on device")
        path.write_bytes(data)

    with pytest.raises(OSError) as info:
        build(big_case.site, big_case.out, writer=full_disk, jobs=jobs)
    assert info.value.errno == errno.ENOSPC
    assert snapshot(big_case.root) == before


def test_full_disk_from_the_cli(capsys: pytest.CaptureFixture[str], case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    import spinesite.cli

    def full_disk(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    write(case, {"content/pages/new.md": page("pages", "New")})
    monkeypatch.setattr(spinesite.cli, "build", functools.partial(build, writer=full_disk))
    before = snapshot(case.root)
    code, _out, err = run_cli(capsys, "build", case.site, "-o", case.out)
    assert (code, err) == (1, "spinesite: error: [Errno 28] No space left on device; the previous output is unchanged\n")
    assert snapshot(case.root) == before


# Imports first, then say so: a SIGINT during Python's own start-up is not spinesite's to handle.
READY = "import sys; import spinesite.cli as c; sys.stderr.write('ready\\n'); sys.stderr.flush(); sys.exit(c.main(sys.argv[1:]))"
# The same, with a writer that takes 2 ms a file, so that a signal surely lands while pages are staged.
SLOW_WRITER = (
    "import functools, sys, time; import spinesite.build as b, spinesite.cli as c, spinesite.output.transaction as o\n"
    "def slow(path, data):\n    time.sleep(0.002); o.write_new(path, data)\n"
    "c.build = functools.partial(b.build, writer=slow); sys.exit(c.main(sys.argv[1:]))"
)


def spinesite_process(site: Path, out: Path, *extra: str, env: dict[str, str] | None = None, code: str = "") -> subprocess.Popen[bytes]:
    command = ["-c", code] if code else ["-m", "spinesite"]
    return subprocess.Popen(
        ctrl_c_reaches([sys.executable, *command, "build", str(site), "-o", str(out), *extra]),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: Ctrl-C reaches the workers too
        env={**os.environ, **(env or {})},
    )


def staging_appeared(root: Path, known: set[str]) -> bool:
    return any(name not in known for name in os.listdir(root))


@pytest.mark.parametrize("when", ["staging", "early"])
def test_sigint_in_the_middle_of_a_build(big_case: Case, when: str) -> None:
    """Ctrl-C while pages are being written (or earlier): exit 130 or 1, previous output
    byte-identical, no temporary folder left."""
    before = snapshot(big_case.root)
    known = set(os.listdir(big_case.root))
    # --clean: the site is unchanged since the fixture built it, and a no-change build is instant
    proc = spinesite_process(big_case.site, big_case.out, "--clean", code=READY if when == "early" else SLOW_WRITER)
    if when == "early":
        assert proc.stderr is not None and proc.stderr.readline() == b"ready\n"
        time.sleep(0.3)
    started = time.monotonic()
    while when == "staging" and proc.poll() is None and time.monotonic() - started < 60:
        if staging_appeared(big_case.root, known):
            break
        time.sleep(0.001)
    os.killpg(proc.pid, signal.SIGINT)
    _stdout, stderr = proc.communicate(timeout=60)
    assert b"Traceback" not in stderr, stderr.decode()
    if proc.returncode == 0 or b"the new site was already written" in stderr:
        # finished before the signal (or while it printed the warnings): the complete new site
        assert proc.returncode in (0, 130)
        assert (big_case.out / "p0999/index.html").is_file()
        pytest.skip("the build finished before SIGINT arrived")
    assert proc.returncode in (130, 1), stderr.decode()
    assert stderr.endswith(b"spinesite: interrupted; the previous output is unchanged\n")
    assert snapshot(big_case.root) == before


def test_ctrl_c_while_the_report_prints_says_the_site_was_written(
    capsys: pytest.CaptureFixture[str], case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    import spinesite.cli

    def interrupted(*args: object) -> int:
        raise KeyboardInterrupt

    write(case, {"content/pages/new.md": page("pages", "New")})
    monkeypatch.setattr(spinesite.cli, "report", interrupted)
    code, _out, err = run_cli(capsys, "build", case.site, "-o", case.out)
    assert (code, err) == (130, "spinesite: interrupted; the new site was already written\n")
    assert (case.out / "new/index.html").is_file()


def test_deleted_page_is_gone_from_the_next_output(capsys: pytest.CaptureFixture[str], case: Case) -> None:
    succeeds(capsys, case, {"content/pages/gone.md": page("pages", "Gone soon")})
    assert (case.out / "gone/index.html").is_file()
    (case.site / "content/pages/gone.md").unlink()
    succeeds(capsys, case, {})
    assert not (case.out / "gone").exists()
    assert not any("gone" in p.name for p in case.out.rglob("*"))


# ----------------------------------------------------------------------------- determinism


def _touch_everything(site: Path, when: float) -> None:
    for path in site.rglob("*"):
        os.utime(path, (when, when), follow_symlinks=False)


@pytest.mark.parametrize("search", [False, True])
def test_builds_are_identical_across_environments(tmp_path: Path, search: bool) -> None:
    site = copy_site(tmp_path / "site", {"spinesite.yaml": (MINIMAL / "spinesite.yaml").read_text() + ("" if search else NO_SEARCH)})
    many_pages(site, 30, body="Some text about the [bridge](../stretches/bridge.md) and the foramen.\n")
    envs = [
        {"PYTHONHASHSEED": "1", "TZ": "UTC", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
        {"PYTHONHASHSEED": "4242", "TZ": "Pacific/Kiritimati", "LC_ALL": "C", "LANG": "C"},
    ]
    hashes = []
    for i, env in enumerate(envs):
        _touch_everything(site, 1_000_000_000 + i * 123_456_789)
        shutil.rmtree(site / ".spinesite-cache", ignore_errors=True)
        proc = spinesite_process(site, tmp_path / f"out{i}", env=env)
        _stdout, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr.decode()
        hashes.append(tree_hash(tmp_path / f"out{i}"))
    assert hashes[0] == hashes[1]


def test_source_date_epoch_is_the_feed_date(tmp_path: Path) -> None:
    site = copy_site(tmp_path / "site", {"spinesite.yaml": (MINIMAL / "spinesite.yaml").read_text() + NO_SEARCH})
    proc = spinesite_process(site, tmp_path / "out", env={"SOURCE_DATE_EPOCH": "1789948800", "TZ": "Pacific/Kiritimati"})
    assert proc.communicate(timeout=120) and proc.returncode == 0
    feed = (tmp_path / "out/feed.xml").read_text()
    assert re.search(r"</id>\s*<updated>2026-09-21T00:00:00Z</updated>", feed), feed[:400]


# ----------------------------------------------------------------------------- script injection

EVIL = "\"><img src=x onerror=alert(1)></script><script>alert('x')</script>&amp;"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def no_active_content(doc: str) -> bool:
    """No injected element: no event-handler attribute, no <img src=x>, no inline script code."""
    parser = _Tags()
    parser.feed(doc)
    for tag, attrs in parser.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert not (tag == "img" and attrs.get("src") == "x"), attrs
        assert not (tag == "script" and attrs.get("type") != "application/ld+json" and not attrs.get("src")), attrs
    return True


def test_hostile_titles_and_summaries_are_escaped(capsys: pytest.CaptureFixture[str], case: Case) -> None:
    text = f"---\ntitle: {json.dumps(EVIL)}\nsummary: {json.dumps(EVIL)}\n{REVIEW}---\nBody.\n"
    succeeds(capsys, case, {ABOUT: text})
    doc = (case.out / "about/index.html").read_text()
    assert no_active_content(doc)
    assert doc.count("<script") == doc.count("</script>") == 2  # the theme's JSON-LD and site.js only
    head = doc[: doc.index("</head>")]
    title = re.search(r"<title>(.*?)</title>", head, re.DOTALL)
    assert title and "<" not in title.group(1) and html.unescape(title.group(1)) == f"{EVIL} – Test Spine Site"
    for prop in ('name="description"', 'property="og:title"', 'property="og:description"'):
        match = re.search(rf'<meta {prop} content="([^"]*)">', head)
        assert match and html.unescape(match.group(1)) == EVIL, prop
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', doc, re.DOTALL)
    assert ld is not None
    data = json.loads(ld.group(1))
    assert data["name"] == EVIL and data["description"] == EVIL
    assert "<" not in ld.group(1) and ">" not in ld.group(1)
    for listing in ("index.html", "sitemap.xml", "feed.xml", "404.html"):
        assert no_active_content((case.out / listing).read_text()), listing


def test_hostile_bodies_are_neutralised(capsys: pytest.CaptureFixture[str], case: Case) -> None:
    body = "\n\n".join(
        [
            "<script>alert(1)</script>",
            '<iframe src="https://evil.example/"></iframe>',
            "<img src=x onerror=alert(1)>",
            "[a](JaVaScRiPt:alert(1))",
            '<a href="java&#x09;script:alert(1)">b</a>',
            "[c](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "{{ 7*7 }} {% for x in range(3) %}{{ x }}{% endfor %}",
        ]
    )
    succeeds(capsys, case, {ABOUT: page("pages", "About", body=body + "\n")})
    doc = (case.out / "about/index.html").read_text()
    article = doc[doc.index("<article") : doc.index("</article>")]
    lowered = html.unescape(article).lower()
    for bad in ("<script", "<iframe", "onerror", "javascript:", "java\tscript:", "data:text/html"):
        assert bad not in lowered, bad
    assert "{{ 7*7 }} {% for x in range(3) %}{{ x }}{% endfor %}" in article
    assert "49" not in article


def override(expression: str) -> str:
    return '{% extends "base.html" %}{% block main %}{{ ' + expression + " }}{{ body }}{% endblock %}\n"


@pytest.mark.parametrize(
    ("expression", "undefined"),
    [("environ", "'environ'"), ("SPINESITE_SECRET", "'SPINESITE_SECRET'"), ("os.environ", "'os'"), ("env", "'env'")],
)
def test_templates_get_no_environment_variables(
    capsys: pytest.CaptureFixture[str], case: Case, monkeypatch: pytest.MonkeyPatch, expression: str, undefined: str
) -> None:
    monkeypatch.setenv("SPINESITE_SECRET", "hunter2")
    assert fails(capsys, case, {"templates/page.html": override(expression)}) == [
        f"content/pages/about.md: template error: {undefined} is undefined"
    ]


def test_template_context_internals_do_not_leak(capsys: pytest.CaptureFixture[str], case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPINESITE_SECRET", "hunter2")
    lines = fails(capsys, case, {"templates/page.html": override("self._TemplateReference__context.environ")})
    assert len(lines) == 1 and lines[0].startswith("content/pages/about.md: template error: ")


def test_template_override_cannot_reach_os_environ(capsys: pytest.CaptureFixture[str], case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    """Site templates come with the content (a pull request can change them): they must not
    reach Python internals. Needs jinja2.sandbox.ImmutableSandboxedEnvironment in templates.py."""
    monkeypatch.setenv("SPINESITE_SECRET", "hunter2")
    write(case, {"templates/page.html": override("lipsum.__globals__.os.environ.SPINESITE_SECRET")})
    code, _out, err = run_cli(capsys, "build", case.site, "-o", case.out)
    assert code == 1 and "unsafe" in err


def test_site_cache_pickle_is_not_executed(capsys: pytest.CaptureFixture[str], case: Case) -> None:
    """A site folder is untrusted input (a pull request can add any file): the build cache in it
    must not be able to run code."""
    pwned = case.root / "pwned-by-pickle"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {pwned}",))

    cache = case.site / ".spinesite-cache"
    cache.mkdir(exist_ok=True)
    (cache / "state.pickle").write_bytes(pickle.dumps(Payload()))
    run_cli(capsys, "build", case.site, "-o", case.out)
    assert not pwned.exists()


def test_site_cache_jinja_bytecode_is_not_executed(capsys: pytest.CaptureFixture[str], case: Case) -> None:
    """Same for Jinja's bytecode cache: its files start with a pickle (the checksum)."""
    from jinja2.bccache import FileSystemBytecodeCache, bc_magic

    from spinesite.render.templates import theme_dir

    pwned = case.root / "pwned-by-bytecode"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {pwned}",))

    folder = case.site / ".spinesite-cache" / "jinja"
    folder.mkdir(parents=True, exist_ok=True)
    cache = FileSystemBytecodeCache(str(folder))
    for path in theme_dir().glob("*.html"):  # an attacker can guess the install path (e.g. on CI)
        key = cache.get_cache_key(path.name, os.path.normpath(path))
        (folder / (cache.pattern % key)).write_bytes(bc_magic + pickle.dumps(Payload()))
    run_cli(capsys, "build", case.site, "-o", case.out)
    assert not pwned.exists()
