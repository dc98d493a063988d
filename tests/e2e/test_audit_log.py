"""The audit log leaving the hub: ``idp audit verify`` as a program, and the collector
sink sending JSON lines and RFC 5424 syslog to real listeners on 127.0.0.1."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, update

from idp.hub import Hub
from idp.models import AuditEvent
from idp.services import audit
from idp.worker import forward_audit

from ..support.cli import idp
from ..support.hub import prepared_hub


def write(hub: Hub, count: int) -> None:
    with hub.database.unit_of_work() as db:
        for n in range(count):
            audit.record(db, "test.event", actor="王小明", target=f"t{n}", ip="10.0.0.1", n=n)


def test_idp_audit_verify_reports_an_edited_and_a_deleted_record(hub: Hub) -> None:
    write(hub, 4)
    intact = idp(hub, "audit", "verify")
    assert intact.returncode == 0 and "intact: 4 records" in intact.stdout, intact.stderr
    with hub.database.unit_of_work() as db:
        db.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(actor="someone"))
    edited = idp(hub, "audit", "verify")
    assert edited.returncode == 1
    assert "record 3" in edited.stderr and "altered" in edited.stderr
    with hub.database.unit_of_work() as db:
        db.execute(delete(AuditEvent).where(AuditEvent.seq.in_((2, 3))))
    deleted = idp(hub, "audit", "verify")
    assert deleted.returncode == 1 and "records 2 to 3 are missing" in deleted.stderr


class Listener:
    """A collector on 127.0.0.1 that keeps every byte it receives."""

    def __init__(self, kind: int) -> None:
        self.sock = socket.socket(socket.AF_INET, kind)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self.kind = kind
        if kind == socket.SOCK_STREAM:
            self.sock.listen()
        self.sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                if self.kind == socket.SOCK_DGRAM:
                    self.received.append(self.sock.recv(65535))
                    continue
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                data = b""
                while chunk := conn.recv(65536):
                    data += chunk
                self.received.append(data)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def tcp_listener() -> Iterator[Listener]:
    listener = Listener(socket.SOCK_STREAM)
    yield listener
    listener.stop()


@pytest.fixture
def udp_listener() -> Iterator[Listener]:
    listener = Listener(socket.SOCK_DGRAM)
    yield listener
    listener.stop()


def sink_hub(settings_for, url: str, format: str) -> Hub:  # type: ignore[no-untyped-def]
    return prepared_hub(settings_for(audit_sink=url, audit_sink_format=format))


def wait_for(listener: Listener, count: int) -> list[bytes]:
    for _ in range(50):
        if len(listener.received) >= count:
            break
        threading.Event().wait(0.1)
    return listener.received


def test_json_lines_over_tcp_carry_every_record_once(settings_for, tcp_listener) -> None:  # type: ignore[no-untyped-def]
    hub = sink_hub(settings_for, f"tcp://127.0.0.1:{tcp_listener.port}", "jsonl")
    try:
        forward_audit(hub)  # makes the sink's mark
        write(hub, 3)
        assert forward_audit(hub) == 3
        write(hub, 1)
        assert forward_audit(hub) == 1
        assert forward_audit(hub) == 0
        received = b"".join(wait_for(tcp_listener, 2))
        lines = [json.loads(line) for line in received.decode().splitlines()]
        assert [r["seq"] for r in lines] == [1, 2, 3, 4]
        assert lines[0]["action"] == "test.event" and lines[0]["actor"] == "王小明"
        assert lines[1]["prev_hash"] == lines[0]["hash"]
        assert lines[3]["details"] == {"n": 0}
    finally:
        hub.close()


SYSLOG = re.compile(
    rb"<109>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z) 127\.0\.0\.1 onedoor - test\.event "
    rb'\[onedoor@32473 seq="(\d+)" actor="([^"]*)" target="(t\d)" ip="10\.0\.0\.1" '
    rb'hash="([0-9a-f]{64})"\] '
    rb"\xef\xbb\xbf(\{.*\})$"
)


def test_rfc5424_syslog_over_tcp_with_octet_counting(settings_for, tcp_listener) -> None:  # type: ignore[no-untyped-def]
    hub = sink_hub(settings_for, f"tcp://127.0.0.1:{tcp_listener.port}", "syslog")
    try:
        forward_audit(hub)
        write(hub, 2)
        assert forward_audit(hub) == 2
        stream = b"".join(wait_for(tcp_listener, 1))
        messages = []
        while stream:
            length, _, rest = stream.partition(b" ")
            messages.append(rest[: int(length)])
            stream = rest[int(length) :]
        assert len(messages) == 2
        for n, message in enumerate(messages):
            match = SYSLOG.match(message)
            assert match, message
            assert match.group(2) == str(n + 1).encode()
            assert match.group(3).decode() == "王小明"
            assert json.loads(match.group(6)) == {"n": n}
    finally:
        hub.close()


def test_rfc5424_syslog_over_udp_one_datagram_each(settings_for, udp_listener) -> None:  # type: ignore[no-untyped-def]
    hub = sink_hub(settings_for, f"udp://127.0.0.1:{udp_listener.port}", "syslog")
    try:
        forward_audit(hub)
        write(hub, 3)
        assert forward_audit(hub) == 3
        datagrams = wait_for(udp_listener, 3)
        assert len(datagrams) == 3
        assert all(SYSLOG.match(d) for d in datagrams), datagrams
    finally:
        hub.close()


def test_an_absent_collector_loses_nothing(settings_for, tcp_listener) -> None:  # type: ignore[no-untyped-def]
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nobody listens there
    hub = sink_hub(settings_for, f"tcp://127.0.0.1:{port}", "jsonl")
    try:
        forward_audit(hub)
        write(hub, 2)
        assert forward_audit(hub) == 0
    finally:
        hub.close()
    # The same database, now with a collector that listens: both records go.
    later = Hub(settings_for(audit_sink=f"tcp://127.0.0.1:{tcp_listener.port}"))
    try:
        assert forward_audit(later) == 2
        received = b"".join(wait_for(tcp_listener, 1)).decode().splitlines()
        assert [json.loads(line)["seq"] for line in received] == [1, 2]
    finally:
        later.close()
