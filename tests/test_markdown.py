"""Markdown → sanitised HTML: link rewriting, broken links with their line, glossary links,
the sanitiser, and the guards against pathological input (shape check, time budget)."""

from __future__ import annotations

import inspect
import signal
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import copy_site, fm, page
from spinesite.build import build
from spinesite.content.graph import SiteGraph
from spinesite.content.model import Page
from spinesite.diagnostics import Diagnostics
from spinesite.render import markdown as markdown_module
from spinesite.render.markdown import MAX_NESTING, Renderer, sanitise, shape_problem
from workmeter import watch_markdown


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> SiteGraph:
    site = copy_site(
        tmp_path_factory.mktemp("md") / "site",
        {
            "content/causes/bridge.md": fm("causes", "Bridge cause"),  # same slug as the stretch
            "content/conditions/back-pain.md": page(
                "conditions", "Back pain", extra="stretches: [bridge]\ncauses: [disc-wear, bridge]\ntreatments: [keep-active]\n"
            ),
            "content/pages/wip.md": page("pages", "Work in progress", extra="draft: true\n"),
            "content/pages/broken.md": "---\ntitle: [\n---\n",
        },
    )
    result = build(site, write=False, jobs=1)
    assert [d.format() for d in result.diagnostics.sorted()] == [
        "content/pages/broken.md:2: the '[' at column 8 starts a list that is never closed: add the missing ']', "
        "or if the '[' is part of the text, write title: \"[\""
    ]
    assert result.graph is not None
    return result.graph


def render(graph: SiteGraph, body: str, base_path: str = "/", budget: float = 10.0, body_line: int = 11) -> tuple[str, list[str]]:
    """Render ``body`` as the About page's body: (html, diagnostics)."""
    diags = Diagnostics()
    about = graph.get("pages", "about")
    assert about is not None
    page = Page(about.kind, about.slug, about.rel, about.url, about.data, body, body_line, about.parsed)
    Renderer(graph, diags, base_path, budget).render_page(page)
    return page.html, [d.format() for d in diags.sorted()]


@pytest.mark.parametrize(
    ("link", "url"),
    [
        ("../stretches/bridge.md", "/stretches/bridge/"),
        ("../stretches/bridge.md#steps", "/stretches/bridge/#steps"),
        ("/content/stretches/bridge.md", "/stretches/bridge/"),
        ("keep-active.md", "/treatments/keep-active/"),
        ("disc-wear.md#why", "/causes/disc-wear/#why"),
        ("about.md", "/about/"),
        ("/stretches/bridge/", "/stretches/bridge/"),
        ("/stretches/bridge", "/stretches/bridge/"),
        ("<../glossary/foramen.md>", "/glossary/foramen/"),
        ("https://www.nhs.uk/", "https://www.nhs.uk/"),
        ("mailto:team@example.org", "mailto:team@example.org"),
        ("#top", "#top"),
    ],
)
def test_links_by_path_slug_and_url(graph: SiteGraph, link: str, url: str) -> None:
    html, diags = render(graph, f"See [it]({link}).\n")
    assert diags == []
    assert f'<a href="{url}">it</a>' in html


def test_links_use_the_base_path(graph: SiteGraph) -> None:
    html, diags = render(graph, "[a](../stretches/bridge.md) ![b](/images/bridge.svg)\n", base_path="/docs/")
    assert diags == []
    assert '<a href="/docs/stretches/bridge/">a</a>' in html and 'src="/docs/images/bridge.svg"' in html


def test_broken_links_are_errors_with_their_line(graph: SiteGraph) -> None:
    body = "Intro.\n\nSee [a](../stretches/nope.md).\n\nAnd [b](../causes/keep-active.md) and [c](/nowhere/).\n\n[d](bridge.md)\n\n[e](wip.md) [f](broken.md)\n"
    html, diags = render(graph, body, body_line=20)
    assert diags == [
        "content/pages/about.md:22: broken link '../stretches/nope.md': no such page (link to a page by its file, e.g. ../stretches/bridge.md)",
        "content/pages/about.md:24: broken link '../causes/keep-active.md': no such page (link to a page by its file, e.g. ../stretches/bridge.md)",
        "content/pages/about.md:24: broken link '/nowhere/': no such page (link to a page by its file, e.g. ../stretches/bridge.md)",
        "content/pages/about.md:26: ambiguous link 'bridge.md': several pages are called 'bridge' (content/stretches/bridge.md, content/causes/bridge.md); link by path, e.g. ../stretches/bridge.md",
        "content/pages/about.md:28: warning: link 'wip.md' goes to a draft (content/pages/wip.md), so it is plain text until the draft is published",
    ]  # broken.md did not load: its own YAML error is enough
    assert 'href="../stretches/nope.md"' in html


