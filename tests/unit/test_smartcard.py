"""Card certificate checks, the challenge and signatures, with a CA made in the test."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import pkcs7

from idp.card_challenge_format import TTL_SECONDS, ChallengeText, parse_challenge
from idp.hub import Hub
from idp.services.cards import challenge as card_challenge
from idp.services.cards.certificates import (
    CardHolder,
    CardKind,
    CardRefused,
    FieldMapping,
    check_certificate,
)
from idp.services.cards.challenge import CardProof, Purpose, verify_proof
from idp.services.cards.devcard import issue_card_certificate, make_ca, make_crl
from idp.services.cards.signature import SignatureFormat, verify_signature

from ..support.pki import UNIT, Pki

ISSUER = "http://127.0.0.1:5000"
SESSION = "session-a"


def raw_ecdsa(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def refusal(pki: Pki, cert: x509.Certificate, kind: CardKind = CardKind.INSTITUTION) -> str:
    with pytest.raises(CardRefused) as caught:
        check_certificate(pki.trust(), cert, kind)
    return caught.value.reason


def test_institution_card_gives_its_unit_code(pki: Pki) -> None:
    _, cert = pki.card()
    holder = check_certificate(pki.trust(), cert, CardKind.INSTITUTION)
    assert holder.kind is CardKind.INSTITUTION
    assert holder.unit_code == UNIT
    assert holder.person_id == "測試醫院"


def test_personnel_card_is_refused_where_an_institution_card_is_needed(pki: Pki) -> None:
    _, cert = pki.card(CardKind.PERSONNEL, serial="A123456789")
    assert refusal(pki, cert) == "kind"
    assert check_certificate(pki.trust(), cert, CardKind.PERSONNEL).kind is CardKind.PERSONNEL


def test_certificate_without_a_kind_is_refused(pki: Pki) -> None:
    _, cert = pki.card(kind=None)
    assert refusal(pki, cert) == "kind"


def test_expired_and_not_yet_valid_certificates_are_refused(pki: Pki) -> None:
    now = datetime.now(UTC)
    _, old = pki.card(not_before=now - timedelta(days=800), not_after=now - timedelta(days=1))
    _, future = pki.card(not_before=now + timedelta(days=1), not_after=now + timedelta(days=9))
    assert refusal(pki, old) == "expired"
    assert refusal(pki, future) == "expired"


def test_revoked_certificate_is_refused(pki: Pki) -> None:
    _, cert = pki.card()
    pki.revoke(cert.serial_number)
    assert refusal(pki, cert) == "revoked"


def test_no_current_crl_means_refused(pki: Pki) -> None:
    _, cert = pki.card()
    (pki.folder / "ca.crl").write_bytes(
        make_crl(pki.ca, next_update=timedelta(seconds=-1)).public_bytes(serialization.Encoding.DER)
    )
    assert refusal(pki, cert) == "revoked"
    (pki.folder / "ca.crl").unlink()
    assert refusal(pki, cert) == "revoked"


def test_crl_signed_by_another_ca_does_not_count(pki: Pki) -> None:
    _, cert = pki.card()
    stranger = make_ca("Test Card CA")  # same name, other key
    (pki.folder / "ca.crl").write_bytes(make_crl(stranger).public_bytes(serialization.Encoding.DER))
    assert refusal(pki, cert) == "revoked"


def test_chain_to_an_untrusted_root_is_refused(pki: Pki) -> None:
    other_root = make_ca("Other Root")
    other_ca = make_ca("Test Card CA", issuer=other_root)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = issue_card_certificate(other_ca, key.public_key(), CardKind.INSTITUTION, "x", UNIT)
    assert refusal(pki, cert) == "untrusted"


def test_missing_policy_and_key_usage_are_refused(pki: Pki) -> None:
    _, no_policy = pki.card(policy_oid=None)
    _, no_signing = pki.card(digital_signature=False)
    assert refusal(pki, no_policy) == "policy"
    assert refusal(pki, no_signing) == "key_usage"


def test_unit_code_mapping_reads_only_what_it_is_told(pki: Pki) -> None:
    _, cert = pki.card(serial="not-a-code")
    assert check_certificate(pki.trust(), cert, CardKind.INSTITUTION).unit_code is None
    with pytest.raises(ValueError):
        FieldMapping.parse("issuer:CN")


def test_signatures_rsa_pkcs1_and_raw_ecdsa(pki: Pki) -> None:
    rsa_key = rsa.generate_private_key(65537, 2048)
    rsa_cert = issue_card_certificate(pki.ca, rsa_key.public_key(), CardKind.INSTITUTION, "r", UNIT)
    data = b"data"
    rsa_sig = rsa_key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    verify_signature(rsa_cert, data, rsa_sig, SignatureFormat.RSA_PKCS1_SHA256)
    ec_key, ec_cert = pki.card()
    verify_signature(ec_cert, data, raw_ecdsa(ec_key, data), SignatureFormat.ECDSA_SHA256)
    for cert, sig, fmt in (
        (rsa_cert, rsa_sig, SignatureFormat.ECDSA_SHA256),
        (ec_cert, raw_ecdsa(ec_key, b"other"), SignatureFormat.ECDSA_SHA256),
        (
            rsa_cert,
            rsa_key.sign(b"other", padding.PKCS1v15(), hashes.SHA256()),
            SignatureFormat.RSA_PKCS1_SHA256,
        ),
    ):
        with pytest.raises(CardRefused):
            verify_signature(cert, data, sig, fmt)


# The challenge -------------------------------------------------------------------------


def prove(
    hub: Hub,
    pki: Pki,
    challenge: str,
    key: ec.EllipticCurvePrivateKey,
    cert: x509.Certificate,
    signed: bytes | None = None,
    session: str = SESSION,
    purpose: Purpose = Purpose.SIGNIN,
) -> CardHolder:
    proof = CardProof(
        challenge=challenge,
        certificate=cert.public_bytes(serialization.Encoding.DER),
        signature=raw_ecdsa(key, challenge.encode() if signed is None else signed),
        signature_format="ecdsa-sha256",
    )
    return verify_proof(
        hub.store,
        pki.trust(),
        proof,
        issuer=ISSUER,
        purpose=purpose,
        session_key=session,
        kind=CardKind.INSTITUTION,
    )


def new_challenge(hub: Hub, purpose: Purpose = Purpose.SIGNIN) -> str:
    return card_challenge.issue(hub.store, ISSUER, purpose, SESSION)


def test_challenge_format_is_domain_separated(hub: Hub) -> None:
    challenge = new_challenge(hub)
    parts = challenge.split("|")
    assert parts[:4] == ["onedoor-card-challenge", "v1", ISSUER, "signin"]
    assert abs(int(parts[5]) - time.time()) < 5
    parsed = parse_challenge(challenge)
    assert parsed == ChallengeText(ISSUER, "signin", parts[4], int(parts[5]))
    assert parse_challenge(challenge + "|more") is None
    assert parse_challenge(challenge.replace("v1", "v2")) is None


def test_a_signed_challenge_identifies_the_card(hub: Hub, pki: Pki) -> None:
    key, cert = pki.card()
    assert prove(hub, pki, new_challenge(hub), key, cert).unit_code == UNIT


def test_replayed_challenge_is_refused(hub: Hub, pki: Pki) -> None:
    key, cert = pki.card()
    challenge = new_challenge(hub)
    prove(hub, pki, challenge, key, cert)
    with pytest.raises(CardRefused) as caught:
        prove(hub, pki, challenge, key, cert)
    assert caught.value.reason == "challenge_unknown"


def test_expired_challenge_is_refused(hub: Hub, pki: Pki) -> None:
    key, cert = pki.card()
    challenge = new_challenge(hub)
    *head, _ = challenge.split("|")
    stale = "|".join([*head, str(int(time.time()) - TTL_SECONDS - 1)])
    with pytest.raises(CardRefused) as caught:
        prove(hub, pki, stale, key, cert)
    assert caught.value.reason == "challenge_mismatch"
    # the store's own expiry is the other half
    hub.store.delete("cardchallenge:" + challenge.split("|")[4])
    with pytest.raises(CardRefused) as caught:
        prove(hub, pki, challenge, key, cert)
    assert caught.value.reason == "challenge_unknown"


def test_challenge_of_another_session_or_purpose_is_refused(hub: Hub, pki: Pki) -> None:
    key, cert = pki.card()
    for kwargs in ({"session": "session-b"}, {"purpose": Purpose.VERIFY}):
        with pytest.raises(CardRefused) as caught:
            prove(hub, pki, new_challenge(hub), key, cert, **kwargs)  # type: ignore[arg-type]
        assert caught.value.reason == "challenge_mismatch"


def test_signature_over_other_data_is_refused(hub: Hub, pki: Pki) -> None:
    key, cert = pki.card()
    challenge = new_challenge(hub)
    with pytest.raises(CardRefused) as caught:
        prove(hub, pki, challenge, key, cert, signed=challenge.encode() + b"x")
    assert caught.value.reason == "signature"


def test_signature_by_another_key_is_refused(hub: Hub, pki: Pki) -> None:
    _, cert = pki.card()
    other, _ = pki.card()
    with pytest.raises(CardRefused) as caught:
        prove(hub, pki, new_challenge(hub), other, cert)
    assert caught.value.reason == "signature"


# CMS SignedData -------------------------------------------------------------------------


def cms(
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
    cert: x509.Certificate,
    data: bytes,
    *options: pkcs7.PKCS7Options,
) -> bytes:
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(data)
        .add_signer(cert, key, hashes.SHA256())
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary, *options])
    )


@pytest.mark.parametrize(
    "options",
    [
        (),
        (pkcs7.PKCS7Options.DetachedSignature,),
        (pkcs7.PKCS7Options.NoAttributes,),
        (pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.NoAttributes),
    ],
)
def test_cms_signed_data_from_rsa_and_ec_keys(
    pki: Pki, options: tuple[pkcs7.PKCS7Options, ...]
) -> None:
    rsa_key = rsa.generate_private_key(65537, 2048)
    rsa_cert = issue_card_certificate(pki.ca, rsa_key.public_key(), CardKind.INSTITUTION, "r", UNIT)
    ec_key, ec_cert = pki.card()
    data = b"onedoor-card-challenge|v1|..."
    for key, cert in ((rsa_key, rsa_cert), (ec_key, ec_cert)):
        signed = cms(key, cert, data, *options)
        verify_signature(cert, data, signed, SignatureFormat.CMS)
        with pytest.raises(CardRefused):
            verify_signature(cert, data + b"x", signed, SignatureFormat.CMS)
        other_key, other_cert = pki.card()
        with pytest.raises(CardRefused):  # the certificate named is not the signer's
            verify_signature(other_cert, data, signed, SignatureFormat.CMS)
        with pytest.raises(CardRefused):  # signed by another key, naming this certificate
            verify_signature(cert, data, cms(other_key, cert, data, *options), SignatureFormat.CMS)


def test_cms_garbage_is_refused(pki: Pki) -> None:
    _, cert = pki.card()
    for junk in (b"", b"\x30\x03\x02\x01\x01", b"\x30\x80"):
        with pytest.raises(CardRefused):
            verify_signature(cert, b"data", junk, SignatureFormat.CMS)


def test_mapping_can_read_a_subject_directory_attribute(pki: Pki) -> None:
    _, cert = pki.card()
    kind = FieldMapping.parse("sda:2.16.886.1.100.2.1").read(cert)
    assert kind == CardKind.INSTITUTION.value
    assert FieldMapping.parse("sda:1.2.3.4").read(cert) is None
