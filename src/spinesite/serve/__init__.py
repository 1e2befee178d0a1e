"""``spinesite serve``: live preview on 127.0.0.1.

Owns the server and its rebuild loop (``server``: in-memory builds, snapshots, reload),
request checking (``http``: host, method, path), answering requests from the snapshot
(``pages``), watching the site's files (``watch``) and preview search (``search``).

May import: everything before it, including ``spinesite.build``; nothing imports it but the CLI.
"""
