"""The characters an authorization request's parameters may hold (RFC 6749 Appendix A,
RFC 3986 for URIs, RFC 7636 for the code challenge), checked before Authlib reads them:
a parameter outside its syntax is an ``invalid_request``, answered on the hub's page
since its redirect URI cannot be trusted yet. No parameter may hold a control character.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from authlib.oauth2.rfc6749.errors import InvalidRequestError

_VSCHAR = r"[\x20-\x7e]*"
_NQCHAR_WORDS = r"[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*"
_URI = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+"

SYNTAX = {
    "client_id": re.compile(_VSCHAR),
    "state": re.compile(_VSCHAR),
    "nonce": re.compile(_VSCHAR),
    "response_type": re.compile(r"[A-Za-z0-9_]+( [A-Za-z0-9_]+)*"),
    "response_mode": re.compile(r"[A-Za-z0-9_.]+"),
    "scope": re.compile(_NQCHAR_WORDS),
    "prompt": re.compile(r"[a-z_]+( [a-z_]+)*"),
    "acr_values": re.compile(_NQCHAR_WORDS),
    "redirect_uri": re.compile(_URI),
    "max_age": re.compile(r"[0-9]{1,10}"),
    "code_challenge": re.compile(r"[A-Za-z0-9\-._~]{43,128}"),
    "code_challenge_method": re.compile(r"[A-Za-z0-9]+"),
    "id_token_hint": re.compile(r"[A-Za-z0-9\-_.]+"),
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_authorization_params(params: Mapping[str, Sequence[str]]) -> None:
    """Raise ``invalid_request`` naming the first parameter outside its syntax (never
    repeating its value: an error description may only hold printable ASCII)."""
    for name, values in params.items():
        for value in values:
            syntax = SYNTAX.get(name)
            if _CONTROL.search(name) or _CONTROL.search(value):
                raise InvalidRequestError("A parameter holds a control character.")
            if syntax is not None and value and not syntax.fullmatch(value):
                safe_name = name if name.isascii() and name.isprintable() else "?"
                raise InvalidRequestError(f"'{safe_name}' is not well formed.")
