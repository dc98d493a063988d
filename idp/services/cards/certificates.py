"""Institution and personnel smartcards (醫事機構卡, 醫事人員卡): whether a certificate
read from a card is one the hub trusts, and what it says about its holder (signatures:
``card_signature``; the challenge: ``card_challenge``).

A certificate is accepted when it chains to a configured trust anchor, every
certificate on the way is within its validity, the card's own certificate has
keyUsage digitalSignature and one of the required policies, it is not revoked in a
current CRL of its issuer, and it is of the expected kind (HCA's Subject Directory
Attributes). Where the unit code and the person's identity sit in a certificate is a
setting (``FieldMapping``), because certificate profiles differ between issuers.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import itertools
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from ..errors import DomainError
from .der import DerError, directory_attributes
from .ocsp import OcspResponder

#: HCA's attribute in Subject Directory Attributes that names the certificate's kind.
HCA_KIND_ATTRIBUTE = "2.16.886.1.100.2.1"
SUBJECT_DIRECTORY_ATTRIBUTES = x509.ObjectIdentifier("2.5.29.9")
MAX_CHAIN = 5


class CardKind(enum.StrEnum):
    INSTITUTION = "2.16.886.1.100.3.2.21"  # 醫事機構
    PERSONNEL = "2.16.886.1.100.3.1.7"  # 醫事人員


class CardRefused(DomainError):
    """A certificate, a signature or a challenge the hub does not accept. ``reason`` is
    for the audit log; the message is for the person."""

    def __init__(self, reason: str, message: str = "卡片憑證驗證失敗，請確認插入的卡片") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class FieldMapping:
    """Where a value sits in a certificate: ``subject:serialNumber``, ``subject:CN``,
    ``subject:<OID>`` or ``sda:<OID>`` (a Subject Directory Attributes attribute), and a
    pattern whose first group is the value (the whole match when it has no group)."""

    source: str
    pattern: str = r"(.+)"

    @classmethod
    def parse(cls, source: str, pattern: str = r"(.+)") -> FieldMapping:
        where, _, name = source.partition(":")
        if where not in ("subject", "sda") or not name:
            raise ValueError(f"not a certificate field: {source!r}")
        re.compile(pattern)
        return cls(source, pattern)

    def read(self, cert: x509.Certificate) -> str | None:
        where, _, name = self.source.partition(":")
        if where == "subject":
            oid = _SUBJECT_NAMES.get(name) or x509.ObjectIdentifier(name)
            values = [str(a.value) for a in cert.subject.get_attributes_for_oid(oid)]
        else:
            values = _directory_attributes(cert).get(name, [])
        for value in values:
            match = re.search(self.pattern, value)
            if match:
                return match.group(1) if match.groups() else match.group(0)
        return None


_SUBJECT_NAMES = {
    "serialNumber": NameOID.SERIAL_NUMBER,
    "CN": NameOID.COMMON_NAME,
    "O": NameOID.ORGANIZATION_NAME,
    "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
}


def _directory_attributes(cert: x509.Certificate) -> dict[str, list[str]]:
    try:
        ext = cert.extensions.get_extension_for_oid(SUBJECT_DIRECTORY_ATTRIBUTES)
    except x509.ExtensionNotFound:
        return {}
    value = ext.value
    if not isinstance(value, x509.UnrecognizedExtension):
        return {}
    try:
        return directory_attributes(value.value)
    except (DerError, ValueError, UnicodeDecodeError):
        return {}


class CrlSource:
    """CRLs from files and http(s) URLs, read again once ``cache_seconds`` have passed."""

    def __init__(
        self,
        locations: Sequence[str],
        cache_seconds: float = 3600,
        fetch: Callable[[str], bytes] | None = None,
    ) -> None:
        self.locations = tuple(locations)
        self.cache_seconds = cache_seconds
        self._fetch = fetch or _http_get
        self._lock = threading.Lock()
        self._crls: list[x509.CertificateRevocationList] = []
        self._loaded_at: float | None = None

    def current(self) -> list[x509.CertificateRevocationList]:
        with self._lock:
            now = time.monotonic()
            if self._loaded_at is None or now - self._loaded_at >= self.cache_seconds:
                loaded = (self._load(location) for location in self.locations)
                self._crls = [crl for crl in loaded if crl is not None]
                self._loaded_at = now
            return list(self._crls)

    def _load(self, location: str) -> x509.CertificateRevocationList | None:
        try:
            if location.startswith(("http://", "https://")):
                data = self._fetch(location)
            else:
                data = Path(location).read_bytes()
            if data.lstrip().startswith(b"-----BEGIN"):
                return x509.load_pem_x509_crl(data)
            return x509.load_der_x509_crl(data)
        except (OSError, ValueError, requests.RequestException):
            return None  # a CRL that cannot be read covers nobody: checks then refuse


def _http_get(url: str) -> bytes:
    response = requests.get(url, timeout=10)
    response.raise_for_status()
    return response.content


@dataclass(frozen=True)
class CardTrust:
    """What the hub trusts, from the settings: anchors (roots), intermediates, CRLs,
    the policies a card certificate must carry (any one of them; none configured means
    any), and where the unit code and the person's identity are read."""

    anchors: tuple[x509.Certificate, ...]
    intermediates: tuple[x509.Certificate, ...]
    crls: CrlSource
    unit_code: FieldMapping
    person_id: FieldMapping
    policy_oids: frozenset[str] = frozenset()
    #: Asked first about the card's own certificate; its "good" or "revoked" decides,
    #: no answer leaves it to the CRLs.
    ocsp: OcspResponder | None = None

    @classmethod
    def from_files(
        cls,
        folders: Sequence[Path],
        crls: CrlSource,
        unit_code: FieldMapping,
        person_id: FieldMapping,
        policy_oids: frozenset[str] = frozenset(),
        ocsp: OcspResponder | None = None,
    ) -> CardTrust:
        """Self-signed certificates in the folders are anchors, the others intermediates."""
        anchors: list[x509.Certificate] = []
        intermediates: list[x509.Certificate] = []
        for folder in folders:
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                if path.suffix.lower() not in (".pem", ".crt", ".cer"):
                    continue
                for cert in load_certificates(path.read_bytes()):
                    (anchors if _self_signed(cert) else intermediates).append(cert)
        return cls(
            tuple(anchors), tuple(intermediates), crls, unit_code, person_id, policy_oids, ocsp
        )


