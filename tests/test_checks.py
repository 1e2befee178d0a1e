"""Checks on the built output (every build) and content checks (``spinesite check``).

Fixture overlays copied over ``tests/sites/minimal``:
- ``checks-hostile``: a ``templates/page.html`` that loads, runs and links what it must not,
  and a static stylesheet that imports from other sites;
- ``checks-plain``: a plain ``templates/page.html`` (the body starts on line 12 of the output),
  so that the output line numbers in messages do not depend on the theme.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import SITES, MakeSite, fm, page, run_cli
from spinesite.checks.readability import fk_grade
from spinesite.checks.site import check_output, review_dates
from spinesite.diagnostics import Diagnostic, Diagnostics
from spinesite.output.htmlscan import Finding, SiteBase, scan_css, scan_html

JUNE = "1780315200"  # 2026-06-01: 214 days before the minimal site's reviews are due
NOVEMBER = "1793534400"  # 2026-11-01: 61 days before
ABOUT = "content/pages/about.md"
BASE = SiteBase.from_url("https://example.org/")
DOC = BASE.doc_url("about/index.html")
SECONDS = re.compile(r"; \d+\.\d\d s\.$")

# What a reader reads on each page of the minimal site: title, summary, prose fields, body.
MINIMAL_PROSE = {
    "content/causes/disc-wear.md": "Disc wear.\n\nDiscs wear with age.",
    "content/conditions/back-pain.md": "Back pain.\n\nPain in the lower back.\n\nPain in the lower back.\n\nWill it get better?\n\n"
    "Most back pain gets better.\n\nWhat is it?\n\nBack pain is common. Try the bridge and read about the foramen.",
    "content/glossary/foramen.md": "Foramen.\n\nAn opening between bones where a nerve passes.",
    "content/pages/about.md": "About.\n\nAbout this site.\n\nWe write it.",
    "content/stretches/bridge.md": "Bridge.\n\nLift your hips.\n\nLie on your back.\n\nSqueeze your buttocks.\n\nLift your hips.\n\n"
    "Pain spreads down your leg.\n\nA person lying on their back with hips raised.\n\nCheck with your doctor first.",
    "content/treatments/keep-active.md": "Keeping active.\n\nMoving helps.\n\nKeep moving.",
}
KINDS = "(1 condition, 1 stretch, 1 cause, 1 treatment, 1 glossary term, 1 page)"


@pytest.fixture(autouse=True)
def _june(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", JUNE)


def site_with(make_site: MakeSite, tmp_path: Path, overlay: str | None = None, files: dict[str, str | None] | None = None) -> Path:
    site = make_site(tmp_path)
    if overlay:
        shutil.copytree(SITES / overlay, site, dirs_exist_ok=True)
    for rel, text in (files or {}).items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text or "", encoding="utf-8")
    return site


def cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, list[str], list[str]]:
    """Exit code, stdout lines, stderr lines (timings replaced by 'T')."""
    code, out, err = run_cli(capsys, *args)
    return code, out.splitlines(), [SECONDS.sub("; T s.", line) for line in err.splitlines()]


def about(body: str, extra: str = "") -> str:
    return fm("pages", "About", "menu: 1\n" + extra, summary="About this site.") + body


def grade_line(grades: list[float], limit: int = 8) -> str:
    g = sorted(grades)
    median = (g[len(g) // 2] + g[(len(g) - 1) // 2]) / 2
    return f"Reading grade: min {g[0]:.1f}, median {median:.1f}, max {g[-1]:.1f} over {len(g)} pages (warn above {limit})."


# ---------------------------------------------------------------------------- the clean site


def test_minimal_site_passes_every_check(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = make_site(tmp_path)
    grades = [fk_grade(p) for p in MINIMAL_PROSE.values()]
    assert cli(capsys, "check", site) == (0, [], [grade_line(grades), f"Checked 6 pages {KINDS}; 0 errors, 0 warnings; T s."])


def test_json_has_every_reading_grade(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    code, out, err = cli(capsys, "check", make_site(tmp_path), "--format", "json")
    doc = json.loads("\n".join(out))
    assert doc["summary"].pop("seconds") >= 0
    assert (code, err) == (0, [])
    assert doc == {
        "diagnostics": [],
        "errors": 0,
        "warnings": 0,
        "summary": {
            "errors": 0,
            "warnings": 0,
            "pages": {"causes": 1, "conditions": 1, "glossary": 1, "pages": 1, "stretches": 1, "treatments": 1},
            "reading_grades": {rel: fk_grade(prose) for rel, prose in MINIMAL_PROSE.items()},
        },
    }


def test_verbose_lists_every_grade(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    code, _out, err = cli(capsys, "check", make_site(tmp_path), "-v")
    grades = {rel: fk_grade(prose) for rel, prose in MINIMAL_PROSE.items()}
    assert (code, err[:6]) == (0, [f"  {g:4.1f}  {rel}" for rel, g in sorted(grades.items())])
    assert err[6] == grade_line(list(grades.values()))


# ---------------------------------------------------------------------------- safety (build and check)

HOSTILE_TEMPLATE = [
    ("about/index.html", 5, "<link href> loads from another origin: https://cdn.example/x.css"),
    ("about/index.html", 6, "script that is not the theme's: inline <script>"),
    ("about/index.html", 7, "<script src> loads from another origin: https://cdn.example/x.js"),
    ("about/index.html", 10, "<img src> loads from another origin: //evil.example/a.png"),
    ("about/index.html", 11, "event handler attribute on <img>: onerror"),
    ("about/index.html", 12, "unsafe javascript URL in <a href>: JaVaScRiPt:alert(1)"),
    ("about/index.html", 13, "unsafe javascript URL in <a href>: javascript:alert(1)"),
    ("about/index.html", 14, "unsafe data:text/html URL in <a href>: data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
]
HOSTILE_CSS = [
    "css/extra.css:2: CSS @import loads from another origin: https://x.example/y.css",
    "css/extra.css:3: CSS url() loads from another origin: //evil.example/a%20b.png",
]
FAILED_10 = "Failed: 10 errors, 0 warnings; nothing was written."
CHECK_FAILED_10 = "Failed: 10 errors, 0 warnings."  # check writes nothing anyway
HOSTILE_GRADES = "Reading grade: min -2.6, median 0.6, max 5.8 over 6 pages (warn above 8)."  # the checks still run


def test_build_fails_on_a_hostile_template_override(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = site_with(make_site, tmp_path, "checks-hostile")
    code, out, err = cli(capsys, "build", site, "-o", tmp_path / "out", "--no-search")
    assert (code, out) == (1, [])
    relocated = sorted(f"{ABOUT}: {m} ({p} line {line})" for p, line, m in HOSTILE_TEMPLATE)
    assert err == [*relocated, *HOSTILE_CSS, FAILED_10]
    assert not (tmp_path / "out").exists()


def test_check_reports_the_template_problems_at_the_page(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = site_with(make_site, tmp_path, "checks-hostile")
    relocated = sorted(f"{ABOUT}: {m} ({p} line {line})" for p, line, m in HOSTILE_TEMPLATE)
    assert cli(capsys, "check", site) == (1, [], [*relocated, *HOSTILE_CSS, HOSTILE_GRADES, CHECK_FAILED_10])


def test_check_github_format(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = site_with(make_site, tmp_path, "checks-hostile")
    code, out, err = cli(capsys, "check", site, "--format", "github")
    relocated = sorted(f"::error file={ABOUT}::{m} ({p} line {line})" for p, line, m in HOSTILE_TEMPLATE)
    css = [
        "::error file=css/extra.css,line=2::CSS @import loads from another origin: https://x.example/y.css",
        "::error file=css/extra.css,line=3::CSS url() loads from another origin: //evil.example/a%2520b.png",  # % escaped
    ]
    assert (code, out, err) == (1, relocated + css, [CHECK_FAILED_10])


def test_check_json_format(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = site_with(make_site, tmp_path, "checks-hostile")
    code, out, err = cli(capsys, "check", site, "--format", "json")
    doc = json.loads("\n".join(out))
    doc["summary"].pop("seconds")
    assert set(doc["summary"].pop("reading_grades")) == {p for p in MINIMAL_PROSE}  # the checks still run
    relocated = sorted(f"{m} ({p} line {line})" for p, line, m in HOSTILE_TEMPLATE)
    diagnostics = [{"path": ABOUT, "line": None, "level": "error", "code": "output-safety", "message": m} for m in relocated]
    diagnostics += [
        {
            "path": "css/extra.css",
            "line": 2,
            "level": "error",
            "code": "output-safety",
            "message": "CSS @import loads from another origin: https://x.example/y.css",
        },
        {
            "path": "css/extra.css",
            "line": 3,
            "level": "error",
            "code": "output-safety",
            "message": "CSS url() loads from another origin: //evil.example/a%20b.png",
        },
    ]
    pages = {"causes": 1, "conditions": 1, "glossary": 1, "pages": 1, "stretches": 1, "treatments": 1}
    # The content checks wait until the site builds: no reading grades yet.
    assert (code, err) == (1, [])
    assert doc == {"diagnostics": diagnostics, "errors": 10, "warnings": 0, "summary": {"errors": 10, "warnings": 0, "pages": pages}}


HOSTILE_BODY = """\
<script>alert(1)</script>
<img src="/images/bridge.svg" alt="Bridge" onerror="alert(1)">
<a href="JaVaScRiPt:alert(1)">a</a> <a href="java&#x09;script:alert(1)">b</a>
<a href="data:text/html;base64,PHNjcmlwdD4=">c</a>
<iframe src="https://evil.example/"></iframe>
<link rel=stylesheet href=https://cdn.example/x.css>
<p style="background: url(//evil.example/a.png)">d</p>

