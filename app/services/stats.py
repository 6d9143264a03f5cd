"""Figures of the reform, computed with SQL aggregates from what really happened.

Every figure is defined in the README. One aggregate over one covering index: the facts it reads
(visits, items, exempted materials, the rating and its rectification, working days taken, on time
or not) are written on the application in the same transaction as the rows they summarise.
Trips come from recorded visits only.
"""
from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from app.clock import SHANGHAI
from models.application import Application, SubCase
from models.catalogue import region_prefix
from models.evaluation import SATISFIED_FROM, Complaint
from models.workflow import AppStatus

FIGURES = ("applications", "accepted", "completed", "mobile_rate", "zero_trip_rate", "at_most_one_trip_rate",
           "on_time_rate", "overdue", "avg_working_days", "p90_working_days", "promised_days_avg",
           "statutory_days_avg", "materials_exempted", "post_delivery_rate", "satisfaction_rate", "ratings",
           "rectified_rate", "trips_saved", "channel_mobile_rate", "channel_agent_rate", "channel_assisted_rate",
           "invited_response_rate", "satisfaction_rate_spontaneous", "satisfaction_rate_invited",
           "commitments_overdue", "complaints_overdue", "escalations")


def region_bounds(region_code: str) -> tuple[str, str]:
    """[low, high) covering the region and everything under it; a range, so a B-tree index serves it
    whatever the database collation (LIKE 'prefix%' would not)."""
    prefix = region_prefix(region_code)
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def filtered(*, region_code: str | None = None, hall_id: int | None = None, department_id: int | None = None,
             item_code: str | None = None, date_from: date | None = None, date_to: date | None = None):
    """The applications counted: submitted within [from, to] (Shanghai dates) and the filters."""
    stmt = select(Application.id, Application.status, Application.channel, Application.accepted_at,
                  Application.completed_at, Application.on_time, Application.working_days_taken,
                  Application.promised_days, Application.statutory_days, Application.promised_date,
                  Application.delivery_method, Application.visit_count, Application.item_count,
                  Application.exempted_count, Application.rating_score, Application.rectification_state,
                  Application.rating_invited, Application.evaluation_invited_at, Application.commitment_overdue,
                  Application.escalated_at) \
        .where(Application.submitted_at.is_not(None))
    if region_code and region_prefix(region_code) == region_code:
        # A county: equality lets the (region_code, submitted_at) index bound the dates too.
        stmt = stmt.where(Application.region_code == region_code)
    elif region_code:
        low, high = region_bounds(region_code)
        stmt = stmt.where(Application.region_code >= low, Application.region_code < high)
    if hall_id is not None:
        stmt = stmt.where(Application.hall_id == hall_id)
    if department_id is not None:
        stmt = stmt.where(Application.id.in_(select(SubCase.application_id).where(SubCase.department_id == department_id)))
    if item_code:
        stmt = stmt.where(Application.id.in_(select(SubCase.application_id).where(SubCase.item_code == item_code)))
    if date_from:
        stmt = stmt.where(Application.submitted_at >= _day_start(date_from))
    if date_to:
        stmt = stmt.where(Application.submitted_at < _day_start(date_to + timedelta(days=1)))
    return stmt.cte("f")


def _rate(part, whole) -> float | None:
    return None if not whole else round(float(part or 0) / float(whole), 4)


def _avg(value) -> float | None:
    return None if value is None else round(float(value), 2)


