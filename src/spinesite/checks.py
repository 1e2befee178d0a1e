"""Checks on the built output (every build) and on the content (``spinesite check``).

- :func:`check_output` runs in every build: no resource from another origin, no script
  that is not the theme's, no event handler attribute, no ``javascript:`` URL (errors).
- :func:`check_content` runs in ``spinesite check`` only: reading grade, review dates,
  pages nothing links to, images without alt text, broken links and ``#anchors``.

Each check is a small function returning diagnostics; problems in the HTML of a content
page are reported at its source file, with the output file and line at the end of the
message: ``content/pages/about.md: <img src> loads from another origin: //x/a.png (about/index.html line 10)``.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .diagnostics import Diagnostic, Diagnostics
from .htmlscan import Finding, Scan, SiteBase, scan_css, scan_html, show, site_path
from .model import Page
from .prescreen import cannot_flag
from .readability import fk_grade, prose_of_markdown, words

if TYPE_CHECKING:
    from .build import BuildResult

SAFETY = "output-safety"  # Diagnostic.code of the checks every build runs
HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".svg")
# Front-matter fields a reader sees as prose, by content type (as in tests/test_content.py).
PROSE_FIELDS = {
    "conditions": ("symptoms", "non_urgent", "diagnosis", "outlook", "prevention", "faq"),
    "stretches": ("starting_position", "steps", "stop_if", "illustration"),
    "treatments": ("benefits", "risks", "guidelines"),
}
PROSE_KEYS = ("question", "answer", "says", "alt")
NOT_ORPHANS = ("glossary",)


# ----------------------------------------------------------------------------- every build


def check_output(
    files: Mapping[str, bytes],
    diags: Diagnostics,
    *,
    base_url: str | None = None,
    sources: Mapping[str, str] | None = None,
) -> None:
    """Safety checks on every HTML, SVG and CSS file of the output (errors).

    ``base_url`` defaults to the one in the generated robots.txt; ``sources`` maps output
    paths of content pages to their source files (``about/index.html`` → ``content/pages/about.md``).
    """
    base = SiteBase.from_url(base_url if base_url is not None else base_url_of(files))
    for out in sorted(files):
        if out.endswith(HTML_SUFFIXES):
            text = _text(files[out])
            if cannot_flag(text, base.path):
                continue
            findings = scan_html(text, base, base.doc_url(out)).result()
        elif out.endswith(".css"):
            scan = Scan()
            for f in scan_css(_text(files[out]), base):
                scan.add(f.line, f.message)
            findings = scan.result()
        else:
            continue
        diags.extend(located(out, f, sources or {}, "error", SAFETY) for f in findings)


def base_url_of(files: Mapping[str, bytes]) -> str | None:
    """The site's base URL, read back from the generated robots.txt (``Sitemap: <base>sitemap.xml``)."""
    for line in _text(files.get("robots.txt", b"")).splitlines():
        if line.startswith("Sitemap:") and line.endswith("sitemap.xml"):
            return line[len("Sitemap:") : -len("sitemap.xml")].strip()
    return None


def located(out: str, f: Finding, sources: Mapping[str, str], level: Any, code: str) -> Diagnostic:
    """A finding in output file ``out``: at the source file when there is one, else at ``out:line``."""
    if out in sources:
        return Diagnostic(sources[out], 0, f"{f.message} ({out} line {f.line})", level, code)
    return Diagnostic(out, f.line, f.message, level, code)


def relocate(diags: Diagnostics, sources: Mapping[str, str]) -> None:
    """Move safety diagnostics reported at a content page's output file to its source file."""
    diags.items = [
        located(d.path, Finding(d.line, d.message), sources, d.level, d.code) if d.code == SAFETY and d.path in sources else d
        for d in diags.items
    ]


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


# ----------------------------------------------------------------------------- spinesite check


