"""Which subsystem account an authorization request signs in as.

A subsystem asking for the ``subsystem`` scope signs the person in as one of their
bindings to it: the one its ``login_hint`` names (third-party-initiated login, or the
account chooser), else their only one; with several and no hint the person chooses, with
none they are told how to apply or bind. A hint naming a binding the signed-in person
does not hold for this subsystem is refused, with the same answer whoever holds it.
"""

from __future__ import annotations

from dataclasses import dataclass

from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc6749.util import scope_to_list
from sqlalchemy.orm import Session

from ..models import Binding
from ..models.subsystem_account import BINDING_ID_PREFIX
from ..services.subsystems.bindings import bindings_at, held_binding
from ..services.subsystems.catalogues import Catalogues


class BindingNotHeld(InvalidRequestError):
    description = "The login_hint does not name an account of the signed-in person here."


@dataclass(frozen=True)
class BindingChoice:
    #: The binding to sign in as; None when the person must choose or holds none.
    binding: Binding | None
    candidates: tuple[Binding, ...]


def wants_subsystem_account(catalogues: Catalogues, client_id: str, scope: str) -> bool:
    return client_id in catalogues and "subsystem" in (scope_to_list(scope) or [])


def is_binding_hint(login_hint: str | None) -> bool:
    return bool(login_hint and login_hint.startswith(BINDING_ID_PREFIX))


def choose_binding(
    db: Session, account_id: int, client_id: str, login_hint: str | None
) -> BindingChoice:
    if login_hint and is_binding_hint(login_hint):
        binding = held_binding(db, account_id, client_id, login_hint)
        if binding is None:
            raise BindingNotHeld()
        return BindingChoice(binding, (binding,))
    held = tuple(bindings_at(db, account_id, client_id))
    return BindingChoice(held[0] if len(held) == 1 else None, held)
