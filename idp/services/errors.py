"""Domain errors, and the texts they carry.

Texts are written in zh-TW with named parameters (``Text``): the pages translate the
template and fill in the parameters, the command line prints them as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Text:
    template: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template.format(**self.params) if self.params else self.template


def text(template: str, **params: object) -> Text:
    return Text(template, params)


class DomainError(Exception):
    """A request the domain refuses, with a translatable text."""

    def __init__(self, message: str, **params: object) -> None:
        self.text = Text(message, params)
        super().__init__(str(self.text))
        self.message = message
        self.params = params


class NotFound(DomainError):
    """Nothing of that name, or nothing the asker may see (the two read the same)."""


class NotAllowed(DomainError):
    """The asker may not do this."""


class TooManyAttempts(DomainError):
    """Too many requests or failures from one address or for one account: wait."""


class InvalidInput(DomainError):
    """A value refused, for one field; ``texts`` lists every reason."""

    def __init__(
        self, field: str, message: str = "", *, texts: Sequence[Text] = (), **params: object
    ) -> None:
        super().__init__(message or "；".join(str(t) for t in texts), **params)
        self.field = field
        self.texts = list(texts) if texts else [self.text]


class FormErrors(DomainError):
    """Every refused field of a form, each with its reasons; nothing was stored."""

    def __init__(self, errors: dict[str, list[Text]]) -> None:
        super().__init__("；".join(str(t) for texts in errors.values() for t in texts))
        self.errors = errors
