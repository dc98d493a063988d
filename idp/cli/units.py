"""``idp units``: units (單位) — medical institutions, health bureaus, the authority."""

from __future__ import annotations

import click

from .common import open_hub, print_report, record_import, unit_of_work


@click.group("units")
def units() -> None:
    """Units (單位): medical institutions, health bureaus and the authority."""


@units.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
def units_import(path: str) -> None:
    """Load the open-data CSV of contracted medical institutions (safe to run again).

    Rows that cannot be loaded are listed by line; the others are loaded."""
    from ..services.units.importing import UnitFileRefused, import_units

    hub = open_hub()
    with unit_of_work(hub) as db:
        try:
            report = import_units(db, path)
        except UnitFileRefused as refused:
            raise click.ClickException(str(refused.text)) from refused
        record_import(db, "units.import", path, report)
    print_report(report)


@units.command("show")
@click.argument("code")
def units_show(code: str) -> None:
    """One unit: what it is, where, its 衛生局 and its active unit admins."""
    from ..services.units.directory import find_by_code, unit_summary

    with unit_of_work(open_hub()) as db:
        unit = find_by_code(db, code)
        if unit is None:
            raise click.ClickException(f"no unit with code {code.strip().upper()}")
        summary = unit_summary(db, unit)
    click.echo(f"{summary.code}  {summary.name}")
    click.echo(f"kind: {summary.kind_label} ({summary.kind.value})")
    click.echo(f"county / district: {summary.county or '-'} / {summary.district or '-'}")
    click.echo(f"address: {summary.address or '-'}")
    click.echo(f"phone: {summary.phone or '-'}")
    bureau = f"{summary.bureau_code}  {summary.bureau_name}" if summary.bureau_code else "-"
    click.echo(f"bureau: {bureau}")
    if summary.closed_on is not None:
        click.echo(f"closed on: {summary.closed_on.isoformat()}")
    click.echo(f"unit admins: {len(summary.admins)}")
    for admin in summary.admins:
        contact = "  ".join(value for value in (admin.phone, admin.email) if value)
        click.echo(f"  {admin.username}  {admin.name}  {contact}".rstrip())
