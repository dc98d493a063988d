"""What every admin list page shares: the page, size and sort the person asked for, and
the export of the same rows (``?format=csv|xlsx|ods``) streamed as they are read.

An export reads its rows in a database session of its own while the response is sent
(the request's unit of work has committed by then, with the audit row saying who
exported what).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from flask import Response, request, stream_with_context, url_for

from ..models import utcnow
from ..models.base import TAIPEI
from ..services import audit
from ..services.reports.paging import DEFAULT_PAGE_SIZE, Cursor, Listing, Page
from ..services.reports.spreadsheets import FORMATS
from .access import signed_in_account
from .context import client_ip, current_hub
from .downloads import personal_file
from .i18n import gettext
from .unit_of_work import db
from .values import calendar_day, whole_number


def day(value: str) -> date | None:
    return calendar_day(value)


def _number(name: str, default: int) -> int:
    number = whole_number(request.args.get(name), below=10**8)
    return default if number is None else number


def url_with(**changes: object) -> str:
    """For templates: this page with some of its query arguments changed (sort, page,
    format) or dropped (None), the others (the filters) kept."""
    args: dict[str, Any] = dict(request.args.items())
    args.update(changes)
    args = {k: v for k, v in args.items() if v is not None}
    return url_for(request.endpoint or "portal.home", **(request.view_args or {}), **args)


def wants_export() -> bool:
    return request.args.get("format", "") in FORMATS


def _row_key(listing: Listing[Any], value: str | None) -> int | str | None:
    """A cursor's row key as the list's key column holds it: an id for most lists, a
    session's text key for the sign-ins; a value it cannot be reads as absent."""
    return whole_number(value) if listing.numeric_key else value


def show(listing: Listing[Any]) -> Page[Any]:
    """The page of ``listing`` the request asks for."""
    cursor = Cursor(
        number=_number("page", 1),
        after=_row_key(listing, request.args.get("after")),
        before=_row_key(listing, request.args.get("before")),
        last=request.args.get("last") == "1",
    )
    return listing.page(
        db(), cursor, _number("size", DEFAULT_PAGE_SIZE), request.args.get("sort", "")
    )


def export(listing: Listing[Any]) -> Response:
    """The whole of ``listing`` as a download in the requested format, audited."""
    kind = FORMATS[request.args["format"]]
    sort = request.args.get("sort", "")
    me = signed_in_account()
    filters = {
        k: v for k, v in request.args.items() if v and k not in ("format", "page", "size", "sort")
    }
    audit.record(
        db(),
        "report.export",
        actor=me.username,
        actor_account_id=me.id,
        target=listing.name,
        ip=client_ip(),
        format=kind.extension,
        filters=filters,
    )
    database = current_hub().database
    title = gettext(listing.title)
    headings = [gettext(h) for h in listing.headings()]

    def pieces() -> Iterator[bytes]:
        with database.unit_of_work() as own:
            yield from kind.write(headings, listing.export_rows(own, sort, gettext), title)

    stamp = utcnow().astimezone(TAIPEI).strftime("%Y%m%d-%H%M")
    filename = f"{listing.name}-{stamp}.{kind.extension}"
    return personal_file(stream_with_context(pieces()), kind.media_type, filename)
