"""The portal's pages through the test client: announcements for whom they are meant,
sanitised bodies, 下載專區 with versions and caching, exports of the filtered rows, a
身分證 search that keeps the number out of URLs, and an admin's password reset."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlsplit

import openpyxl
import pytest
from flask import Flask
from odfdo import Document

from idp.hub import Hub
from idp.models import AuditEvent, MailMessage, PasswordReset
from idp.services.accounts.national_id import NationalIdBox

from ..support.files import make_docx, make_odt, make_pdf
from ..support.portal import ROLES, Visitor, account, announce, make_people, visitor

ID_NUMBER = "A123456789"


@pytest.fixture
def people(app: Flask, hub: Hub) -> dict[str, Visitor]:
    make_people(hub)
    return {role: visitor(app, hub, username) for role, username in ROLES.items()}


def titles(page: str) -> list[str]:
    """The titles in the page's table of announcements, in order."""
    table = page[page.index('class="announcements"') :]
    return re.findall(r'<a href="/announcements/\d+">([^<]+)</a>', table[: table.index("</table>")])


def test_public_home_shows_published_current_public_announcements_in_order(
    app: Flask, hub: Hub
) -> None:
    make_people(hub)
    authority = ROLES["authority"]
    announce(hub, authority, "一般公告", sort_order=50)
    announce(hub, authority, "排前面", sort_order=10)
    announce(hub, authority, "置頂公告", sort_order=90, pinned=True)
    announce(hub, authority, "草稿", published=False)
    announce(hub, authority, "已過期", days=(-10, -1))
    announce(hub, authority, "尚未開始", days=(1, None))
    announce(hub, authority, "只給管理者", audience_roles=("unit_admin",))
    announce(hub, ROLES["unit_admin"], "醫院內部")
    announce(
        hub, authority, "週六維護 22:00-02:00", category="maintenance", pinned=True, sort_order=1
    )
    page = app.test_client().get("/").get_data(as_text=True)
    assert titles(page) == ["週六維護 22:00-02:00", "置頂公告", "排前面", "一般公告"]
    assert 'class="banner"' in page and page.count("週六維護 22:00-02:00") == 2
    listing = app.test_client().get("/announcements?category=maintenance").get_data(as_text=True)
    assert titles(listing) == ["週六維護 22:00-02:00"]
    search = app.test_client().get("/announcements?keyword=排前").get_data(as_text=True)
    assert titles(search) == ["排前面"]


def test_people_see_the_announcements_meant_for_them(hub: Hub, people: dict[str, Visitor]) -> None:
    authority = ROLES["authority"]
    announce(hub, authority, "給所有人")
    announce(hub, authority, "給管理者", audience_roles=("unit_admin",))
    announce(hub, authority, "給一般使用者", audience_roles=("member",))
    announce(hub, authority, "給婦幼醫事機構", audience_duties=("mch:medical_institution",))
    announce(hub, ROLES["bureau_admin"], "衛生局轄區公告")
    announce(hub, ROLES["unit_admin"], "醫院內部公告")
    member = people["member"].client.get("/").get_data(as_text=True)
    assert set(titles(member)) == {"給所有人", "給一般使用者", "衛生局轄區公告", "醫院內部公告"}
    admin = people["unit_admin"].client.get("/announcements").get_data(as_text=True)
    assert set(titles(admin)) == {"給所有人", "給管理者", "衛生局轄區公告", "醫院內部公告"}
    secadmin = people["security_admin"].client.get("/").get_data(as_text=True)
    assert set(titles(secadmin)) == {"給所有人", "給一般使用者"}
    hidden = people["member"].client.get("/announcements?keyword=給管理者")
    assert titles(hidden.get_data(as_text=True)) == []


