"""Admin lists on the server: one query per list (scoped and filtered), sorted by a column
the person picks, cut into numbered pages they can follow to the last row, and the same
rows, every one of them, for an export.

Sorting is by the chosen column and then the primary key, so the order is total and a
page never repeats or skips a row; an index on the sort column serves it. A list's
pages are reached by keyset (``Cursor``): 下一頁 asks for the rows after the last one
shown, 上一頁 for those before the first, 最後一頁 for the end read backwards, so a
page deep in a million rows costs what the first does (no OFFSET to walk). Only a page
number typed by hand is found by counting rows from the start.

Rows are counted up to ``COUNT_LIMIT``: past it (the authority's sign-in log holds
millions) the page says "more than" and offers the next page while there is one, as
counting every row would take longer than reading the page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from math import ceil
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from .spreadsheets import Cell, Row

T = TypeVar("T")
PAGE_SIZES = (20, 50, 100)
DEFAULT_PAGE_SIZE = 20
#: Rows counted at most; a list holding more shows "more than" this many.
COUNT_LIMIT = 10_000
#: Rows fetched at a time while exporting.
EXPORT_BATCH = 1000


@dataclass(frozen=True)
class Column:
    """A column of a list: its key (in ``?sort=``), its heading (zh-TW) and the SQL
    expression it shows; ``shown`` turns the stored value into what a person reads."""

    key: str
    title: str
    #: A column or a mapped attribute.
    expr: Any
    sortable: bool = True
    shown: Callable[[Any], Cell] | None = None


#: Query arguments of a keyset page, all dropped when another kind of page is asked for.
NO_CURSOR: dict[str, object] = {"after": None, "before": None, "last": None}


@dataclass(frozen=True)
class Cursor:
    """Which page of a list: the rows after the row whose key is ``after`` (下一頁), those
    before the row ``before`` (上一頁), the last page, or else page ``number`` counted
    from the start. ``number`` is what the page is called."""

    number: int = 1
    #: A row's key, as the list's key column holds it (``Listing.numeric_key``).
    after: int | str | None = None
    before: int | str | None = None
    last: bool = False


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    number: int
    size: int
    #: Every row of the list, or ``COUNT_LIMIT`` when it holds more (``counted`` false).
    total: int
    counted: bool = True
    #: A row follows this page.
    more: bool = False
    #: Keys of the first and last rows shown, for a list paged by keyset.
    first_key: Any = None
    last_key: Any = None

    @property
    def pages(self) -> int:
        """How many pages there are (when ``counted``)."""
        return max(1, ceil(self.total / self.size))

    @property
    def keyed(self) -> bool:
        return self.last_key is not None

    def first_args(self) -> dict[str, object]:
        """Query arguments of the link to the first page; and the others below."""
        return {**NO_CURSOR, "page": 1}

    def previous_args(self) -> dict[str, object]:
        if self.keyed:
            return {**NO_CURSOR, "page": self.number - 1, "before": self.first_key}
        return {**NO_CURSOR, "page": self.number - 1}

    def next_args(self) -> dict[str, object]:
        if self.keyed:
            return {**NO_CURSOR, "page": self.number + 1, "after": self.last_key}
        return {**NO_CURSOR, "page": self.number + 1}

    def last_args(self) -> dict[str, object]:
        return {**NO_CURSOR, "page": self.pages, "last": 1 if self.keyed else None}

    @property
    def first_row(self) -> int:
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def last_row(self) -> int:
        return min(self.number * self.size, self.total)


def _counted(db: Session, query: Select[Any]) -> tuple[int, bool]:
    """How many rows ``query`` has, up to ``COUNT_LIMIT``, and whether that is all."""
    counting = query.order_by(None).limit(COUNT_LIMIT + 1).subquery()
    total = db.scalar(select(func.count()).select_from(counting)) or 0
    return min(total, COUNT_LIMIT), total <= COUNT_LIMIT


def _page_number(number: int, size: int, total: int, counted: bool) -> int:
    number = max(number, 1)
    return min(number, max(1, ceil(total / size))) if counted else number


def paged(db: Session, query: Select[Any], number: int, size: int) -> Page[Any]:
    """Page ``number`` of a sorted query (the last page if past it, when counted): for
    the short lists (announcements, downloads) that are not paged by keyset."""
    size = size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE
    total, counted = _counted(db, query)
    number = _page_number(number, size, total, counted)
    rows = list(db.scalars(query.limit(size + 1).offset((number - 1) * size)))
    return Page(rows[:size], number, size, total, counted, len(rows) > size)


def _ordered(expr: Any, key: Any, descending: bool) -> tuple[Any, Any]:
    """The order of a list: empty values last going up, first going down (as PostgreSQL
    puts them by default, so its indexes serve both ways; SQLite is told the same)."""
    if descending:
        return expr.desc().nulls_first(), key.desc()
    return expr.asc().nulls_last(), key.asc()


def _beyond(expr: Any, key: Any, value: Any, row_key: Any, descending: bool) -> ColumnElement[bool]:
    """The rows after (``value``, ``row_key``) in the order ``_ordered`` gives."""
    if descending:
        if value is None:
            return or_(and_(expr.is_(None), key < row_key), expr.is_not(None))
        return or_(expr < value, and_(expr == value, key < row_key))
    if value is None:
        return and_(expr.is_(None), key > row_key)
    return or_(expr > value, and_(expr == value, key > row_key), expr.is_(None))


@dataclass(frozen=True)
class Listing(Generic[T]):
    """One admin list: what it selects (rows of ``T`` for its page), its columns, and how
    it is sorted unless the person chose."""

    name: str
    title: str
    query: Select[Any]
    columns: Sequence[Column]
    default_sort: str
    #: The primary key: the last sort key, making the order total.
    key: Any
    #: Loader options for a page's rows: what the page shows of related rows comes in
    #: the same query (the joins are there already), not one query per row.
    eager: Sequence[Any] = ()

    @property
    def numeric_key(self) -> bool:
        """The rows' key is a number (an id); else text (a session's ``sid``)."""
        return bool(self.key.type.python_type is int)

    def _column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key and c.sortable), None)

    def sort_of(self, requested: str) -> str:
        """The sort actually applied: ``key`` or ``-key`` (descending), a known column."""
        if self._column(requested.removeprefix("-")) is not None:
            return requested
        return self.default_sort

    def _sort_column(self, requested: str) -> tuple[Column, bool]:
        sort = self.sort_of(requested)
        column = self._column(sort.removeprefix("-"))
        assert column is not None
        return column, sort.startswith("-")

    def sorted(self, requested: str) -> Select[Any]:
        column, descending = self._sort_column(requested)
        return self.query.order_by(*_ordered(column.expr, self.key, descending))

    def page(self, db: Session, cursor: Cursor, size: int, sort: str) -> Page[T]:
        """The page ``cursor`` names, sorted by ``sort``. A cursor naming a row not in
        the list (gone since, or someone else's) gives the first page."""
        size = size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE
        column, descending = self._sort_column(sort)
        total, counted = _counted(db, self.query)
        anchor = cursor.after if cursor.after is not None else cursor.before
        backwards = cursor.before is not None or (cursor.last and counted)
        query, offset, wanted = self.query, 0, size
        number = _page_number(cursor.number, size, total, counted)
        if anchor is not None:
            found = db.execute(
                self.query.with_only_columns(column.expr).where(self.key == anchor).limit(1)
            ).first()
            if found is None:
                return self.page(db, Cursor(), size, sort)
            going_down = descending != backwards
            query = query.where(_beyond(column.expr, self.key, found[0], anchor, going_down))
        elif backwards:
            number = _page_number(total, size, total, counted)
            wanted = total - (number - 1) * size
        else:
            offset = (number - 1) * size
        ordered = query.order_by(*_ordered(column.expr, self.key, descending != backwards))
        ordered = ordered.add_columns(self.key).options(*self.eager).limit(wanted + 1)
        found_rows = db.execute(ordered.offset(offset or None)).all()
        beyond, rows = len(found_rows) > wanted, list(found_rows[:wanted])
        if backwards:
            rows.reverse()
            if not cursor.last:  # 上一頁: with nothing before it, this is the first page
                number = max(number, 2) if beyond else 1
        keys = [row[-1] for row in rows]
        return Page(
            [row[0] for row in rows],
            number,
            size,
            total,
            counted,
            more=(cursor.before is not None) if backwards else beyond,
            first_key=keys[0] if keys else None,
            last_key=keys[-1] if keys else None,
        )

    def headings(self) -> list[str]:
        return [c.title for c in self.columns]

    def export_rows(
        self, db: Session, sort: str, translate: Callable[[str], str] = str
    ) -> Iterator[Row]:
        """Every row, as the export shows it, fetched a batch at a time; ``translate``
        turns the names ``shown`` gives (zh-TW) into the reader's language."""
        query = self.sorted(sort).with_only_columns(*(c.expr for c in self.columns))
        for values in db.execute(query.execution_options(yield_per=EXPORT_BATCH)):
            yield [
                _shown(column, value, translate)
                for column, value in zip(self.columns, values, strict=True)
            ]


def _shown(column: Column, value: Any, translate: Callable[[str], str]) -> Cell:
    if column.shown is None:
        return value
    named = column.shown(value)
    return translate(named) if isinstance(named, str) else named
