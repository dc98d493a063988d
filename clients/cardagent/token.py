"""The card through its PKCS#11 module (OpenSC, SoftHSM2 or a vendor's): tokens, their
certificates, and signing with the private key that shares a certificate's id."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import pkcs11
from cryptography import x509
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass, TokenFlag
from pkcs11 import exceptions as p11

_lock = threading.Lock()  # one PKCS#11 conversation at a time


class CardError(Exception):
    """A card problem in plain words; ``code`` is what the page shows a message for."""

    def __init__(self, code: str, message: str, tries_left: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.tries_left = tries_left


@dataclass(frozen=True)
class CardCertificate:
    token: str  # the token's serial number
    token_label: str
    key_id: str  # hex CKA_ID shared by the certificate and its private key
    subject: str
    der: bytes


@dataclass(frozen=True)
class Signed:
    certificate: bytes
    signature: bytes
    signature_format: str


def _lib(module: str) -> Any:  # pkcs11.lib, untyped
    try:
        return pkcs11.lib(module)
    except (OSError, RuntimeError, p11.PKCS11Error) as exc:
        raise CardError("no_module", "PKCS#11 module could not be loaded") from exc


def certificates(module: str) -> list[CardCertificate]:
    """Certificates on every card present (public objects: no PIN needed)."""
    found: list[CardCertificate] = []
    with _lock:
        lib = _lib(module)
        for slot in lib.get_slots(token_present=True):
            token = slot.get_token()
            if not token.flags & TokenFlag.TOKEN_INITIALIZED:
                continue
            with token.open() as session:
                for obj in session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE}):
                    der = bytes(obj[Attribute.VALUE])
                    cert = x509.load_der_x509_certificate(der)
                    found.append(
                        CardCertificate(
                            token=str(token.serial.decode().strip()),
                            token_label=token.label.strip(),
                            key_id=bytes(obj[Attribute.ID]).hex(),
                            subject=cert.subject.rfc4514_string(),
                            der=der,
                        )
                    )
    return found


def sign(module: str, token_serial: str, key_id: str, pin: str, data: bytes) -> Signed:
    """Sign ``data`` with the key of the certificate ``key_id`` on the token."""
    with _lock:
        lib = _lib(module)
        token = _find_token(lib, token_serial)
        try:
            with token.open(user_pin=pin) as session:
                ident = bytes.fromhex(key_id)
                key: Any = session.get_key(object_class=ObjectClass.PRIVATE_KEY, id=ident)
                der = next(
                    iter(
                        session.get_objects(
                            {Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.ID: ident}
                        )
                    )
                )[Attribute.VALUE]
                if key.key_type == KeyType.RSA:
                    signature = key.sign(data, mechanism=Mechanism.SHA256_RSA_PKCS)
                    fmt = "rsa-pkcs1-sha256"
                elif key.key_type == KeyType.EC:
                    signature = key.sign(data, mechanism=Mechanism.ECDSA_SHA256)
                    fmt = "ecdsa-sha256"
                else:
                    raise CardError("unsupported", "the card's key type is not supported")
        except (p11.PinIncorrect, p11.PinLenRange, p11.PinInvalid) as exc:
            flags = _find_token(lib, token_serial).flags
            if flags & TokenFlag.USER_PIN_LOCKED:
                raise CardError("pin_locked", "PIN locked") from exc
            tries = 1 if flags & TokenFlag.USER_PIN_FINAL_TRY else None
            raise CardError("wrong_pin", "wrong PIN", tries_left=tries) from exc
        except p11.PinLocked as exc:
            raise CardError("pin_locked", "PIN locked") from exc
        except (p11.NoSuchKey, p11.MultipleObjectsReturned, StopIteration) as exc:
            raise CardError("no_key", "no key for this certificate on the card") from exc
        except (p11.TokenNotPresent, p11.DeviceRemoved, p11.SessionHandleInvalid) as exc:
            raise CardError("no_card", "no card") from exc
    return Signed(bytes(der), bytes(signature), fmt)


def _find_token(lib: Any, serial: str) -> pkcs11.Token:
    for slot in lib.get_slots(token_present=True):
        token = slot.get_token()
        if token.serial.decode().strip() == serial:
            return token
    raise CardError("no_card", "no card")
