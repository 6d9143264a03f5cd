"""The worker (`flask worker`): deadline scans (电子监察), rating invitations and the outbox, pass
after pass. Several workers may run at once (each step locks with SKIP LOCKED or claims rows in
short transactions); an error in one pass is logged and the next pass runs; a stop request
(SIGTERM) is honoured between messages and between passes, never in the middle of one."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Callable

from sqlalchemy.orm import Session

from app.clock import Clock
from app.services.evaluation import invite_unrated
from app.services.outbox import DeliveryReport, deliver_due
from app.services.deadline_scan import ScanReport, scan_deadlines

log = logging.getLogger("onetrip.worker")


@dataclass
class PassReport:
    scan: ScanReport
    invited: int
    delivery: DeliveryReport

    def lines(self) -> list[str]:
        s, d = self.scan, self.delivery
        return [f"deadlines: {s.applications} applications and {s.subcases} sub-cases changed light, "
                f"{s.alerts} alerts; {s.commitments_overdue} pledges overdue, {s.escalated} escalated; "
                f"{self.invited} rating invitations",
                f"outbox: sent={d.sent} retried={d.retried} failed={d.failed}"]


def run_pass(*, session: Session, clock: Clock, sms, wechat, stop: threading.Event | None = None,
             escalate_after: int = 2) -> PassReport:
    scan = scan_deadlines(session=session, clock=clock, escalate_after=escalate_after)
    invited = invite_unrated(session=session, clock=clock)
    delivery = deliver_due(session=session, clock=clock, sms=sms, wechat=wechat,
                           should_stop=stop.is_set if stop else None)
    return PassReport(scan, invited, delivery)


def run(*, session, clock: Clock, sms, wechat, interval: float, once: bool, stop: threading.Event,
        report: Callable[[PassReport], None] = lambda r: None, escalate_after: int = 2) -> int:
    """Run passes until `stop` is set (or once); returns the number of passes that failed."""
    failures = 0
    while not stop.is_set():
        try:
            report(run_pass(session=session, clock=clock, sms=sms, wechat=wechat, stop=stop,
                            escalate_after=escalate_after))
        except Exception:  # a bad row or a database blip must not end the worker
            failures += 1
            log.exception("worker pass failed; the next pass runs in %s s", interval)
        finally:
            # Each write of a pass is its own transaction() block, rolled back if it failed; what a
            # failed pass left outside one (a read the database aborted) ends with the session.
            if hasattr(session, "remove"):
                session.remove()
            else:
                session.close()
        if once:
            break
        stop.wait(interval)
    return failures
