"""Admin lists on the server: one query per list (scoped and filtered), sorted by a column
the person picks, cut into numbered pages they can follow to the last row, and the same
rows, every one of them, for an export.

Sorting is by the chosen column and then the primary key, so the order is total and a
page never repeats or skips a row; an index on the sort column serves it.

Rows are counted up to ``COUNT_LIMIT``: past it (the authority's sign-in log holds
millions) the page says "more than" and offers the next page while there is one, as
counting every row would take longer than reading the page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from math import ceil
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
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

    @property
    def pages(self) -> int:
        """How many pages there are (when ``counted``)."""
        return max(1, ceil(self.total / self.size))

    @property
    def first_row(self) -> int:
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def last_row(self) -> int:
        return min(self.number * self.size, self.total)


def paged(db: Session, query: Select[Any], number: int, size: int) -> Page[Any]:
    """Page ``number`` of a sorted query (the last page if past it, when counted)."""
    size = size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE
    counting = query.order_by(None).limit(COUNT_LIMIT + 1).subquery()
    total = db.scalar(select(func.count()).select_from(counting)) or 0
    counted = total <= COUNT_LIMIT
    number = max(number, 1)
    if counted:
        number = min(number, max(1, ceil(total / size)))
    rows = list(db.scalars(query.limit(size + 1).offset((number - 1) * size)))
    return Page(rows[:size], number, size, min(total, COUNT_LIMIT), counted, len(rows) > size)


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

    def _column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key and c.sortable), None)

    def sort_of(self, requested: str) -> str:
        """The sort actually applied: ``key`` or ``-key`` (descending), a known column."""
        if self._column(requested.removeprefix("-")) is not None:
            return requested
        return self.default_sort

    def sorted(self, requested: str) -> Select[Any]:
        sort = self.sort_of(requested)
        column = self._column(sort.removeprefix("-"))
        assert column is not None
        descending = sort.startswith("-")
        return self.query.order_by(
            column.expr.desc() if descending else column.expr.asc(),
            self.key.desc() if descending else self.key.asc(),
        )

    def page(self, db: Session, number: int, size: int, sort: str) -> Page[T]:
        return paged(db, self.sorted(sort).options(*self.eager), number, size)

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
