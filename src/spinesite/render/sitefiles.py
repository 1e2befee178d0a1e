"""Generated pages (indexes, levels, handouts, search, 404), sitemap, robots.txt, feed and
static files: the output files that are not content pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2

from spinesite.content.graph import SiteGraph, is_draft
from spinesite.content.model import Listing
from spinesite.diagnostics import Diagnostics
from spinesite.render.templates import SiteRenderer, template_error, theme_dir


def render_site_files(renderer: SiteRenderer, graph: SiteGraph, listings: list[Listing], diags: Diagnostics) -> dict[str, bytes]:
    """The sitemap (every page and generated page), robots.txt and the feed. The generated
    pages themselves are rendered on the worker pool (``pagework.render_listings``)."""
    files: dict[str, bytes] = {}
    # drafts (built with --drafts) are never listed for search engines
    urls: list[tuple[str, dt.date | None]] = [(p.url, p.data.get("last_reviewed")) for p in graph.pages if not is_draft(p)]
    urls += [(x.url, None) for x in listings if x.url.endswith("/") and not x.context.get("draft")]  # pages, not 404.html or figures
    files["sitemap.xml"] = renderer.sitemap(urls)
    files["robots.txt"] = renderer.robots()
    try:
        files["feed.xml"] = renderer.feed()
    except jinja2.TemplateError as exc:
        template_error(exc, "templates/feed.xml", diags)
    return files


def copy_static(site: Path, files: dict[str, bytes], diags: Diagnostics, reserved: set[str] | None = None) -> None:
    """Theme assets (overridable by the site's templates/assets/) and the site's static/."""
    sources = [(theme_dir() / "assets", "assets"), (site / "templates" / "assets", "assets"), (site / "static", "")]
    generated = set(files) | (reserved or set())
    for root, prefix in sources:
        if not root.is_dir():
            continue
        root_r = root.resolve()
        for path in sorted(root.rglob("*")):
            shown = path.relative_to(site).as_posix() if path.is_relative_to(site) else str(path)
            if path.is_symlink() and not path.resolve().is_relative_to(root_r):
                diags.error(shown, 0, "symbolic link to outside the folder is not copied")
                continue
            if not path.is_file() or path.name.startswith("."):
                continue
            rel = "/".join(filter(None, [prefix, path.relative_to(root).as_posix()]))
            if rel in generated:
                diags.error(shown, 0, f"static file would overwrite the generated {rel}")
                continue
            files[rel] = path.read_bytes()
