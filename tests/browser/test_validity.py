"""The Nu Html Checker (vnu.jar, from npm) finds no errors in any built page of any site."""

from __future__ import annotations

import pytest
from spinebrowser import SITE_NAMES, BuiltSite, Sites, have_tools, vnu_errors


def test_every_page_is_valid_html(sites: Sites) -> None:
    if reason := have_tools(needs_java=True):
        pytest.skip(reason)
    built = [s for name in SITE_NAMES if isinstance(s := sites[name], BuiltSite)]
    files = [str(f) for site in built for f in site.html_files()]
    assert len(files) >= 20
    errors = vnu_errors(files)
    assert errors == [], "\n".join(errors[:40])
