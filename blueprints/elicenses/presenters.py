"""How an e-license is shown: the holder's view (with the link to share), a clerk's (without)."""
from __future__ import annotations

from app.services import wallet
from app.web import public_url, today
from models.elicense import Elicense


def verification_url(code: str | None) -> str | None:
    return public_url(f"/api/v1/verify/{code}") if code else None


def verification_page_url(code: str) -> str:
    """The HTML page a phone camera opens (blueprints/pages)."""
    return public_url(f"/v/{code}")


def license_view(lic: Elicense, *, for_staff: bool = False) -> dict:
    """The holder's view; staff never get the verification code (it is the holder's to share)."""
    return {"id": lic.id, "type": lic.type.code, "type_name": lic.type.name, "number": lic.number,
            "holder_name": lic.holder_name, "issuer": lic.issuer, "issued_on": lic.issued_on,
            "valid_until": lic.valid_until, "status": wallet.status_of(lic, today()),
            "verified": lic.verified, "source": lic.source,
            "files": [{"upload_id": i} for i in lic.upload_ids],
            "verification_url": None if for_staff else verification_url(lic.verification_code)}
