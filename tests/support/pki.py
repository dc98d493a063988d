"""A certificate authority made in the test, for card certificate checks."""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from idp.services.cards.certificates import CardKind, CardTrust, CrlSource, FieldMapping
from idp.services.cards.devcard import DEV_POLICY_OID, issue_card_certificate, make_ca, make_crl

UNIT = "1234567890"


class Pki:
    """A root, an intermediate under it, and card certificates from the intermediate."""

    def __init__(self, folder: Path) -> None:
        self.root = make_ca("Test Root")
        self.ca = make_ca("Test Card CA", issuer=self.root)
        self.folder = folder
        self.trust_dir = folder / "trust"
        self.trust_dir.mkdir()
        for name, (_, cert) in (("root", self.root), ("ca", self.ca)):
            (self.trust_dir / f"{name}.pem").write_bytes(
                cert.public_bytes(serialization.Encoding.PEM)
            )
        self.revoke()

    def revoke(self, *serials: int) -> None:
        for name, ca in (("ca", self.ca), ("root", self.root)):
            crl = make_crl(ca, serials)
            (self.folder / f"{name}.crl").write_bytes(crl.public_bytes(serialization.Encoding.DER))

    def trust(self, policies: frozenset[str] = frozenset({DEV_POLICY_OID})) -> CardTrust:
        crls = CrlSource([str(self.folder / "ca.crl"), str(self.folder / "root.crl")], 0)
        return CardTrust.from_files(
            [self.trust_dir],
            crls,
            FieldMapping.parse("subject:serialNumber", r"^([0-9A-Z]{10})$"),
            FieldMapping.parse("subject:CN"),
            policies,
        )

    def card(
        self, kind: CardKind | None = CardKind.INSTITUTION, serial: str = UNIT, **kw: object
    ) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = issue_card_certificate(self.ca, key.public_key(), kind, "測試醫院", serial, **kw)  # type: ignore[arg-type]
        return key, cert
