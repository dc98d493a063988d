"""Tokens: access tokens in the short-lived store (``access``), grants and rotating
refresh tokens in the database (``grants``), revoking grants at once on every process
(``revocation``), and the signing keys of ID tokens (``signing_keys``)."""
