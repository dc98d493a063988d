"""What the command groups share: the hub built from the ``IDP_*`` settings, a unit of
work that turns domain errors into a message and exit status 1, and import reports."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from sqlalchemy.orm import Session

from ..config import ConfigError, Settings
from ..hub import Hub
from ..services import audit
from ..services.errors import DomainError
from ..services.import_report import ImportReport


def open_hub() -> Hub:
    try:
        return Hub(Settings.from_env())
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


@contextmanager
def unit_of_work(hub: Hub) -> Iterator[Session]:
    """A unit of work whose domain errors become a clear message and exit status 1."""
    try:
        with hub.database.unit_of_work() as db:
            yield db
    except DomainError as exc:
        raise click.ClickException(f"{getattr(exc, 'field', '')} {exc.message}".strip()) from exc


def print_report(report: ImportReport) -> None:
    for row in report.rejected:
        click.echo(f"line {row.line}: {row.reason}")
    click.echo(report.summary())


def record_import(
    db: Session, action: str, path: str, report: ImportReport, **details: Any
) -> None:
    """The audit row of a file import: the file's name and what became of its rows."""
    audit.record(
        db,
        action,
        actor="cli",
        target=os.path.basename(path),
        **details,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=len(report.rejected),
    )
