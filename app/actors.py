"""Who acts: a citizen or a staff member with the place their role is bound to (Flask-free)."""
from __future__ import annotations

from dataclasses import dataclass

CITIZEN = "citizen"


@dataclass(frozen=True)
class Actor:
    kind: str  # "citizen", "staff" or "system"
    id: int | None
    role: str  # "citizen", a staff Role, or "system"
    hall_id: int | None = None
    department_id: int | None = None
    carrier_id: int | None = None
    region_code: str | None = None

    @property
    def subject(self) -> str:
        return f"{self.kind}:{self.id}"


SYSTEM_ACTOR = Actor("system", None, "system")
