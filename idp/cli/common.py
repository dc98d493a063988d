"""What the command groups share: the hub built from the ``IDP_*`` settings, a unit of
work that turns domain errors into a message and exit status 1, and import reports."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.orm import Session

from ..config import ConfigError, Settings
from ..hub import Hub
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