def compute(session: Session, *, today: date, **filters) -> dict:
    f = filtered(**filters)
    trips = f.c.visit_count  # kept with every Visit row: trips are recorded visits, nothing else
    item_count = func.greatest(f.c.item_count, 1) if session.get_bind().dialect.name == "postgresql" \
        else func.max(f.c.item_count, 1)  # each item done alone would have cost a trip
    done = f.c.completed_at.is_not(None)
    delivered = f.c.status == AppStatus.delivered.value
    open_late = and_(f.c.status.in_([AppStatus.accepted.value, AppStatus.in_review.value]), f.c.promised_date < today)

    def count_if(condition):
        return func.sum(case((condition, 1), else_=0))

    rated = f.c.rating_score.is_not(None)
    invited, spontaneous = rated & f.c.rating_invited.is_(True), rated & f.c.rating_invited.is_(False)
    happy = f.c.rating_score >= SATISFIED_FROM
    was_invited = f.c.evaluation_invited_at.is_not(None)
    row = session.execute(
        select(func.count(), func.count(f.c.accepted_at), func.count(f.c.completed_at),
               count_if(f.c.channel == "mobile"), count_if(and_(done, trips == 0)),
               count_if(and_(done, trips <= 1)), count_if(and_(done, f.c.on_time.is_(True))),
               count_if((done & f.c.on_time.is_(False)) | open_late),
               func.avg(case((done, f.c.working_days_taken))), func.avg(f.c.promised_days),
               func.avg(f.c.statutory_days), count_if(delivered),
               count_if(and_(delivered, f.c.delivery_method == "post")),
               func.sum(case((and_(done, item_count > trips), item_count - trips), else_=0)),
               func.coalesce(func.sum(f.c.exempted_count), 0), func.count(f.c.rating_score),
               count_if(f.c.rating_score >= SATISFIED_FROM), func.count(f.c.rectification_state),
               count_if(f.c.rectification_state == "resolved"),
               count_if(f.c.channel == "agent"), count_if(f.c.channel == "assisted"),
               count_if(was_invited), count_if(was_invited & f.c.rating_invited.is_(True)),
               count_if(spontaneous), count_if(spontaneous & happy), count_if(invited), count_if(invited & happy),
               count_if(f.c.commitment_overdue.is_(True)), count_if(f.c.escalated_at.is_not(None)))
        .select_from(f)).one()
    (total, accepted, completed, mobile, zero_trip, one_trip, on_time, overdue, avg_days, promised_avg,
     statutory_avg, delivered_n, post_n, trips_saved, exempted, ratings, satisfied, rect_total, rect_done,
     agent, assisted, invitations, answered, spont_n, spont_happy, inv_n, inv_happy, pledges_late,
     escalations) = row
    return {
        "applications": total, "accepted": accepted, "completed": completed,
        "mobile_rate": _rate(mobile, total), "zero_trip_rate": _rate(zero_trip, completed),
        "at_most_one_trip_rate": _rate(one_trip, completed), "on_time_rate": _rate(on_time, completed),
        "overdue": int(overdue or 0), "avg_working_days": _avg(avg_days),
        "p90_working_days": _p90(session, f, completed), "promised_days_avg": _avg(promised_avg),
        "statutory_days_avg": _avg(statutory_avg), "materials_exempted": exempted,
        "post_delivery_rate": _rate(post_n, delivered_n), "satisfaction_rate": _rate(satisfied, ratings),
        "ratings": ratings, "rectified_rate": _rate(rect_done, rect_total), "trips_saved": int(trips_saved or 0),
        "channel_mobile_rate": _rate(mobile, total), "channel_agent_rate": _rate(agent, total),
        "channel_assisted_rate": _rate(assisted, total), "invited_response_rate": _rate(answered, invitations),
        "satisfaction_rate_spontaneous": _rate(spont_happy, spont_n), "satisfaction_rate_invited": _rate(inv_happy, inv_n),
        "commitments_overdue": int(pledges_late or 0), "complaints_overdue": complaints_overdue(session, today=today, **filters),
        "escalations": int(escalations or 0),
    }


def complaints_overdue(session: Session, *, today: date, region_code: str | None = None, hall_id: int | None = None,
                       department_id: int | None = None, item_code: str | None = None,
                       date_from: date | None = None, date_to: date | None = None) -> int:
    """Complaints made in the period that were answered after their due date or are still open past it."""
    late = or_(Complaint.answered_on > Complaint.due_on,
               and_(Complaint.status == "open", Complaint.due_on < today))
    stmt = select(func.count()).select_from(Complaint).where(late)
    if region_code:
        low, high = region_bounds(region_code)
        stmt = stmt.where(Complaint.region_code >= low, Complaint.region_code < high)
    if hall_id is not None:
        stmt = stmt.where(Complaint.application_id.in_(select(Application.id).where(Application.hall_id == hall_id)))
    if department_id is not None:
        stmt = stmt.where(Complaint.department_id == department_id)
    if item_code:
        stmt = stmt.where(Complaint.item_code == item_code)
    if date_from:
        stmt = stmt.where(Complaint.created_at >= _day_start(date_from))
    if date_to:
        stmt = stmt.where(Complaint.created_at < _day_start(date_to + timedelta(days=1)))
    return int(session.scalar(stmt) or 0)


def _p90(session: Session, f, completed: int) -> int | None:
    """Nearest-rank 90th percentile of working days taken (the same on every database)."""
    if not completed:
        return None
    rank = math.ceil(0.9 * completed)
    return session.scalar(select(f.c.working_days_taken).where(f.c.completed_at.is_not(None))
                          .order_by(f.c.working_days_taken).limit(1).offset(rank - 1))


def to_csv(figures: dict) -> str:
    lines = ["figure,value"] + [f"{name},{'' if figures[name] is None else figures[name]}" for name in FIGURES]
    return "\n".join(lines) + "\n"
