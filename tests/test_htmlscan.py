"""The output safety scan (``htmlscan``): one scanner, one rule table, on an HTML5 parser.

- the hostile corpus, put into a real theme page, is reported; the theme's pages are not;
- regressions of the defects of the regex pre-screen that ran before the scan (every URL of
  ``srcset``/``ping``, ``imagesrcset``, unclosed ``<title>``/``<textarea>``) and of the old
  ``<meta http-equiv=refresh>`` reading, through a real build of ``static/evil.html``;
- raw text, ``<noscript>``, ``<template>``: one rule each (see the module docstring);
- property tests over :data:`htmlscan.RULES`: a foreign (or unsafe) URL in any position of any
  URL-bearing attribute is reported; same-site URLs in the same positions are not.
"""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from conftest import MINIMAL, MakeSite, copy_site, error_lines, run_cli
from spinesite.build import build
from spinesite.checks.site import check_output
from spinesite.diagnostics import Diagnostics
from spinesite.output import htmltokens
from spinesite.output.htmlscan import CODE, LOAD, RULES, Finding, Rule, SiteBase, Split, scan_html

BASE = SiteBase.from_url("https://example.org/")
DOC = BASE.doc_url("x/index.html")
HOSTILE = [
    "<img src=x onerror=alert(1)>",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="jav&#97;script:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    "<script>alert(1)</script>",
    '<script src="https://cdn.example/x.js"></script>',
    '<script src="/assets/site.js" onload="x"></script>',
    "<link rel=stylesheet href=https://cdn.example/x.css>",
    '<link rel="alternate stylesheet" href="//cdn.example/x.css">',
    '<img src="//evil.example/a.png" alt="">',
    '<img src="https://evil.example/a.png" alt="">',
    '<img srcset="https://x.example/a.png 1x" alt="">',
    '<img src="/a.png" srcset="/a.png 1x, https://evil.example/b.png 2x" alt="">',
    '<a href="/" ping="/count https://evil.example/p">x</a>',
    '<link rel="preload" as="image" imagesrcset="/a.png 1x, //evil.example/b.png 2x">',
    "<style>@import url(https://x.example/a.css)</style>",
    '<div style="background:url(https://x.example/y.png)">x</div>',
    "<iframe src=https://x.example></iframe>",
    '<svg><use href="https://x.example/#a"/></svg>',
    '<svg><image href="https://x.example/a.png"/></svg>',
    '<svg><animate attributeName="href" to="javascript:alert(1)"/></svg>',
    '<meta http-equiv="refresh" content="0;url=https://x.example">',
    '<meta http-equiv="refresh" content="0 https://x.example">',
    '<object data="https://x.example/a.swf"></object>',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<video poster="https://x.example/a.png"></video>',
    "<a\x00 onmouseover=alert(1)>x</a>",
    '<a href="x"onclick="alert(1)">x</a>',
    "<!--><img src=x onerror=alert(1)>-->",
    '<base href="https://x.example/">',
    "<template><img src=x onerror=alert(1)></template>",
    '<noscript><a title="</noscript>" href=javascript:x>y</a></noscript>',
    "<textarea>never closed",
]


@pytest.fixture(scope="module")
def page() -> str:
    result = build(MINIMAL, write=False, jobs=1, search=False)
    assert result.ok()
    return result.files["conditions/back-pain/index.html"].decode()


def test_theme_pages_are_clean_and_cost_no_line_numbers(page: str) -> None:
    scan = scan_html(page, BASE, BASE.doc_url("conditions/back-pain/index.html"))
    assert scan.result() == []
    assert scan.links and scan.images
    assert scan._starts == {}  # nothing was reported: the start tags were never looked up


@pytest.mark.parametrize("snippet", HOSTILE)
def test_every_hostile_snippet_is_reported(page: str, snippet: str) -> None:
    doc = page.replace("</main>", snippet + "</main>")
    line = page[: page.index("</main>")].count("\n") + 1
    findings = scan_html(doc, BASE, BASE.doc_url("x/index.html")).result()
    assert findings, "the scan must report it"
    assert all(f.line == line for f in findings), findings


