"""QR codes (segno): the e-license's verification link and the shipment number on a label."""
from __future__ import annotations

import io

import segno


def qr_png(text: str, *, scale: int = 8, border: int = 2) -> bytes:
    """A regular QR code (never Micro QR, which phone cameras and many handhelds do not read)."""
    out = io.BytesIO()
    segno.make_qr(text, error="m").save(out, kind="png", scale=scale, border=border)
    return out.getvalue()


def qr_png_fitting(text: str, box: int, *, border: int = 2) -> bytes:
    """The largest QR code of `text` within `box` x `box` dots at a whole number of dots per module."""
    modules = segno.make_qr(text, error="m").symbol_size(scale=1, border=border)[0]
    return qr_png(text, scale=max(1, box // modules), border=border)
