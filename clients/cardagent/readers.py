"""Card readers and whether a card is in them, through PC/SC (pyscard). Without a PC/SC
service (no pcscd, or pyscard not installed) the answer is simply "no reader"."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Reader:
    name: str
    card_present: bool


def list_readers() -> list[Reader]:
    try:
        from smartcard.Exceptions import CardConnectionException, NoCardException
        from smartcard.pcsc.PCSCExceptions import BaseSCardException
        from smartcard.System import readers
    except ImportError:
        return []
    try:
        found = readers()
    except BaseSCardException:  # no PC/SC service
        return []
    result = []
    for reader in found:
        connection = reader.createConnection()
        try:
            connection.connect()
            present = True
        except (NoCardException, CardConnectionException):
            present = False
        finally:
            with contextlib.suppress(CardConnectionException):
                connection.disconnect()
        result.append(Reader(str(reader), present))
    return result