[e](javascript:alert(1)) [f](vbscript:x)
"""
SANITISED = "raw HTML was changed by the sanitiser (scripts, event handlers and unsafe URLs are removed); use Markdown instead"


@pytest.mark.parametrize("command", ["build", "check"])
def test_markdown_bodies_are_neutralised_before_the_scan(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite, command: str
) -> None:
    site = site_with(make_site, tmp_path, files={ABOUT: about(HOSTILE_BODY)})
    args = ["-o", tmp_path / "out", "--no-search"] if command == "build" else []
    code, out, err = cli(capsys, command, site, *args)
    assert (code, out, err[0]) == (0, [], f"{ABOUT}:12: warning: {SANITISED}")
    assert next(line for line in err if line.startswith(("Built", "Checked"))).endswith(f"{KINDS}; 0 errors, 1 warning; T s.")


def test_a_foreign_image_in_markdown_fails_the_build(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = site_with(make_site, tmp_path, "checks-plain", {ABOUT: about("Hello.\n\n![Bridge](https://evil.example/a.png)\n")})
    message = "<img src> loads from another origin: https://evil.example/a.png"
    failed = "Failed: 1 error, 0 warnings; nothing was written."
    assert cli(capsys, "build", site, "-o", tmp_path / "out", "--no-search") == (
        1,
        [],
        [f"{ABOUT}: {message} (about/index.html line 13)", failed],
    )
    grades = "Reading grade: min -2.6, median 2.2, max 5.8 over 6 pages (warn above 8)."
    assert cli(capsys, "check", site) == (1, [], [f"{ABOUT}: {message} (about/index.html line 13)", grades, "Failed: 1 error, 0 warnings."])


def test_the_theme_passes_under_a_base_path(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    config = (SITES / "minimal" / "spinesite.yaml").read_text().replace("https://example.org/", "https://example.org/docs/")
    site = site_with(make_site, tmp_path, files={"spinesite.yaml": config})
    code, _out, err = cli(capsys, "check", site)
    assert (code, err[-1]) == (0, f"Checked 6 pages {KINDS}; 0 errors, 0 warnings; T s.")


# ---------------------------------------------------------------------------- content checks (check only)


def test_reading_grade_above_the_limit(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    hard = "Your doctor may recommend physiotherapy when degeneration of the intervertebral discs causes persistent discomfort."
    site = site_with(make_site, tmp_path, files={ABOUT: about(hard + "\n")})
    grade = fk_grade(f"About.\n\nAbout this site.\n\n{hard}")
    code, _out, err = cli(capsys, "check", site)
    warning = f"{ABOUT}: warning: reading grade {grade:.1f} is above 8 (checks.reading_grade); use shorter sentences and everyday words"
    assert (code, err[0], err[2]) == (0, warning, f"Checked 6 pages {KINDS}; 0 errors, 1 warning; T s.")
    assert 8 < grade < 19
    # The limit comes from spinesite.yaml.
    (site / "spinesite.yaml").write_text((site / "spinesite.yaml").read_text() + f"checks:\n  reading_grade: {int(grade) + 1}\n")
    assert cli(capsys, "check", site)[2][1] == f"Checked 6 pages {KINDS}; 0 errors, 0 warnings; T s."


def test_review_dates(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", NOVEMBER)
    site = make_site(tmp_path)
    for name, due in [("stretches/bridge", "2026-10-15"), ("causes/disc-wear", "2026-11-01"), ("treatments/keep-active", "2026-11-02")]:
        path = site / "content" / f"{name}.md"
        path.write_text(path.read_text().replace("next_review: 2027-01-01", f"next_review: {due}"))
    code, out, err = cli(capsys, "check", site)
    assert (code, out) == (0, [])
    assert err == [
        "content/causes/disc-wear.md:6: warning: review due on 2026-11-01 (today)",
        "content/conditions/back-pain.md:14: warning: review due on 2027-01-01 (in 61 days)",
        "content/glossary/foramen.md:6: warning: review due on 2027-01-01 (in 61 days)",
        "content/pages/about.md:6: warning: review due on 2027-01-01 (in 61 days)",
        "content/stretches/bridge.md:11: warning: review overdue since 2026-10-15",
        "content/treatments/keep-active.md:10: warning: review due on 2026-11-02 (in 1 day)",
        grade_line([fk_grade(p) for p in MINIMAL_PROSE.values()]),
        f"Checked 6 pages {KINDS}; 0 errors, 6 warnings; T s.",
    ]
    code, out, _err = cli(capsys, "check", site, "--format", "github", "-q", "--strict")
    assert (code, out[0], out[4]) == (
        1,
        "::warning file=content/causes/disc-wear.md,line=6::review due on 2026-11-01 (today)",
        "::warning file=content/stretches/bridge.md,line=11::review overdue since 2026-10-15",
    )
    # build judges review dates on the same "today" and says the same (an overdue page tells patients so)
    code, _out, build_err = cli(capsys, "build", site, "-o", tmp_path / "out", "--no-search")
    assert (code, build_err[:6]) == (0, err[:6])


def test_review_warning_window() -> None:
    from spinesite.build import build

    pages = build(SITES / "minimal", write=False, search=False, jobs=1).graph.pages  # type: ignore[union-attr]
    due = dt.date(2027, 1, 1)
    assert review_dates(pages, due - dt.timedelta(days=91), 90) == []
    assert review_dates(pages, due - dt.timedelta(days=90), 90)[0].message == "review due on 2027-01-01 (in 90 days)"
    assert review_dates(pages, due, 0)[0].message == "review due on 2027-01-01 (today)"
    assert [(d.path, d.line, d.level) for d in review_dates(pages, due + dt.timedelta(days=1), 90)][:2] == [
        ("content/causes/disc-wear.md", 6, "warning"),
        ("content/conditions/back-pain.md", 14, "warning"),
    ]


ORPHAN_FILES = {
    "content/stretches/plank.md": page("stretches", "Plank"),
    "content/pages/privacy.md": page("pages", "Privacy"),
    "content/pages/contact.md": page("pages", "Contact", extra="menu: 2\n"),
    "content/glossary/disc.md": page("glossary", "Disc"),
    "content/causes/posture.md": page("causes", "Posture"),
    ABOUT: about("We write it. Read about [posture](../causes/posture.md).\n"),
}


def test_pages_nothing_links_to(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    site = site_with(make_site, tmp_path, files=ORPHAN_FILES)
    code, _out, err = cli(capsys, "check", site, "-q")
    assert (code, err) == (
        0,
        [
            "content/pages/privacy.md: warning: no other page links to this page and it is not in the footer menu",
            "content/stretches/plank.md: warning: no other page links to this page",
        ],
    )
    (site / "spinesite.yaml").write_text((site / "spinesite.yaml").read_text() + "checks:\n  orphans: false\n")
    assert cli(capsys, "check", site, "-q") == (0, [], [])


def test_images_without_alt_text(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    body = 'Hello.\n\n![](/images/bridge.svg)\n\n<img src="/images/bridge.svg">\n'  # the body starts on line 12
    site = site_with(make_site, tmp_path, "checks-plain", {ABOUT: about(body)})
    code, _out, err = cli(capsys, "check", site, "-q")
    assert (code, err) == (
        1,
        [
            f"{ABOUT}:14: image without alt text: /images/bridge.svg; describe it in ![...]",
            f"{ABOUT}:16: <img> without alt text: /images/bridge.svg",  # at the source line, not the output's
        ],
    )
    # build runs the Markdown alt-text check too (the built-page one is among the slow checks it leaves to check)
    assert cli(capsys, "build", site, "-o", tmp_path / "out", "--no-search", "-q") == (1, [], [err[0]])


def test_broken_links_and_anchors(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite) -> None:
    body = (
        "See the [steps](../stretches/bridge.md#steps), [nothing](../stretches/bridge.md#nope), [top](#top), [main](#main).\n\n"
        '<p><a href="/missing/">gone</a> <a href="#nowhere">here</a> <a href="/images/bridge.svg">ok</a> <a href="/search/?q=x">ok</a></p>\n'
    )
    site = site_with(make_site, tmp_path, "checks-plain", {ABOUT: about(body)})
    code, _out, err = cli(capsys, "check", site, "-q")
    assert (code, err) == (
        1,
        [
            f'{ABOUT}: broken link /stretches/bridge/#nope: no id="nope" in stretches/bridge/index.html (about/index.html line 12)',
            f'{ABOUT}:14: broken link #nowhere: no id="nowhere" in about/index.html',
            f"{ABOUT}:14: broken link /missing/: no such page or file in the built site",
        ],
    )


def test_build_runs_the_same_content_checks_but_the_slow_ones(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite
) -> None:
    """build and check agree: build skips only the slow checks (links between built pages,
    reading grade) and says so; the rest (alt text in Markdown, review dates, orphans) it runs."""
    site = site_with(
        make_site, tmp_path, "checks-plain", {**ORPHAN_FILES, ABOUT: about('<p><a href="/missing/">x</a></p>\n\n![](/images/bridge.svg)\n')}
    )
    alt = f"{ABOUT}:14: image without alt text: /images/bridge.svg; describe it in ![...]"
    code, out, err = cli(capsys, "build", site, "-o", tmp_path / "out", "--no-search")
    assert (code, out, err) == (1, [], [alt, "Failed: 1 error, 0 warnings; nothing was written."])
    code, out, err = cli(capsys, "check", site, "-q")
    assert (code, out, err) == (1, [], [f"{ABOUT}:12: broken link /missing/: no such page or file in the built site", alt])
    (site / "content/pages/about.md").write_text(about("Hello.\n\n![A bridge](/images/bridge.svg)\n"))
    code, out, err = cli(capsys, "build", site, "-o", tmp_path / "out", "--no-search")
    assert (code, out, err) == (
        0,
        [],
        [
            "content/causes/posture.md: warning: no other page links to this page",
            "content/pages/privacy.md: warning: no other page links to this page and it is not in the footer menu",
            "content/stretches/plank.md: warning: no other page links to this page",
            "Built 11 pages (1 condition, 2 stretches, 2 causes, 1 treatment, 2 glossary terms, 3 pages); 0 errors, 3 warnings; T s.",
            "Not checked by build (run `spinesite check`): reading grade; links, #anchors and <img> alt text in the built pages.",
        ],
    )


# ---------------------------------------------------------------------------- the scanners


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<img src=x onerror=alert(1)>", ["event handler attribute on <img>: onerror"]),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', ["unsafe javascript URL in <a href>: JaVaScRiPt:alert(1)"]),
        ('<a href="java&#x09;script:alert(1)">x</a>', ["unsafe javascript URL in <a href>: javascript:alert(1)"]),
        ('<a href=" &#x0A;javascript&colon;alert(1)">x</a>', ["unsafe javascript URL in <a href>: javascript:alert(1)"]),
        (
            '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
            ["unsafe data:text/html URL in <a href>: data:text/html;base64,PHNjcmlwdD4="],
        ),
        (
            '<form action="vbscript:x"><button formaction="javascript:y">',
            ["unsafe vbscript URL in <form action>: vbscript:x", "unsafe javascript URL in <button formaction>: javascript:y"],
        ),
        ("<script>alert(1)</script>", ["script that is not the theme's: inline <script>"]),
        ('<script type="module">x</script>', ["script that is not the theme's: inline <script>"]),
        (
            '<script src="/js/x.js"></script><script src="/assets/../x.js"></script>',
            ["script that is not the theme's: /js/x.js", "script that is not the theme's: /assets/../x.js"],
        ),
        (
            '<script type="application/ld+json">{"a":1}</script><script src="/assets/site.js"></script><script src="/pagefind/pagefind.js"></script>',
            [],
        ),
        ("<link rel=stylesheet href=https://cdn.example/x.css>", ["<link href> loads from another origin: https://cdn.example/x.css"]),
        (
            '<link rel="preload icon" href="https://cdn.example/i.png"><link rel="canonical alternate" href="https://other.example/">',
            ["<link href> loads from another origin: https://cdn.example/i.png"],
        ),
        ('<img src="//evil.example/a.png">', ["<img src> loads from another origin: //evil.example/a.png"]),
        (
            '<img src="https:evil.example/a.png"><img src="/\\evil.example/b.png">',
            ["<img src> loads from another origin: https:evil.example/a.png", "<img src> loads from another origin: //evil.example/b.png"],
        ),
        (
            '<img srcset="/a.png 1x, https://evil.example/b.png 2x"><video poster="//e.example/p.png">',
            [
                "<img srcset> loads from another origin: https://evil.example/b.png",
                "<video poster> loads from another origin: //e.example/p.png",
            ],
        ),
        (
            '<iframe src="https://e.example/"></iframe><object data="//e.example/o"></object><embed src="https://e.example/f">',
            [
                "<iframe src> loads from another origin: https://e.example/",
                "<object data> loads from another origin: //e.example/o",
                "<embed src> loads from another origin: https://e.example/f",
            ],
        ),
        (
            '<audio src="https://e.example/a.mp3"><track src="//e.example/t.vtt"></audio>',
            ["<audio src> loads from another origin: https://e.example/a.mp3", "<track src> loads from another origin: //e.example/t.vtt"],
        ),
        (
            '<meta http-equiv="Refresh" content="0; URL=\'https://evil.example/\'">',
            ["<meta http-equiv=refresh> redirects to another origin: https://evil.example/"],
        ),
        ('<meta http-equiv=refresh content="0;url=/about/">', []),
        ("<style>@import url(https://x)</style>", ["CSS @import loads from another origin: https://x"]),
        ('<p style="background:url(//evil.example/x.png)">', ["CSS url() loads from another origin: //evil.example/x.png"]),
        ('<a href="https://other.example/">out</a><a href="https://example.org/x/">in</a><img src="https://example.org/i.png">', []),
        ('<iframe srcdoc="<p>x</p>"></iframe>', ["<iframe srcdoc> is not allowed (it can hold any HTML)"]),
        (
            '<svg><a xlink:href="javascript:x"><text>x</text></a><set attributeName="href" to="javascript:y"/></svg>',
            ["unsafe javascript URL in <a xlink:href>: javascript:x", "unsafe javascript URL in <set to>: javascript:y"],
        ),
        (
            '<svg><image href="https://e.example/i.png"/><use href="//e.example/s.svg#a"/></svg>',
            [
                "<image href> loads from another origin: https://e.example/i.png",
                "<use href> loads from another origin: //e.example/s.svg#a",
            ],
        ),
        # The scan reads the document as a browser does (an HTML5 parser).
        ("<!--><img src=x onerror=alert(1)>-->", ["event handler attribute on <img>: onerror"]),
        ("<!-- --!><script>alert(1)</script> -->", ["script that is not the theme's: inline <script>"]),
        ("<![CDATA[ ><script>alert(1)</script> ]]>", ["script that is not the theme's: inline <script>"]),
        ('<script type="application/ld+json">{}</script x><script>alert(1)</script>', ["script that is not the theme's: inline <script>"]),
        ("<svg><style><img src=x onerror=alert(1)></style></svg>", ["event handler attribute on <img>: onerror"]),
        ('<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>', ["event handler attribute on <img>: onerror"]),
        ('<noscript><a title="</noscript>" href=javascript:x>y</a></noscript>', ["unsafe javascript URL in <a href>: javascript:x"]),
        ('<title/><a title="</title><img src=x onerror=alert(1)>">', ["event handler attribute on <img>: onerror"]),
        ("<template><p><img src=//e.example/x></template>", ["<img src> loads from another origin: //e.example/x"]),
        ("<a\x00 onmouseover=alert(1)>x</a>", ["event handler attribute on <a\ufffd>: onmouseover"]),
        # What a browser drops or reads as text is dropped or text; raw text never closed is reported.
        ("<p>ok</p><a href=javascript:x", []),
        ("<!-- never closed <script>alert(1)</script>", []),
        ("<![foo[ <img src=x onerror=y>", []),  # a bogus comment up to the first ">"
        ("<textarea><img src=x onerror=y></textarea><xmp><img src=x onerror=y></xmp>", []),
        (
            "<script>alert(1)",
            [
                "script that is not the theme's: inline <script>",
                "<script> is never closed: a browser reads the rest of the file as part of it",
            ],
        ),
        ("<p><textarea>\n<img src=x onerror=y>", ["<textarea> is never closed: a browser reads the rest of the file as part of it"]),
        ("&lt;script&gt;alert(1)&lt;/script&gt; a < b", []),
    ],
)
def test_scan_html(html: str, expected: list[str]) -> None:
    assert [f.message for f in scan_html(html, BASE, DOC).result()] == expected


def test_scan_css() -> None:
    css = """\
