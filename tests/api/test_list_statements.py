"""Every list answers in at most three SQL statements, whatever the page size (no N+1): the account and
the page with what it shows joined in and its total (X-Pagination) as a column; an empty page past
the end, which has no row to carry the total, counts it apart (3). All in autocommit (no BEGIN/COMMIT round trips). The
staff access-log INSERT (one a page) is counted apart."""
from __future__ import annotations

from flask import has_app_context
from sqlalchemy import func, select

from app.extensions import db
from app.services.history import seed_history
from models.application import Application
from models.citizen import Citizen
from tests.helpers import login_citizen, login_staff, statements_run

LISTS = [
    ("citizen", "/api/v1/applications"), ("citizen", "/api/v1/applications?status=delivered"),
    ("clerk", "/api/v1/hall/applications"), ("clerk", "/api/v1/hall/applications?status=delivered"),
    ("clerk", "/api/v1/hall/shipments"), ("clerk", "/api/v1/alerts"),
    ("clerk", "/api/v1/supervision/rectifications"), ("reviewer-rsj", "/api/v1/department/subcases"),
    ("reviewer-rsj", "/api/v1/department/subcases?status=pending"),
    ("reviewer-rsj", "/api/v1/alerts"), ("courier", "/api/v1/courier/shipments"),
    ("supervisor", "/api/v1/supervision/warnings"), ("supervisor", "/api/v1/supervision/warnings?light=red"), ("supervisor", "/api/v1/supervision/rectifications"),
    ("supervisor", "/api/v1/supervision/complaints"), ("reviewer-gjj", "/api/v1/supervision/complaints"),
    # Help at every door
    ("clerk", "/api/v1/hall/assisted-applications?status=submitted"), ("admin", "/api/v1/admin/halls"),
    ("admin", "/api/v1/admin/departments"),
]


def _statements(app, client, url: str, headers: dict) -> tuple[int, int]:
    # A test's own session (requests share its app context, if it has one) ends its transaction, as
    # every request's does in production when its app context ends.
    if has_app_context():
        db.session.rollback()
    with statements_run(app) as ran:
        answer = client.get(url, headers=headers)
    # The access-log write (staff reads of personal data) is one statement a page, not a look-up.
    audit = [s for _, s in ran if s.lstrip().upper().startswith("INSERT INTO ACCESS_LOG")]
    seen = [s for _, s in ran if s not in audit]
    # A list only reads: no BEGIN/COMMIT round trips around its statements (autocommit).
    in_transaction = [s for level, s in ran if level != "AUTOCOMMIT"]
    assert answer.status_code == 200, answer.json
    assert len(audit) <= 1, audit
    assert not in_transaction, (url, in_transaction)
    return len(answer.json), len(seen)


def test_lists_do_not_grow_with_the_page(app, client, sms, db_session, today):
    seed_history(session=db_session, count=400, months=2, today=today, seed=3, batch=200)
    db_session.commit()
    # The citizen with the most cases in the history (a page of several, each with its materials).
    busiest = db_session.scalar(select(Application.citizen_id).group_by(Application.citizen_id)
                                .order_by(func.count().desc(), Application.citizen_id).limit(1))
    citizen = login_citizen(client, sms, db_session.scalar(select(Citizen.phone).where(Citizen.id == busiest)))
    for username, url in LISTS:
        headers = citizen["headers"] if username == "citizen" else login_staff(client, username)["headers"]
        joint = "&" if "?" in url else "?"
        one_row, small = _statements(app, client, f"{url}{joint}page_size=1", headers)
        rows, large = _statements(app, client, f"{url}{joint}page_size=50", headers)
        assert large == small, (url, small, large)
        # The account and the first page with its total (an empty first page is an empty list).
        assert small == 2, (url, small)
        if username == "courier" or url.endswith("/hall/applications?status=delivered"):
            assert rows > 10  # the history posts results: the page really has many rows
        if url.endswith("/api/v1/applications"):
            assert rows > 1  # several cases, each with its materials


def test_a_total_past_the_bound_is_a_lower_bound(client, db_session, today, monkeypatch):
    """Past COUNT_LIMIT rows the total is not counted to the end: X-Pagination says how many at least
    and where the next page is, and no `total` or `last_page`; below the bound it is exact."""
    import json

    from app.services import paging

    seed_history(session=db_session, count=200, months=2, today=today, seed=5, batch=200)
    db_session.commit()
    headers = login_staff(client, "courier")["headers"]
    exact = json.loads(client.get("/api/v1/courier/shipments?page_size=5", headers=headers).headers["X-Pagination"])
    assert exact["total"] > 12 and exact["next_page"] == 2
    monkeypatch.setattr(paging, "COUNT_LIMIT", 12)
    first = client.get("/api/v1/courier/shipments?page_size=5", headers=headers)
    assert json.loads(first.headers["X-Pagination"]) == {"total_at_least": 13, "first_page": 1, "page": 1,
                                                         "next_page": 2}
    assert len(first.json) == 5
    # Deeper than the bound: counted as far as the page reaches, and one row past it.
    deep = json.loads(client.get("/api/v1/courier/shipments?page_size=5&page=3", headers=headers).headers["X-Pagination"])
    assert deep == {"total_at_least": 16, "first_page": 1, "page": 3, "previous_page": 2, "next_page": 4}
    # The last page: what is left is under the bound, so the total is exact again.
    last = exact["last_page"]
    tail = client.get(f"/api/v1/courier/shipments?page_size=5&page={last}", headers=headers)
    assert json.loads(tail.headers["X-Pagination"])["total"] == exact["total"]
    assert "next_page" not in json.loads(tail.headers["X-Pagination"])
    # A short list stays exact.
    small = login_staff(client, "reviewer-gjj")["headers"]
    assert "total" in json.loads(client.get("/api/v1/supervision/complaints", headers=small).headers["X-Pagination"])


def test_pages_cut_from_keys_are_the_rows_in_order(client, db_session, today):
    """A page is cut from the keys, then read by them with its joins (materials, applicants): pages
    in a row are the list in order, without gaps or repeats, each row with all its materials."""
    seed_history(session=db_session, count=150, months=2, today=today, seed=9, batch=150)
    db_session.commit()
    for username, url in (("clerk", "/api/v1/hall/applications?status=delivered"),
                          ("courier", "/api/v1/courier/shipments"), ("reviewer-rsj", "/api/v1/department/subcases")):
        headers = login_staff(client, username)["headers"]
        joint = "&" if "?" in url else "?"
        whole = client.get(f"{url}{joint}page_size=9", headers=headers).json
        pages = [client.get(f"{url}{joint}page_size=3&page={n}", headers=headers).json for n in (1, 2, 3)]
        assert len(whole) == 9, url
        assert [row["id"] for page in pages for row in page] == [row["id"] for row in whole], url
        if "hall" in url:
            assert all(len(row["materials"]) == 2 for page in pages for row in page)
