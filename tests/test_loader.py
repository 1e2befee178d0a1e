"""loader: files → SourceFile, with every awkward input reported as ``path:line: message``."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest

from conftest import MakeSite, fm, page
from spinesite.content.loader import load_content
from spinesite.diagnostics import Diagnostics


def load(site: Path, max_bytes: int = 1024 * 1024) -> tuple[list[str], list[str]]:
    """(rels of loaded files, formatted diagnostics sorted)."""
    diags = Diagnostics()
    files = load_content(site, diags, max_bytes=max_bytes)
    return [f.rel for f in files], [d.format() for d in diags.sorted()]


def problems(site: Path, **kw: int) -> list[str]:
    return load(site, **kw)[1]


ABOUT = "content/pages/about.md"


def test_minimal_site_loads_sorted(tmp_path: Path, make_site: MakeSite) -> None:
    rels, diags = load(make_site(tmp_path))
    assert diags == []
    assert rels == sorted(rels) and len(rels) == 6


def test_body_and_body_line(tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {ABOUT: "---\ntitle: A\n---\nLine four.\n"})
    diags = Diagnostics()
    about = next(f for f in load_content(site, diags) if f.rel == ABOUT)
    assert (about.body, about.body_line, about.slug, about.kind) == ("Line four.\n", 4, "about", "pages")


def test_bom_crlf_and_cr_are_normalised(tmp_path: Path, make_site: MakeSite) -> None:
    lf = "---\ntitle: A\nsummary: B\n---\nBody\nline\n"
    site = make_site(
        tmp_path,
        {
            "content/pages/bom.md": b"\xef\xbb\xbf" + lf.encode(),
            "content/pages/crlf.md": lf.replace("\n", "\r\n").encode(),
            "content/pages/cr.md": lf.replace("\n", "\r").encode(),
            "content/pages/lf.md": lf,
        },
    )
    diags = Diagnostics()
    files = {f.slug: f for f in load_content(site, diags)}
    assert diags.items == []
    for name in ("bom", "crlf", "cr"):
        assert (files[name].parsed.value, files[name].body, files[name].body_line) == (files["lf"].parsed.value, "Body\nline\n", 5)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"---\ntitle: caf\xe9\n---\n", "content/pages/about.md:2: not valid UTF-8: byte 0xe9 at offset 14; save the file as UTF-8"),
        (
            b"\xef\xbb\xbf---\ntitle: caf\xe9\n---\n",
            "content/pages/about.md:2: not valid UTF-8: byte 0xe9 at offset 17; save the file as UTF-8",
        ),
        (b"\xff\xfe-\x00-\x00", "content/pages/about.md:1: not valid UTF-8: byte 0xff at offset 0; save the file as UTF-8"),
        (b"---\ntitle: a\x00b\n---\n", "content/pages/about.md:2: contains a NUL character; is this a binary file?"),
    ],
    ids=["latin1", "latin1-after-bom", "utf16", "nul"],
)
def test_bytes_that_are_not_utf8(tmp_path: Path, make_site: MakeSite, content: bytes, expected: str) -> None:
    assert problems(make_site(tmp_path, {ABOUT: content})) == [expected]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "content/pages/about.md:1: empty file: a page starts with front matter between two '---' lines"),
        (" \n\t\n\n", "content/pages/about.md:1: empty file: a page starts with front matter between two '---' lines"),
        ('{"title": "x"}\n', "content/pages/about.md:1: missing front matter: the first line must be '---'"),
        ("title: x\n---\n", "content/pages/about.md:1: missing front matter: the first line must be '---'"),
        ("\n---\ntitle: x\n---\n", "content/pages/about.md:1: missing front matter: the first line must be '---'"),
        ("---\ntitle: x\nsummary: y\n", "content/pages/about.md:1: front matter is not closed: add a '---' line after the last key"),
        ("---\n- a\n- b\n---\n", "content/pages/about.md:2: front matter must be a mapping of 'key: value' lines, got a list"),
        ("---\njust words\n---\n", "content/pages/about.md:2: front matter must be a mapping of 'key: value' lines, got 'just words'"),
        ("---\n42\n---\n", "content/pages/about.md:2: front matter must be a mapping of 'key: value' lines, got '42'"),
        ("---\n0\n\ncafé\n---\n", "content/pages/about.md:2: front matter must be a mapping of 'key: value' lines, got '0\\ncafé'"),
        (
            "---\ntitle: [a\n---\n",
            "content/pages/about.md:2: the '[' at column 8 starts a list that is never closed: add the missing ']', "
            "or if the '[' is part of the text, write title: \"[a\"",
        ),
    ],
    ids=[
        "empty",
        "whitespace",
        "json",
        "no-opening",
        "blank-first-line",
        "unclosed",
        "list",
        "scalar",
        "number",
        "multi-line",
        "yaml-syntax",
    ],
)
def test_front_matter_shape(tmp_path: Path, make_site: MakeSite, content: str, expected: str) -> None:
    rels, diags = load(make_site(tmp_path, {ABOUT: content}))
    assert diags == [expected]
    assert ABOUT not in rels


def test_empty_front_matter_is_an_empty_mapping(tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {ABOUT: "---\n---\nBody\n"})
    diags = Diagnostics()
    about = next(f for f in load_content(site, diags) if f.rel == ABOUT)
    assert (about.parsed.value, about.parsed.line(())) == ({}, 1)


def test_closing_dots_and_trailing_spaces(tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {ABOUT: "---  \ntitle: x\n...\nBody\n"})
    diags = Diagnostics()
    about = next(f for f in load_content(site, diags) if f.rel == ABOUT)
    assert (about.parsed.value, about.body) == ({"title": "x"}, "Body\n")


def test_size_limit(tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {ABOUT: page("pages", body="x" * 3000 + "\n")})
    assert problems(site, max_bytes=2048) == [f"{ABOUT}: file is too large (3 KB; the limit is 2 KB, see limits.max_file_kb)"]


def test_file_names_that_are_not_slugs(tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {"content/pages/My Page.md": page("pages"), "content/pages/Ünïcode_Name.md": page("pages")})
    assert problems(site) == [
        "content/pages/My Page.md: file name 'My Page.md' is not a valid slug: use lower-case letters, digits and hyphens (e.g. 'my-page.md')",
        "content/pages/Ünïcode_Name.md: file name 'Ünïcode_Name.md' is not a valid slug: use lower-case letters, digits and hyphens (e.g. 'unicode-name.md')",
    ]


def test_case_collision_is_one_error_naming_both(tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {"content/pages/About.md": page("pages", "About again")})
    assert problems(site) == [
        "content/pages/About.md: file name 'About.md' is not a valid slug: use lower-case letters, digits and hyphens (e.g. 'about.md')",
        "content/pages/about.md: file name collides with content/pages/About.md (names differ only in letter case or Unicode form)",
    ]


def test_collision_is_reported_even_when_a_file_does_not_load(tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {"content/pages/About.md": "not front matter\n"})
    assert (
        problems(site)[-1]
        == "content/pages/about.md: file name collides with content/pages/About.md (names differ only in letter case or Unicode form)"
    )


def test_nfc_and_nfd_names_collide(tmp_path: Path, make_site: MakeSite) -> None:
    nfc, nfd = unicodedata.normalize("NFC", "café"), unicodedata.normalize("NFD", "café")
    site = make_site(tmp_path, {f"content/pages/{nfc}.md": page("pages", "One"), f"content/pages/{nfd}.md": page("pages", "Two")})
    names = sorted(os.listdir(site / "content" / "pages"))
    if len([n for n in names if n.startswith("caf")]) < 2:
        pytest.skip("this file system normalises Unicode file names")
    first, second = sorted([f"content/pages/{nfc}.md", f"content/pages/{nfd}.md"])
    assert problems(site) == sorted(
        [
            f"{first}: file name '{Path(first).name}' is not a valid slug: use lower-case letters, digits and hyphens (e.g. 'cafe.md')",
            f"{second}: file name '{Path(second).name}' is not a valid slug: use lower-case letters, digits and hyphens (e.g. 'cafe.md')",
            f"{second}: file name collides with {first} (names differ only in letter case or Unicode form)",
        ]
    )


def test_files_outside_type_folders_and_other_extensions(tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(
        tmp_path,
        {
            "content/stray.md": page("pages"),
            "content/blog/post.md": page("pages"),
            "content/pages/sub/deep.md": page("pages"),
            "content/pages/notes.txt": "x",
            "content/pages/upper.MD": page("pages"),
            "content/pages/.DS_Store": b"\x00\x01",
            "content/pages/.about.md.swp": b"\x00",
            "content/.git/config": "x",
        },
    )
    types = "conditions, stretches, causes, treatments, glossary, pages"
    assert problems(site) == [
        f"content/blog/post.md: warning: ignored: content files belong in content/<type>/, where type is one of {types}",
        "content/pages/notes.txt: warning: ignored: not a Markdown (.md) file",
        f"content/pages/sub/deep.md: warning: ignored: content files belong in content/<type>/, where type is one of {types}",
        "content/pages/upper.MD: warning: ignored: content files must end in lower-case '.md'",
        f"content/stray.md: warning: ignored: content files belong in content/<type>/, where type is one of {types}",
    ]


def test_symlink_to_a_file_outside_the_site_is_not_followed(tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path)
    secret = tmp_path / "secret.md"
    secret.write_text(fm("pages", "Secret"))
    (site / "content" / "pages" / "leak.md").symlink_to(secret)
    (site / "content" / "pages" / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    rels, diags = load(site)
    message = "symbolic link to outside the site (or to a folder) is not followed; copy the file instead"
    assert diags == [f"content/pages/dangling.md: {message}", f"content/pages/leak.md: {message}"]
    assert "content/pages/leak.md" not in rels


def test_symlinked_folder_is_not_followed(tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.md").write_text(fm("pages"))
    (site / "content" / "extra").symlink_to(outside, target_is_directory=True)
    rels, diags = load(site)
    assert diags == ["content/extra: symbolic link to outside the site (or to a folder) is not followed; copy the file instead"]
    assert not any("x.md" in r for r in rels)


def test_symlink_inside_the_site_is_read(tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {"shared/text.md": page("pages", "Shared")})
    (site / "content" / "pages" / "shared.md").symlink_to(site / "shared" / "text.md")
    rels, diags = load(site)
    assert diags == [] and "content/pages/shared.md" in rels


def test_content_folder_symlinked_outside(tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path)
    os.rename(site / "content", tmp_path / "real-content")
    (site / "content").symlink_to(tmp_path / "real-content", target_is_directory=True)
    assert load(site) == ([], ["content: symbolic link to outside the site is not followed; make content/ a real folder"])


def test_fifo_is_not_read(tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path)
    os.mkfifo(site / "content" / "pages" / "pipe.md")
    assert problems(site) == ["content/pages/pipe.md: not a regular file"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file(tmp_path: Path, make_site: MakeSite) -> None:  # pragma: no cover - not run as root
    site = make_site(tmp_path)
    (site / ABOUT).chmod(0)
    try:
        assert problems(site) == [f"{ABOUT}: cannot read the file: Permission denied"]
    finally:
        (site / ABOUT).chmod(0o644)


def test_missing_content_folder(tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {"content": None})
    assert load(site) == ([], ["content: no content folder: create content/conditions/, content/stretches/, ..."])


def test_file_names_with_control_characters(tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {"content/pages/evil\nname.md": page("pages"), "content/pages/tab\tname.md": page("pages")})
    rels, diags = load(site)
    assert diags == [
        "content/pages/evil\\nname.md: file name contains control characters; rename the file",
        "content/pages/tab\\tname.md: file name contains control characters; rename the file",
    ]
    assert not any("name" in r for r in rels)
