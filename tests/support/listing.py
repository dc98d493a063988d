"""Reading an admin list in a test: its first page, big enough for every row."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from idp.services.reports.paging import Cursor, Listing


def rows(db: Session, listing: Listing[Any], sort: str = "") -> list[Any]:
    return listing.page(db, Cursor(), 100, sort).rows
