"""Sending the audit log to a collector (a SIEM): every chained record, in chain order, as a
JSON line or an RFC 5424 syslog message, over TCP or UDP (``IDP_AUDIT_SINK``).

The background worker sends what was written since the last record sent (``AuditMark``
"sink"), a batch at a time; the mark moves only once the batch went out, so nothing is
lost when the collector is away — and a batch may arrive twice after a failure at the
wrong moment (each record carries its ``seq`` to tell). Several server processes take
turns: the one holding the mark's row sends, the others skip.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ...models import AuditEvent, AuditMark, table_of
from ..audit import ensure_mark

SINK = "sink"
BATCH = 500
Format = Literal["jsonl", "syslog"]
FORMATS: tuple[Format, ...] = ("jsonl", "syslog")
#: RFC 5424 section 6.2.1: facility 13 "log audit", severity 5 "notice".
PRIORITY = 13 * 8 + 5
#: An SD-ID with the private enterprise number reserved for documentation (RFC 5612).
SD_ID = "onedoor@32473"
APP_NAME = "onedoor"


@dataclass(frozen=True)
class Collector:
    """Where records go: ``tcp://host:port`` or ``udp://host:port``, in one format."""

    transport: Literal["tcp", "udp"]
    host: str
    port: int
    format: Format
    hostname: str = "-"
    timeout: float = 3.0

    @classmethod
    def parse(cls, url: str, format: str, hostname: str = "-") -> Collector:
        parts = urlsplit(url)
        if parts.scheme not in ("tcp", "udp") or not parts.hostname or not parts.port:
            raise ValueError("the audit sink must be tcp://host:port or udp://host:port")
        if format not in FORMATS:
            raise ValueError("the audit sink format must be jsonl or syslog")
        return cls(parts.scheme, parts.hostname, parts.port, format, hostname)  # type: ignore[arg-type]

    def encode(self, event: AuditEvent) -> bytes:
        return as_json_line(event) if self.format == "jsonl" else as_syslog(event, self.hostname)

    def send(self, messages: Sequence[bytes]) -> None:
        """Send the messages; OSError when the collector cannot be reached."""
        address = (self.host, self.port)
        if self.transport == "udp":
            with socket.socket(_family(self.host), socket.SOCK_DGRAM) as sock:
                for message in messages:
                    sock.sendto(message.rstrip(b"\n"), address)
            return
        framed = b"".join(
            message if self.format == "jsonl" else b"%d %s" % (len(message), message)
            for message in messages
        )
        with socket.create_connection(address, timeout=self.timeout) as sock:
            sock.sendall(framed)


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def as_dict(event: AuditEvent) -> dict[str, object]:
    return {
        "seq": event.seq,
        "at": event.at.isoformat().replace("+00:00", "Z"),
        "action": event.action,
        "actor": event.actor,
        "actor_account_id": event.actor_account_id,
        "target": event.target,
        "ip": event.ip,
        "details": event.details,
        "hash": event.hash,
        "prev_hash": event.prev_hash,
    }


def as_json_line(event: AuditEvent) -> bytes:
    line = json.dumps(as_dict(event), ensure_ascii=False, separators=(",", ":"), default=str)
    return (line + "\n").encode()


def _sd_value(value: object) -> str:
    """RFC 5424 section 6.3.3: '"', '\\' and ']' are escaped in a PARAM-VALUE."""
    text = str(value)
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def _printable(value: str, limit: int) -> str:
    """A header field: printable US-ASCII without spaces, or the nil value."""
    kept = "".join(c for c in value if 33 <= ord(c) <= 126)[:limit]
    return kept or "-"


def as_syslog(event: AuditEvent, hostname: str = "-") -> bytes:
    """One RFC 5424 message: the record's fields as structured data, its details as a
    UTF-8 JSON message."""
    params = " ".join(
        f'{name}="{_sd_value(value)}"'
        for name, value in (
            ("seq", event.seq),
            ("actor", event.actor),
            ("target", event.target),
            ("ip", event.ip),
            ("hash", event.hash),
        )
    )
    header = " ".join(
        (
            f"<{PRIORITY}>1",
            event.at.isoformat(timespec="microseconds").replace("+00:00", "Z"),
            _printable(hostname, 255),
            APP_NAME,
            "-",
            _printable(event.action, 32),
            f"[{SD_ID} {params}]",
        )
    )
    details = json.dumps(event.details, ensure_ascii=False, separators=(",", ":"), default=str)
    return header.encode() + b" \xef\xbb\xbf" + details.encode()


def forward(db: Session, collector: Collector, batch: int = BATCH) -> int:
    """Send the next batch of records the collector has not had; returns how many went.
    OSError (the collector away) leaves the mark where it was, for the caller to roll
    back and try again later."""
    marks = table_of(AuditMark)
    mark = db.execute(
        select(marks.c.seq).where(marks.c.name == SINK).with_for_update(skip_locked=True)
    ).one_or_none()
    if mark is None:
        ensure_mark(db, SINK)
        return 0
    events = list(
        db.scalars(
            select(AuditEvent)
            .where(AuditEvent.seq > mark.seq)
            .order_by(AuditEvent.seq)
            .limit(batch)
        )
    )
    if not events:
        return 0
    collector.send([collector.encode(e) for e in events])
    db.execute(update(marks).where(marks.c.name == SINK).values(seq=events[-1].seq))
    return len(events)