/* url(https://commented.example/out.png) */
@import "https://i.example/a.css";
@import url('/local.css');
@namespace svg url(http://www.w3.org/2000/svg);
a { background: u\\72l(https://escaped.example/x.png); }
b { background: image-set("https://s.example/x.png" 1x, "/y.png" 2x); }
c { background: url("javascript:alert(1)") url(javascript:alert(1)); }
d { background: url(data:image/png;base64,AAAA) url(/ok.png) url(https://example.org/same.png); }
"""
    assert scan_css(css, BASE) == [
        Finding(2, "CSS @import loads from another origin: https://i.example/a.css"),
        Finding(5, "CSS url() loads from another origin: https://escaped.example/x.png"),
        Finding(6, "CSS image-set() loads from another origin: https://s.example/x.png"),
        Finding(7, "unsafe URL in CSS url(): javascript:alert(1)"),
    ]


def test_scan_lines_and_limit() -> None:
    html = "<p>\n" + "<img src=x onerror=a>\n" * 25
    findings = scan_html(html, BASE, DOC).result()
    assert findings[0] == Finding(2, "event handler attribute on <img>: onerror")
    assert findings[19].line == 21
    assert findings[20:] == [Finding(22, "5 more problems in this file not listed")]


@pytest.mark.parametrize(
    "unit",
    [
        "<",
        "<a ",
        "<a x='",
        "<a\x00",
        "<meta http-equiv=refresh content='" + " " * 1000,
        '<a x="',
        "<a =",
        "<a/",
        "<!--",
        "<!-- >",
        "</",
        "</script x",
        "<![CDATA[",
        "<?",
        "<script>",
        "<title>",
        "<style><title><xmp>",
        "<img src=x onerror=a>",
        "&#",
        "&amp",
        # Deep nesting: the HTML5 tree builder walks the stack of open elements (refused past 1024).
        "<div>",
        "<ul>",
        "<span><div></span>",
        "<div><object></div></object>",
        "<b><div></b>",
        "<svg><g>",
        "<template>",
    ],
)
def test_scan_is_linear_on_hostile_html(unit: str) -> None:
    small, large = (
        seconds(lambda: scan_html(unit * (25_000 // len(unit)), BASE, DOC)),
        seconds(lambda: scan_html(unit * (100_000 // len(unit)), BASE, DOC)),
    )
    assert large < max(1.0, 10 * small)  # 4 times the input: 4 times the time (quadratic: 16 times)


@pytest.mark.parametrize("unit", ["url(", 'url("', "/*", "@import ", "@namespace ", "image-set(", "\\", "url(https://e.example/x)\n"])
def test_scan_is_linear_on_hostile_css(unit: str) -> None:
    small, large = (
        seconds(lambda: scan_css(unit * (25_000 // len(unit)), BASE)),
        seconds(lambda: scan_css(unit * (100_000 // len(unit)), BASE)),
    )
    assert large < max(1.0, 10 * small)


def seconds(run: Callable[[], object]) -> float:
    """Best of three CPU timings (the machine may be busy)."""
    times = []
    for _ in range(3):
        started = time.process_time()
        run()
        times.append(time.process_time() - started)
    return min(times)


def test_check_output_reads_the_base_url_from_robots_txt() -> None:
    page = b'<script src="/docs/assets/site.js"></script><img src="https://example.org/docs/i.png"><script src="/assets/x.js"></script>'
    diags = Diagnostics()
    check_output({"robots.txt": b"Sitemap: https://example.org/docs/sitemap.xml\n", "x/index.html": page}, diags)
    assert diags.items == [Diagnostic("x/index.html", 1, "script that is not the theme's: /assets/x.js", "error", "output-safety")]
    # Without it, any absolute URL is foreign and the theme's folders may be anywhere.
    diags = Diagnostics()
    check_output({"x/index.html": page}, diags, sources={"x/index.html": "content/pages/x.md"})
    assert [d.format() for d in diags.items] == [
        "content/pages/x.md: <img src> loads from another origin: https://example.org/docs/i.png (x/index.html line 1)",
    ]


def test_github_escapes_the_file_property() -> None:
    assert Diagnostic("static/a,b.css", 1, "m").github() == "::error file=static/a%2Cb.css,line=1::m"


def test_a_page_missing_its_dates_does_not_break_the_feed_in_check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite
) -> None:
    """``check`` with errors still renders the feed (a page without ``last_reviewed`` is left out of
    it), so the feed link in every page's header is not reported as broken."""
    site = make_site(tmp_path, {"content/conditions/bad.md": "---\ntitle: Bad\nsummary: x\nregion: lumbar\n---\nText\n"})
    code, _out, err = run_cli(capsys, "check", site)
    assert code == 1
    problems = [line for line in err.splitlines() if not line.startswith(("Reading grade", "Note:", "Failed:"))]
    assert problems == [
        "content/conditions/bad.md:2: missing required key 'last_reviewed'",
        "content/conditions/bad.md:2: missing required key 'next_review'",
        "content/conditions/bad.md:2: missing required key 'reviewed_by'",
        "content/conditions/bad.md:2: missing required key 'sources'",
        "content/conditions/bad.md:2: missing required key 'spine_levels'",
    ]
