"""Drafts (``draft: true``): left out of the published site, with a warning for every reference
to one; built with ``--drafts`` for a preview, marked as drafts and never listed or indexed."""

from __future__ import annotations

import gzip
import io
import shutil
from pathlib import Path

import pytest

from conftest import MINIMAL, error_lines, page, run_cli, snapshot
from spinesite.console import QUIET, Console
from spinesite.serve.server import Server

BACK_PAIN = "content/conditions/back-pain.md"
BRIDGE = "content/stretches/bridge.md"
DRAFT_CONDITION = "content/conditions/sciatica.md"
WARNINGS = [
    f"{BACK_PAIN}:6: warning: stretches[0]: stretch 'bridge' is a draft ({BRIDGE}), so it is left out until it is published",
    f"{BACK_PAIN}:22: warning: link '../stretches/bridge.md' goes to a draft ({BRIDGE}), so it is plain text until the draft is published",
]
BANNER = b'<p class="draft-banner"><strong>Draft: not published.</strong>'
NOINDEX = b'<meta name="robots" content="noindex">'
JSONLD = b'<script type="application/ld+json">'


def draft_site(root: Path) -> Path:
    """The minimal site with its stretch a draft, and a draft condition (with a handout) of its own."""
    site = root / "site"
    shutil.copytree(MINIMAL, site)
    text = (site / BRIDGE).read_text(encoding="utf-8")
    (site / BRIDGE).write_text(text.replace("\n---\n", "\ndraft: true\n---\n", 1), encoding="utf-8")
    condition = page("conditions", "Sciatica", "Pain down the leg.\n", extra="stretches: [bridge]\ndraft: true\n")
    (site / DRAFT_CONDITION).write_text(condition.replace("[L4-L5]", "[L5-S1]"), encoding="utf-8")
    return site


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return draft_site(tmp_path)


def files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def indexed_text(out: Path) -> str:
    """Everything in the search index's page fragments (URLs, titles, text)."""
    fragments = sorted((out / "pagefind" / "fragment").glob("*.pf_fragment"))
    assert fragments
    return "\n".join(gzip.decompress(f.read_bytes()).decode("utf-8", "replace") for f in fragments)


def test_references_to_drafts_are_left_out_with_a_warning(capsys: pytest.CaptureFixture[str], site: Path) -> None:
    code, _out, err = run_cli(capsys, "build", site, "--no-search")
    assert (code, error_lines(err)) == (0, WARNINGS)
    built = files(site / "_site")
    assert "stretches/bridge/index.html" not in built and "conditions/sciatica/index.html" not in built
    assert not any(b"/stretches/bridge/" in data or b"/sciatica/" in data for data in built.values())
    back_pain = built["conditions/back-pain/index.html"]
    assert b"Try the <span>bridge</span> and read" in back_pain  # plain text, no dangling link
    assert "handouts/back-pain/index.html" not in built  # its only stretch is a draft
    assert not any(BANNER in data or NOINDEX in data for path, data in built.items() if path != "404.html")


def test_references_to_drafts_fail_a_strict_build(capsys: pytest.CaptureFixture[str], site: Path) -> None:
    code, _out, err = run_cli(capsys, "build", site, "--strict", "--no-search")
    assert (code, error_lines(err)) == (1, WARNINGS)
    assert err.splitlines()[-1] == "Failed: 0 errors, 2 warnings (--strict: warnings count as errors); nothing was written."
    assert not (site / "_site").exists()


def test_check_reports_the_same_warnings(capsys: pytest.CaptureFixture[str], site: Path) -> None:
    code, _out, err = run_cli(capsys, "check", site)
    assert (code, [line for line in error_lines(err) if "draft" in line]) == (0, WARNINGS)


def test_drafts_flag_builds_them_marked_and_unlisted(capsys: pytest.CaptureFixture[str], site: Path) -> None:
    code, _out, err = run_cli(capsys, "build", site, "--drafts")
    assert (code, error_lines(err)) == (0, [])
    out = site / "_site"
    built = files(out)
    drafts = {"stretches/bridge/index.html", "conditions/sciatica/index.html", "handouts/sciatica/index.html", "levels/l5-s1/index.html"}
    for path, data in built.items():
        if path.endswith(".html") and path != "404.html":  # the 404 page is noindex anyway
            is_draft = path in drafts
            assert (BANNER in data, NOINDEX in data, JSONLD in data) == (is_draft, is_draft, not is_draft), path
    # references to a draft resolve: a real link, and the stretch on the condition page
    assert b'Try the <a href="/stretches/bridge/">bridge</a>' in built["conditions/back-pain/index.html"]
    assert "handouts/back-pain/index.html" in built
    # never announced: not in the sitemap, the feed or the search index
    for name in ("sitemap.xml", "feed.xml"):
        assert b"/bridge/" not in built[name] and b"/sciatica/" not in built[name] and b"/levels/l5-s1/" not in built[name], name
    assert b"/conditions/back-pain/" in built["sitemap.xml"] and b"/conditions/back-pain/" in built["feed.xml"]
    text = indexed_text(out)
    assert "/conditions/back-pain/" in text
    assert "/stretches/bridge/" not in text and "/conditions/sciatica/" not in text


def test_switching_drafts_on_and_off_matches_clean_builds(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    site = draft_site(tmp_path)
    clean = {}
    for flag in ((), ("--drafts",)):
        out = tmp_path / f"clean{len(flag)}"
        assert run_cli(capsys, "build", site, "-o", out, "--clean", *flag)[0] == 0
        clean[flag] = snapshot(out)
    assert clean[()] != clean[("--drafts",)]
    out = tmp_path / "incremental"
    for flag in ((), ("--drafts",), (), ("--drafts",)):
        code, _out, err = run_cli(capsys, "build", site, "-o", out, *flag)
        assert code == 0, err
        assert snapshot(out) == clean[flag], flag
        assert (error_lines(err) == WARNINGS) == (flag == ()), err


def test_serve_shows_drafts_only_with_the_flag(site: Path) -> None:
    import http.client

    def get(server: Server, path: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    for drafts, status in ((False, 404), (True, 200)):
        server = Server(site, port=0, console=Console(QUIET, stream=io.StringIO()), drafts=drafts)
        server.start()
        try:
            code, body = get(server, "/stretches/bridge/")
            assert code == status
            assert (BANNER in body) == drafts
            code, body = get(server, "/conditions/back-pain/")
            assert code == 200 and BANNER not in body
            assert (b'<a href="/stretches/bridge/">bridge</a>' in body) == drafts
        finally:
            server.stop()
