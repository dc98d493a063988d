"""The hub's parts, wired once from the settings and shared by the web app, the
command line and background work."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

from .config import Settings
from .db import Database
from .services import audit
from .services.accounts.lifecycle import Managing
from .services.accounts.national_id import NationalIdBox
from .services.factors.passkeys import RelyingParty
from .services.factors.recovery import RecoveryHasher
from .services.factors.totp import TotpBox
from .services.messaging.mail import SmtpSender
from .services.policy import current_policy, latest_version_number
from .services.policy_sections import Policy
from .services.portal.announcements import Banners, changed_in, scheduled_banners
from .services.reviews.change_chains import ChangeChains, load_change_chains
from .services.reviews.routing import ReviewRoutes, load_review_routes
from .services.signin.passwords import Passwords
from .services.signin.throttle import Throttle
from .services.subsystems.catalogue_files import load_catalogues
from .services.subsystems.catalogues import Catalogues
from .services.subsystems.clients import ClientSecrets
from .services.tokens.revocation import Revocation
from .services.tokens.signing_keys import KeyBox, KeyRing, load_keyring, published_state
from .store import Store, make_store

T = TypeVar("T")

#: How often a server process re-reads the policy and the maintenance banners (a change
#: by another process; its own changes are seen at once).
POLICY_RELOAD_SECONDS = 5


class Reloading(Generic[T]):
    """A value read from the database, shared by every request of a process and checked
    again every few seconds, so a change made by another process (``idp keys rotate``,
    a policy change) is picked up without a restart. With ``version`` (a cheap query
    that changes whenever the value would), the check is that query alone and the value
    is rebuilt only when it answers differently."""

    def __init__(
        self,
        database: Database,
        load: Callable[[Session], T],
        seconds: float,
        version: Callable[[Session], Hashable] | None = None,
    ) -> None:
        self._database = database
        self._load = load
        self._version = version
        self._seconds = seconds
        self._lock = threading.Lock()
        self._value: T | None = None
        self._seen: Hashable = None
        self._loaded_at = 0.0

    def current(self) -> T:
        value = self._value
        if value is not None and time.monotonic() - self._loaded_at < self._seconds:
            return value
        with self._lock:
            if self._value is None or time.monotonic() - self._loaded_at >= self._seconds:
                self._refresh(force=False)
            assert self._value is not None
            return self._value

    def expire(self) -> None:
        """Read the value again at its next use (this process changed it)."""
        self._loaded_at = float("-inf")

    def reload(self) -> None:
        """Read the value again now, whatever its version says."""
        with self._lock:
            self._refresh(force=True)

    def _refresh(self, *, force: bool) -> None:
        with self._database.unit_of_work() as db:
            seen = self._version(db) if self._version is not None else None
            if force or self._value is None or self._version is None or seen != self._seen:
                self._value = self._load(db)
                self._seen = seen
        self._loaded_at = time.monotonic()


class Hub:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        secret = settings.resolved_secret_key()
        self.secret_key = secret
        self.database = Database(
            settings.sqlalchemy_url(), session_info={audit.CHAIN_KEY: audit.chain_key(secret)}
        )
        self.store: Store = make_store(settings.redis_url, self.database.engine)
        self.passwords = Passwords(
            settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
        )
        self.client_secrets = ClientSecrets(secret)
        self.key_box = KeyBox(secret)
        self.national_ids = NationalIdBox(secret)
        self.totp_box = TotpBox(secret)
        self.recovery_codes = RecoveryHasher(secret)
        #: Passkeys belong to the issuer's host name and origin.
        self.relying_party = RelyingParty.of_issuer(settings.issuer_url)
        #: Subsystem catalogues (policies/subsystems/*.yaml); a mistake stops the start.
        self.catalogues: Catalogues = load_catalogues()
        #: Who decides each role change (policies/review_routes.yaml); checked likewise.
        self.review_routes: ReviewRoutes = load_review_routes(self.catalogues)
        #: 資料異動申請's approval chains (policies/change_requests.yaml); checked likewise.
        self.change_chains: ChangeChains = load_change_chains()
        self.keyring: Reloading[KeyRing] = Reloading(
            self.database,
            lambda db: load_keyring(db, self.key_box),
            settings.key_reload_seconds,
            version=published_state,
        )
        self.policy: Reloading[Policy] = Reloading(
            self.database, current_policy, POLICY_RELOAD_SECONDS, version=latest_version_number
        )
        self.banners: Reloading[Banners] = Reloading(
            self.database, scheduled_banners, POLICY_RELOAD_SECONDS
        )
        event.listen(self.database.session_factory, "after_commit", self._after_commit)
        #: Card CAs, CRLs and certificate field mappings (read once; restart to change).
        self.card_trust = settings.card_trust()
        self.mail_sender = (
            SmtpSender(settings.smtp_url, settings.mail_from) if settings.smtp_url else None
        )
        self.revocation = Revocation(self.store, settings.access_token_ttl_seconds)
        #: Where audit records are sent (``IDP_AUDIT_SINK``); None: nowhere.
        self.audit_collector = settings.audit_collector()

    def _after_commit(self, db: Session) -> None:
        if changed_in(db):
            self.banners.expire()

    def throttle(self) -> Throttle:
        """Lockout and address limits under the policy in force."""
        return Throttle(self.store, self.policy.current().lockout)

    def managing(self) -> Managing:
        """What the account services need for adding, disabling and restoring accounts."""
        return Managing(
            passwords=self.passwords,
            password_policy=self.policy.current().password,
            national_ids=self.national_ids,
            revocation=self.revocation,
            signin_url=self.settings.issuer_url + "/signin",
            issuer_url=self.settings.issuer_url,
            account_names=self.policy.current().account_name,
            catalogues=self.catalogues,
        )

    def close(self) -> None:
        self.database.dispose()
