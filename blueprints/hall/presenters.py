"""How applications are shown to hall staff: HallApplicationSchema dumps the application itself,
once its applicant (and agent) are loaded with it in one statement."""
from __future__ import annotations

from app.services import cases
from app.web import deps
from models.application import Application


def with_applicants(applications: list[Application]) -> list[Application]:
    return cases.with_applicants(**deps(actor=False, clock=False), applications=applications)


def with_applicant(application: Application) -> Application:
    return with_applicants([application])[0]
