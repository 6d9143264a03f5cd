"""seed-history: realistic past cases for demos and benchmarks, written in bulk.

Each case is internally consistent: a completed case has its working days and on-time fact, visits
are rows (window pickups add one), post deliveries have a delivered shipment, ratings follow the
好差评 scale and bad ones open rectifications.
"""
from __future__ import annotations

import functools
import json
import random
from itertools import accumulate
from datetime import date, datetime, timedelta, timezone

from app.clock import SHANGHAI
from app.services.unit_of_work import transaction

from sqlalchemy import JSON, func, insert, select, text
from sqlalchemy.orm import Session

from app.services import deadlines
from app.services.calendar import load_calendar
from models.application import EXEMPTING, Application, ApplicationMaterial, SubCase, Visit
from models.catalogue import Bundle, Carrier, Hall, Item
from models.citizen import Citizen
from models.evaluation import Complaint, Evaluation, Rectification
from models.numbering import make_number
from models.shipment import Shipment, ShipmentStatus
from models.staff import Staff

COUNTIES = ["330825", "330802", "330803", "330822", "330824", "330881"]  # 龙游 first: half of the cases
SCORE_WEIGHTS = [(5, 60), (4, 25), (3, 8), (2, 4), (1, 3)]
# random.choices with cumulative weights made once (the same draws as with weights, without
# re-adding them for each of a million cases).
SCORE_VALUES, SCORE_ODDS = [s for s, _ in SCORE_WEIGHTS], list(accumulate(w for _, w in SCORE_WEIGHTS))
CHANNELS, CHANNEL_ODDS = ["mobile", "assisted", "agent"], list(accumulate([84, 12, 4]))
DELIVERIES, DELIVERY_ODDS = ["post", "window", None], list(accumulate([50, 30, 20]))
BATCH = 5000


def _next_id(session: Session, model) -> int:
    return (session.scalar(select(func.max(model.id))) or 0) + 1


