"""Pure rules of the lifecycle: the state machine, working days, deadlines, numbers, forms."""
from datetime import date, datetime, timedelta, timezone

import pytest

from app.services.deadlines import deadline_light
from models.calendar import WorkCalendar
from models.forms import clean_form, missing_fields
from models.numbering import is_valid_number, make_number
from models.workflow import TRANSITIONS, IllegalMove, RoleNotAllowed, initial_subcase_status, next_status


def test_transitions_table():
    assert next_status("application", "submit", "draft", "citizen") == "submitted"
    assert next_status("application", "submit", "returned", "citizen") == "submitted"
    assert next_status("application", "accept", "submitted", "clerk") == "accepted"
    with pytest.raises(IllegalMove):
        next_status("application", "accept", "draft", "clerk")
    with pytest.raises(RoleNotAllowed):
        next_status("application", "accept", "submitted", "citizen")
    with pytest.raises(IllegalMove):
        next_status("application", "fly", "draft", "citizen")
    assert next_status("subcase", "approve", "pending", "reviewer") == "approved"
    with pytest.raises(IllegalMove):
        next_status("subcase", "approve", "waiting", "reviewer")
    # Nothing leaves a final status.
    finals = {"delivered", "rejected", "withdrawn"}
    assert not any(finals & move.sources for (kind, _), move in TRANSITIONS.items() if kind == "application")
    assert initial_subcase_status([]) == "pending" and initial_subcase_status(["X"]) == "waiting"


def test_national_day_2025_skips_the_holiday_and_counts_the_makeup_saturday():
    cal = WorkCalendar()
    accepted = date(2025, 9, 30)  # Tuesday, the last working day before 国庆/中秋 (10-01 .. 10-08)
    assert cal.is_workday(accepted) and not cal.is_workday(date(2025, 10, 1))
    assert cal.is_workday(date(2025, 10, 11))  # Saturday, 调休 working day
    # 10-09 Thu (1), 10-10 Fri (2), 10-11 Sat make-up (3), 10-13 Mon (4), 10-14 Tue (5)
    assert cal.add_working_days(accepted, 5) == date(2025, 10, 14)
    assert cal.add_working_days(accepted, 3) == date(2025, 10, 11)
    assert cal.working_days_between(accepted, date(2025, 10, 14)) == 5
    assert cal.working_days_between(date(2025, 10, 14), accepted) == -5
    assert cal.fallback_years == set()


def test_unknown_year_falls_back_to_weekends_and_says_so():
    cal = WorkCalendar()
    assert cal.add_working_days(date(2027, 1, 1), 1) == date(2027, 1, 4)  # Friday -> Monday
    assert cal.fallback_years == {2027}
    overridden = WorkCalendar(overrides={date(2027, 1, 4): False, date(2027, 1, 9): True})
    assert overridden.add_working_days(date(2027, 1, 1), 1) == date(2027, 1, 5)
    assert overridden.add_working_days(date(2027, 1, 8), 1) == date(2027, 1, 9)


def test_lights():
    assert deadline_light(10, 15, False) == "green"
    assert deadline_light(5, 15, False) == "yellow"
    assert deadline_light(0, 5, False) == "yellow"
    assert deadline_light(-1, 5, False) == "red"
    assert deadline_light(-1, 5, True) == "paused"
    assert deadline_light(0, 0, False) == "yellow"


def test_numbers_catch_every_single_digit_typo_and_adjacent_swap():
    number = make_number("330825", date(2026, 11, 23), 42)
    assert number.startswith("330825-20261123-00042-") and is_valid_number(number)
    digits = number.replace("-", "")
    for i, ch in enumerate(digits):
        for wrong in "0123456789":
            if wrong != ch:
                typo = digits[:i] + wrong + digits[i + 1:]
                assert not is_valid_number(f"{typo[:6]}-{typo[6:14]}-{typo[14:19]}-{typo[19:]}")
    for i in range(len(digits) - 1):
        if digits[i] != digits[i + 1]:
            swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2:]
            assert not is_valid_number(f"{swapped[:6]}-{swapped[6:14]}-{swapped[14:19]}-{swapped[19:]}")
    assert not is_valid_number("nonsense")


def test_forms():
    spec = [{"name": "n", "label": "姓名", "type": "text", "required": True},
            {"name": "d", "label": "日期", "type": "date", "required": True},
            {"name": "c", "label": "选项", "type": "choice", "options": ["甲", "乙"], "required": False},
            {"name": "k", "label": "数量", "type": "number", "required": False},
            {"name": "p", "label": "电话", "type": "phone", "required": False}]
    cleaned, errors = clean_form(spec, {"n": " 张三 ", "d": "2026-01-02", "c": "甲", "k": 3, "p": "+8613800138000"})
    assert errors == {} and cleaned["n"] == "张三" and cleaned["p"] == "13800138000"
    _, errors = clean_form(spec, {"d": "2026-13-01", "c": "丙", "k": True, "n": 5, "x": 1})
    assert set(errors) == {"d", "c", "k", "n", "x"}
    assert [m["name"] for m in missing_fields(spec, {"n": ""})] == ["n", "d"]


def test_aware_datetimes_only():
    from models.base import UTCDateTime

    with pytest.raises(ValueError):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), type("D", (), {"name": "postgresql"}))
    shanghai = timezone(timedelta(hours=8))
    stored = UTCDateTime().process_bind_param(datetime(2026, 1, 1, 8, tzinfo=shanghai), type("D", (), {"name": "sqlite"}))
    assert stored == datetime(2026, 1, 1, 0, 0)
