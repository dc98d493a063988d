"""RFC 9470, OAuth 2.0 Step Up Authentication Challenge: the demo subsystem's API asks
for a stronger sign-in, and its pages understand the request and go back to the hub."""

from __future__ import annotations

import re

ERROR = "insufficient_user_authentication"
_PARAM = re.compile(r'(\w+)="([^"]*)"')


def step_up_challenge(acr_values: str, description: str) -> str:
    """The ``WWW-Authenticate`` value of a 401 that asks for ``acr_values``."""
    return f'Bearer error="{ERROR}", error_description="{description}", acr_values="{acr_values}"'


def requested_acr_values(www_authenticate: str) -> str | None:
    """The ``acr_values`` a step-up challenge asks for; None for any other answer."""
    params = dict(_PARAM.findall(www_authenticate))
    if not www_authenticate.startswith("Bearer ") or params.get("error") != ERROR:
        return None
    return params.get("acr_values") or None