# ----------------------------------------------------------------------------- regressions, through a build

EVIL_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
{head}
</head>
<body>
<p>Nothing to see.</p>
{body}
</body>
</html>
"""


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        # The pre-screen looked at the start of an attribute value only: a later srcset or ping
        # entry went unseen and the page built.
        (
            "<title>x</title>",
            '<img src="/a.png" srcset="/a.png 1x, https://evil.example/b.png 2x" alt="">',
            "evil.html:9: <img srcset> loads from another origin: https://evil.example/b.png",
        ),
        (
            "<title>x</title>",
            '<img src="/a.png"\n     srcset="/a.png 480w,\n             /b.png 800w,\n             //evil.example/c.png 1200w" alt="">',
            "evil.html:9: <img srcset> loads from another origin: //evil.example/c.png",
        ),
        (
            "<title>x</title>",
            '<a href="/" ping="/count https://evil.example/p">home</a>',
            "evil.html:9: <a ping> loads from another origin: https://evil.example/p",
        ),
        # imagesrcset was checked by neither.
        (
            '<title>x</title>\n<link rel="preload" as="image" imagesrcset="/a.png 1x, https://evil.example/b.png 2x">',
            "",
            "evil.html:6: <link imagesrcset> loads from another origin: https://evil.example/b.png",
        ),
        # An unclosed <title>/<textarea> passed the pre-screen, the full scan reported it: one rule now.
        ("<title>Evil", "", "evil.html:5: <title> is never closed: a browser reads the rest of the file as part of it"),
        ("<title>x</title>", "<textarea>", "evil.html:9: <textarea> is never closed: a browser reads the rest of the file as part of it"),
        # A refresh delay and URL separated by a space redirect too (HTML standard).
        (
            '<title>x</title>\n<meta http-equiv="refresh" content="0 https://evil.example/">',
            "",
            "evil.html:6: <meta http-equiv=refresh> redirects to another origin: https://evil.example/",
        ),
    ],
    ids=["srcset-later", "srcset-multiline", "ping-later", "imagesrcset", "unclosed-title", "unclosed-textarea", "refresh-space"],
)
def test_static_evil_html_fails_the_build(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make_site: MakeSite, head: str, body: str, expected: str
) -> None:
    site = make_site(tmp_path, {"static/evil.html": EVIL_PAGE.format(head=head, body=body)})
    code, _out, err = run_cli(capsys, "build", site, "-o", tmp_path / "out", "--no-search")
    assert (code, error_lines(err)) == (1, [expected])
    assert not (tmp_path / "out").exists()


def test_the_same_page_without_the_problem_builds(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good = '<img src="/a.png" srcset="/a.png 1x, /b.png 2x" alt=""><a href="/" ping="/count">home</a><textarea>x</textarea>'
    site = copy_site(tmp_path / "site", {"static/good.html": EVIL_PAGE.format(head="<title>x</title>", body=good)})
    code, _out, err = run_cli(capsys, "build", site, "-o", tmp_path / "out", "--no-search")
    assert (code, error_lines(err)) == (0, [])


# ----------------------------------------------------------------------------- one rule each


def messages(doc: str) -> list[str]:
    return [f.message for f in scan_html(doc, BASE, DOC).result()]


@pytest.mark.parametrize(
    "doc",
    [
        "<title>&lt;img src=x onerror=alert(1)&gt;</title>",
        "<title><img src=x onerror=alert(1)></title>",
        "<textarea><img src=x onerror=alert(1)></textarea>",
        "<xmp><script>alert(1)</script></xmp>",
        "<iframe><img src=x onerror=alert(1)></iframe>",
        "<noembed><img src=x onerror=alert(1)></noembed><noframes><img src=x onerror=alert(1)></noframes>",
        "<style>/* <img src=x onerror=alert(1)> */</style>",
        "<!-- <script>alert(1)</script> -->",
    ],
)
def test_raw_text_is_text(doc: str) -> None:
    """As in every browser: the scan does not read markup into raw text or comments."""
    assert messages(doc) == []


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ("<svg><style><img src=x onerror=alert(1)></style></svg>", ["event handler attribute on <img>: onerror"]),
        ("<math><mtext><title><img src=x onerror=alert(1)></title></mtext></math>", []),  # an HTML <title> again
        ("<svg><title><img src=x onerror=alert(1)></title></svg>", ["event handler attribute on <img>: onerror"]),
        ("<noscript><img src=//evil.example/x></noscript>", ["<img src> loads from another origin: //evil.example/x"]),  # scripting off
        ('<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>', ["event handler attribute on <img>: onerror"]),  # on
        ("<template><template><b onclick=x></b></template></template>", ["event handler attribute on <b>: onclick"]),
        (
            '<div><template shadowrootmode="open"><img src=//evil.example/x></template></div>',
            ["<img src> loads from another origin: //evil.example/x"],
        ),
    ],
)
def test_markup_where_a_browser_reads_markup(doc: str, expected: list[str]) -> None:
    assert messages(doc) == expected


@pytest.mark.parametrize("name", ["title", "textarea", "style", "script", "xmp", "iframe", "noembed", "noframes", "noscript"])
def test_raw_text_never_closed_is_reported_whatever_it_holds(name: str) -> None:
    closed = f"<p>\n<{name}>x</{name}>\n<p>"
    unclosed = f"<p>\n<{name}>x\n<p>all the rest"
    inline = ["script that is not the theme's: inline <script>"] if name == "script" else []
    assert messages(closed) == inline
    assert [(f.line, f.message) for f in scan_html(unclosed, BASE, DOC).result()] == [
        *((2, m) for m in inline),
        (2, f"<{name}> is never closed: a browser reads the rest of the file as part of it"),
    ]


def test_lines_of_findings_in_and_after_templates_and_comments() -> None:
    doc = "<!-- <img src=//a> -->\n<template>\n<img src=/ok.png>\n<img src=//evil.example/1>\n</template>\n<img src=//evil.example/2>\n"
    assert scan_html(doc, BASE, DOC).result() == [
        Finding(4, "<img src> loads from another origin: //evil.example/1"),
        Finding(6, "<img src> loads from another origin: //evil.example/2"),
    ]


def test_deep_nesting_is_refused_unparsed() -> None:
    doc = "<p>\n" + "<div>" * 100_000  # Lexbor would take minutes
    assert scan_html(doc, BASE, DOC).result() == [
        Finding(2, "elements nested more than 1024 deep (browsers stop at 512); the file was not checked")
    ]


DEEP = {  # what the HTML5 tree builder nests more than 1024 deep (checked with Lexbor below)
    "div": "<div>" * 5000,
    "list items in lists": "<ol><li>" * 3000,
    "span around div": "<span><div></span>" * 3000,
    "div out of scope": "<div><object></div></object>" * 3000,
    "formatting around div": "<b><div></b>" * 3000,
    "svg": "<svg><g>" * 3000,
    "list item past a list": "<li><ul></li>" * 3000,
    "table in a cell": "<table><td>" * 3000,
    "reconstructed formatting": "".join(f"<div><b id={i}></div>" for i in range(1100)) + "x" + "<p>" * 1100,
    "unclosed b in p": "<p><b>x</p>\n" * 3000,
}
SHALLOW = {  # sloppy but shallow: the standard closes these
    "unclosed li": "<ul>" + "<li><span>x\n" * 5000 + "</ul>",
    "unclosed a in li": "<ul>" + "".join(f"<li><a href=/x{i}>y</li>\n" for i in range(3000)) + "</ul>",
    "unclosed b in td": "<table>" + "<tr><td><b>x</td></tr>\n" * 3000 + "</table>",
    "unclosed td": "<table>" + "<tr><td>a<td>b\n" * 3000 + "</table>",
    "unclosed p": "<p><i>x\n" * 5000,
    "unclosed dt, dd, option": "<dl>" + "<dt>a<dd>b\n" * 3000 + "</dl><select>" + "<option>x" * 3000 + "</select>",
    "font soup": "<font color=red><p>x</font>\n" * 3000,
    "svg paths": "<svg>" + '<path d="M0 0"/>\n' * 5000 + "</svg>",
    "closed": "<p><b>x</b> <i>y</i> <a href=/z>z</a></p>\n" * 3000,
    "button in button": "<p><button><p>" * 3000,
}


def _depth(doc: str) -> int:
    tree = LexborHTMLParser(doc)
    deepest, todo = 0, [(tree.root, 0)]
    while todo:
        node, depth = todo.pop()
        deepest, child = max(deepest, depth), node.child if node else None
        while child is not None:
            todo.append((child, depth + 1))
            child = child.next
    return deepest


@pytest.mark.parametrize(("name", "doc"), [*DEEP.items(), *SHALLOW.items()], ids=[*DEEP, *SHALLOW])
def test_the_depth_guard_agrees_with_the_parser(name: str, doc: str) -> None:
    assert (htmltokens.too_deep(doc) is not None) == (name in DEEP) == (_depth(doc) > 1024)


# ----------------------------------------------------------------------------- the rule table, by property

FOREIGN = [
    "https://evil.example/x",
    "//evil.example/x",
    "HTTPS://EVIL.EXAMPLE/x",
    "//EVIL.example/x",
    "https:evil.example/x",
    "\t//evil.example/x",
    " https://evil.example/x\n",
    "/\\evil.example/x",
]
UNSAFE = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:x", " javascript:x", "vbscript:x", "data:text/html,<b>x</b>"]
SAME_SITE = ["/x", "x.png", "../a/b.png", "https://example.org/x", "?q=1", "#top", "./a%20b.png", "data:image/png;base64,AAAA"]
GENERIC_TAGS = ["img", "div", "span", "video", "audio", "iframe", "embed", "input", "a", "p", "section", "source", "track"]
SVG_TAGS = {"image", "use", "feimage", "animate", "set"}
DESCRIPTORS = ["", " 1x", " 2x", " 480w", " 1.5x"]


@st.composite
def placed(draw: st.DrawFn, urls: list[str], kinds: int) -> tuple[Rule, str]:
    """(rule, page): a URL from ``urls`` in one position of one attribute of RULES whose check
    includes ``kinds``, on line 4 of the page (line 2 for ``<html manifest>``)."""
    rule = draw(st.sampled_from([r for r in RULES if r.check & kinds and r.split is not Split.REFUSED]))
    url = draw(st.sampled_from(urls))
    tag = draw(st.sampled_from(GENERIC_TAGS if rule.tags is None else sorted(rule.tags)))
    if tag == "script" and urls is SAME_SITE:
        url = "/assets/site.js"  # any other script is reported: it is not the theme's
    if rule.split in (Split.SRCSET, Split.SPACES, Split.VALUES):
        if rule.split is not Split.VALUES:  # whitespace splits a list: a URL with some is two
            url = draw(st.sampled_from([u.strip() for u in urls if len(u.split()) == 1]))
        others = ["/a.png", "b.png", "/c/d.png"][: draw(st.integers(0, 3))]
        items = [*others]
        items.insert(draw(st.integers(0, len(others))), url)
        if rule.split is Split.SRCSET:
            value = ", ".join(i + draw(st.sampled_from(DESCRIPTORS)) for i in items)
        else:
            value = (";" if rule.split is Split.VALUES else draw(st.sampled_from([" ", "  ", "\n", "\t"]))).join(items)
    elif rule.split is Split.REFRESH:
        value = draw(st.sampled_from(["0;url={}", "0; URL='{}'", "5, {}", '3;url="{}"', "0 {}", "1.5; url = {}"])).format(url)
    elif rule.split is Split.CSS:
        url = url.replace("\n", "")  # a CSS string cannot hold one
        form = ["background:url({})", "background-image: url('{}')", 'background: image-set("{}" 1x)', "color:red;background:URL({})"]
        if any(c in url for c in "()'\" \t"):  # not allowed in an unquoted url()
            form = ['background:url("{}")']
        value = draw(st.sampled_from(['url("{}")'] if rule.attr != "style" else form)).format(url.replace("\\", "\\\\"))  # CSS escape
    else:
        value = url
    attrs = [(rule.attr, value)]
    if rule.when is not None:
        attrs.insert(0, (rule.when[0], draw(st.sampled_from(sorted(rule.when[1])))))
    if tag in ("animate", "set"):
        attrs.insert(0, ("attributeName", "href"))
    markup = "".join(f" {name}={_quoted(draw, v)}" for name, v in attrs)
    if tag == "html":
        return rule, f"<!DOCTYPE html>\n<html{markup}>\n<body><p>x</p></body></html>"
    element = f"<{tag}{markup}>" + ("" if tag in ("img", "input", "embed", "source", "track", "link", "meta", "base") else f"</{tag}>")
    if tag in SVG_TAGS or (tag == "script" and draw(st.booleans())):
        element = f"<svg><filter>{element}</filter></svg>" if tag == "feimage" else f"<svg>{element}</svg>"
    return rule, f"<!DOCTYPE html>\n<html><head><title>t</title></head>\n<body>\n<p>x</p>{element}\n</body></html>"


def _quoted(draw: st.DrawFn, value: str) -> str:
    """``value`` as an attribute value: quoted either way or not at all, some characters as references."""
    encoded = "".join(f"&#{ord(c)};" if c.isalnum() and draw(st.integers(0, 9)) == 0 else html.escape(c) for c in value)
    quote = draw(st.sampled_from(['"', "'", ""]))
    if not quote and all(c not in encoded for c in " \t\n\"'=<>`") and encoded:
        return encoded
    quote = quote or '"'
    return quote + encoded + quote


PROPERTY = settings(max_examples=300, derandomize=True, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def output_findings(doc: str) -> list[Finding]:
    """What the check every build runs on the output reports for ``doc`` (as x/index.html)."""
    diags = Diagnostics()
    check_output({"x/index.html": doc.encode()}, diags, base_url="https://example.org/")
    return [Finding(d.line, d.message) for d in diags.items]


@PROPERTY
@given(placed(FOREIGN, LOAD))
def test_every_foreign_url_position_is_reported(case: tuple[Rule, str]) -> None:
    rule, doc = case
    findings = output_findings(doc)
    assert findings and all(f.line == (2 if rule.attr == "manifest" else 4) for f in findings), (doc, findings)
    assert any("another origin" in f.message for f in findings), (doc, findings)


@PROPERTY
@given(placed(UNSAFE, CODE))
def test_every_unsafe_url_position_is_reported(case: tuple[Rule, str]) -> None:
    _rule, doc = case
    assert any(f.message.startswith("unsafe ") for f in output_findings(doc)), doc


@PROPERTY
@given(placed(SAME_SITE, LOAD | CODE))
def test_same_site_urls_in_the_same_positions_are_not_reported(case: tuple[Rule, str]) -> None:
    _rule, doc = case
    assert output_findings(doc) == [], doc


FRAGMENTS = st.sampled_from(
    ["<", ">", '"', "'", "=", " ", "\t", "\n", "&#", "x", ";", ":", "/", "//", "(", ")", "\x00", "-", "!", "?"]
    + ["on", "click", "src", "href", "srcset", "ping", "style", "url", "script", "javascript", "data", "img", "a", "link", "rel"]
    + ["stylesheet", "svg", "use", "iframe", "meta", "refresh", "http-equiv", "https", "example", "@import", "base", "&amp;"]
    + ["<template>", "</template>", "<noscript>", "</noscript>", "<title>", "</title>", "<textarea>", "<svg>", "</svg>", "<math>"]
    + ["<!--", "-->", "<![CDATA[", "]]>", "<img src=//evil.example/x ", "<a onclick=x>", "<style>", "</style>", "<table>", "<b>"]
)


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(st.lists(FRAGMENTS, max_size=40))
def test_any_markup_is_scanned_and_every_line_is_in_the_file(parts: list[str]) -> None:
    doc = "".join(parts)
    scan = scan_html(doc, BASE, DOC)
    lines = doc.count("\n") + 1
    assert all(1 <= f.line <= lines for f in scan.result()), scan.result()
    assert all(1 <= scan.line(at) <= lines for at, _url in scan.links)
