"""Development cards: SoftHSM2 tokens with a key pair made on the token and a certificate
from a development CA, made the way a card issuer makes real cards, so the card flows
can be tried and tested without a card (``idp card dev-setup``). The hub trusts that CA
only with ``IDP_ENV=development``.

Needs SoftHSM2 (``softhsm2-util`` and its PKCS#11 module) and python-pkcs11 (the
``card`` extra); importing this module needs neither.
"""

from __future__ import annotations

import functools
import os
import secrets
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .certificates import CardKind
from .devcard import issue_card_certificate, make_ca, make_crl

SOFTHSM2_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
DEV_CARD_PIN = "123456"


@dataclass(frozen=True)
class DevCard:
    token_label: str
    kind: CardKind
    common_name: str
    serial: str  # the subject's serialNumber: the unit code, or the person's ID number


DEV_CARDS = (
    DevCard(
        "OneDoor Dev Institution Card",
        CardKind.INSTITUTION,
        "OneDoor Development Institution",
        "376570300I",
    ),
    DevCard(
        "OneDoor Dev Personnel Card",
        CardKind.PERSONNEL,
        "OneDoor Development Personnel",
        "A123456789",
    ),
)


@dataclass(frozen=True)
class DevCardSetup:
    softhsm2_conf: Path  # SOFTHSM2_CONF for the card agent
    certificates: list[tuple[str, x509.Certificate]]  # token label, certificate on it


def set_up_dev_cards(folder: Path, module: str = SOFTHSM2_MODULE) -> DevCardSetup:
    """Make the development CA and cards in ``folder``, from scratch each time:
    ``tokens/`` (SoftHSM2's token store), ``trust/dev-ca.pem``, ``dev-ca-key.pem``
    and ``dev-ca.crl``. Points this process's ``SOFTHSM2_CONF`` at the new tokens."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "tokens").mkdir(parents=True)
    (folder / "trust").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n")
    # SoftHSM2 reads it when its module is loaded, here and in softhsm2-util.
    os.environ["SOFTHSM2_CONF"] = str(conf)
    ca = make_ca()
    pem = serialization.Encoding.PEM
    (folder / "trust" / "dev-ca.pem").write_bytes(ca[1].public_bytes(pem))
    key_file = folder / "dev-ca-key.pem"
    key_file.write_bytes(
        ca[0].private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_file.chmod(0o600)
    (folder / "dev-ca.crl").write_bytes(make_crl(ca).public_bytes(serialization.Encoding.DER))
    # SoftHSM2 sees the tokens that exist when the module is first loaded: make them all.
    for card in DEV_CARDS:
        _init_token(card.token_label)
    issued = []
    for card in DEV_CARDS:
        certify = functools.partial(
            issue_card_certificate,
            ca,
            kind=card.kind,
            common_name=card.common_name,
            serial=card.serial,
        )
        cert = provision(module, card.token_label, DEV_CARD_PIN, card.common_name, certify)
        issued.append((card.token_label, cert))
    return DevCardSetup(conf, issued)


def _init_token(label: str) -> None:
    subprocess.run(  # noqa: S603
        [
            shutil.which("softhsm2-util") or "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            label,
            "--pin",
            DEV_CARD_PIN,
            "--so-pin",
            secrets.token_hex(8),
        ],
        check=True,
        capture_output=True,
    )


def provision(
    module: str,
    token_label: str,
    pin: str,
    key_label: str,
    certify: Callable[[rsa.RSAPublicKey], x509.Certificate],
) -> x509.Certificate:
    """Make an RSA key pair on an initialised token and store its certificate beside it
    (the same CKA_ID), as a card issuer does."""
    import pkcs11
    from pkcs11 import Attribute, KeyType, ObjectClass

    token = pkcs11.lib(module).get_token(token_label=token_label)
    with token.open(rw=True, user_pin=pin) as session:
        key_id = b"\x01"
        public, _ = session.generate_keypair(
            KeyType.RSA, 2048, id=key_id, label=key_label, store=True
        )
        numbers = rsa.RSAPublicNumbers(
            int.from_bytes(public[Attribute.PUBLIC_EXPONENT], "big"),
            int.from_bytes(public[Attribute.MODULUS], "big"),
        )
        cert = certify(numbers.public_key())
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.PRIVATE: False,
                Attribute.LABEL: key_label,
                Attribute.ID: key_id,
                Attribute.SUBJECT: cert.subject.public_bytes(),
                Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER),
            }
        )
    return cert
