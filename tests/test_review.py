"""Review state (review.py): a page is reviewed only when ``reviewed_by`` names a reviewer listed
under ``reviewers:`` in spinesite.yaml. Pages not yet reviewed show a banner, never a review date,
and their JSON-LD claims no review; ``require_review: true`` gates ``check`` and ``build --strict``."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import MINIMAL, MakeSite, error_lines, run_cli
from spinesite.build import build
from spinesite.content.review import Reviewer, ReviewState, find_reviewer, is_placeholder_reviewer, review_state

CONFIG = (MINIMAL / "spinesite.yaml").read_text(encoding="utf-8")
REVIEWERS = """\
reviewers:
  - name: Sam Patel
    qualification: Consultant physiotherapist, MCSP
    id: spatel
"""
BANNER = (
    "Not yet checked by a health professional No doctor or physiotherapist has checked this page yet, "
    "so talk to one before you act on anything it says."
)
REVIEWED = "Reviewed by Sam Patel, Consultant physiotherapist, MCSP on 1 January 2026. Next review due 1 January 2027."
PLACEHOLDER = "reviewed_by: Test Reviewer (placeholder)"
BRIDGE, BACK_PAIN = "content/stretches/bridge.md", "content/conditions/back-pain.md"
PAGES = {  # every content page of the minimal site: output path, source, line of reviewed_by
    "stretches/bridge/index.html": (BRIDGE, 12),
    "conditions/back-pain/index.html": (BACK_PAIN, 15),
    "glossary/foramen/index.html": ("content/glossary/foramen.md", 7),
    "treatments/keep-active/index.html": ("content/treatments/keep-active.md", 11),
    "causes/disc-wear/index.html": ("content/causes/disc-wear.md", 7),
    "about/index.html": ("content/pages/about.md", 7),
}
UNKNOWN = (
    "warning: reviewed_by: 'Sam Patle' is not a reviewer listed in spinesite.yaml (did you mean 'Sam Patel'?), "
    "so the page shows as not yet reviewed; correct the name or add the reviewer under reviewers:"
)
REQUIRED = (
    "not yet reviewed, and spinesite.yaml has require_review: true; once a health professional has "
    "checked the page, set reviewed_by to their name as listed under reviewers:"
)


def reviewed_by(site: Path, rel: str, name: str) -> None:
    path = site / rel
    path.write_text(path.read_text(encoding="utf-8").replace(PLACEHOLDER, f"reviewed_by: {name}"), encoding="utf-8")


def built(site: Path) -> dict[str, str]:
    result = build(site, write=False, search=False, jobs=1)
    assert not result.diagnostics.failed(), [d.format() for d in result.diagnostics.items]
    return {path: data.decode("utf-8") for path, data in result.files.items() if path.endswith(".html")}


def text(html: str) -> str:
    """The visible words of a page's <main>, on one line."""
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main.split(">", 1)[1]).split()).replace(" .", ".").replace(" ,", ",")


def jsonld(html: str) -> dict[str, Any]:
    data = json.loads(html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0])
    assert isinstance(data, dict)
    return data


def test_placeholder_reviewers_are_not_yet_reviewed(tmp_path: Path, make_site: MakeSite) -> None:
    """The minimal site names only a placeholder reviewer: every page says it is not yet checked,
    no page claims a review date, and the build has nothing to say about it."""
    pages = built(make_site(tmp_path))
    for out in PAGES:
        html = pages[out]
        words = text(html)
        assert words.startswith(BANNER), out  # first thing in <main>, before the heading
        assert "last reviewed" not in words.lower() and "Reviewed by" not in words, out
        assert "Not yet checked by a health professional." in words  # the footer says so too
        assert not {"reviewedBy", "lastReviewed"} & set(jsonld(html)), out
        assert "overdue-notice" not in html  # nothing to be overdue: it was never reviewed
    handout = text(pages["handouts/back-pain/index.html"])
    assert BANNER in handout and "last reviewed" not in handout.lower() and "Reviewed by" not in handout
    assert "review-banner" not in pages["index.html"] + pages["conditions/index.html"]  # generated pages: no content to review


