"""Is the database reachable now? (/readyz)"""
from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


def database_ready(session: Session) -> bool:
    try:
        session.execute(text("SELECT 1"))
        return True
    except Exception as exc:  # any driver error means not ready
        session.rollback()
        log.warning("readyz: database: %s", exc)
        return False
