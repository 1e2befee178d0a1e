"""The pre-screen may only skip documents in which the full safety scan finds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spinesite.build import build
from spinesite.htmlscan import SiteBase, scan_html
from spinesite.prescreen import cannot_flag

BASE = SiteBase.from_url("https://example.org/")
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
    "<style>@import url(https://x.example/a.css)</style>",
    '<div style="background:url(https://x.example/y.png)">x</div>',
    "<iframe src=https://x.example></iframe>",
    '<svg><use href="https://x.example/#a"/></svg>',
    '<svg><image href="https://x.example/a.png"/></svg>',
    '<svg><animate attributeName="href" to="javascript:alert(1)"/></svg>',
    '<meta http-equiv="refresh" content="0;url=https://x.example">',
    '<object data="https://x.example/a.swf"></object>',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<video poster="https://x.example/a.png"></video>',
    "<a\x00 onmouseover=alert(1)>x</a>",
    '<a href="x"onclick="alert(1)">x</a>',
    "<!--><img src=x onerror=alert(1)>-->",
    '<base href="https://x.example/">',
]


def _page(tmp_path: Path) -> str:
    site = Path(__file__).parent / "sites" / "minimal"
    result = build(site, write=False, jobs=1, search=False)
    assert result.ok()
    return result.files["conditions/back-pain/index.html"].decode()


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _page(tmp_path_factory.mktemp("p"))


def test_theme_pages_take_the_fast_path(page: str) -> None:
    assert scan_html(page, BASE, BASE.doc_url("conditions/back-pain/index.html")).result() == []
    assert cannot_flag(page, "/")


@pytest.mark.parametrize("snippet", HOSTILE)
def test_every_hostile_snippet_goes_to_the_full_scan(page: str, snippet: str) -> None:
    doc = page.replace("</main>", snippet + "</main>")
    assert scan_html(doc, BASE, BASE.doc_url("x/index.html")).result(), "the full scan must flag it"
    assert not cannot_flag(doc, "/")


FRAGMENTS = st.sampled_from(
    ["<", ">", '"', "'", "=", " ", "\t", "\n", "&#", "x", ";", ":", "/", "//", "(", ")", "\x00", "-", "!", "?"]
    + ["on", "click", "src", "href", "srcset", "style", "url", "script", "javascript", "data", "img", "a", "link", "rel"]
    + ["stylesheet", "svg", "use", "iframe", "meta", "refresh", "http-equiv", "https", "example", "@import", "base", "&amp;"]
)


@settings(max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(FRAGMENTS, max_size=30))
def test_prescreen_is_sound(page: str, parts: list[str]) -> None:
    """Whatever the full scan would flag, the pre-screen never waves through."""
    doc = page.replace("</main>", "".join(parts) + "</main>")
    if scan_html(doc, BASE, BASE.doc_url("x/index.html")).result():
        assert not cannot_flag(doc, "/")
