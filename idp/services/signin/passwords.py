"""Password hashing with argon2id; an account migrated from the old portal keeps its old
hash (a format ``subsystems.legacy_passwords`` checks) until its owner sets a new
password, which the first sign-in requires."""

from __future__ import annotations

import os
import threading

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..subsystems import legacy_passwords


class Passwords:
    """Hashes and checks account passwords.

    ``check`` costs the same whether or not an account exists: with no hash to check
    it verifies against a dummy hash, so timing does not tell who has an account.

    At most one hash per CPU runs at a time: more would only share the same cores,
    evict each other's 19 MiB from the caches, and let a burst of sign-ins claim
    memory without bound.
    """

    def __init__(self, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            type=Type.ID,
        )
        self._slots = threading.BoundedSemaphore(len(os.sched_getaffinity(0)))
        self._dummy_hash = self.hash("dummy password for absent accounts")

    def hash(self, password: str) -> str:
        with self._slots:
            return self._hasher.hash(password)

    @staticmethod
    def is_legacy(password_hash: str) -> bool:
        """An old portal's hash, kept from a migration (never issued by the hub)."""
        return bool(password_hash) and not password_hash.startswith("$argon2")

    def check(self, password_hash: str | None, password: str) -> bool:
        if password_hash and self.is_legacy(password_hash):
            return legacy_passwords.check(password_hash, password)
        try:
            with self._slots:
                self._hasher.verify(password_hash or self._dummy_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        """An argon2 hash under old parameters; a legacy hash is replaced by the new
        password its owner must choose, not by a hash of the old one."""
        return not self.is_legacy(password_hash) and self._hasher.check_needs_rehash(password_hash)