def test_an_announcement_body_is_sanitised(hub: Hub, people: dict[str, Visitor]) -> None:
    admin = people["authority"]
    body = (
        "<p>請注意<script>alert('x')</script></p>"
        '<img src="x" onerror="alert(1)">'
        '<a href="javascript:alert(2)">點我</a>'
        '<a href="https://www.hpa.gov.tw/" onclick="alert(3)">國健署</a>'
    )
    created = admin.client.post(
        "/manage/announcements/new",
        data={
            "csrf_token": admin.csrf,
            "title": "消毒測試",
            "body": body,
            "category": "notice",
            "starts_at": "2020-01-01T00:00",
            "sort_order": "5",
            "published": "yes",
        },
    )
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    shown = people["member"].client.get(created.headers["Location"].replace("/manage", ""))
    html = (
        people["member"]
        .client.get("/announcements/" + created.headers["Location"].split("/")[-1].split("?")[0])
        .get_data(as_text=True)
    )
    assert shown.status_code in (200, 404)
    body_html = html[html.index("data-body") : html.index("</div>", html.index("data-body"))]
    assert "<script" not in body_html and "alert" not in body_html
    assert "onerror" not in body_html and "onclick" not in body_html
    assert "javascript:" not in body_html
    assert 'href="https://www.hpa.gov.tw/"' in body_html and "請注意" in body_html
    with hub.database.unit_of_work() as db:
        assert db.query(AuditEvent).filter_by(action="announcement.create").count() == 1


def test_download_area_keeps_versions_and_is_cached(
    app: Flask, hub: Hub, people: dict[str, Visitor]
) -> None:
    admin = people["authority"]
    first = make_pdf("version one")

    def upload(path: str, data: bytes, filename: str, **fields: str):  # type: ignore[no-untyped-def]
        form = {"csrf_token": admin.csrf, "file": (io.BytesIO(data), filename), **fields}
        return admin.client.post(path, data=form, content_type="multipart/form-data")

    published = upload(
        "/manage/downloads",
        first,
        "申請表.pdf",
        title="管理者帳號申請表",
        category="form",
        version="v1",
    )
    assert published.status_code == 302
    public = app.test_client()
    listing = public.get("/downloads?category=form&keyword=申請表").get_data(as_text=True)
    link = re.search(r'href="(/downloads/\d+/\d+/[^"]+)"', listing)
    assert link and "管理者帳號申請表" in listing
    got = public.get(link.group(1))
    assert got.data == first and got.mimetype == "application/pdf"
    assert "immutable" in got.headers["Cache-Control"] and "public" in got.headers["Cache-Control"]
    assert (
        public.get(link.group(1), headers={"If-None-Match": got.headers["ETag"]}).status_code == 304
    )
    file_id = link.group(1).split("/")[2]
    second = make_odt()
    replaced = upload(f"/manage/downloads/{file_id}/replace", second, "申請表.odt", version="v2")
    assert replaced.status_code == 302
    latest = public.get(f"/downloads/{file_id}")
    assert latest.status_code == 302 and "max-age=300" in latest.headers["Cache-Control"]
    assert public.get(urlsplit(latest.headers["Location"]).path).data == second
    assert public.get(link.group(1)).data == first  # the earlier version stays
    history = admin.client.get("/manage/downloads").get_data(as_text=True)
    assert "v1" in history and "v2" in history
    wrong = upload(
        "/manage/downloads", make_docx(), "表.pdf", title="錯", category="form", version="1"
    )
    assert wrong.status_code == 400 and "副檔名與檔案內容不符" in wrong.get_data(as_text=True)
    personal = upload(
        "/manage/downloads", first, "x.pdf", title=f"{ID_NUMBER} 的表", category="form", version="1"
    )
    assert personal.status_code == 400 and "不可含個人資料" in personal.get_data(as_text=True)
    removed = admin.client.post(
        f"/manage/downloads/{file_id}/remove", data={"csrf_token": admin.csrf}
    )
    assert removed.status_code == 302
    assert public.get(f"/downloads/{file_id}").status_code == 404


def _seal_id(hub: Hub, username: str) -> None:
    box = NationalIdBox(hub.secret_key)
    with hub.database.unit_of_work() as db:
        target = db.merge(account(hub, username))
        target.national_id_sealed = box.seal(ID_NUMBER)
        target.national_id_hash = box.lookup_hash(ID_NUMBER)


