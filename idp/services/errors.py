"""Domain errors. Each carries a message id the web layer translates."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses. ``message`` is a translatable text (zh-TW)."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


class NotFound(DomainError):
    pass


class InvalidInput(DomainError):
    def __init__(self, field: str, message: str, **params: object) -> None:
        super().__init__(message, **params)
        self.field = field