def test_a_listed_reviewer_makes_a_page_reviewed(tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {"spinesite.yaml": CONFIG + REVIEWERS})
    reviewed_by(site, BRIDGE, "Sam Patel")
    reviewed_by(site, BACK_PAIN, "SPATEL")  # the id does too, in any case
    pages = built(site)
    for out in ("stretches/bridge/index.html", "conditions/back-pain/index.html"):
        html = pages[out]
        assert REVIEWED in text(html) and "review-banner" not in html, out
        data = jsonld(html)
        assert data["lastReviewed"] == "2026-01-01"
        assert data["reviewedBy"] == {"@type": "Person", "name": "Sam Patel", "jobTitle": "Consultant physiotherapist, MCSP"}
        assert 'class="callout callout-warning overdue-notice"' in html
    assert text(pages["handouts/back-pain/index.html"]).count(REVIEWED) == 1  # the condition and its one exercise are reviewed
    assert "review-banner" not in pages["handouts/back-pain/index.html"]
    assert BANNER in text(pages["causes/disc-wear/index.html"])  # still a placeholder
    feed = build(site, write=False, search=False, jobs=1).files["feed.xml"].decode()
    assert "<author><name>Sam Patel</name></author>" in feed and "<author><name>Test Spine Site</name></author>" in feed


def test_handout_shows_the_banner_while_an_exercise_is_not_reviewed(tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path, {"spinesite.yaml": CONFIG + REVIEWERS})
    reviewed_by(site, BACK_PAIN, "Sam Patel")
    handout = text(built(site)["handouts/back-pain/index.html"])
    assert REVIEWED in handout and BANNER in handout  # bridge, its exercise, still awaits review


def test_unknown_reviewer_is_a_warning_with_did_you_mean(tmp_path: Path, make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path, {"spinesite.yaml": CONFIG + REVIEWERS})
    reviewed_by(site, BRIDGE, "Sam Patle")
    code, _out, err = run_cli(capsys, "build", site, "--no-search")
    assert code == 0 and error_lines(err) == [f"{BRIDGE}:12: {UNKNOWN}"]
    assert BANNER in text((site / "_site/stretches/bridge/index.html").read_text(encoding="utf-8"))
    code, _out, err = run_cli(capsys, "build", site, "--no-search", "--strict")
    assert code == 1 and error_lines(err) == [f"{BRIDGE}:12: {UNKNOWN}"]
    code, _out, err = run_cli(capsys, "check", site)
    assert code == 0 and error_lines(err) == [f"{BRIDGE}:12: {UNKNOWN}"]


def test_unknown_reviewer_when_none_are_listed(tmp_path: Path, make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path)
    reviewed_by(site, BRIDGE, "Dr Jones, GP")
    code, _out, err = run_cli(capsys, "check", site)
    assert code == 0 and error_lines(err) == [
        f"{BRIDGE}:12: warning: reviewed_by: 'Dr Jones, GP' is not a reviewer listed in spinesite.yaml (it lists none), "
        "so the page shows as not yet reviewed; correct the name or add the reviewer under reviewers:"
    ]


def test_require_review_fails_check_and_strict_build(tmp_path: Path, make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path, {"spinesite.yaml": CONFIG + REVIEWERS + "require_review: true\n"})
    reviewed_by(site, BRIDGE, "Sam Patel")
    unreviewed = sorted(f"{rel}:{line}" for rel, line in PAGES.values() if rel != BRIDGE)
    code, _out, err = run_cli(capsys, "check", site)
    assert code == 1 and error_lines(err) == [f"{where}: {REQUIRED}" for where in unreviewed]
    assert "Failed: 5 errors, 0 warnings." in err
    code, _out, err = run_cli(capsys, "build", site, "--no-search", "--strict")
    assert code == 1 and error_lines(err) == [f"{where}: warning: {REQUIRED}" for where in unreviewed]
    assert not (site / "_site").exists()
    code, _out, err = run_cli(capsys, "build", site, "--no-search")  # a preview build still shows the pages
    assert code == 0 and len(error_lines(err)) == 5 and (site / "_site/about/index.html").is_file()