def test_national_id_search_keeps_the_number_out_of_urls(
    hub: Hub, people: dict[str, Visitor]
) -> None:
    _seal_id(hub, ROLES["member"])
    admin = people["unit_admin"]
    searched = admin.client.post(
        "/unit/accounts", data={"csrf_token": admin.csrf, "national_id": ID_NUMBER.lower()}
    )
    assert searched.status_code == 302 and ID_NUMBER not in searched.headers["Location"]
    assert "nid=" in searched.headers["Location"]
    found = admin.client.get(searched.headers["Location"]).get_data(as_text=True)
    assert "member01" in found and "hospadmin</a>" not in found


def test_exports_hold_the_filtered_rows(hub: Hub, people: dict[str, Visitor]) -> None:
    admin = people["authority"]
    query = "/unit/accounts?role=unit_admin&sort=username"
    page = admin.client.get(query).get_data(as_text=True)
    assert "bureauadmin" in page and "member01</a>" not in page
    xlsx = admin.client.get(query + "&format=xlsx")
    assert xlsx.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("單位代碼", "單位名稱", "使用者角色", "使用者帳號", "使用者姓名")
    assert [r[3] for r in rows[1:]] == ["bureauadmin", "hospadmin", "hpaadmin"]
    assert {r[2] for r in rows[1:]} == {"單位業務管理者"}
    ods = admin.client.get(query + "&format=ods")
    assert ods.mimetype == "application/vnd.oasis.opendocument.spreadsheet"
    table = Document(io.BytesIO(ods.get_data())).body.get_table(0).get_values()
    assert [r[3] for r in table[1:]] == ["bureauadmin", "hospadmin", "hpaadmin"]
    text = admin.client.get(query + "&format=csv").get_data(as_text=True)
    assert [r[3] for r in csv.reader(io.StringIO(text.lstrip("\ufeff")))][1:] == [
        "bureauadmin",
        "hospadmin",
        "hpaadmin",
    ]
    with hub.database.unit_of_work() as db:
        exports = db.query(AuditEvent).filter_by(action="report.export").all()
        assert {e.details["format"] for e in exports} == {"xlsx", "ods", "csv"}
        assert all(e.details["filters"]["role"] == "unit_admin" for e in exports)


def test_a_spreadsheet_cell_never_becomes_a_formula(hub: Hub, people: dict[str, Visitor]) -> None:
    with hub.database.unit_of_work() as db:
        db.merge(account(hub, ROLES["member"])).name = '=HYPERLINK("http://x")'
    admin = people["unit_admin"]
    data = admin.client.get("/unit/accounts?format=xlsx").get_data()
    cells = [c for row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows() for c in row]
    formula = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
    assert formula.data_type == "s"
    text = admin.client.get("/unit/accounts?format=csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text


def test_an_admin_sends_a_reset_link_to_the_persons_own_address(
    hub: Hub, people: dict[str, Visitor]
) -> None:
    member = account(hub, ROLES["member"])
    admin = people["unit_admin"]
    sent = admin.client.post(
        f"/unit/accounts/{member.id}/password-reset",
        data={
            "csrf_token": admin.csrf,
            "email": "attacker@example.org",
            "to": "attacker@example.org",
        },
    )
    assert sent.status_code == 302 and "reset_sent" in sent.headers["Location"]
    with hub.database.unit_of_work() as db:
        mails = db.query(MailMessage).filter_by(kind="password_reset").all()
        assert [m.to for m in mails] == ["member01@example.org"]
        assert db.query(PasswordReset).filter_by(account_id=member.id).count() == 1
        event = db.query(AuditEvent).filter_by(action="password.reset_sent").one()
        assert (event.actor, event.target) == ("hospadmin", "member01")
    # Another unit admin's account is the authority's to manage: not this admin's.
    other = account(hub, ROLES["bureau_admin"])
    refused = admin.client.post(
        f"/unit/accounts/{other.id}/password-reset", data={"csrf_token": admin.csrf}
    )
    assert refused.status_code == 404
