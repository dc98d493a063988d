"""Units: the open-data import, counties and districts from addresses, search, summary,
and the ``idp units`` commands."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from idp.hub import Hub
from idp.models import AccountRole, AccountStatus, Unit, UnitKind
from idp.services.accounts.directory import create_account
from idp.services.units.directory import find_by_code, kind_label, search_units, unit_summary
from idp.services.units.districts import counties, districts, place_of
from idp.services.units.importing import (
    HEADER,
    UnitFileRefused,
    import_units,
    load_demo_units,
    parse_date,
)

from ..support.cli import idp
from ..support.helpers import PASSWORD


def row(
    code: str,
    name: str,
    kind: str = "西醫診所",
    address: str = "臺北市中正區示範路1號",
    *,
    phone: str = "02-12345678",
    contract: str = "基層院所",
    closed: str = "",
    remark: str = "",
) -> list[str]:
    return [
        code,
        name,
        kind,
        phone,
        address,
        "臺北業務組",
        contract,
        "門診",
        "家醫科",
        closed,
        "",
        remark,
    ]


def csv_text(*rows: list[str], header: tuple[str, ...] | list[str] = HEADER) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def lines(*rows: list[str]) -> list[str]:
    return csv_text(*rows).splitlines(keepends=True)


def unit(hub: Hub, code: str) -> Unit:
    with hub.database.unit_of_work() as db:
        found = find_by_code(db, code)
    assert found is not None, code
    return found


TAICHUNG = [
    row(
        "0617060011",
        "示範醫學中心",
        "綜合醫院",
        "40705台中市西屯區臺灣大道三段99號",
        contract="醫學中心",
    ),
    row("3517100001", "示範牙醫診所", "牙醫診所", "臺中縣大里市示範路1號"),
    row("2317080010", "臺中市示範衛生所", "衛生所", "臺中市南屯區示範路2號"),
    row("9900000001", "國民健康署", "國民健康署", "臺北市大同區示範街1號", contract=""),
    # The county's bureau comes last: the units above are still linked to it.
    row("3760000001", "臺中市示範衛生局", "衛生局", "臺中市豐原區示範路3號", contract=""),
]


# Import --------------------------------------------------------------------------------


def test_import_creates_units_with_kind_place_and_bureau(hub: Hub) -> None:
    source = lines(*TAICHUNG)
    source[0] = "\ufeff" + source[0]
    with hub.database.unit_of_work() as db:
        report = import_units(db, source)
    assert (report.created, report.updated, report.unchanged, report.rejected) == (5, 0, 0, [])
    bureau = unit(hub, "3760000001")
    assert (bureau.kind, bureau.county, bureau.district, bureau.bureau_id) == (
        UnitKind.HEALTH_BUREAU,
        "臺中市",
        "豐原區",
        None,
    )
    expected = {
        "0617060011": (UnitKind.HOSPITAL, "西屯區"),
        "3517100001": (UnitKind.CLINIC, "大里區"),
        "2317080010": (UnitKind.HEALTH_STATION, "南屯區"),
    }
    for code, (kind, district) in expected.items():
        found = unit(hub, code)
        assert (found.kind, found.county, found.district) == (kind, "臺中市", district)
        assert found.bureau_id == bureau.id
    authority = unit(hub, "9900000001")
    assert authority.kind is UnitKind.AUTHORITY and authority.bureau_id is None
    assert unit(hub, "0617060011").phone == "02-12345678"
    assert kind_label(UnitKind.HEALTH_STATION) == "衛生所"


def test_importing_again_updates_by_code_and_never_duplicates(hub: Hub) -> None:
    with hub.database.unit_of_work() as db:
        import_units(db, lines(*TAICHUNG))
    changed = [*TAICHUNG]
    changed[1] = row("3517100001", "示範牙醫診所新址", "牙醫診所", "臺中市太平區示範路9號")
    with hub.database.unit_of_work() as db:
        report = import_units(db, lines(*changed))
        total = db.scalar(select(func.count()).select_from(Unit))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 4)
    assert total == 5
    moved = unit(hub, "3517100001")
    assert (moved.name, moved.district) == ("示範牙醫診所新址", "太平區")


def test_a_bureau_imported_later_is_linked_to_its_county(hub: Hub) -> None:
    kaohsiung_clinic = row("4107020001", "示範中醫診所", "中醫診所", "高雄市三民區示範街1號")
    with hub.database.unit_of_work() as db:
        import_units(db, lines(kaohsiung_clinic))
    assert unit(hub, "4107020001").bureau_id is None
    with hub.database.unit_of_work() as db:
        report = import_units(
            db, lines(row("4107000001", "高雄市示範衛生局", "衛生局", "高雄市苓雅區示範路4號"))
        )
    assert report.created == 1
    assert unit(hub, "4107020001").bureau_id == unit(hub, "4107000001").id
    # Listing the clinic again, unchanged itself, changes nothing more.
    with hub.database.unit_of_work() as db:
        again = import_units(db, lines(kaohsiung_clinic))
    assert (again.updated, again.unchanged) == (0, 1)


def test_bad_rows_are_reported_by_line_and_the_rest_load(hub: Hub) -> None:
    source = lines(
        row("0101010001", "示範甲診所", remark="第一行\n第二行"),  # lines 2-3
        row("12345", "代碼太短診所"),  # line 4
        row("0101010002", ""),  # line 5
        row("0101010003", "日期錯誤診所", closed="1121340"),  # line 6
        ["0101010004", "欄位不足診所"],  # line 7
        row("0101010001", "重複診所"),  # line 8
        row("0101010005", "示範乙診所", closed="1120630"),  # line 9
    )
    with hub.database.unit_of_work() as db:
        report = import_units(db, source)
        codes = db.scalars(select(Unit.code).order_by(Unit.code)).all()
    assert codes == ["0101010001", "0101010005"]
    assert report.created == 2
    reasons = {rejected.line: rejected.reason for rejected in report.rejected}
    assert sorted(reasons) == [4, 5, 6, 7, 8]
    assert reasons[4].template == "醫事機構代碼「{code}」須為 10 碼英數字"
    assert reasons[4].params == {"code": "12345"}
    assert reasons[5].template == "醫事機構名稱必填"
    assert reasons[6].params == {"value": "1121340"}
    assert str(reasons[7]) == "此行有 2 欄，應為 12 欄"
    assert str(reasons[8]) == "與第 2 行的醫事機構代碼重複"
    assert unit(hub, "0101010005").closed_on == date(2023, 6, 30)


def test_a_wrong_header_loads_nothing(hub: Hub) -> None:
    header = [*HEADER]
    header[1] = "機構名稱"
    source = csv_text(row("0101010001", "示範甲診所"), header=header).splitlines()
    with hub.database.unit_of_work() as db, pytest.raises(UnitFileRefused) as refused:
        import_units(db, source)
    assert refused.value.text.params == {"header": ",".join(HEADER)}
    with hub.database.unit_of_work() as db, pytest.raises(UnitFileRefused):
        import_units(db, [])
    with hub.database.unit_of_work() as db:
        assert db.scalar(select(func.count()).select_from(Unit)) == 0


def test_a_file_that_is_not_utf8_is_refused(hub: Hub, tmp_path: Path) -> None:
    path = tmp_path / "big5.csv"
    path.write_bytes(csv_text(row("0101010001", "示範甲診所")).encode("big5"))
    with hub.database.unit_of_work() as db, pytest.raises(UnitFileRefused) as refused:
        import_units(db, path)
    assert refused.value.message == "檔案須為 UTF-8 編碼"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1120630", date(2023, 6, 30)),
        ("0991231", date(2010, 12, 31)),
        ("991231", date(2010, 12, 31)),
        ("112/6/30", date(2023, 6, 30)),
        ("2023-06-30", date(2023, 6, 30)),
        ("2023/6/30", date(2023, 6, 30)),
        ("20230630", date(2023, 6, 30)),
        ("", None),
    ],
)
def test_dates_in_the_roc_or_western_calendar(value: str, expected: date | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["1121340", "112063", "2023-02-30", "明年"])
def test_dates_that_are_not_understood(value: str) -> None:
    with pytest.raises(ValueError):
        parse_date(value)


def test_demo_units_load_cleanly_and_again_unchanged(hub: Hub) -> None:
    with hub.database.unit_of_work() as db:
        first = load_demo_units(db)
    assert first.rejected == [] and first.created >= 20
    station = unit(hub, "376570300I")
    assert (station.kind, station.county, station.district) == (
        UnitKind.HEALTH_STATION,
        "臺中市",
        "西屯區",
    )
    with hub.database.unit_of_work() as db:
        assert station.bureau_id is not None
        bureau = db.get(Unit, station.bureau_id)
        assert bureau is not None and bureau.kind is UnitKind.HEALTH_BUREAU
        counts = {
            kind: count
            for kind, count in db.execute(select(Unit.kind, func.count()).group_by(Unit.kind))
        }
        second = load_demo_units(db)
    assert counts[UnitKind.AUTHORITY] == 1
    assert {UnitKind.HOSPITAL, UnitKind.CLINIC, UnitKind.HEALTH_STATION} <= set(counts)
    assert (unit(hub, "0101090517").county, unit(hub, "3501200000").district) == (
        "臺北市",
        "南屯區",
    )
    assert (second.created, second.updated, second.unchanged) == (0, 0, first.created)


# Counties and districts ----------------------------------------------------------------


def test_counties_and_their_districts_in_order() -> None:
    assert len(counties()) == 22 and counties()[0] == "臺北市"
    assert districts("臺中市")[:3] == ["中區", "東區", "南區"]
    assert len(districts("連江縣")) == 4
    assert districts("火星市") == []


@pytest.mark.parametrize(
    ("address", "place"),
    [
        ("臺中市西屯區臺灣大道三段99號", ("臺中市", "西屯區")),
        ("台北市中正區示範路1號", ("臺北市", "中正區")),
        ("40701臺中市西屯區示範路1號", ("臺中市", "西屯區")),
        ("(407) 台中市 西屯區 示範路1號", ("臺中市", "西屯區")),
        ("４０７臺中市西屯區示範路1號", ("臺中市", "西屯區")),
        ("臺中市南屯區示範路1號", ("臺中市", "南屯區")),
        ("臺中市南區示範路1號", ("臺中市", "南區")),
        ("臺北縣板橋市示範路1號", ("新北市", "板橋區")),
        ("桃園縣中壢市示範路1號", ("桃園市", "中壢區")),
        ("桃園縣桃園市示範路1號", ("桃園市", "桃園區")),
        ("臺中縣大里市示範路1號", ("臺中市", "大里區")),
        ("台中縣豐原市示範路1號", ("臺中市", "豐原區")),
        ("臺南縣永康市示範路1號", ("臺南市", "永康區")),
        ("高雄縣鳳山市示範路1號", ("高雄市", "鳳山區")),
        ("高雄縣林園鄉示範路1號", ("高雄市", "林園區")),
        ("臺北市信義區示範路1號", ("臺北市", "信義區")),
        ("基隆市信義區示範路1號", ("基隆市", "信義區")),
        ("南投縣信義鄉示範路1號", ("南投縣", "信義鄉")),
        ("新竹市東區示範路1號", ("新竹市", "東區")),
        ("嘉義市東區示範路1號", ("嘉義市", "東區")),
        ("台東縣台東市示範路1號", ("臺東縣", "臺東市")),
        ("彰化縣員林鎮示範路1號", ("彰化縣", "員林市")),
        ("臺灣省南投縣埔里鎮示範路1號", ("南投縣", "埔里鎮")),
        ("福建省金門縣金城鎮示範路1號", ("金門縣", "金城鎮")),
        ("臺中市市政北二路1號", ("臺中市", "")),
        ("火星市示範區示範路1號", ("", "")),
        ("", ("", "")),
    ],
)
def test_place_of_an_address(address: str, place: tuple[str, str]) -> None:
    assert place_of(address) == place


# Search and summary --------------------------------------------------------------------


def test_search_by_code_prefix_name_and_place(hub: Hub) -> None:
    source = lines(
        *TAICHUNG,
        row("0617060012", "示範歇業醫院", "醫院", "臺中市西屯區示範路5號", closed="1120630"),
        row("0101090517", "示範綜合醫院", "綜合醫院", "臺北市中正區示範路20號"),
        row("0101090518", "百分之百%診所"),
    )
    with hub.database.unit_of_work() as db:
        import_units(db, source)

        def codes(query: str, county: str = "", district: str = "", limit: int = 20) -> list[str]:
            return [found.code for found in search_units(db, query, county, district, limit)]

        assert codes("06170") == ["0617060011"]  # the closed one is left out
        assert codes("0101") == ["0101090517", "0101090518"]
        assert codes("牙醫") == ["3517100001"]
        assert codes("示範", "臺中市") == ["0617060011", "2317080010", "3517100001", "3760000001"]
        assert codes("", "臺中市", "南屯區") == ["2317080010"]
        assert codes("示範", limit=2) == ["0101090517", "0617060011"]
        assert codes("%") == ["0101090518"]
        assert codes("_") == []
        assert codes("") == []


def test_unit_summary_names_its_bureau_and_active_admins(hub: Hub) -> None:
    with hub.database.unit_of_work() as db:
        import_units(db, lines(*TAICHUNG))
        station = find_by_code(db, "2317080010")
        for username, role, status in (
            ("stationboss1", AccountRole.UNIT_ADMIN, AccountStatus.ACTIVE),
            ("stationboss2", AccountRole.UNIT_ADMIN, AccountStatus.DISABLED),
            ("stationuser1", AccountRole.MEMBER, AccountStatus.ACTIVE),
        ):
            create_account(
                db,
                hub.passwords,
                username=username,
                password=PASSWORD,
                name="陳主任",
                unit=station,
                role=role,
                status=status,
            )
    with hub.database.unit_of_work() as db:
        station = find_by_code(db, "2317080010")
        assert station is not None
        summary = unit_summary(db, station)
    assert (summary.name, summary.kind_label, summary.county, summary.district) == (
        "臺中市示範衛生所",
        "衛生所",
        "臺中市",
        "南屯區",
    )
    assert (summary.bureau_code, summary.bureau_name) == ("3760000001", "臺中市示範衛生局")
    assert [admin.username for admin in summary.admins] == ["stationboss1"]


# The command line ----------------------------------------------------------------------


def test_units_import_command_reports_rows(hub: Hub, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text(
        "\ufeff" + csv_text(*TAICHUNG[:2], row("BAD", "壞代碼診所"), TAICHUNG[4]),
        encoding="utf-8",
    )
    result = idp(hub, "units", "import", str(path))
    assert result.returncode == 0, result.stderr
    assert "line 4: 醫事機構代碼「BAD」須為 10 碼英數字" in result.stdout
    assert "created 3, updated 0, unchanged 0, rejected 1" in result.stdout
    assert unit(hub, "0617060011").bureau_id == unit(hub, "3760000001").id

    path.write_text(csv_text(header=[*HEADER[:-1], "說明"]), encoding="utf-8")
    wrong = idp(hub, "units", "import", str(path))
    assert wrong.returncode != 0
    assert "檔案第一行須為標題列" in wrong.stderr

    missing = idp(hub, "units", "import", str(tmp_path / "missing.csv"))
    assert missing.returncode != 0 and "無法讀取檔案" in missing.stderr


def test_units_show_command(hub: Hub) -> None:
    with hub.database.unit_of_work() as db:
        import_units(db, lines(*TAICHUNG))
        create_account(
            db,
            hub.passwords,
            username="stationboss1",
            password=PASSWORD,
            name="陳主任",
            phone="04-12345678#12",
            unit=find_by_code(db, "2317080010"),
            role=AccountRole.UNIT_ADMIN,
        )
    shown = idp(hub, "units", "show", "2317080010")
    assert shown.returncode == 0, shown.stderr
    assert "2317080010  臺中市示範衛生所" in shown.stdout
    assert "kind: 衛生所 (health_station)" in shown.stdout
    assert "county / district: 臺中市 / 南屯區" in shown.stdout
    assert "bureau: 3760000001  臺中市示範衛生局" in shown.stdout
    assert "stationboss1  陳主任  04-12345678#12" in shown.stdout

    unknown = idp(hub, "units", "show", "0000000000")
    assert unknown.returncode != 0
    assert "no unit with code 0000000000" in unknown.stderr
