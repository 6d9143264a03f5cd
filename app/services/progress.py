"""What the phone shows: stage, the next thing the citizen owes, sub-cases, trips, deadline, timeline.

Every phone polls it, so it is built for speed (issue 12, bench/progress_rps.py):
- `progress_stamp`: ONE statement reads the account, whether the caller may see the case
  (app.services.cases.visible_to) and what the view depends on (its version, its last event); an
  unchanged case answers 304 from that alone;
- `progress`: ONE statement builds the sub-cases, trips, pauses, shipment and timeline as a JSON
  document in the database (json_build_object/json_agg on PostgreSQL, json_object/json_group_array
  on SQLite, timestamps formatted as Python's isoformat); Python adds only what follows rules kept
  in Python (the deadline on the holiday calendar, the next action, English).
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime
from types import SimpleNamespace

import orjson
from sqlalchemy import Date, Integer, and_, bindparam, func, literal, select, text, union_all
from sqlalchemy.orm import Session

from app.actors import CITIZEN, Actor
from app.clock import Clock, local_date
from app.services import i18n
from app.services.cases import visible_to
from app.services.calendar import calendar_version, fresh_version, load_calendar
from app.services.deadlines import compute_deadline
from app.services.progress_cache import ProgressCache
from app.services.remembered import Remembered, bind_key
from models.application import Application, Event
from models.catalogue import Carrier, Department, Hall, Item
from models.base import UTCDateTime
from models.citizen import Citizen
from models.shipment import Shipment
from models.workflow import AppStatus, SubStatus

STAGES = {
    AppStatus.draft: "填写申请", AppStatus.submitted: "等待窗口受理", AppStatus.returned: "待补正",
    AppStatus.accepted: "已受理", AppStatus.in_review: "部门审核中", AppStatus.completed: "已办结",
    AppStatus.delivered: "已送达", AppStatus.rejected: "不予受理", AppStatus.withdrawn: "已撤回",
}


def next_action(application: Application, subcases: list, shipment: Shipment | dict | None) -> dict | None:
    """The one thing the citizen should do now, or None when the ball is with the government."""
    status = application.status
    if status == AppStatus.draft:
        return {"code": "submit", "message": "补全表单和材料后提交申请"}
    if status == AppStatus.returned:
        return {"code": "correct_and_resubmit", "message": "按补正告知一次性修改后重新提交"}
    if any(s.status == SubStatus.materials_requested for s in subcases):
        return {"code": "supply_materials", "message": "部门要求补充材料，请补充后确认"}
    owed = [m for m in application.materials if m.pending]
    if owed and status in (AppStatus.accepted, AppStatus.in_review, AppStatus.completed):
        due = application.commitment_due.isoformat() if application.commitment_due else None
        return {"code": "deliver_committed_materials", "due": due,
                "message": f"请于 {due} 前补交容缺材料：{'、'.join(m.name for m in owed)}"}
    if status == AppStatus.completed and shipment is None:
        if application.delivery_method is None:
            return {"code": "choose_delivery", "message": "选择窗口领取或邮寄到家"}
        if application.delivery_method == "window":
            return {"code": "collect_at_window", "message": "请携带身份证到窗口领取办理结果"}
    return None


REPRESENTATION = 2  # bump when the progress view changes shape: cached copies must not survive it


def _stamp_statement():
    """Built once: the account, the case if the caller may see it (visible_to, with the citizen and
    the day as parameters), its version and its last event (one probe of ix_events_application_at)."""
    actor = Actor(CITIZEN, bindparam("citizen_id", type_=Integer), CITIZEN)
    last_event = (select(func.max(Event.id)).where(Event.application_id == Application.id)
                  .correlate(Application).scalar_subquery())
    return (select(Citizen.id, Application.id, Application.version, last_event, Application.created_at)
            .select_from(Citizen)
            .outerjoin(Application, and_(Application.id == bindparam("application_id", type_=Integer),
                                         visible_to(actor, bindparam("today", type_=Date))))
            .where(Citizen.id == bindparam("citizen_id", type_=Integer)))


_STAMP = _stamp_statement()

# The names a view shows that are not the case's own (an item renamed in the catalogue, a department,
# a hall, a carrier): read once a minute per process, at once after news that anything may have
# changed (a catalogue write in this process, or `*` from app.gateways.changes), and named in the tag.
_NAMES = union_all(*(select(literal(kind), table.id, table.code, name)
                     for kind, table, name in (("i", Item, Item.main_name), ("d", Department, Department.name),
                                               ("h", Hall, Hall.name), ("c", Carrier, Carrier.name))))


def _read_names(session: Session) -> tuple[dict, str]:
    """(what a body may show: department names by code, item, hall and carrier names (a sub-case
    keeps its own copy of the item's code); the fingerprint). Codes are in it too: a body shows a
    department's."""
    rows = sorted(tuple(row) for row in read_connection(session).execute(_NAMES))
    shown: dict = {"i": set(), "d": {}, "h": set(), "c": set()}
    for kind, _, code, name in rows:
        if kind == "d":
            shown[kind][code] = name
        else:
            shown[kind].add(name)
    return shown, hashlib.sha1(repr(rows).encode()).hexdigest()[:16]


_names = Remembered(_read_names)


def reference_version(session: Session) -> str:
    """Names the holiday calendar and the names this process shows (for the progress tag)."""
    return f"{calendar_version(session)}.{_names.get(session)[1]}"


def fresh_reference(key: str | None) -> str | None:
    """`reference_version` without a session while both copies are fresh (None: read them again)."""
    calendar, names = fresh_version(key), _names.fresh(key)
    return None if calendar is None or names is None else f"{calendar}.{names}"


def read_connection(session: Session):
    """The session's connection for a request that only reads: in autocommit when the session has
    not begun yet, so no BEGIN and no ROLLBACK go to the database (two round trips of three on a
    304). Two statements may see two states of a changing case, as they may in READ COMMITTED: the
    worst is a tag older than the body, answered 200 once more at the next poll."""
    if (session if isinstance(session, Session) else session()).in_transaction():  # a scoped session
        return session.connection()
    return session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def progress_stamp(*, session: Session, clock: Clock, citizen_id: int, application_id: int,
                   lang: str = "zh-CN", cache: ProgressCache | None = None) -> str | None:
    """The ETag of the view, in one statement that also reads the account and checks visibility, or
    in none when `cache` knows the case's stamp (a worker hearing every change; see progress_cache).

    None: no such account (the token names nobody: 401). "": not the caller's case (404). The tag
    changes with every change of the case (each writes an event, events are never updated, and
    its version moves), with the case itself (its id and creation instant: an id used again after a
    database is restored from a backup names another case), with the day (remaining working days), the
    holiday calendar and the names the view shows (a renamed item), the language and the shape of the
    view. The calendar and the names are re-read at most once a minute (app.services.remembered)."""
    today = local_date(clock())
    known = cache.stamp(application_id, citizen_id, today) if cache is not None else None
    if known is None:
        generation = cache.generation if cache is not None else 0
        row = read_connection(session).execute(
            _STAMP, {"citizen_id": citizen_id, "application_id": application_id, "today": today}).first()
        if row is None:
            return None
        if row[1] is None:
            return ""
        known = f"{application_id}:{row[4].isoformat()}:{row[2]}:{row[3]}"
        if cache is not None:
            cache.keep_stamp(application_id, citizen_id, today, known, generation=generation)
    reference = fresh_reference(cache.reference_key) if cache is not None else None
    if reference is None:
        reference = reference_version(session)
        if cache is not None:
            cache.reference_key = bind_key(session)
    return tag_of(known, today, reference, lang)


def tag_of(known: str, today: date, reference: str, lang: str) -> str:
    """The ETag from what the case's stamp names, the day, the calendar and the names shown
    (`reference_version`), the language and the shape."""
    return hashlib.sha1(f"{known}:{today.isoformat()}:{reference}:{lang}:{REPRESENTATION}".encode()).hexdigest()


def _iso_pg(column: str) -> str:
    """timestamptz as Python's isoformat() of the aware UTC datetime (marshmallow's DateTime)."""
    return (f"(to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN to_char({column}, 'US') "
            f"= '000000' THEN '' ELSE to_char({column}, '.US') END || '+00:00')")


def _iso_sqlite(column: str) -> str:
    """SQLite keeps UTC as text, 'YYYY-MM-DD HH:MM:SS[.ffffff]': the same isoformat() text."""
    return (f"(replace(substr({column}, 1, 19), ' ', 'T') || CASE WHEN substr({column}, 21) IN ('', '000000') "
            f"THEN '' ELSE '.' || substr({column}, 21, 6) END || '+00:00')")


_SUBCASE = ("'id', s.id, 'item_code', s.item_code, 'item_name', i.main_name, 'department', d.code, "
            "'department_name', d.name, 'status', s.status, 'depends_on', {depends_on}")
_SUBCASES_FROM = ("FROM subcases s JOIN departments d ON d.id = s.department_id JOIN items i ON i.id = s.item_id "
                  "WHERE s.application_id = a.id")
_VISIT = "'at', {at}, 'hall', h.name, 'purpose', v.purpose"
_VISITS_FROM = "FROM visits v JOIN halls h ON h.id = v.hall_id WHERE v.application_id = a.id"
_PAUSE = "'reason', p.reason, 'started_at', {started}, 'ended_at', {ended}"
_PAUSES_FROM = "FROM pauses p WHERE p.application_id = a.id"
_EVENT = "'at', {at}, 'event', e.event, 'message', e.message"
_EVENTS_FROM = "FROM events e WHERE e.application_id = a.id AND e.message <> ''"
_SHIPMENT = "'id', sh.id, 'status', sh.status, 'carrier', c.name, 'tracking_number', sh.tracking_number"
_SHIPMENT_FROM = ("FROM shipments sh LEFT JOIN carriers c ON c.id = sh.carrier_id WHERE sh.application_id = a.id "
                  "ORDER BY sh.id DESC LIMIT 1")
_OWED_FROM = "FROM application_materials m WHERE m.application_id = a.id AND m.pending"
_CASE = ("SELECT a.number, a.title, a.status, a.delivery_method, a.commitment_due, a.accepted_on, "
         "a.promised_days, a.completed_at, {document} AS document FROM applications a WHERE a.id = :id")


def _pg_document() -> str:
    def agg(obj: str, source: str, order: str) -> str:
        return f"(SELECT coalesce(json_agg(json_build_object({obj}) ORDER BY {order}), '[]'::json) {source})"

    document = (
        "json_build_object("
        f"'subcases', {agg(_SUBCASE.format(depends_on='s.depends_on'), _SUBCASES_FROM, 's.position, s.id')}, "
        f"'visits', {agg(_VISIT.format(at=_iso_pg('v.at')), _VISITS_FROM, 'v.id')}, "
        f"'pauses', {agg(_PAUSE.format(started=_iso_pg('p.started_at'), ended=_iso_pg('p.ended_at')), _PAUSES_FROM, 'p.id')}, "
        f"'timeline', {agg(_EVENT.format(at=_iso_pg('e.at')), _EVENTS_FROM, 'e.id')}, "
        f"'shipment', (SELECT json_build_object({_SHIPMENT}) {_SHIPMENT_FROM}), "
        f"'owed', (SELECT coalesce(json_agg(m.name ORDER BY m.position, m.id), '[]'::json) {_OWED_FROM}))::text")
    return _CASE.format(document=document)


def _sqlite_document() -> str:
    # A JSON value loses its JSON-ness through a subquery in SQLite: json() marks it again. SQLite
    # before 3.44 has no ORDER BY inside an aggregate: the rows are ordered in a subquery.
    def agg(obj: str, source: str, order: str) -> str:
        return (f"json((SELECT json_group_array(json(x)) FROM (SELECT json_object({obj}) AS x {source} "
                f"ORDER BY {order})))")

    document = (
        "json_object("
        f"'subcases', {agg(_SUBCASE.format(depends_on='json(s.depends_on)'), _SUBCASES_FROM, 's.position, s.id')}, "
        f"'visits', {agg(_VISIT.format(at=_iso_sqlite('v.at')), _VISITS_FROM, 'v.id')}, "
        f"'pauses', {agg(_PAUSE.format(started=_iso_sqlite('p.started_at'), ended=_iso_sqlite('p.ended_at')), _PAUSES_FROM, 'p.id')}, "
        f"'timeline', {agg(_EVENT.format(at=_iso_sqlite('e.at')), _EVENTS_FROM, 'e.id')}, "
        f"'shipment', json((SELECT json_object({_SHIPMENT}) {_SHIPMENT_FROM})), "
        f"'owed', json((SELECT json_group_array(name) FROM (SELECT m.name {_OWED_FROM} ORDER BY m.position, m.id))))")
    return _CASE.format(document=document)


_TYPES = {"commitment_due": Date, "accepted_on": Date, "completed_at": UTCDateTime}
_DOCUMENT = {"postgresql": text(_pg_document()).columns(**_TYPES),
             "sqlite": text(_sqlite_document()).columns(**_TYPES)}


def progress(*, session: Session, clock: Clock, application: Application | None = None,
             application_id: int | None = None, lang: str = "zh-CN") -> dict:
    """The view in zh-CN, or in English for `lang="en"` (catalogue names stay as published), of a
    case the caller may see (checked by `progress_stamp`): one statement, and the calendar's at
    most once a minute. Dates are `date`s, timestamps ISO 8601 text (as the API shows them)."""
    application_id = application.id if application is not None else application_id
    connection = read_connection(session)
    row = connection.execute(_DOCUMENT[connection.dialect.name], {"id": application_id}).one()
    number, title, status, delivery_method, commitment_due, accepted_on, promised_days, completed_at, raw = row
    document = orjson.loads(raw)
    status = AppStatus(status)
    owed = document["owed"]
    pauses = document["pauses"]
    deadline = None
    if accepted_on is not None:
        d = compute_deadline(load_calendar(session), start=accepted_on, promised_days=promised_days,
                             pauses=[SimpleNamespace(started_at=datetime.fromisoformat(p["started_at"]),
                                                     ended_at=p["ended_at"] and datetime.fromisoformat(p["ended_at"]))
                                     for p in pauses],
                             now=clock(), finished_at=completed_at)
        deadline = {"promised_date": d.promised_date, "remaining_working_days": d.remaining_working_days,
                    "light": d.light, "promised_days": d.promised_days, "paused": d.paused,
                    "paused_working_days": d.paused_working_days,
                    "calendar_fallback_years": d.calendar_fallback_years}
    case = SimpleNamespace(status=status, delivery_method=delivery_method, commitment_due=commitment_due,
                           materials=[SimpleNamespace(name=name, pending=True) for name in owed])
    subcases = [SimpleNamespace(status=s["status"]) for s in document["subcases"]]
    visits = document["visits"]
    trips = len(visits)
    timeline = document["timeline"]
    if lang == "en":
        for entry in timeline:
            entry["message"] = i18n.timeline_message(entry["message"], lang)
    return {
        "id": application_id, "number": number, "title": title, "status": str(status),
        "stage": i18n.stage(str(status), STAGES[status], lang),
        "next_action": i18n.next_action(next_action(case, subcases, document["shipment"]), lang, owed),
        "deadline": deadline,
        "subcases": document["subcases"],
        "visits": visits, "visit_count": trips, "zero_trip": trips == 0, "at_most_one_trip": trips <= 1,
        "shipment": document["shipment"],
        "pauses": pauses,
        "timeline": timeline,
    }


UNSETTLED = ".unsettled"  # a tag no poll computes: the phone's next poll is answered in full


def progress_answer(*, tag: str | None = None, cache: ProgressCache | None = None, **kwargs) -> tuple[bytes, str | None]:
    """(`progress` as the response body, the tag to give with it). The body shows the catalogue's
    names as the database has them now; the tag names the names this process remembers (at most a
    minute old). When they differ (a rename another worker made, not heard yet) the body is neither
    kept nor given under the tag: renamed back before this worker reads the names again, the tag
    would come back and name the undone name for the life of the case. It goes with a tag that never
    matches, and the names are read again at the next poll."""
    body = cache.body(tag) if cache is not None and tag else None
    if body is not None:
        return body, tag
    view = progress(**kwargs)
    body = orjson.dumps(view)
    if cache is None or not tag:
        return body, tag
    if not _shows_remembered_names(view, _names.fresh_value(cache.reference_key)):
        _names.forget()
        return body, tag + UNSETTLED
    cache.keep_body(tag, body)
    return body, tag


def _shows_remembered_names(view: dict, shown: dict | None) -> bool:
    if shown is None:  # the minute ran out meanwhile: nothing to compare with
        return False
    shipment = view["shipment"]
    return (all(s["item_name"] in shown["i"] and shown["d"].get(s["department"]) == s["department_name"]
                for s in view["subcases"])
            and all(v["hall"] in shown["h"] for v in view["visits"])
            and (shipment is None or shipment["carrier"] is None or shipment["carrier"] in shown["c"]))