def seed_history(*, session: Session, count: int, months: int = 12, today: date, seed: int = 2026,
                 batch: int = BATCH) -> dict:
    with transaction(session):
        rng = random.Random(seed)
        calendar = load_calendar(session)
        # A million cases start on a few hundred days: each (day, promised days) is counted once.
        promised_on = functools.lru_cache(maxsize=None)(lambda start, days: deadlines.promised_date(calendar, start,
                                                                                                    days))
        items = session.scalars(select(Item)).all()
        bundles = session.scalars(select(Bundle)).all()
        hall = session.scalars(select(Hall).where(Hall.region_code == COUNTIES[0]).order_by(Hall.id)).first()
        carrier = session.scalars(select(Carrier).order_by(Carrier.id)).first()
        clerk = session.scalars(select(Staff).where(Staff.hall_id == hall.id).order_by(Staff.id)).first() if hall else None
        if not items or hall is None or carrier is None or clerk is None:
            raise RuntimeError("run seed-demo first: history needs the catalogue, a hall and a carrier")
        citizens_wanted = max(1, count // 3)
        ids = {m: _next_id(session, m) for m in (Citizen, Application, SubCase, Visit, ApplicationMaterial,
                                                Shipment, Evaluation, Rectification, Complaint)}
        citizen_ids = list(range(ids[Citizen], ids[Citizen] + citizens_wanted))
        ids[Citizen] += citizens_wanted

        def take(model) -> int:
            """The next id of a table: ids are assigned here so children can point at parents."""
            ids[model] += 1
            return ids[model] - 1

        _bulk(session, Citizen, [{"id": cid, "phone": f"199{cid:08d}"[-11:], "name": f"历史用户{cid}",
                                  "real_name_verified": False} for cid in citizen_ids])
        rows: dict = {m: [] for m in ids}
        start_day = today - timedelta(days=30 * months)
        # History ends as `today` begins in Shanghai: nothing in it happens later than that.
        history_ends = datetime.combine(today, datetime.min.time(), tzinfo=SHANGHAI)
        for n in range(count):
            aid = take(Application)
            region = COUNTIES[0] if rng.random() < 0.5 else rng.choice(COUNTIES[1:])
            day = start_day + timedelta(days=rng.randrange((today - start_day).days or 1))
            submitted = datetime(day.year, day.month, day.day, rng.randrange(1, 9), rng.randrange(60), tzinfo=timezone.utc)
            if rng.random() < 0.25 and bundles:
                bundle = rng.choice(bundles)
                case_items, title, item_code, bundle_code = [link.item for link in bundle.items], bundle.name, None, bundle.code
            else:
                item = rng.choice(items)
                case_items, title, item_code, bundle_code = [item], item.main_name, item.code, None
            promised = max(i.promised_days for i in case_items)
            statutory = max(i.statutory_days for i in case_items)
            # Channels as the statistics count them (the window's cases were assisted there, 帮办).
            channel = rng.choices(CHANNELS, cum_weights=CHANNEL_ODDS)[0]
            roll = rng.random()
            recent = (today - day).days < 10
            status = ("submitted" if recent and roll < 0.3 else "in_review" if recent and roll < 0.6 else
                      "rejected" if roll < 0.03 else "withdrawn" if roll < 0.05 else "completed")
            # History numbers use the id above the live daily sequence's range: unique across runs.
            app = {"id": aid, "number": make_number(region, day, 100000 + aid),
                   "citizen_id": rng.choice(citizen_ids), "item_code": item_code, "bundle_code": bundle_code,
                   "title": title, "hall_id": hall.id if region == COUNTIES[0] else None, "region_code": region,
                   "status": status, "version": 1, "form": {}, "form_spec": [], "channel": channel,
                   "promised_days": promised, "statutory_days": statutory, "submitted_at": submitted,
                   "return_count": 1 if rng.random() < 0.06 else 0, "changed_since_return": False,
                   "created_at": submitted, "updated_at": submitted}
            visits = 1 if channel == "assisted" else 0
            if status in ("in_review", "completed"):
                accepted = submitted + timedelta(hours=rng.randrange(1, 30))
                app.update(accepted_at=accepted, accepted_on=accepted.date(), promised_date=promised_on(accepted.date(), promised))
            if status == "in_review":
                app["light"] = "green"
            if status == "completed":
                late = rng.random() < 0.12
                taken = rng.randint(promised + 1, promised + 6) if late else rng.randint(0, promised)
                if late and taken > promised + 3:  # red past ESCALATE_AFTER_WORKING_DAYS: went up (督办)
                    app["escalated_at"] = app["accepted_at"] + timedelta(days=(promised + 3) * 7 / 5)
                    app["escalated_to"] = region[:4] + "00"
                app["commitment_overdue"] = rng.random() < 0.02  # a 容缺 pledge supplied late
                completed = app["accepted_at"] + timedelta(days=taken * 7 / 5, hours=rng.randrange(1, 8))
                if completed >= history_ends:  # not finished yet: still with the departments
                    status = app["status"] = "in_review"
                    app["light"] = "green"
            if status == "completed":
                app.update(completed_at=completed, working_days_taken=taken, on_time=not late)
                if rng.random() < 0.04:
                    visits += 1  # came in for 补正 or to verify an original
                method = rng.choices(DELIVERIES, cum_weights=DELIVERY_ODDS)[0]
                app["delivery_method"] = method
                if rng.random() < 0.85:
                    app.update(status="delivered", delivered_at=completed + timedelta(days=rng.randint(0, 3)))
                    if method == "window":
                        visits += 1
                    elif method == "post":
                        rows[Shipment].append({
                            "id": take(Shipment), "number": f"{app['number']}-P1", "application_id": aid, "hall_id": hall.id,
                            "carrier_id": carrier.id, "status": ShipmentStatus.delivered.value, "version": 1,
                            "address": {"recipient": "历史", "phone": "13800000000", "region_code": region,
                                        "detail": "历史地址", "postcode": "324400"},
                            "tracking_number": f"H{aid:012d}", "requested_at": completed, "packed_at": completed,
                            "picked_up_at": completed, "delivered_at": app["delivered_at"], "recipient_name": "本人",
                            "created_at": completed, "updated_at": completed})
                # The past had its worker too: cases finished long ago were invited to rate back then.
                if (today - completed.date()).days > 3:
                    app["evaluation_invited_at"] = completed + timedelta(days=3)
                if rng.random() < 0.6:
                    _rate(rng, rows, take, app, hall.id)
            for v in range(visits):
                rows[Visit].append({"id": take(Visit), "application_id": aid, "hall_id": hall.id,
                                    "staff_id": clerk.id, "purpose": "窗口办理" if v == 0 else "领取结果",
                                    "at": submitted + timedelta(hours=v)})
            for position, item in enumerate(case_items if "accepted_at" in app else []):
                decided = status == "completed"
                rows[SubCase].append({"id": take(SubCase), "application_id": aid,
                                      "position": position, "item_id": item.id, "item_code": item.code,
                                      "department_id": item.department_id,
                                      "status": "approved" if decided else "pending",
                                      "version": 1, "depends_on": [], "promised_days": item.promised_days,
                                      "opened_on": app.get("accepted_on")})
            for position in range(2):
                rows[ApplicationMaterial].append({
                    "id": take(ApplicationMaterial), "application_id": aid,
                    "position": position, "code": f"M{position}", "name": "材料", "required": True,
                    "commitment_allowed": False, "elicense_type": "ID_CARD" if position == 0 else None,
                    "formats": ["jpg"], "max_size_mb": 10, "items": [],
                    "satisfied_by": ("elicense" if rng.random() < 0.35 else "upload") if position == 0
                    else ("data" if rng.random() < 0.2 else "upload"),  # 无证明: proved from government data
                    "upload_ids": [], "pending": False})
            if rng.random() < 0.005:
                answered = (today - day).days > 10
                rows[Complaint].append({"id": take(Complaint), "citizen_id": app["citizen_id"],
                                        "application_id": aid, "item_code": item_code, "region_code": region,
                                        "content": "材料要求与指南不一致，办不成", "due_on": day + timedelta(days=7),
                                        "status": "answered" if answered else "open", "light": "green",
                                        "answered_on": day + timedelta(days=rng.randint(2, 10)) if answered else None,
                                        "created_at": submitted})
            app["visit_count"] = visits
            app["item_count"] = len(case_items) if "accepted_at" in app else 0
            app["exempted_count"] = sum(1 for m in rows[ApplicationMaterial][-2:] if m["satisfied_by"] in EXEMPTING)
            rows[Application].append(app)
            if len(rows[Application]) >= batch:
                _flush(session, rows)
        _flush(session, rows)
        _resync_sequences(session)
        return {"applications": count, "citizens": citizens_wanted}


def _rate(rng: random.Random, rows: dict, take, app: dict, hall_id: int) -> None:
    score = rng.choices(SCORE_VALUES, cum_weights=SCORE_ODDS)[0]
    at = app["completed_at"] + timedelta(days=rng.randint(0, 5))
    eid = take(Evaluation)
    dismissed = score <= 2 and rng.random() < 0.05
    invited = app.get("evaluation_invited_at") is not None and rng.random() < 0.4
    app["rating_score"], app["rating_invited"] = None if dismissed else score, invited
    rows[Evaluation].append({"id": eid, "application_id": app["id"], "citizen_id": app["citizen_id"], "score": score,
                             "tags": [], "comment": "", "invited": invited,
                             "created_at": at,
                             "dismissed_at": at if dismissed else None,
                             "dismiss_reason": "经核实为恶意差评" if score <= 2 else None})
    if score <= 2:
        resolved = rng.random() < 0.8
        app["rectification_state"] = None if dismissed else "resolved" if resolved else "open"
        rows[Rectification].append({
            "id": take(Rectification), "evaluation_id": eid,
            "application_id": app["id"], "hall_id": hall_id, "region_code": app["region_code"],
            "status": "dismissed" if dismissed else "resolved" if resolved else "open", "first_contact_due": at.date() + timedelta(days=1),
            "fix_due": at.date() + timedelta(days=21), "resolved_at": at + timedelta(days=5) if resolved else None,
            "resolution": "已电话回访并改进" if resolved else None, "created_at": at})


def _flush(session: Session, rows: dict) -> None:
    for model in (Application, SubCase, Visit, ApplicationMaterial, Shipment, Evaluation, Rectification, Complaint):
        _bulk(session, model, rows[model])
        rows[model] = []


def _bulk(session: Session, model, batch: list[dict]) -> None:
    """Core executemany: multi-row INSERTs, not an ORM round trip per row. Every row carries every
    column (Core needs one shape), column defaults filled in as the ORM would."""
    if not batch:
        return
    table = model.__table__
    now = datetime.now(timezone.utc)
    fixed, made = {}, {}  # constant defaults, and those made per row (a new dict or list)
    for column in table.columns:
        default = column.default
        if default is None and column.server_default is not None:  # created_at / updated_at
            fixed[column.name] = now
        elif default is None:
            fixed[column.name] = None
        elif default.is_scalar:
            fixed[column.name] = default.arg
        else:
            made[column.name] = default.arg
    names = [column.name for column in table.columns]
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), [{name: row[name] if name in row else fixed[name] if name in fixed
                                            else made[name](None) for name in names} for row in batch])
        return
    # PostgreSQL: COPY, an order of magnitude faster than INSERTs for a million cases; one pass a row,
    # and the empty JSON documents most rows carry written as constants.
    json_at = [i for i, column in enumerate(table.columns) if isinstance(column.type, JSON)]
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
        for row in batch:
            values = [row[name] if name in row else fixed[name] if name in fixed else made[name](None)
                      for name in names]
            for i in json_at:
                if values[i] is not None:
                    values[i] = _json_text(values[i])
            copy.write_row(values)


def _json_text(value) -> str:
    if isinstance(value, (list, dict)) and not value:
        return "[]" if isinstance(value, list) else "{}"
    return json.dumps(value, ensure_ascii=False)


def _resync_sequences(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in (Citizen, Application, SubCase, Visit, ApplicationMaterial, Shipment, Evaluation, Rectification,
                  Complaint):
        table = model.__tablename__
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"))
