"""Output: where built files go, what they must never contain, and the search index.

Owns the output folder's rules (``writer``: never over a folder spinesite did not make),
the transactional output and its in-memory twin (``transaction``: one interface, all or
nothing), the HTML safety scan (``htmlscan``, ``htmltokens``: no script, no third-party
request, no broken local link) and the search index (``search``, ``pagefindrun``: Pagefind
run as its own program).

May import: the shared base and ``spinesite.content``.
"""
