"""Rendering: Markdown and Jinja templates turn the site graph into pages.

Owns the Markdown renderer (``markdown``, ``fastinline``: links, glossary first use,
sanitising raw HTML), the sandboxed template environment and its globals (``templates``),
JSON-LD (``jsonld``), the generated pages (``listings``: indexes, levels, handouts; and
``sitefiles``: sitemap, feed, robots, static files), exercise figures (``figures``), QR codes
(``qrcodes``) and the word forms used in page text (``wordforms``).

May import: the shared base and ``spinesite.content``. Never writes a file: what it makes
goes back to the pipeline, which puts it into an output.
"""
