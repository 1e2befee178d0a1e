"""Checks on the built output (every build) and on the content (``spinesite check``).

- :func:`check_output` runs in every build: no resource from another origin, no script
  that is not the theme's, no event handler attribute, no ``javascript:`` URL (errors).
- :func:`site_checks` runs in every build and in ``spinesite check`` alike: review dates
  (a date in the future is an error, an overdue review a warning), pages nothing links to.
  Images without alt text in Markdown are found while the Markdown is rendered (``pagework``).
- :func:`check_content` runs in ``spinesite check`` only, because it is slow on a large site
  (the build says so): reading grade, links and ``#anchors`` between the built pages, ``<img>``
  without ``alt`` in them. Problems are reported at the source line where it can be found.

Both use :func:`spinesite.clock.check_today`: ``SOURCE_DATE_EPOCH`` when set, else the computer's date.

Each check is a small function returning diagnostics; problems in the HTML of a content
page are reported at its source file, with the output file and line at the end of the
message: ``content/pages/about.md: <img src> loads from another origin: //x/a.png (about/index.html line 10)``.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from spinesite.checks.readability import fk_grade, prose_of_markdown, words
from spinesite.checks.readability_es import reading_ease_es
from spinesite.content import contenttypes
from spinesite.content.config import Checks
from spinesite.content.model import Page
from spinesite.content.placeholders import PLACEHOLDER_RE
from spinesite.diagnostics import Diagnostic, Diagnostics, line_of, show_url
from spinesite.output.htmlscan import Finding, Scan, SiteBase, scan_css, scan_html, site_path

if TYPE_CHECKING:
    from spinesite.buildresult import BuildResult
    from spinesite.content.graph import SiteGraph

SAFETY = "output-safety"  # Diagnostic.code of the checks every build runs
HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".svg")
# Keys of the mappings in a prose field (contenttypes.ContentType.prose_fields) a reader reads.
PROSE_KEYS = ("question", "answer", "says", "alt")


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
            findings = scan_html(_text(files[out]), base, base.doc_url(out)).result()
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


# Errors from content checks: the page still renders (unlike a page whose front matter is wrong).
CHECK_CODES = frozenset(
    {
        "alt",
        "link",
        "review-date-future",
        "review-overdue",
        "review-due",
        "review-unknown",
        "review-required",
        "orphan",
        "reading-grade",
        "reading-ease",
        "translation-stale",
        "interface-text",
    }
)


def broken_pages(diags: Iterable[Diagnostic]) -> set[str]:
    """Source files with an error that may keep their page from rendering as meant."""
    return {d.path for d in diags if d.level == "error" and d.code not in CHECK_CODES}


SLOW_CHECKS = "reading grade; links, #anchors and <img> alt text in the built pages"


def site_checks(
    graph: SiteGraph, linked: Mapping[str, set[str]], today: dt.date, limits: Checks, errors: Iterable[Diagnostic]
) -> tuple[list[Diagnostic], list[str]]:
    """The content checks every build runs (fast): (diagnostics, notes on checks that could not run).

    Pages nothing links to are looked for only when every content file is free of errors: a
    page with an error may be the one whose links or menu entry were lost.
    """
    broken = graph.unloaded | {d.path for d in errors if d.path.startswith("content/")}
    originals = [p for p in graph.pages if not p.lang]  # a translation's review dates and links are its source's
    found = review_dates([p for p in originals if p.rel not in broken], today, limits.review_warn_days)  # no echoes
    notes: list[str] = []
    if limits.orphans:
        if broken:
            n = len(broken)
            notes.append(f"Pages no other page links to were not looked for while {n} content file{'s have' if n != 1 else ' has'} errors.")
        else:
            found += orphans(originals, linked)
    return found, notes


def check_content(result: BuildResult) -> dict[str, float] | None:
    """Run the slow content checks on an in-memory build result; returns the reading grade of each page.

    They run on whatever built: when some pages could not be rendered because of errors
    (``result.unrendered``), links to them are not judged, and a note says how many.
    """
    graph, config, diags = result.graph, result.config, result.diagnostics
    if graph is None or config is None:
        return None
    sources = {p.output_path: p.rel for p in graph.pages}
    relocate(diags, sources)
    in_spanish = [p for p in graph.pages if (p.lang or config.language).lower().startswith("es")]
    grades = reading_grades(p for p in graph.pages if (p.lang or config.language).lower().startswith("en"))
    diags.extend(reading_warnings(grades, config.checks.reading_grade))
    result.reading_ease = reading_eases(in_spanish)
    diags.extend(ease_warnings(result.reading_ease, config.checks.reading_ease))
    if result.files:
        base = SiteBase.from_url(config.base)
        failed = broken_pages(diags.items)
        suspect = {v.strip() for p in graph.pages if p.rel in failed for _k, v in _strings(p.data)}
        found, unjudged = built_pages(result.files, base, result.unrendered, suspect)
        diags.extend(_at_source_lines(found, graph, base))
        if result.unrendered:
            n = len(result.unrendered)
            result.notes.append(
                f"{n} page{'s' * (n != 1)} could not be built because of the errors above: "
                f"{unjudged} link{'s' * (unjudged != 1)} to {'them' if n != 1 else 'it'} not checked; fix the errors and check again."
            )
    return grades


def page_prose(page: Page) -> str:
    """What a reader reads on a page: title, summary, prose fields and the body, as sentences
    (of a translation: only the text it translates, not what it shows from its source)."""
    data = page.translated if page.source is not None else page.data
    parts = [str(data.get("title", "")), str(data.get("summary", ""))]
    for name in contenttypes.by_folder(page.kind).prose_fields:
        value = data.get(name)
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


def reading_eases(pages: Iterable[Page]) -> dict[str, float]:
    """Fernández-Huerta reading ease of every Spanish page that has words, by source file."""
    out = {}
    for page in pages:
        ease = reading_ease_es(page_prose(page))
        if ease is not None:
            out[page.rel] = ease
    return out


def ease_warnings(eases: Mapping[str, float], minimum: int) -> list[Diagnostic]:
    return [
        Diagnostic(
            rel,
            0,
            f"reading ease {ease:.1f} is below {minimum} (checks.reading_ease, Fernández-Huerta for Spanish); "
            "use shorter sentences and everyday words",
            "warning",
            "reading-ease",
        )
        for rel, ease in eases.items()
        if ease < minimum
    ]


def grade_summary(grades: Mapping[str, float], limit: int) -> str:
    values = sorted(grades.values())
    if not values:
        return "Reading grade: no pages with text."
    n = len(values)
    return f"Reading grade: min {values[0]:.1f}, median {statistics.median(values):.1f}, max {values[-1]:.1f} over {n} page{'s' * (n != 1)} (warn above {limit})."


def review_dates(pages: Iterable[Page], today: dt.date, warn_days: int) -> list[Diagnostic]:
    """An error for a ``last_reviewed`` date in the future (a typo such as 2028 for 2026: it
    would claim a review that has not happened); a warning once ``next_review`` has passed
    (the page then shows patients that its review is overdue), and within ``warn_days`` before it."""
    out = []
    for page in pages:
        last = page.data.get("last_reviewed")
        if isinstance(last, dt.date) and last > today:
            out.append(
                Diagnostic(
                    page.rel,
                    page.parsed.line(("last_reviewed",)),
                    f"last_reviewed {last.isoformat()} is in the future (today is {today.isoformat()}); "
                    "write the date the page was actually reviewed",
                    "error",
                    "review-date-future",
                )
            )
        due = page.data.get("next_review")
        if not isinstance(due, dt.date):
            continue
        days = (due - today).days  # the line only when needed: an unchanged file's YAML is parsed lazily
        if days < 0:
            line = page.parsed.line(("next_review",))
            out.append(Diagnostic(page.rel, line, f"review overdue since {due.isoformat()}", "warning", "review-overdue"))
        elif days <= warn_days:
            when = "today" if days == 0 else f"in {days} day{'s' * (days != 1)}"
            line = page.parsed.line(("next_review",))
            out.append(Diagnostic(page.rel, line, f"review due on {due.isoformat()} ({when})", "warning", "review-due"))
    return out


def orphans(pages: list[Page], linked: Mapping[str, set[str]]) -> list[Diagnostic]:
    """Pages no other page links to (front-matter references either way, body links,
    parent/child, footer menu). Types without ``orphan_check`` (glossary terms) and the home page are left out."""
    reached: set[str] = set()
    not_orphans = {t.folder for t in contenttypes.TYPES if not t.orphan_check}
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
        if page.rel in reached or page.kind in not_orphans or page.url == "/":
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
                    line = line_of(source, _written(src, base), first_line, missing=0)
                    out.append(
                        Diagnostic(page.rel, line, f"image without alt text: {show_url(src)}; describe it in ![...]", "error", "alt")
                    )
    return out


def _written(src: str, base: SiteBase) -> str:
    """``src`` as the author probably wrote it (before the base path was added)."""
    return "/" + src[len(base.path) :] if base.path != "/" and src.startswith(base.path) else src


Found = tuple[str, Finding, str, str]  # output file, finding, diagnostic code, the URL concerned


def built_pages(
    files: Mapping[str, bytes], base: SiteBase, unrendered: Collection[str] = (), suspect: Collection[str] = ()
) -> tuple[list[Found], int]:
    """``<img>`` without ``alt``, and links to pages, files or ``#ids`` that are not in the output.

    A link still holding placeholder text (``TODO``) is left to the placeholder warning, and a
    link to a ``.md`` file to the Markdown stage, so each is reported once, where it is written.
    Links to ``unrendered`` output files (pages that had errors), or written in the front matter
    of a page with errors (``suspect``), cannot be judged: they are counted instead (second value).
    """
    scans: dict[str, Scan] = {}
    for out in sorted(files):
        if out.endswith(HTML_SUFFIXES[:3]):
            scans[out] = scan_html(_text(files[out]), base, base.doc_url(out))
    found: list[Found] = []
    unjudged = 0
    for out, scan in scans.items():
        for at, src, alt in scan.images:
            if alt is None:
                found.append((out, Finding(scan.line(at), f"<img> without alt text: {show_url(src)}"), "alt", src))
        for at, url in scan.links:
            if PLACEHOLDER_RE.search(url) or url.split("#", 1)[0].endswith(".md"):
                continue
            problem = _broken(url, out, files, scans, base)
            if problem is None:
                continue
            if (unrendered and _target_of(url, out, base) in unrendered) or _written(url, base) in suspect:
                unjudged += 1
                continue
            found.append((out, Finding(scan.line(at), f"broken link {show_url(url)}: {problem}"), "link", url))
    return found, unjudged


def _target_of(url: str, out: str, base: SiteBase) -> str | None:
    where = site_path(url, base, base.doc_url(out))
    if where is None:
        return None
    path = where[0]
    return path + "index.html" if path == "" or path.endswith("/") else path


def _at_source_lines(found: Iterable[Found], graph: SiteGraph, base: SiteBase) -> list[Diagnostic]:
    """Problems in a content page's output, at the line of its source file where the URL is
    written (front matter or body); at the output file and line when the theme wrote it."""
    by_out = {p.output_path: p for p in graph.pages}
    out_diags = []
    for out, f, code, url in found:
        page = by_out.get(out)
        if page is None:
            out_diags.append(Diagnostic(out, f.line, f.message, "error", code))
            continue
        line = source_line(page, url, base)
        message = f.message if line else f"{f.message} ({out} line {f.line})"
        out_diags.append(Diagnostic(page.rel, line, message, "error", code))
    return out_diags


def source_line(page: Page, url: str, base: SiteBase) -> int:
    """Line of ``page``'s source where ``url`` is written (0 when it is not: the theme wrote it)."""
    written = _written(url, base)
    for key, value in _strings(page.data):
        if value.strip() in (url, written):
            return page.parsed.line(key)
    for key, value in _strings(page.data):
        if written in value:
            return page.parsed.text_line(key) + value.count("\n", 0, value.find(written))
    body = page.body or ""
    for form in (f'="{written}"', f"='{written}'", f"={written}", f"]({written}", f"<{written}>"):  # as HTML, then Markdown
        if form in body:
            return line_of(body, form, page.body_line, missing=0)
    return line_of(body, written, page.body_line, missing=0)


def _strings(data: Any, key: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(data, str):
        yield key, data
    elif isinstance(data, dict):
        for name, value in data.items():
            yield from _strings(value, (*key, name))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _strings(value, (*key, i))


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
        return f'no id="{show_url(fragment)}" in {target}'
    return None