def check_content(result: BuildResult, today: dt.date) -> dict[str, float] | None:
    """Run every content check on a build result; returns the reading grade of each page.

    They run once the site builds without errors (None otherwise): a page that failed to
    load or a reference that did not resolve would only echo as orphans and broken links.
    """
    graph, config, diags = result.graph, result.config, result.diagnostics
    if graph is None or config is None:
        return None
    sources = {p.output_path: p.rel for p in graph.pages}
    relocate(diags, sources)
    if diags.errors:
        return None
    limits = config.checks
    grades = reading_grades(graph.pages)
    diags.extend(reading_warnings(grades, limits["reading_grade"]))
    diags.extend(review_dates(graph.pages, today, limits["review_warn_days"]))
    if limits["orphans"]:
        diags.extend(orphans(graph.pages, result.linked))
    if result.files:
        base = SiteBase.from_url(config.base)
        diags.extend(markdown_images(graph.pages, base))
        diags.extend(built_pages(result.files, base, sources))
    return grades


def check_today() -> dt.date:
    """SOURCE_DATE_EPOCH when set (reproducible runs and tests), else today's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()


def page_prose(page: Page) -> str:
    """What a reader reads on a page: title, summary, prose fields and the body, as sentences."""
    parts = [page.title, str(page.data.get("summary", ""))]
    for name in PROSE_FIELDS.get(page.kind, ()):
        value = page.data.get(name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                parts += [str(item[k]) for k in PROSE_KEYS if item.get(k)]
            elif isinstance(item, str):
                parts.append(item)
    blocks = [*(_sentence(p) for p in parts), prose_of_markdown(page.body or "")]
    return "\n\n".join(b for b in blocks if b)


def _sentence(text: str) -> str:
    text = prose_of_markdown(text).strip()
    return text if not text or text[-1] in ".!?" else text + "."


def reading_grades(pages: Iterable[Page]) -> dict[str, float]:
    """Flesch–Kincaid grade of every page that has words, by source file."""
    grades = {}
    for page in pages:
        prose = page_prose(page)
        if words(prose):
            grades[page.rel] = fk_grade(prose)
    return grades


def reading_warnings(grades: Mapping[str, float], limit: int) -> list[Diagnostic]:
    return [
        Diagnostic(
            rel,
            0,
            f"reading grade {grade:.1f} is above {limit} (checks.reading_grade); use shorter sentences and everyday words",
            "warning",
            "reading-grade",
        )
        for rel, grade in grades.items()
        if grade > limit
    ]


def grade_summary(grades: Mapping[str, float], limit: int) -> str:
    values = sorted(grades.values())
    if not values:
        return "Reading grade: no pages with text."
    n = len(values)
    return f"Reading grade: min {values[0]:.1f}, median {statistics.median(values):.1f}, max {values[-1]:.1f} over {n} page{'s' * (n != 1)} (warn above {limit})."


def review_dates(pages: Iterable[Page], today: dt.date, warn_days: int) -> list[Diagnostic]:
    """Error once ``next_review`` has passed; warning within ``warn_days`` before it."""
    out = []
    for page in pages:
        due = page.data.get("next_review")
        if not isinstance(due, dt.date):
            continue
        line, days = page.parsed.line(("next_review",)), (due - today).days
        if days < 0:
            out.append(Diagnostic(page.rel, line, f"review overdue since {due.isoformat()}", "error", "review"))
        elif days <= warn_days:
            when = "today" if days == 0 else f"in {days} day{'s' * (days != 1)}"
            out.append(Diagnostic(page.rel, line, f"review due on {due.isoformat()} ({when})", "warning", "review"))
    return out


def orphans(pages: list[Page], linked: Mapping[str, set[str]]) -> list[Diagnostic]:
    """Pages no other page links to (front-matter references either way, body links,
    parent/child, footer menu). Glossary terms and the home page are left out."""
    reached: set[str] = set()
    for page in pages:
        for refs in page.refs.values():
            if refs:  # the referenced page links back ("Recommended for", "Part of")
                reached.add(page.rel)
            reached.update(r.rel for r in refs)
        reached.update(t for t in linked.get(page.rel, ()) if t != page.rel)
        if page.parent is not None or page.children:
            reached.add(page.rel)
        if page.kind == "pages" and page.data.get("menu") is not None:
            reached.add(page.rel)
    out = []
    for page in pages:
        if page.rel in reached or page.kind in NOT_ORPHANS or page.url == "/":
            continue
        menu = " and it is not in the footer menu" if page.kind == "pages" else ""
        out.append(Diagnostic(page.rel, 0, f"no other page links to this page{menu}", "warning", "orphan"))
    return out


def markdown_images(pages: Iterable[Page], base: SiteBase) -> list[Diagnostic]:
    """Images written in Markdown with empty alt text, e.g. ``![](x.png)``, at their line."""
    out = []
    for page in pages:
        blocks: list[tuple[str, str, int]] = [(page.html, page.body or "", page.body_line)]
        for name in ("diagnosis", "outlook"):
            if isinstance(page.fields_html.get(name), str):
                blocks.append((page.fields_html[name], str(page.data.get(name, "")), page.parsed.line((name,))))
        for i, html in enumerate(page.fields_html.get("faq") or []):
            blocks.append((html, str(page.data["faq"][i]["answer"]), page.parsed.line(("faq", i, "answer"))))
        for html, source, first_line in blocks:
            if "<img" not in html:
                continue
            for _, src, alt in scan_html(html, base, base.doc_url(page.output_path)).images:
                if alt is not None and not alt.strip():
                    line = _line_of(source, _written(src, base), first_line)
                    out.append(Diagnostic(page.rel, line, f"image without alt text: {show(src)}; describe it in ![...]", "error", "alt"))
    return out


def _written(src: str, base: SiteBase) -> str:
    """``src`` as the author probably wrote it (before the base path was added)."""
    return "/" + src[len(base.path) :] if base.path != "/" and src.startswith(base.path) else src


def _line_of(text: str, needle: str, first_line: int) -> int:
    idx = text.find(needle) if needle else -1
    return first_line + text.count("\n", 0, idx) if idx >= 0 else 0


def built_pages(files: Mapping[str, bytes], base: SiteBase, sources: Mapping[str, str]) -> list[Diagnostic]:
    """``<img>`` without ``alt``, and links to pages, files or ``#ids`` that are not in the output."""
    scans: dict[str, Scan] = {}
    for out in sorted(files):
        if out.endswith(HTML_SUFFIXES[:3]):
            scans[out] = scan_html(_text(files[out]), base, base.doc_url(out))
    out_diags: list[Diagnostic] = []
    for out, scan in scans.items():
        for line, src, alt in scan.images:
            if alt is None:
                out_diags.append(located(out, Finding(line, f"<img> without alt text: {show(src)}"), sources, "error", "alt"))
        for line, url in scan.links:
            problem = _broken(url, out, files, scans, base)
            if problem:
                out_diags.append(located(out, Finding(line, f"broken link {show(url)}: {problem}"), sources, "error", "link"))
    return out_diags


def _broken(url: str, out: str, files: Mapping[str, bytes], scans: Mapping[str, Scan], base: SiteBase) -> str | None:
    """Why a same-site URL does not resolve in the output, or None."""
    where = site_path(url, base, base.doc_url(out))
    if where is None:
        return None  # another site, mailto:, ...
    path, fragment = where
    if path.startswith("pagefind/"):
        return None  # the search index is written after the checks
    target = path + "index.html" if path == "" or path.endswith("/") else path
    if target not in files:
        if target + "/index.html" not in files:
            return "no such page or file in the built site"
        target += "/index.html"
    if fragment and fragment.lower() != "top" and target in scans and fragment not in scans[target].ids:
        return f'no id="{show(fragment)}" in {target}'
    return None
