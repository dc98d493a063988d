"""Property-based fuzzing of the hub's routes through Flask's test client: the
strategies (malformed ids, dates, numbers, encodings, control characters, oversize
values), the parameter names the hub reads (found in its own source and templates), and
a watch on the database that says which tables a request committed writes to."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from werkzeug.routing import Rule

import idp

#: Examples per route and session in ``make test``; ``make fuzz`` sets more.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))

#: Tables a refused request may still write, each for a reason the architecture names:
#: the audit log of a refusal (``audit.record_always``, with its chain mark) and the
#: short-lived store kept in SQL when there is no Redis (captcha, counters, sessions).
WRITTEN_ON_REFUSAL = {"audit_event", "audit_mark", "kv_entry"}

_SOURCE = Path(idp.__file__).parent
_READ = re.compile(r"""(?:args|form|values|files)\.(?:get|getlist)\(\s*["']([A-Za-z_]\w*)["']""")
_NAMED = re.compile(r"""name=["']([A-Za-z_]\w*)["']""")


def parameter_names() -> list[str]:
    """Every parameter name the hub reads or puts in a form, from its own source."""
    names: set[str] = set()
    for path in _SOURCE.rglob("*.py"):
        names.update(_READ.findall(path.read_text(encoding="utf-8")))
    for path in _SOURCE.rglob("*.html"):
        names.update(_NAMED.findall(path.read_text(encoding="utf-8")))
    names.discard("csrf_token")
    return sorted(names)


NASTY = [
    "",
    "0",
    "-1",
    "²",
    "١٢",
    "1e999",
    "NaN",
    "9" * 30,
    "-" + "9" * 30,
    "18446744073709551616",
    "1,2,²",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "99999-01-01",
    "2026-13-01T25:61",
    "true",
    "null",
    "[]",
    "{}",
    "%",
    "%00",
    "%C0%AF",
    "\x00",
    "\t\r\n",
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
    "\\",
    '"',
    "'",
    "<script>",
    "../../etc/passwd",
    "//evil.example",
    "/\t/evil.example",
    "javascript:alert(1)",
    "a" * 5000,
    "身分證A123456789",
    "A123456789",
    "zh-TW",
    "en",
    "csv",
    "xlsx",
    "ods",
    "pdf",
]

values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates().map(str),
)
path_values = st.one_of(
    st.sampled_from(["0", "1", "2", "-1", "9" * 30, "²", "x", "%00", "..", "a" * 300]),
    st.integers(min_value=0, max_value=2**80).map(str),
    st.text(min_size=1, max_size=20).filter(lambda s: "/" not in s),
)
headers = st.dictionaries(
    st.sampled_from(
        ["Authorization", "Accept", "Accept-Language", "Content-Type", "X-Forwarded-For"]
    ),
    st.one_of(
        st.sampled_from(
            [
                "Basic //46/w==",
                "Basic Og==",
                "Bearer " + "a" * 50,
                "application/json",
                "text/html;q=0.1, application/json",
                "en;q=²",
                "multipart/form-data; boundary=",
                "1.2.3.4, ::1",
            ]
        ),
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
    ),
    max_size=2,
)


def params(names: list[str]) -> st.SearchStrategy[list[tuple[str, str]]]:
    name = st.one_of(st.sampled_from(names), st.text(min_size=1, max_size=10))
    return st.lists(st.tuples(name, values), max_size=6)


def fill(rule: Rule, parts: dict[str, str]) -> str:
    """The rule's path with each variable replaced by a drawn value (percent-encoded)."""
    from urllib.parse import quote

    return re.sub(
        r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: quote(parts[m.group(1)], safe=""), rule.rule
    )


@dataclass
class Writes:
    """Tables written by transactions that committed while watching."""

    pending: dict[int, set[str]] = field(default_factory=dict)
    committed: set[str] = field(default_factory=set)


_VERB = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.I)


@contextmanager
def watch_writes(engine: Engine) -> Iterator[Writes]:
    writes = Writes()

    def executed(conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        match = _VERB.match(statement)
        if match:
            writes.pending.setdefault(id(conn), set()).add(match.group(1).lower())

    def committed(conn: Connection) -> None:
        writes.committed |= writes.pending.pop(id(conn), set())

    def rolled_back(conn: Connection) -> None:
        writes.pending.pop(id(conn), None)

    event.listen(engine, "after_cursor_execute", executed)
    event.listen(engine, "commit", committed)
    event.listen(engine, "rollback", rolled_back)
    try:
        yield writes
    finally:
        event.remove(engine, "after_cursor_execute", executed)
        event.remove(engine, "commit", committed)
        event.remove(engine, "rollback", rolled_back)


class Tracebacks(logging.Handler):
    """Collects every log record that carries an exception."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or record.levelno >= logging.ERROR:
            self.records.append(record)
