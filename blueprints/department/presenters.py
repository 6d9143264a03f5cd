"""How a sub-case is shown to its department (SubcaseSchema)."""
from __future__ import annotations

from models.application import Application, SubCase
from models.catalogue import Item


def subcase_view(subcase: SubCase, application: Application, item: Item, applicant_verified: bool) -> dict:
    return {"id": subcase.id, "application_id": application.id, "application_number": application.number,
            "applicant_real_name_verified": applicant_verified,
            "title": application.title, "item_code": subcase.item_code, "item_name": item.main_name,
            "status": str(subcase.status), "depends_on": list(subcase.depends_on),
            "promised_days": subcase.promised_days, "opened_on": subcase.opened_on,
            "decided_at": subcase.decided_at, "decision_note": subcase.decision_note,
            "form": application.form}
