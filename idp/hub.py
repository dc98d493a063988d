"""The hub's parts, wired once from the settings and shared by the web app, the
command line and background work."""

from __future__ import annotations

import threading
import time

from .config import Settings
from .db import Database
from .services.clients import ClientSecrets
from .services.passwords import Passwords
from .services.signing_keys import KeyBox, KeyRing, load_keyring
from .store import Store, make_store


class KeyRingCache:
    """The current signing keys, re-read from the database every few seconds so that
    a rotation by another process is picked up without a restart."""

    def __init__(self, database: Database, box: KeyBox, reload_seconds: int) -> None:
        self._database = database
        self._box = box
        self._reload_seconds = reload_seconds
        self._lock = threading.Lock()
        self._ring: KeyRing | None = None
        self._loaded_at = 0.0

    def current(self) -> KeyRing:
        ring = self._ring
        if ring is not None and time.monotonic() - self._loaded_at < self._reload_seconds:
            return ring
        with self._lock:
            if self._ring is None or time.monotonic() - self._loaded_at >= self._reload_seconds:
                self.reload()
            assert self._ring is not None
            return self._ring

    def reload(self) -> None:
        with self._database.unit_of_work() as db:
            self._ring = load_keyring(db, self._box)
        self._loaded_at = time.monotonic()


class Hub:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.database = Database(settings.sqlalchemy_url())
        self.store: Store = make_store(settings.redis_url, self.database.engine)
        secret = settings.resolved_secret_key()
        self.secret_key = secret
        self.passwords = Passwords(
            settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
        )
        self.client_secrets = ClientSecrets(secret)
        self.key_box = KeyBox(secret)
        self.keyring = KeyRingCache(self.database, self.key_box, settings.key_reload_seconds)

    def close(self) -> None:
        self.database.dispose()
