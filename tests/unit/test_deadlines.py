"""The deadline and pause rules (app/services/deadlines.py), pure: around National Day 2026 with its
调休 Saturday, New Year 2027 (a year the calendar library may not know yet) and a pause across a
weekend. No clock is read: every date is given."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest

from app.clock import SHANGHAI
from app.services import deadlines
from models.calendar import WorkCalendar

EVE = date(2026, 9, 30)  # Wednesday, the last working day before 国庆 (10-01 .. 10-07)
MAKEUP = date(2026, 10, 10)  # Saturday, a 调休 working day


@dataclass
class P:
    started_at: datetime
    ended_at: datetime | None = None
    subcase_id: int | None = None


@dataclass
class Sub:
    id: int
    promised_days: int
    opened_on: date | None = None


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def test_the_calendar_knows_national_day_2026():
    cal = WorkCalendar()
    assert cal.is_workday(EVE) and cal.is_workday(MAKEUP)
    assert not any(cal.is_workday(date(2026, 10, d)) for d in range(1, 8))
    assert not cal.is_workday(date(2026, 10, 11))  # the Sunday after the make-up Saturday


def test_a_case_accepted_on_the_eve_of_national_day():
    cal = WorkCalendar()
    # 10-08 Thu (1), 10-09 Fri (2), 10-10 Sat make-up (3), 10-12 Mon (4), 10-13 Tue (5)
    assert deadlines.promised_date(cal, EVE, 5) == date(2026, 10, 13)
    assert deadlines.promised_date(cal, EVE, 3) == MAKEUP
    on_holiday = deadlines.compute_deadline(cal, start=EVE, promised_days=5, pauses=[], now=at(date(2026, 10, 4)))
    assert (on_holiday.promised_date, on_holiday.remaining_working_days, on_holiday.light) == (
        date(2026, 10, 13), 5, "green")  # a week of holiday costs nothing
    assert deadlines.compute_deadline(cal, start=EVE, promised_days=5, pauses=[],
                                      now=at(MAKEUP)).remaining_working_days == 2
    assert deadlines.compute_deadline(cal, start=EVE, promised_days=5, pauses=[], now=at(date(2026, 10, 12))).light \
        == "yellow"
    late = deadlines.compute_deadline(cal, start=EVE, promised_days=5, pauses=[], now=at(date(2026, 10, 14)))
    assert (late.remaining_working_days, late.light, late.calendar_fallback_years) == (-1, "red", [])


def test_accepted_on_a_tuesday_or_before_the_holiday_the_verdicts_follow_working_days_only():
    cal = WorkCalendar()
    tuesday = date(2026, 11, 17)
    for start in (tuesday, EVE):
        due = deadlines.promised_date(cal, start, 5)
        assert cal.working_days_between(start, due) == 5
        for left, light in ((2, "green"), (1, "yellow"), (0, "yellow"), (-1, "red")):
            day = due
            while cal.working_days_between(day, due) != left:
                day = date.fromordinal(day.toordinal() + (1 if left < 0 else -1))
            d = deadlines.compute_deadline(cal, start=start, promised_days=5, pauses=[], now=at(day))
            assert (d.remaining_working_days, d.light) == (left, light)


def test_new_year_2027_falls_back_to_weekends_says_so_and_takes_overrides():
    cal = WorkCalendar()
    d = deadlines.compute_deadline(cal, start=date(2026, 12, 30), promised_days=3, pauses=[],
                                   now=at(date(2026, 12, 30)))
    # 12-31 Thu (1), 2027-01-01 Fri (2: a weekday, as far as the fallback knows), 01-04 Mon (3)
    assert d.promised_date == date(2027, 1, 4) and d.calendar_fallback_years == [2027]
    published = WorkCalendar(overrides={date(2027, 1, 1): False})  # an admin adds 元旦 once it is published
    assert deadlines.promised_date(published, date(2026, 12, 30), 3) == date(2027, 1, 5)


def test_a_pause_across_a_weekend_moves_the_date_by_the_working_days_paused():
    cal = WorkCalendar()
    monday = date(2026, 11, 16)
    friday, sunday, next_monday = date(2026, 11, 20), date(2026, 11, 22), date(2026, 11, 23)
    assert deadlines.promised_date(cal, monday, 5) == next_monday
    # Open since Friday morning, seen on Sunday: no working day has passed yet, the light is "paused".
    open_pause = [P(at(friday))]
    d = deadlines.compute_deadline(cal, start=monday, promised_days=5, pauses=open_pause, now=at(sunday))
    assert (d.paused, d.paused_working_days, d.light, d.promised_date) == (True, 0, "paused", next_monday)
    # Supplied on Monday: one working day (Monday) paused, the promise moves to Tuesday.
    closed = [P(at(friday), at(next_monday, 9))]
    d = deadlines.compute_deadline(cal, start=monday, promised_days=5, pauses=closed, now=at(next_monday, 11))
    assert (d.paused, d.paused_working_days, d.promised_date, d.remaining_working_days) == (
        False, 1, date(2026, 11, 24), 1)
    # A finished case freezes what was left when it finished, whatever day it is read.
    done = deadlines.compute_deadline(cal, start=monday, promised_days=5, pauses=closed, now=at(date(2026, 12, 31)),
                                      finished_at=at(next_monday, 11))
    assert (done.remaining_working_days, done.light) == (1, "yellow")


def test_a_pause_across_national_day_counts_no_holiday():
    cal = WorkCalendar()
    pause = [P(at(EVE), at(date(2026, 10, 8)))]  # asked on the eve, supplied the first day back
    assert deadlines.paused_working_days(cal, pause, date(2026, 10, 20)) == (1, False)
    assert deadlines.compute_deadline(cal, start=EVE, promised_days=5, pauses=pause,
                                      now=at(date(2026, 10, 8))).promised_date == date(2026, 10, 14)


def test_a_subcase_counts_from_its_opening_with_its_own_pauses_and_the_cases():
    cal = WorkCalendar()
    pauses = [P(at(date(2026, 11, 17)), at(date(2026, 11, 18)), subcase_id=7),  # a sibling's: not ours
              P(at(date(2026, 11, 19)), at(date(2026, 11, 20)), subcase_id=8),  # ours
              P(at(date(2026, 11, 24)), None)]  # the case's (in the post): ours too
    sub = Sub(id=8, promised_days=3, opened_on=date(2026, 11, 18))
    d = deadlines.subcase_deadline(cal, subcase=sub, accepted_on=date(2026, 11, 16), pauses=pauses,
                                   now=at(date(2026, 11, 25)))
    assert (d.paused_working_days, d.paused, d.promised_date) == (2, True, date(2026, 11, 25))
    unopened = Sub(id=9, promised_days=3)
    assert deadlines.subcase_deadline(cal, subcase=unopened, accepted_on=date(2026, 11, 16), pauses=[],
                                      now=at(date(2026, 11, 16))).promised_date == date(2026, 11, 19)


def test_completion_freezes_on_time_and_working_days_taken_with_pauses_out():
    cal = WorkCalendar()
    pause = [P(at(date(2026, 10, 8)), at(date(2026, 10, 9)))]  # one working day paused
    done = deadlines.completion(cal, accepted_on=EVE, promised_days=5, pauses=pause, now=at(date(2026, 10, 14), 16))
    assert (done.promised_date, done.on_time, done.working_days_taken) == (date(2026, 10, 14), True, 5)
    late = deadlines.completion(cal, accepted_on=EVE, promised_days=5, pauses=[], now=at(date(2026, 10, 14), 16))
    assert (late.on_time, late.working_days_taken) == (False, 6)


def test_the_lights():
    assert deadlines.deadline_light(10, 15, False) == "green"
    assert deadlines.deadline_light(5, 15, False) == "yellow"
    assert deadlines.deadline_light(-1, 5, False) == "red"
    assert deadlines.deadline_light(-1, 5, True) == "paused"


def test_a_pledge_due_after_the_holiday():
    cal = WorkCalendar()
    promised = deadlines.promised_date(cal, EVE, 5)
    assert deadlines.check_commitment_due(None, today=EVE, promised=promised) == "容缺受理须约定补交日期"
    assert "承诺办结日 2026-10-13" in deadlines.check_commitment_due(date(2026, 10, 14), today=EVE, promised=promised)
    assert deadlines.check_commitment_due(date(2026, 9, 29), today=EVE, promised=promised) is not None
    due = date(2026, 10, 9)
    assert deadlines.check_commitment_due(due, today=EVE, promised=promised) is None
    # Nine calendar days away, but only two working days: the reminder goes out before the holiday.
    assert deadlines.pledge_reminder(cal, due=due, today=EVE, reminded=None) == "before"
    assert deadlines.pledge_reminder(cal, due=due, today=EVE, reminded="before") is None
    assert deadlines.pledge_reminder(cal, due=due, today=date(2026, 9, 25), reminded=None) is None
    assert deadlines.pledge_reminder(cal, due=due, today=due, reminded="before") == "due"
    assert deadlines.pledge_reminder(cal, due=due, today=due, reminded="due") is None
    assert deadlines.pledge_reminder(cal, due=due, today=MAKEUP, reminded="due") == "overdue"
    assert not deadlines.commitment_overdue(due, due) and deadlines.commitment_overdue(due, MAKEUP)
    assert not deadlines.commitment_overdue(None, MAKEUP)


def test_complaints_and_rectifications_around_the_holiday():
    cal = WorkCalendar()
    due = deadlines.complaint_due(cal, made_on=EVE, answer_days=5)
    assert due == date(2026, 10, 13)
    assert deadlines.complaint_light(cal, made_on=EVE, due_on=due, today=date(2026, 10, 7)) == "green"
    assert deadlines.complaint_light(cal, made_on=EVE, due_on=due, today=due) == "yellow"
    assert deadlines.complaint_light(cal, made_on=EVE, due_on=due, today=date(2026, 10, 14)) == "red"
    first, fix = deadlines.rectification_dues(cal, rated_on=EVE, fix_days=15)
    assert first == date(2026, 10, 8) and cal.working_days_between(EVE, fix) == 15
    assert deadlines.rectification_missed(status="open", first_contact_due=first, fix_due=fix,
                                          today=date(2026, 10, 7)) is None
    assert deadlines.rectification_missed(status="open", first_contact_due=first, fix_due=fix,
                                          today=date(2026, 10, 9)) == ("首次联系", first)
    assert deadlines.rectification_missed(status="contacted", first_contact_due=first, fix_due=fix,
                                          today=date(2026, 10, 9)) is None
    assert deadlines.rectification_missed(status="contacted", first_contact_due=first, fix_due=fix,
                                          today=date.fromordinal(fix.toordinal() + 1)) == ("整改", fix)


@pytest.mark.parametrize("today, escalate", [(date(2026, 10, 8), False), (date(2026, 10, 9), False),
                                             (MAKEUP, True)])
def test_red_too_long_counts_working_days(today, escalate):
    assert deadlines.red_too_long(WorkCalendar(), red_on=EVE, today=today, after=2) is escalate
