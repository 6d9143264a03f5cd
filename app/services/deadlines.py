"""Deadlines and pauses: the one home of every rule that counts working days (DESIGN.md rule 19).

- 承诺时限 of a case and of each sub-case (`compute_deadline`, `subcase_deadline`), the date promised
  at acceptance (`promised_date`) and the facts frozen at completion (`completion`);
- the light 电子监察 shows (`deadline_light`): green, yellow when a third or less is left, red when
  overdue, paused while the clock stands still;
- pauses (`start_pause`, `end_pauses`): the citizen owes materials (补齐补正), or the result is in
  the post (`IN_POST`); every working day paused moves the promised date later;
- the due dates of the promises around a case: 容缺 pledges (`check_commitment_due`,
  `pledge_reminder`), complaints (`complaint_due`, `complaint_light`), rectifications
  (`rectification_dues`, `rectification_missed`), and escalation (`red_too_long`).

Services call these; nothing else does arithmetic on working days. The calendar itself (holidays,
调休 make-up days, the admins' overrides for years chinese-calendar does not know) is
`models.calendar.WorkCalendar`, loaded by `app.services.calendar.load_calendar`. Everything here
except the two pause writers is pure: it takes the calendar and the dates and reads no clock.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import local_date
from models.application import Pause
from models.calendar import WorkCalendar

IN_POST = "办理结果邮寄在途"  # the pause while the result travels: days in the post do not count
REMIND_BEFORE_WORKING_DAYS = 3  # a 容缺 pledge is reminded this many working days before it is due
FIRST_CONTACT_WORKING_DAYS = 1  # a rectification's first contact with the citizen


class PauseLike(Protocol):
    subcase_id: int | None
    started_at: datetime
    ended_at: datetime | None


# -- the light -----------------------------------------------------------------------------

def deadline_light(remaining: int, promised: int, paused: bool) -> str:
    """green; yellow when a third or less of the promised time is left; red when overdue."""
    if paused:
        return "paused"
    if remaining < 0:
        return "red"
    if remaining * 3 <= promised:
        return "yellow"
    return "green"


# -- 承诺时限 -------------------------------------------------------------------------------

@dataclass
class Deadline:
    promised_date: date
    remaining_working_days: int
    light: str
    promised_days: int
    paused: bool
    paused_working_days: int
    calendar_fallback_years: list[int]


def promised_date(calendar: WorkCalendar, start: date, promised_days: int) -> date:
    """The date promised at acceptance: `promised_days` working days after `start` (not counted)."""
    return calendar.add_working_days(start, promised_days)


def paused_working_days(calendar: WorkCalendar, pauses: Iterable[PauseLike], today: date) -> tuple[int, bool]:
    """Working days spent paused (an open pause runs to `today`), and whether one is still open.
    A pause counts the working days after the day it started, up to the day it ended."""
    days, open_pause = 0, False
    for pause in pauses:
        if pause.ended_at is None:
            open_pause, end = True, today
        else:
            end = local_date(pause.ended_at)
        days += calendar.working_days_between(local_date(pause.started_at), end)
    return days, open_pause


def compute_deadline(calendar: WorkCalendar, *, start: date, promised_days: int, pauses: Iterable[PauseLike],
                     now: datetime, finished_at: datetime | None = None) -> Deadline:
    """承诺时限: working days from `start`, moved later by every working day spent paused.

    A finished case freezes its remaining days at the moment it finished.
    """
    paused_days, open_pause = paused_working_days(calendar, pauses, local_date(now))
    due = promised_date(calendar, start, promised_days + paused_days)
    remaining = calendar.working_days_between(local_date(finished_at or now), due)
    light = deadline_light(remaining, promised_days, open_pause and finished_at is None)
    return Deadline(due, remaining, light, promised_days, open_pause, paused_days,
                    sorted(calendar.fallback_years))


def subcase_deadline(calendar: WorkCalendar, *, subcase, accepted_on: date, pauses: Iterable[PauseLike],
                     now: datetime) -> Deadline:
    """A sub-case's own time runs from the day it opened (a dependent one opens when the one it
    waits for is approved); it pauses for the case's pauses and for its own, not its siblings'."""
    own = [p for p in pauses if p.subcase_id in (None, subcase.id)]
    return compute_deadline(calendar, start=subcase.opened_on or accepted_on, promised_days=subcase.promised_days,
                            pauses=own, now=now)


@dataclass
class Completion:
    promised_date: date
    on_time: bool
    working_days_taken: int


def completion(calendar: WorkCalendar, *, accepted_on: date, promised_days: int, pauses: Iterable[PauseLike],
               now: datetime) -> Completion:
    """The facts the statistics count, frozen when the case completes: the promised date (pauses
    in), on time or not, and the working days taken from acceptance (pauses out)."""
    d = compute_deadline(calendar, start=accepted_on, promised_days=promised_days, pauses=pauses, now=now,
                         finished_at=now)
    taken = max(0, calendar.working_days_between(accepted_on, local_date(now)) - d.paused_working_days)
    return Completion(d.promised_date, d.remaining_working_days >= 0, taken)


# -- pauses ---------------------------------------------------------------------------------

def start_pause(session: Session, *, application_id: int, reason: str, now: datetime,
                subcase_id: int | None = None) -> Pause:
    """The clock stands still from `now`: for the whole case, or for one sub-case (`subcase_id`)."""
    pause = Pause(application_id=application_id, subcase_id=subcase_id, reason=reason, started_at=now)
    session.add(pause)
    return pause


def end_pauses(session: Session, *, application_id: int, now: datetime, subcase_ids: Iterable[int] | None = None,
               reason: str | None = None) -> None:
    """The clock runs again: every open pause of the case, or only those of `subcase_ids`, or only
    those for `reason`."""
    stmt = select(Pause).where(Pause.application_id == application_id, Pause.ended_at.is_(None))
    if subcase_ids is not None:
        stmt = stmt.where(Pause.subcase_id.in_(list(subcase_ids)))
    if reason is not None:
        stmt = stmt.where(Pause.reason == reason)
    for pause in session.scalars(stmt):
        pause.ended_at = now


# -- 容缺: the pledged materials' due date ---------------------------------------------------

def check_commitment_due(commitment_due: date | None, *, today: date, promised: date) -> str | None:
    """What is wrong with the date a citizen pledges to bring the missing materials by, or None:
    one is required, from today up to the promised date."""
    if commitment_due is None:
        return "容缺受理须约定补交日期"
    if not today <= commitment_due <= promised:
        return f"补交日期须在今天到承诺办结日 {promised} 之间"
    return None


def commitment_overdue(commitment_due: date | None, today: date) -> bool:
    """A pledge is overdue from the day after its due date."""
    return commitment_due is not None and today > commitment_due


def pledge_reminder(calendar: WorkCalendar, *, due: date, today: date, reminded: str | None) -> str | None:
    """What the scan owes an open pledge today: "overdue" after the due day, "due" on it (once),
    "before" once within REMIND_BEFORE_WORKING_DAYS working days of it; otherwise None."""
    if commitment_overdue(due, today):
        return "overdue"
    if today == due:
        return "due" if reminded != "due" else None
    if reminded is None and calendar.working_days_between(today, due) <= REMIND_BEFORE_WORKING_DAYS:
        return "before"
    return None


# -- complaints (办不成事) and rectifications (整改) -----------------------------------------

def complaint_due(calendar: WorkCalendar, *, made_on: date, answer_days: int) -> date:
    """A complaint is answered within `answer_days` working days of the day it was made."""
    return calendar.add_working_days(made_on, answer_days)


def complaint_light(calendar: WorkCalendar, *, made_on: date, due_on: date, today: date) -> str:
    """An open complaint's light, by the same thirds as a case's (red from the day after it is due)."""
    left = calendar.working_days_between(today, due_on)
    return deadline_light(left, max(1, calendar.working_days_between(made_on, due_on)), False)


def rectification_dues(calendar: WorkCalendar, *, rated_on: date, fix_days: int) -> tuple[date, date]:
    """A bad rating's rectification: first contact within one working day, the fix within `fix_days`."""
    return (calendar.add_working_days(rated_on, FIRST_CONTACT_WORKING_DAYS),
            calendar.add_working_days(rated_on, fix_days))


def rectification_missed(*, status: str, first_contact_due: date, fix_due: date,
                         today: date) -> tuple[str, date] | None:
    """The step a rectification missed and its due date ("首次联系" before contact, then "整改"), or None."""
    if status == "open" and today > first_contact_due:
        return "首次联系", first_contact_due
    if today > fix_due:
        return "整改", fix_due
    return None


# -- escalation (督办) ------------------------------------------------------------------------

def red_too_long(calendar: WorkCalendar, *, red_on: date, today: date, after: int) -> bool:
    """Red for more than `after` working days: the case goes up to the parent region."""
    return calendar.working_days_between(red_on, today) > after
