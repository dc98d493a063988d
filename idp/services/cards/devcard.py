"""A development certificate authority that issues HCA-style card certificates, so the
card flows can be tried (and tested) with a SoftHSM2 token instead of a real card.
Never trusted outside development."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from .certificates import HCA_KIND_ATTRIBUTE, SUBJECT_DIRECTORY_ATTRIBUTES, CardKind
from .der import encode_directory_attributes

#: A UUID-based OID (arc 2.25, ITU-T X.667) standing in for the issuer's policy OID.
DEV_POLICY_OID = "2.25.178017383912339614612309118711458035266"

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey


def _name(common_name: str, serial: str | None = None) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "TW"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    if serial:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial))
    return x509.Name(attributes)


def make_ca(
    common_name: str = "OneDoor Development Card CA",
    issuer: tuple[PrivateKey, x509.Certificate] | None = None,
    days: int = 3650,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A root CA, or an intermediate one when ``issuer`` is given."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    signer_key, signer_name = (
        (key, _name(common_name))
        if issuer is None
        else (
            issuer[0],
            issuer[1].subject,
        )
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(signer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_usage(cert_sign=True), critical=True)
        .sign(signer_key, hashes.SHA256())
    )
    return key, cert


def _usage(cert_sign: bool = False, digital_signature: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def issue_card_certificate(
    ca: tuple[PrivateKey, x509.Certificate],
    public_key: PublicKey,
    kind: CardKind | None,
    common_name: str,
    serial: str,
    *,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    policy_oid: str | None = DEV_POLICY_OID,
    digital_signature: bool = True,
) -> x509.Certificate:
    """A card certificate: ``serial`` goes into the subject serialNumber (the unit code
    for an institution card), ``kind`` into HCA's Subject Directory Attributes."""
    ca_key, ca_cert = ca
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, serial))
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - timedelta(minutes=5))
        .not_valid_after(not_after or now + timedelta(days=730))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(digital_signature=digital_signature), critical=True)
    )
    if kind is not None:
        value = encode_directory_attributes([(HCA_KIND_ATTRIBUTE, kind.value)])
        builder = builder.add_extension(
            x509.UnrecognizedExtension(SUBJECT_DIRECTORY_ATTRIBUTES, value), critical=False
        )
    if policy_oid:
        policy = x509.PolicyInformation(x509.ObjectIdentifier(policy_oid), None)
        builder = builder.add_extension(x509.CertificatePolicies([policy]), critical=False)
    return builder.sign(ca_key, hashes.SHA256())


def make_crl(
    ca: tuple[PrivateKey, x509.Certificate],
    revoked_serials: Iterable[int] = (),
    next_update: timedelta = timedelta(days=30),
) -> x509.CertificateRevocationList:
    ca_key, ca_cert = ca
    now = datetime.now(UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now - timedelta(minutes=5))
        .next_update(now + next_update)
    )
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(now - timedelta(minutes=1))
            .build()
        )
    return builder.sign(ca_key, hashes.SHA256())
