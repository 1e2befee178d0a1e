"""Checks: what ``spinesite check`` (and every build) says about the content and the output.

Owns the content checks (``site``: orphans, review dates, reading grade, links and anchors
in the built pages, the per-page output scan), readability scoring (``readability`` for
English, ``readability_es`` for Spanish) and ``check --external`` (``externallinks``).

May import: the shared base, ``spinesite.content``, ``spinesite.output`` and
``spinesite.incremental`` (the cache folder for external-link answers).
"""
