"""公告設定's rules without a request: what a form must hold, who may write and edit, and
the window and audience that decide who reads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from idp.hub import Hub
from idp.models import Announcement, utcnow
from idp.services.errors import FormErrors, NotAllowed, NotFound
from idp.services.portal import announcements

from ..support.portal import ROLES, account, announce, make_people
from ..support.switch_in import hold


def form(**changes: object) -> announcements.AnnouncementForm:
    values: dict[str, object] = {
        "title": "公告",
        "body": "<p>內容</p>",
        "category": "notice",
        "subsystem": "",
        "starts_at": utcnow(),
    }
    values.update(changes)
    return announcements.AnnouncementForm(**values)  # type: ignore[arg-type]


def test_every_problem_of_a_form_is_named(hub: Hub) -> None:
    make_people(hub)
    with hub.database.unit_of_work() as db:
        editor = db.merge(account(hub, ROLES["authority"]))
        with pytest.raises(FormErrors) as refused:
            announcements.save(
                db,
                hub.catalogues,
                editor,
                form(
                    title=" ",
                    category="gossip",
                    subsystem="nosuch",
                    audience_roles=("king",),
                    audience_duties=("mch:nosuch",),
                    starts_at=utcnow(),
                    ends_at=utcnow() - timedelta(days=1),
                    sort_order=10_000,
                ),
            )
    assert set(refused.value.errors) == {
        "title",
        "category",
        "subsystem",
        "audience_roles",
        "audience_duties",
        "ends_at",
        "sort_order",
    }


def test_who_may_write_and_edit(hub: Hub) -> None:
    make_people(hub)
    theirs = announce(hub, ROLES["authority"], "國健署公告")
    with hub.database.unit_of_work() as db:
        member = db.merge(account(hub, ROLES["member"]))
        with pytest.raises(NotAllowed):
            announcements.save(db, hub.catalogues, member, form())
        admin = db.merge(account(hub, ROLES["unit_admin"]))
        with pytest.raises(NotFound):
            announcements.editable(db, admin, theirs)
        mine = announcements.save(db, hub.catalogues, admin, form(title="醫院公告"))
        assert mine.unit_id == admin.unit_id and not mine.public
        authority = db.merge(account(hub, ROLES["authority"]))
        assert announcements.editable(db, authority, mine.id) is mine


def test_the_window_and_the_audience_decide_who_reads(hub: Hub) -> None:
    make_people(hub)
    authority = ROLES["authority"]
    announce(hub, authority, "今天", days=(-1, 1))
    announce(hub, authority, "昨天結束", days=(-3, -1))
    announce(hub, authority, "婦幼", subsystem="mch")
    announce(hub, authority, "婦幼醫事機構", audience_duties=("mch:medical_institution",))
    with hub.database.unit_of_work() as db:
        public = announcements.reader(db, None)
        assert {a.title for a in db.scalars(announcements.visible(public))} == {"今天", "婦幼"}
        member = announcements.reader(db, db.merge(account(hub, ROLES["member"])))
        # Public ones, but not the one for a 婦幼 duty: the member holds no 婦幼 account.
        assert {a.title for a in db.scalars(announcements.visible(member))} == {"今天", "婦幼"}
    hold(hub, ROLES["member"], "mch", "mch_member01")
    with hub.database.unit_of_work() as db:
        member = announcements.reader(db, db.merge(account(hub, ROLES["member"])))
        assert member.duties == ("mch:medical_institution",)
        titles = {a.title for a in db.scalars(announcements.visible(member))}
        assert titles == {"今天", "婦幼", "婦幼醫事機構"}


def test_the_banners_in_force_follow_their_windows_and_every_change(hub: Hub) -> None:
    make_people(hub)
    authority = ROLES["authority"]
    maintenance = {"category": "maintenance", "pinned": True}
    announce(hub, authority, "今晚維護", days=(-1, 1), sort_order=2, **maintenance)
    announce(hub, authority, "下週維護", days=(6, 8), sort_order=1, **maintenance)
    announce(hub, authority, "已結束", days=(-3, -1), **maintenance)
    announce(hub, authority, "未置頂", category="maintenance")
    announce(hub, authority, "一般公告", pinned=True)
    now = utcnow()

    def shown(at: timedelta = timedelta(0)) -> list[str]:
        return [banner.title for banner in hub.banners.current().in_force(now + at)]

    assert shown() == ["今晚維護"]
    # The kept banners know their windows: one ends and another starts without a reload.
    assert shown(timedelta(days=7)) == ["下週維護"]
    assert shown(timedelta(days=9)) == []
    # A change this process commits is shown at its next page.
    added = announce(hub, authority, "緊急維護", sort_order=0, **maintenance)
    assert shown() == ["緊急維護", "今晚維護"]
    with hub.database.unit_of_work() as db:
        editor = db.merge(account(hub, authority))
        announcements.delete(db, editor, announcements.editable(db, editor, added))
    assert shown() == ["今晚維護"]
    # Another process's change (here: a write on its own connection) is read at the reload.
    with hub.database.engine.begin() as connection:
        connection.execute(update(Announcement).values(published=False))
    assert shown() == ["今晚維護"]
    hub.banners.reload()
    assert shown() == []
