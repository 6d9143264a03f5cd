"""A citizen's own answers must never be stored by a shared cache (a county gateway, a CDN)."""
from __future__ import annotations

from tests.factories import issued_certificate


def test_the_license_qr_code_is_private_to_its_holder(client, sms):
    """The PNG carries the license's secret verification code. `Cache-Control: public` lets a
    shared cache answer the next caller of the same URL with it, Authorization or not (RFC 9111
    3.5), so a stranger asking for /elicenses/{id}/qrcode.png could get someone else's code."""
    citizen, _, cert = issued_certificate(client, sms)
    png = client.get(f"/api/v1/elicenses/{cert['id']}/qrcode.png", headers=citizen["headers"])
    assert png.status_code == 200
    assert not png.cache_control.public and png.cache_control.private
    assert png.cache_control.max_age == 300  # the holder's own browser may still keep it a while
