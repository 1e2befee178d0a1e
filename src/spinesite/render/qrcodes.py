"""QR codes for printed handouts: an address drawn as inline SVG at build time (segno, pure Python)."""

from __future__ import annotations

import io
from xml.sax.saxutils import quoteattr

import segno


def qr_svg(address: str, size: int = 112) -> str:
    """A QR code of ``address`` as an ``<svg>`` element (black on white with its quiet zone,
    so it scans in dark mode and on paper), named for screen readers by the address."""
    code = segno.make(address, error="m")
    out = io.BytesIO()
    code.save(out, kind="svg", xmldecl=False, svgns=True, nl=False, border=2, dark="#000", light="#fff", omitsize=True, svgclass="qr-code")
    svg = out.getvalue().decode("ascii")
    label = quoteattr(f"QR code: scan it with a phone camera to open {address}")
    return svg.replace("<svg ", f'<svg role="img" aria-label={label} width="{size}" height="{size}" ', 1)