def load_certificates(data: bytes) -> list[x509.Certificate]:
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def _self_signed(cert: x509.Certificate) -> bool:
    if cert.subject != cert.issuer:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


@dataclass(frozen=True)
class CardHolder:
    """What a verified card certificate says."""

    kind: CardKind
    unit_code: str | None
    person_id: str | None
    subject: str
    fingerprint: str  # SHA-256 of the certificate, hex
    not_after: datetime


def _within_validity(cert: x509.Certificate, now: datetime) -> bool:
    return cert.not_valid_before_utc <= now <= cert.not_valid_after_utc


def _chain(trust: CardTrust, cert: x509.Certificate, now: datetime) -> list[x509.Certificate]:
    """The path from ``cert`` to an anchor (included), each link checked by signature and
    validity."""
    path = [cert]
    current = cert
    for _ in range(MAX_CHAIN):
        for anchor in trust.anchors:
            if _issued_by(current, anchor) and _within_validity(anchor, now):
                return [*path, anchor]
        issuer = next(
            (
                c
                for c in trust.intermediates
                if c not in path and _issued_by(current, c) and _is_ca(c)
            ),
            None,
        )
        if issuer is None:
            break
        if not _within_validity(issuer, now):
            raise CardRefused("issuer_expired")
        path.append(issuer)
        current = issuer
    raise CardRefused("untrusted")


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _revoked(
    trust: CardTrust, cert: x509.Certificate, issuer: x509.Certificate, required: bool
) -> bool:
    """Whether ``cert`` is in a current CRL signed by its issuer. When ``required`` (the
    card's own certificate), no current CRL for the issuer counts as revoked: a card
    nobody can vouch for is refused."""
    covered = False
    now = datetime.now(UTC)
    for crl in trust.crls.current():
        if crl.issuer != issuer.subject:
            continue
        public_key = issuer.public_key()
        if not isinstance(public_key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
            continue
        if not crl.is_signature_valid(public_key):
            continue
        if crl.next_update_utc is not None and crl.next_update_utc < now:
            continue
        covered = True
        if crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None:
            return True
    return required and not covered


def certificate_kind(cert: x509.Certificate) -> CardKind | None:
    for value in _directory_attributes(cert).get(HCA_KIND_ATTRIBUTE, []):
        try:
            return CardKind(value)
        except ValueError:
            continue
    return None


def check_certificate(
    trust: CardTrust, cert: x509.Certificate, kind: CardKind, now: datetime | None = None
) -> CardHolder:
    """The holder of a card certificate the hub trusts, of the expected kind."""
    now = now or datetime.now(UTC)
    if not _within_validity(cert, now):
        raise CardRefused("expired", "卡片憑證已過期或尚未生效")
    path = _chain(trust, cert, now)
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        signs = usage.digital_signature
    except x509.ExtensionNotFound:
        signs = False
    if not signs:
        raise CardRefused("key_usage")
    if trust.policy_oids:
        try:
            policies = cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
            held = {p.policy_identifier.dotted_string for p in policies}
        except x509.ExtensionNotFound:
            held = set()
        if not held & trust.policy_oids:
            raise CardRefused("policy")
    for child, parent in itertools.pairwise(path):
        if child is cert and trust.ocsp is not None:
            answer = trust.ocsp.revoked(cert, parent)
            if answer is True:
                raise CardRefused("revoked", "卡片憑證已被廢止或無法確認其狀態")
            if answer is False:
                continue
        if _revoked(trust, child, parent, required=child is cert):
            raise CardRefused("revoked", "卡片憑證已被廢止或無法確認其狀態")
    actual = certificate_kind(cert)
    if actual is not kind:
        message = "請使用醫事機構卡" if kind is CardKind.INSTITUTION else "請使用已註冊的醫事人員卡"
        raise CardRefused("kind", message)
    return CardHolder(
        kind=kind,
        unit_code=trust.unit_code.read(cert),
        person_id=trust.person_id.read(cert),
        subject=cert.subject.rfc4514_string(),
        fingerprint=hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest(),
        not_after=cert.not_valid_after_utc,
    )


def person_key(secret: str, person_id: str) -> str:
    """A keyed hash of the person's identity from a personnel card, to find their
    enrolment without keeping the identity itself."""
    return hmac.new(secret.encode(), b"card-person|" + person_id.encode(), "sha256").hexdigest()
