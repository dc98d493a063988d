"""The audit log's hash chain: every committed record takes the next place, two writers
at once never fork it, and ``verify`` finds an edited, a deleted and an unchained record."""

from __future__ import annotations

import threading

from sqlalchemy import delete, update

from idp.hub import Hub
from idp.models import AuditEvent
from idp.services import audit
from idp.services.audit_log.verify import verify


def write(hub: Hub, count: int, actor: str = "tester") -> None:
    for n in range(count):
        with hub.database.unit_of_work() as db:
            audit.record(db, "test.event", actor=actor, target=f"t{n}", n=n)


def verdict(hub: Hub) -> tuple[int, str | None]:
    with hub.database.unit_of_work() as db:
        result = verify(db)
    return result.checked, result.problem


def test_records_are_chained_in_commit_order(hub: Hub) -> None:
    write(hub, 3)
    with hub.database.unit_of_work() as db:
        rows = db.query(AuditEvent).order_by(AuditEvent.seq).all()
        assert [r.seq for r in rows] == [1, 2, 3]
        assert rows[0].prev_hash == "" and rows[1].prev_hash == rows[0].hash
        assert len({r.hash for r in rows}) == 3
    assert verdict(hub) == (3, None)


def test_a_rolled_back_record_takes_no_place_and_a_kept_one_does(hub: Hub) -> None:
    write(hub, 1)
    try:
        with hub.database.unit_of_work() as db:
            audit.record(db, "test.undone")
            audit.record_always(db, "test.kept")
            raise RuntimeError("refused")
    except RuntimeError:
        pass
    with hub.database.unit_of_work() as db:
        rows = db.query(AuditEvent).order_by(AuditEvent.seq).all()
        assert [(r.seq, r.action) for r in rows] == [(1, "test.event"), (2, "test.kept")]
    assert verdict(hub) == (2, None)


def test_verify_finds_an_edited_record(hub: Hub) -> None:
    write(hub, 4)
    with hub.database.unit_of_work() as db:
        db.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(target="someone else"))
    checked, problem = verdict(hub)
    assert problem is not None and "record 2" in problem and "altered" in problem
    assert checked == 1


def test_verify_finds_a_deleted_record_in_the_middle_and_at_the_end(hub: Hub) -> None:
    write(hub, 5)
    with hub.database.unit_of_work() as db:
        db.execute(delete(AuditEvent).where(AuditEvent.seq == 5))
    assert verdict(hub) == (4, "record 5 is missing")
    with hub.database.unit_of_work() as db:
        db.execute(delete(AuditEvent).where(AuditEvent.seq == 3))
    assert verdict(hub) == (2, "record 3 is missing")


def test_verify_finds_a_record_taken_out_of_the_chain(hub: Hub) -> None:
    write(hub, 3)
    with hub.database.unit_of_work() as db:
        taken = db.query(AuditEvent).filter_by(seq=3).one().id
        db.execute(update(AuditEvent).where(AuditEvent.id == taken).values(seq=None))
    # The head still names record 3, which the chain no longer holds.
    _, problem = verdict(hub)
    assert problem == "record 3 is missing"


def test_a_forged_chain_without_the_key_does_not_verify(hub: Hub) -> None:
    """Rewriting a record and its hash with a guessed key is found: the hash is keyed."""
    write(hub, 2)
    with hub.database.unit_of_work() as db:
        event = db.query(AuditEvent).filter_by(seq=2).one()
        event.target = "forged"
        event.hash = audit.digest(b"not the hub's key", event)
    _, problem = verdict(hub)
    assert problem is not None and "record 2" in problem


def test_two_writers_at_once_never_fork_the_chain(hub: Hub) -> None:
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for n in range(15):
                with hub.database.unit_of_work() as db:
                    audit.record(db, "test.race", actor=name, n=n)
                    audit.record(db, "test.race", actor=name, n=n, second=True)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"w{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert verdict(hub) == (90, None)


def test_a_nul_sent_in_a_path_is_kept_as_a_replacement_character(hub: Hub) -> None:
    """PostgreSQL keeps no NUL in text: a refused request's path with one was a failed
    audit record and a 500 (found by the route fuzzer)."""
    with hub.database.unit_of_work() as db:
        audit.record(db, "access.refused", actor="x\x00y", target="/manage/\x00s", path="\x00")
    with hub.database.unit_of_work() as db:
        row = db.query(AuditEvent).filter_by(action="access.refused").one()
        assert (row.actor, row.target, row.details["path"]) == (
            "x\ufffdy",
            "/manage/\ufffds",
            "\ufffd",
        )
    assert verdict(hub)[1] is None
