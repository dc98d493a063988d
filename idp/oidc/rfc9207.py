"""Authorization server issuer identification (RFC 9207): ``iss`` in every
authorization response, errors included."""

from __future__ import annotations

from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc9207 import IssuerParameter


class HubIssuerParameter(IssuerParameter):
    def __init__(self, issuer: str) -> None:
        self.issuer = issuer

    def get_issuer(self) -> str:
        return self.issuer


def with_issuer(uri: str, issuer: str) -> str:
    return add_params_to_uri(uri, {"iss": issuer})
