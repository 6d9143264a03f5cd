"""Who acts: a citizen or a staff member with the place their role is bound to (Flask-free)."""
from __future__ import annotations

from dataclasses import dataclass

from models.staff import Party

CITIZEN = Party.citizen.value  # an Actor's kind and role when a citizen acts


@dataclass(frozen=True)
class Actor:
    kind: str  # "citizen", "staff", "system" or "carrier"
    id: int | None
    role: str  # a staff Role (models.staff), or a Party: citizen, system, carrier
    hall_id: int | None = None
    department_id: int | None = None
    carrier_id: int | None = None
    region_code: str | None = None

    @property
    def subject(self) -> str:
        return f"{self.kind}:{self.id}"


SYSTEM_ACTOR = Actor(Party.system.value, None, Party.system.value)
