"""The build's today: one date per build, which the pages, the checks and the no-change stamp share."""

from __future__ import annotations

import datetime as dt
import os


def check_today() -> dt.date:
    """SOURCE_DATE_EPOCH when set (reproducible runs and tests), else today's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()