def test_links_in_front_matter_fields_use_their_own_lines(tmp_path: Path) -> None:
    condition = page(
        "conditions",
        "Back pain",
        extra="faq:\n  - question: Q?\n    answer: See [x](nope.md).\ndiagnosis: |\n  Text.\n  [y](../stretches/bridge.md) [z](gone.md)\n",
    )
    site = copy_site(tmp_path / "site", {"content/conditions/back-pain.md": condition})
    result = build(site, write=False, jobs=1)
    broken = "no such page (link to a page by its file, e.g. ../stretches/bridge.md)"
    assert [d.format() for d in result.diagnostics.sorted()] == [
        f"content/conditions/back-pain.md:14: broken link 'nope.md': {broken}",
        f"content/conditions/back-pain.md:17: broken link 'gone.md': {broken}",
    ]


def test_glossary_terms_are_linked_once(graph: SiteGraph) -> None:
    html, diags = render(graph, "The neural foramen is small. A foramen again.\n\n`foramen` in code.\n")
    assert diags == []
    assert html.count('class="glossary-link"') == 1
    assert '<a class="glossary-link" href="/glossary/foramen/">neural foramen</a>' in html


# ----------------------------------------------------------------------------- sanitiser

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<iframe src="https://evil.example"></iframe>',
    "<img src=x onerror=alert(1)>",
    '<a href="JaVaScRiPt:alert(1)">a</a>',
    '<a href="java&#x09;script:alert(1)">b</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">c</a>',
    "[d](javascript:alert(1))",
    "[e](JaVaScRiPt:alert(1))",
    "[f](data:text/html,<script>alert(1)</script>)",
    '<div onclick="alert(1)" style="x">g</div>',
    "<svg><script>alert(1)</script></svg>",
    "<object data=x></object><embed src=x>",
    '<form action="https://evil.example"><input name=q></form>',
    "<style>body{display:none}</style>",
    '<a href="vbscript:msgbox(1)">h</a>',
    "<!-- comment --><base href=//evil.example>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
]


@pytest.mark.parametrize("snippet", HOSTILE)
def test_sanitiser_neutralises(graph: SiteGraph, snippet: str) -> None:
    html, _diags = render(graph, f"Text.\n\n{snippet}\n\nMore {snippet} inline.\n")
    lowered = html.lower()
    for bad in (
        "<script",
        "<iframe",
        "onerror",
        "onclick",
        "javascript:",
        "java&#x09;script",
        "data:text/html",
        "vbscript:",
        "<object",
        "<embed",
        "<form",
        "<style",
        "<base",
        "<meta",
        "style=",
        "<!--",
    ):
        assert bad not in lowered, (bad, html)


def test_sanitiser_warns_about_changed_raw_html(graph: SiteGraph) -> None:
    _html, diags = render(graph, "Hi.\n\n<script>alert(1)</script>\n", body_line=30)
    assert diags == [
        "content/pages/about.md:32: warning: raw HTML was changed by the sanitiser (scripts, event handlers and unsafe URLs are removed); use Markdown instead"
    ]


def test_sanitiser_keeps_safe_markup() -> None:
    safe = '<p>A <a href="https://x.org/">link</a>, <em>em</em>, <img src="/a.png" alt="a"></p>'
    assert sanitise(safe) == safe


def test_body_is_never_a_template(graph: SiteGraph) -> None:
    html, diags = render(graph, "{{ 7*7 }} {% if true %}yes{% endif %} {# c #} ${HOME}\n")
    assert diags == []
    assert "{{ 7*7 }} {% if true %}yes{% endif %} {# c #} ${HOME}" in html
    assert "49" not in html


# ----------------------------------------------------------------------------- pathological input


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("x\n\n" + "[" * 8000, 2, "paragraph has too much Markdown markup (more than 500 '[' characters); split it up or simplify it"),
        ("*a" * 80000, 0, "paragraph has too much Markdown markup (more than 20000 '*' characters); split it up or simplify it"),
        ("<a" * 10001, 0, "paragraph has too much Markdown markup (more than 10000 '<' characters); split it up or simplify it"),
        (
            "x\n" + "> " * 5000 + "deep",
            1,
            f"Markdown is nested too deeply (more than {MAX_NESTING} levels of quotes or lists); simplify this text",
        ),
        (
            "".join("  " * i + "- x\n" for i in range(1000)),
            50,
            f"Markdown is nested too deeply (more than {MAX_NESTING} levels of quotes or lists); simplify this text",
        ),
        ("- " * 1000 + "x", 0, f"Markdown is nested too deeply (more than {MAX_NESTING} levels of quotes or lists); simplify this text"),
        ("".join(f"*[A{i}]: x\n" for i in range(400)), 300, "too many abbreviation definitions (more than 300)"),
    ],
    ids=["brackets", "emphasis", "angles", "quotes", "deep-list", "one-line-list", "abbreviations"],
)
def test_shape_check(monkeypatch: pytest.MonkeyPatch, text: str, line: int, message: str) -> None:
    lines_read = count_calls(monkeypatch, markdown_module, "_indent")  # once per non-blank line the line scan reads
    assert shape_problem(text) == (line, message)
    # Work, not time: the line scan stops at the first offence (here always on the reported line), not at the end.
    assert lines_read == [1] * sum(1 for text_line in text.split("\n")[: line + 1] if text_line.strip())


