"""Search index (Pagefind). Placeholder: returns no files until the search work lands."""

from __future__ import annotations

from .diagnostics import Diagnostics


def build_index(files: dict[str, bytes], language: str, diags: Diagnostics) -> dict[str, bytes]:
    """Index the built HTML pages; returns the index files (output path → bytes) to add."""
    return {}
