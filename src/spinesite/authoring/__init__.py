"""Editors' and site owners' tools that write source files: ``spinesite new``, ``init`` and ``schema``.

Owns scaffolding a page from an archetype (``scaffold``, ``archetypefill``: Jinja with a
``yaml`` filter; built-in archetypes in the package's ``archetypes/``), starting a site
(``sitestart``, with the package's ``starter/``) and the editor schemas and reference tables (``schemadoc``).

May import: the shared base and ``spinesite.content``. Never builds a site.
"""
