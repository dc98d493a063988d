"""Admin lists in pages: following 下一頁 from the first page reaches every row once, a
page's related rows come with it (not a query per row), and a search inside names needs
three characters (or, for the authority, a unit code)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from idp.hub import Hub
from idp.models import Account, AccountRole, AccountStatus, HubSession, utcnow
from idp.services.accounts.directory import create_account
from idp.services.reports import paging
from idp.services.units.directory import find_by_code

from ..support.helpers import PASSWORD
from ..support.portal import HOSPITAL, ROLES, make_people, visitor

#: More than two pages of the smallest page size.
MEMBERS = 45
NEXT = re.compile(r'<a href="([^"]+)" rel="next">')
PREVIOUS = re.compile(r'<a href="([^"]+)" rel="prev">')
LINK = re.compile(r'<a href="/admin/accounts/\d+">(scale\d+)</a>')
CELL = re.compile(r"/unit/accounts/\d+\">(scale\d+)</a>")
SIGNIN_ROW = re.compile(r"<td>(scale\d+)</td>")


@pytest.fixture
def people(hub: Hub) -> None:
    make_people(hub)
    with hub.database.unit_of_work() as db:
        unit = find_by_code(db, HOSPITAL)
        for n in range(MEMBERS):
            create_account(
                db,
                hub.passwords,
                username=f"scale{n:03d}",
                password=PASSWORD,
                name=f"分頁測試{n:03d}",
                email=f"scale{n:03d}@example.org",
                unit=unit,
                role=AccountRole.MEMBER,
                status=AccountStatus.ACTIVE,
            )


def every_page(
    client: FlaskClient, path: str, row: re.Pattern[str], following: re.Pattern[str] = NEXT
) -> list[str]:
    """The rows of ``path`` and of each page after it following 下一頁 (or before it,
    following 上一頁, with ``PREVIOUS``), in list order."""
    pages: list[list[str]] = []
    for _ in range(MEMBERS):
        page = client.get(path)
        assert page.status_code == 200, page.get_data(as_text=True)[:500]
        text = page.get_data(as_text=True)
        rows = row.findall(text)
        assert 0 < len(rows) <= 20
        pages.append(rows)
        link = following.search(text)
        if link is None:
            ordered = pages if following is NEXT else pages[::-1]
            return [name for rows_of_page in ordered for name in rows_of_page]
        path = link.group(1).replace("&amp;", "&")
    raise AssertionError("the pages never ended")


@pytest.mark.usefixtures("people")
def test_security_admin_search_pages_reach_every_account(app: Flask, hub: Hub) -> None:
    client = visitor(app, hub, ROLES["security_admin"]).client
    seen = every_page(client, "/admin/accounts?q=scale", LINK)
    assert seen == [f"scale{n:03d}" for n in range(MEMBERS)]


@pytest.mark.usefixtures("people")
def test_account_list_pages_reach_every_account(app: Flask, hub: Hub) -> None:
    for role in ("unit_admin", "authority"):
        client = visitor(app, hub, ROLES[role]).client
        seen = every_page(client, "/unit/accounts?username=scale", CELL)
        assert seen == [f"scale{n:03d}" for n in range(MEMBERS)], role


@pytest.mark.usefixtures("people")
def test_lists_longer_than_counted_reach_every_row_through_next_pages(
    app: Flask, hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "COUNT_LIMIT", 30)
    client = visitor(app, hub, ROLES["security_admin"]).client
    first = client.get("/admin/accounts?q=scale").get_data(as_text=True)
    assert "第 1–20 筆，共 30 筆以上" in first and "最後一頁" not in first
    seen = every_page(client, "/admin/accounts?q=scale", LINK)
    assert seen == [f"scale{n:03d}" for n in range(MEMBERS)]


def statements(hub: Hub, client: FlaskClient, path: str) -> int:
    """How many SQL statements answering ``path`` takes."""
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(hub.database.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(hub.database.engine, "before_cursor_execute", count)
    return len(seen)


@pytest.mark.usefixtures("people")
def test_a_sign_in_log_page_takes_no_query_per_row(app: Flask, hub: Hub) -> None:
    now = utcnow()
    with hub.database.unit_of_work() as db:
        for n, account in enumerate(
            db.scalars(select(Account).where(Account.username.like("scale%")))
        ):
            db.add(
                HubSession(sid=f"sid{n:03d}", account_id=account.id, store_key="", created_at=now)
            )
    client = visitor(app, hub, ROLES["authority"]).client
    one_row = statements(hub, client, "/unit/signins?username=scale000")
    full_page = statements(hub, client, "/unit/signins?username=scale")
    assert full_page - one_row <= 1, (one_row, full_page)


@pytest.mark.usefixtures("people")
def test_searches_inside_names_need_three_characters(app: Flask, hub: Hub) -> None:
    security = visitor(app, hub, ROLES["security_admin"]).client
    short = security.get("/admin/accounts?q=sc")
    assert short.status_code == 400
    assert "請至少輸入 3 個字。" in short.get_data(as_text=True)
    assert not LINK.findall(short.get_data(as_text=True))

    authority = visitor(app, hub, ROLES["authority"]).client
    refused = authority.get("/unit/accounts?name=分頁")
    assert refused.status_code == 400
    assert "請至少輸入 3 個字，或同時輸入單位代碼。" in refused.get_data(as_text=True)
    within_unit = authority.get(f"/unit/accounts?name=分頁&unit_code={HOSPITAL}")
    assert within_unit.status_code == 200
    assert len(CELL.findall(within_unit.get_data(as_text=True))) == 20
    # A unit admin's list is one unit already: two characters are enough.
    unit_admin = visitor(app, hub, ROLES["unit_admin"]).client
    assert unit_admin.get("/unit/accounts?name=分頁").status_code == 200


LAST = re.compile(r'<a href="([^"]+)">最後一頁</a>')


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("sort", ["username", "-username", "last_signin", "-last_signin"])
def test_pages_go_both_ways_by_keyset_whatever_the_sort(app: Flask, hub: Hub, sort: str) -> None:
    """Sorted by a column most rows leave empty (最後登入) and some share, going down or up:
    下一頁 from the first page and 上一頁 from the last reach every row once, in the
    same order, and page 2 is read from where page 1 ended (not by skipping rows)."""
    signed_in = utcnow()
    with hub.database.unit_of_work() as db:
        for account in db.scalars(select(Account).where(Account.username.like("scale%"))):
            if int(account.username[-3:]) % 3 == 0:
                account.last_signin_at = signed_in
    client = visitor(app, hub, ROLES["authority"]).client
    first = f"/unit/accounts?username=scale&sort={sort}"
    forwards = every_page(client, first, CELL)
    assert sorted(forwards) == [f"scale{n:03d}" for n in range(MEMBERS)]
    if sort.endswith("username"):
        assert forwards == sorted(forwards, reverse=sort.startswith("-"))
    last = LAST.search(client.get(first).get_data(as_text=True))
    assert last is not None
    assert every_page(client, last.group(1).replace("&amp;", "&"), CELL, PREVIOUS) == forwards

    text = client.get(first).get_data(as_text=True)
    following = NEXT.search(text)
    assert following is not None
    seen: list[str] = []

    def record(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(hub.database.engine, "before_cursor_execute", record)
    try:
        client.get(following.group(1).replace("&amp;", "&"))
    finally:
        event.remove(hub.database.engine, "before_cursor_execute", record)
    # The rows of page 2 are those beyond page 1's last (by its sort value and key).
    assert [s for s in seen if re.search(r"account\.id [<>] ", s)], seen


@pytest.mark.usefixtures("people")
def test_a_cursor_outside_the_list_gives_the_first_page(app: Flask, hub: Hub) -> None:
    """Another unit's account (or one that is gone) as the cursor: the list's first page,
    nothing of the other unit."""
    client = visitor(app, hub, ROLES["unit_admin"]).client
    with hub.database.unit_of_work() as db:
        outsider = db.scalar(select(Account.id).where(Account.unit_id.is_(None)))
    first = CELL.findall(client.get("/unit/accounts?username=scale").get_data(as_text=True))
    for cursor in (f"after={outsider}", f"before={outsider}", "after=999999"):
        page = client.get(f"/unit/accounts?username=scale&page=3&{cursor}")
        assert page.status_code == 200
        assert CELL.findall(page.get_data(as_text=True)) == first, cursor


@pytest.mark.usefixtures("people")
def test_sign_in_log_pages_follow_their_text_keys(app: Flask, hub: Hub) -> None:
    """登入紀錄 is keyed by the session's text ``sid``: 下一頁 pages by it and reaches
    every sign-in once; a number as the cursor names no row there (the first page)."""
    now = utcnow()
    with hub.database.unit_of_work() as db:
        accounts = db.scalars(select(Account).where(Account.username.like("scale%"))).all()
        for n, account in enumerate(accounts):
            db.add(
                HubSession(sid=f"sid{n:03d}", account_id=account.id, store_key="", created_at=now)
            )
    client = visitor(app, hub, ROLES["authority"]).client
    path = "/unit/signins?username=scale"
    text = client.get(path).get_data(as_text=True)
    following = NEXT.search(text)
    assert following is not None and "after=sid" in following.group(1)
    seen = every_page(client, path, SIGNIN_ROW)
    assert sorted(seen) == [f"scale{n:03d}" for n in range(MEMBERS)]
    first = SIGNIN_ROW.findall(text)
    for cursor in ("after=117", "before=117", "after=sid999"):
        page = client.get(f"{path}&page=2&{cursor}")
        assert page.status_code == 200, cursor
        assert SIGNIN_ROW.findall(page.get_data(as_text=True)) == first, cursor
