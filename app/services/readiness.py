"""Is the database reachable now? (/readyz)"""
from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.services.unit_of_work import transaction

log = logging.getLogger(__name__)


def database_ready(session: Session) -> bool:
    try:
        with transaction(session):  # a failed ping is rolled back: the session stays usable
            session.execute(text("SELECT 1"))
        return True
    except Exception as exc:  # any driver error means not ready
        log.warning("readyz: database: %s", exc)
        return False
