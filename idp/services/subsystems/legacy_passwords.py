"""Password hashes of the legacy subsystems, checked with libpass (passlib).

The old 婦幼, 癌整 and 戒菸 systems stored passwords in several formats over the years:
modular-crypt hashes (bcrypt, sha512_crypt, sha256_crypt, md5_crypt), passlib's
pbkdf2_sha256, and unsalted MD5 or SHA-1 as hex. The hub keeps such a hash only to let
a person prove they own the subsystem account when binding it; it never issues new ones.
"""

from __future__ import annotations

from passlib.context import CryptContext

SCHEMES = (
    "bcrypt",
    "sha512_crypt",
    "sha256_crypt",
    "md5_crypt",
    "pbkdf2_sha256",
    "hex_sha1",
    "hex_md5",
)

_context = CryptContext(schemes=list(SCHEMES))

#: Checked when there is no hash to check, so that an unknown account costs about as
#: much as a known one (bcrypt, the commonest legacy format, at a usual cost).
_STAND_IN = _context.handler("bcrypt").using(rounds=10).hash("stand-in password")


def scheme_of(password_hash: str) -> str | None:
    """The scheme of a well-formed legacy hash, or None (a plain password, a typo, an
    unsupported format)."""
    scheme = _context.identify(password_hash)
    if scheme is None:
        return None
    try:
        parsed = _context.handler(scheme).from_string(password_hash)
    except ValueError:
        return None
    # A salt and settings without a checksum ("$1$salt$") is a configuration, not a hash.
    return str(scheme) if parsed.checksum else None


def check(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches; an empty or malformed hash matches nothing, at the
    cost of a real check."""
    if not password_hash or scheme_of(password_hash) is None:
        _context.verify(password, _STAND_IN)
        return False
    return bool(_context.verify(password, password_hash))
