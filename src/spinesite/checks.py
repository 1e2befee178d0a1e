"""Checks on the generated output (placeholder until the full check suite lands)."""

from __future__ import annotations

from .diagnostics import Diagnostics


def check_output(files: dict[str, bytes], diags: Diagnostics) -> None:
    return None