def count_calls(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[int]:
    """Replace ``module.name`` with a wrapper that appends 1 to the returned list on each call."""
    calls: list[int] = []
    real = getattr(module, name)

    def counted(*args: object) -> object:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(module, name, counted)
    return calls


@pytest.mark.parametrize(
    "text",
    [
        "Normal *text* with [a link](x.md) and `code`.\n\n" * 2000,
        "".join("    " * i + "- item\n" for i in range(MAX_NESTING)),
        "> " * MAX_NESTING + "quote",
        "| a | b |\n|---|---|\n" + "| [x](y.md) | *z* |\n" * 400,
    ],
    ids=["long", "nested-at-limit", "quotes-at-limit", "table"],
)
def test_shape_check_lets_real_text_through(text: str) -> None:
    assert shape_problem(text) is None


def test_pathological_body_fails_fast_with_the_file_name(monkeypatch: pytest.MonkeyPatch, graph: SiteGraph) -> None:
    work = watch_markdown(monkeypatch)
    html, diags = render(graph, "Intro.\n\n" + "[" * 8000 + "\n", body_line=11)
    assert diags == [
        "content/pages/about.md:13: paragraph has too much Markdown markup (more than 500 '[' characters); split it up or simplify it"
    ]
    assert html == ""
    assert work.converted == []  # fast because Python-Markdown (seconds on this text) never ran


def test_time_budget_stops_slow_markdown(monkeypatch: pytest.MonkeyPatch, graph: SiteGraph) -> None:
    # No real text is slow on every machine: the third paragraph stalls until the budget's alarm
    # interrupts it, so the budget expires at a known step however fast or busy the machine is.
    work = watch_markdown(monkeypatch, stall_at="STALL")
    body = "One.\n\nTwo.\n\nSTALL here.\n\nFour, [a broken link](nowhere.md).\n\nFive.\n"
    assert shape_problem(body) is None
    html, diags = render(graph, body, budget=0.5)
    # The link after the stall was never checked (the links run after the whole text is parsed).
    assert diags == ["content/pages/about.md:11: Markdown took longer than 0.5 s to render; simplify this text (limits.markdown_seconds)"]
    assert html == ""
    assert work.paragraphs == ["One.", "Two.", "STALL here."]  # rendering stopped at the stalled step
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # and no alarm is left pending


def test_time_budget_leaves_an_outer_alarm_alone(graph: SiteGraph) -> None:
    import signal

    fired: list[int] = []
    old = signal.signal(signal.SIGALRM, lambda *_: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        render(graph, "Short.\n")
        time.sleep(0.7)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert fired == [1]


def test_recursion_error_becomes_a_diagnostic(graph: SiteGraph) -> None:
    body = "".join("    " * i + "- item\n" for i in range(MAX_NESTING))  # fine by the shape check
    about = graph.get("pages", "about")
    assert about is not None
    diags = Diagnostics()
    renderer = Renderer(graph, diags)
    test_page = Page(about.kind, about.slug, about.rel, about.url, about.data, body, 11, about.parsed)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 60)
    try:
        renderer.render_page(test_page)
    finally:
        sys.setrecursionlimit(old)
    assert [d.format() for d in diags.sorted()] == [
        "content/pages/about.md:11: Markdown is nested too deeply to render (quotes or lists inside each other)"
    ]


@pytest.mark.parametrize(
    ("raw", "warned"),
    [("<a href=\"/x/\">x</a>", False), ("<kbd>Ctrl</kbd>", False), ("<span class=\"a\">x</span>", False),
     ("<script>x</script>", True), ("<img src=x onerror=y>", True), ("<a href=\"java&#x09;script:x\">x</a>", True)],
)  # fmt: skip
def test_sanitiser_warning_only_when_something_is_removed(raw: str, warned: bool) -> None:
    from spinesite.render.markdown import sanitiser_removes

    assert sanitiser_removes(raw) is warned


SHAPE_PIECES = ["word ", "> ", "  ", "\t", "- ", "* ", "1. ", "[", "[" * 120, "<", "*", "_" * 50, "`", "\n", "\n\n", "*[A]: b\n"]


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(st.lists(st.tuples(st.sampled_from(SHAPE_PIECES), st.integers(1, 30)), max_size=30))
def test_the_shape_fast_path_never_hides_a_problem(parts: list[tuple[str, int]]) -> None:
    from spinesite.render.markdown import _shape_scan

    text = "".join(piece * n for piece, n in parts)
    assert shape_problem(text) == _shape_scan(text)
