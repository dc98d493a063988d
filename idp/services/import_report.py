"""What loading a file of rows (units, legacy subsystem accounts) did: counts, and each
refused row with its line number and reason."""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import Text


@dataclass(frozen=True)
class RejectedRow:
    line: int
    reason: Text


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}, rejected {len(self.rejected)}"
        )
