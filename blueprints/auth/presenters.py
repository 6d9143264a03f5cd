"""How an account is shown: the citizen's profile (personal data masked) and a staff member's."""
from __future__ import annotations

from app.actors import Actor
from app.crypto import mask_id_number, mask_phone
from app.extensions import services
from app.services import accounts
from models.citizen import Citizen
from models.staff import Staff


def citizen_view(citizen: Citizen, *, for_clerk: bool = False) -> dict:
    """The profile, personal data masked; a clerk also sees who verified it in person."""
    id_number = accounts.citizen_id_number(citizen, services().cipher)
    extra = {"real_name_verified_by": citizen.real_name_verified_by} if for_clerk else {}
    return {"id": citizen.id, "phone_masked": mask_phone(citizen.phone), "name": citizen.name,
            "id_number_masked": mask_id_number(id_number),
            "real_name_verified": citizen.real_name_verified,
            "real_name_method": citizen.real_name_method,
            "real_name_verified_at": citizen.real_name_verified_at,
            "wechat_linked": citizen.wechat_openid is not None, **extra}


def staff_view(staff: Staff, actor: Actor) -> dict:
    return {"id": staff.id, "username": staff.username, "display_name": staff.display_name,
            "role": str(staff.role), "hall_id": staff.hall_id, "department_id": staff.department_id,
            "carrier_id": staff.carrier_id, "region_code": actor.region_code}