def test_require_review_passes_once_every_page_is_reviewed(tmp_path: Path, make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path, {"spinesite.yaml": CONFIG + REVIEWERS + "require_review: true\n"})
    for rel, _line in PAGES.values():
        reviewed_by(site, rel, "spatel")
    code, _out, err = run_cli(capsys, "check", site, "--strict")
    assert code == 0 and error_lines(err) == []


def test_reviewers_config_errors(tmp_path: Path, make_site: MakeSite, capsys: pytest.CaptureFixture[str]) -> None:
    config = CONFIG + (
        "reviewers:\n"  # line 8
        "  - name: Sam Patel\n"
        "  - name: sam  patel\n"
        "    qualification: GP\n"
        "    id: Dr Sam\n"
        "  - name: Jo Lee\n"
        "    qualification: GP\n"
        "    id: spatel\n"
        "  - qualification: GP\n"
        "    id: spatel\n"
        "require_review: 1\n"
    )
    site = make_site(tmp_path, {"spinesite.yaml": config})
    code, _out, err = run_cli(capsys, "check", site)
    assert code == 1 and error_lines(err) == [
        "spinesite.yaml:9: missing required key 'qualification' in reviewers[0]",
        "spinesite.yaml:10: reviewers[1].name: 'sam  patel' is listed twice",
        "spinesite.yaml:12: reviewers[1].id: 'Dr Sam' is not a valid slug (lower-case letters, digits and hyphens)",
        "spinesite.yaml:16: missing required key 'name' in reviewers[3]",
        "spinesite.yaml:17: reviewers[3].id: 'spatel' is listed twice",
        "spinesite.yaml:18: require_review: expected true or false, got a number (1)",
    ]


def test_review_state_rules() -> None:
    sam = Reviewer("Sam  Patel", "GP", "spatel")
    assert find_reviewer(" sam patel ", [sam]) is sam and find_reviewer("SPATEL", [sam]) is sam
    assert find_reviewer("Sam", [sam]) is None and find_reviewer("", [sam]) is None and find_reviewer(None, [sam]) is None
    data = {"reviewed_by": "spatel", "last_reviewed": dt.date(2026, 1, 1), "next_review": dt.date(2027, 1, 1)}
    assert review_state(data, [sam]) == ReviewState(sam, dt.date(2026, 1, 1), dt.date(2027, 1, 1))
    assert not review_state({**data, "last_reviewed": None}, [sam]).reviewed  # an invalid date (an error already)
    assert review_state(data, []) == ReviewState(None, None, None) and not review_state(data, []).reviewed
    for placeholder in ("Test Reviewer (placeholder)", "TODO", "Not yet reviewed", "Awaiting clinical review"):
        assert is_placeholder_reviewer(placeholder), placeholder
    assert not is_placeholder_reviewer("Dr Jones, GP")


def test_bundled_site_claims_no_review(monkeypatch: pytest.MonkeyPatch) -> None:
    """The example content has had no clinical review: it builds with --strict, and every page
    says it is not yet checked (CONTENT-POLICY: review state is never implied)."""
    root = MINIMAL.parents[2]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798761600")  # 2027-01-01: after its review dates, before any is due
    result = build(root, write=False, search=False, strict=True, jobs=1)
    assert result.ok(strict=True), [d.format() for d in result.diagnostics.items]
    assert result.config is not None and not result.config.reviewers
    pages = [p for p in (result.graph.pages if result.graph else []) if p.output_path in result.files]
    assert len(pages) >= 80
    banners = {"": BANNER, "es": "Todavía sin revisar por un profesional de la salud"}  # a translation says it in its language
    for page in pages:
        html = result.files[page.output_path].decode("utf-8")
        assert text(html).startswith(banners[page.lang]) and "last reviewed" not in text(html).lower(), page.rel
        assert not {"reviewedBy", "lastReviewed"} & set(jsonld(html)), page.rel
