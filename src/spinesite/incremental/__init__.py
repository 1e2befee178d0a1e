"""What a build can skip, and the plain-data store that remembers it.

This package owns every decision of the form "this input did not change, so that work
need not be done again": the no-change stamp (``stamp``: skip the whole build), the
content digests and render keys of pages and generated pages (``keys``: skip a page's
Markdown or template), the state a successful build leaves behind (``state``) and the one
SQLite store that holds it with the validated front matter and the rendered Markdown
(``store``, values encoded as CBOR by ``codec``: plain data, never code, so a tampered or
broken cache can at worst cost a rebuild). It may import the shared base (diagnostics,
model, safefiles) and the content and rendering stages' data types and read-only helpers
(graph, output's scan, templates' theme folder); nothing in the reading or rendering
stages imports it except the build pipeline and the per-page workers (``pagework``).
"""
