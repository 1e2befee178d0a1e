"""Reading content: from files on disk to a validated, cross-linked site graph.

Owns the YAML reader with line numbers (``yamlnodes``, ``yamlexplain``), the declarative
field types (``fields``), the front-matter schemas (``schema``), the content-type registry
(``contenttypes``: one record per type, read by every later stage), ``spinesite.yaml``
(``config``: a typed, frozen Config), loading files (``loader``), validating them
(``validate``, ``placeholders``), the data model (``model``), the site graph (``graph``),
review state (``review``) and the exercise poses (``poses``).

May import: the shared base (``spinesite.diagnostics``, ``hints``, ``safefiles``, ``siteurls``,
``clock``, ``parallel``) only. Nothing here renders, writes or caches.
"""
