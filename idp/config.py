"""Settings: one place, read from ``IDP_*`` environment variables with embedded defaults.

The embedded defaults give a working hub with no outside services: SQLite in
``instance/``, short-lived state in the same database, mail kept in an outbox.
``IDP_DATABASE_URL`` and ``IDP_REDIS_URL`` switch to PostgreSQL and Redis.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from urllib.parse import urlsplit

from .services.audit_log.sink import Collector
from .services.cards.certificates import CardTrust, CrlSource, FieldMapping
from .services.cards.ocsp import OcspResponder

PREFIX = "IDP_"


class ConfigError(ValueError):
    """A setting has a value the hub cannot run with."""


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"not a yes/no value: {value!r}")


@dataclass(frozen=True)
class Settings:
    """Every setting of the hub. Field name ``foo_bar`` is read from ``IDP_FOO_BAR``."""

    #: Public URL of the hub; the OpenID Connect issuer identifier.
    issuer: str = "http://127.0.0.1:5000"
    #: Folder for the SQLite database, the generated secret key and other local files.
    instance_path: str = "instance"
    #: SQLAlchemy URL; empty means SQLite in the instance folder.
    database_url: str = ""
    #: Redis URL for short-lived state; empty means the SQL database holds it.
    redis_url: str = ""
    #: Secret for session signing and derived keys; empty means a generated one kept in
    #: ``instance/secret_key`` (fine for one machine, set it explicitly for replicas).
    secret_key: str = ""
    #: "development" lets security admins read the mail outbox at /admin/outbox.
    env: str = "production"
    #: SMTP server, e.g. ``smtp://user:password@host:587?starttls=1`` or
    #: ``smtps://host:465``; empty keeps mail in the outbox.
    smtp_url: str = ""
    #: Sender of the hub's mail.
    mail_from: str = "OneDoor <noreply@localhost>"
    #: Image and audio captcha (how and when: the captcha policy). Only automated test
    #: deployments turn it off.
    captcha: bool = True
    #: argon2id passes (OWASP minimum 2).
    argon2_time_cost: int = 2
    #: argon2id memory in KiB (OWASP minimum 19456 = 19 MiB).
    argon2_memory_kib: int = 19456
    #: argon2id lanes.
    argon2_parallelism: int = 1
    #: Name of the hub's session cookie.
    session_cookie_name: str = "onedoor_session"
    #: Secure cookies; defaults to on when the issuer is https.
    session_cookie_secure: bool | None = None
    #: Authorization code lifetime (at most 600, RFC 6749 section 4.1.2).
    authorization_code_ttl_seconds: int = 60
    #: Access token lifetime.
    access_token_ttl_seconds: int = 600
    #: ID token lifetime; a rotated-out key stays published this long (+5 min).
    id_token_ttl_seconds: int = 600
    #: Refresh token lifetime (offline access); each refresh issues a new one.
    refresh_token_ttl_days: int = 30
    #: Timeout of one back-channel logout POST to a subsystem.
    backchannel_timeout_seconds: float = 3.0
    #: First pause before a failed back-channel logout is retried (then doubling, up to 1 h).
    backchannel_retry_seconds: int = 15
    #: How often a server process re-reads signing keys written by ``idp keys rotate``.
    key_reload_seconds: int = 30
    #: Addresses (comma-separated, CIDR allowed) of the reverse proxies in front of the
    #: hub: their X-Forwarded-For, -Proto and -Host are honoured, anyone else's ignored.
    trusted_proxies: str = ""
    #: Folder of trusted card CA certificates (HCA root and intermediates, public only);
    #: self-signed ones are anchors. In development ``instance/card/trust`` is added.
    card_trust_dir: str = "keys/trust"
    #: CRLs of the card CAs: comma-separated files or http(s) URLs (DER or PEM). A card
    #: certificate whose issuer has no current CRL here is refused.
    card_crls: str = ""
    #: How long a CRL read from a file or URL is used before it is read again.
    card_crl_cache_seconds: int = 3600
    #: OCSP responder asked about card certificates first (empty: CRLs only).
    card_ocsp_url: str = ""
    #: Comma-separated certificate policy OIDs; a card certificate must carry one of them
    #: (empty: no policy required).
    card_policy_oids: str = ""
    #: Where an institution card certificate holds the unit code: ``subject:serialNumber``,
    #: ``subject:CN``, ``subject:<OID>`` or ``sda:<OID>`` (Subject Directory Attributes).
    card_unit_code_field: str = "subject:serialNumber"
    #: Regular expression applied to that field; its first group is the unit code.
    card_unit_code_pattern: str = r"^([0-9A-Z]{10})$"
    #: Where a personnel card certificate holds the person's identity (same forms).
    card_person_id_field: str = "subject:serialNumber"
    #: Address of the card agent on the user's own computer, as the sign-in page calls it.
    card_agent_url: str = "http://127.0.0.1:61180"
    #: Collector that receives every audit record (a SIEM): ``tcp://host:port`` or
    #: ``udp://host:port``; empty sends nothing.
    audit_sink: str = ""
    #: How records are sent there: ``jsonl`` (one JSON object a line) or ``syslog``
    #: (RFC 5424; over TCP framed by octet counting, RFC 6587).
    audit_sink_format: str = "jsonl"
    #: Default page language.
    default_locale: str = "zh-TW"
    #: Python logging level.
    log_level: str = "INFO"
    #: ``text`` (readable lines) or ``json`` (one JSON object a line, with the request id:
    #: for a log collector).
    log_format: str = "text"
    #: Addresses (comma-separated, CIDR allowed) that may read ``/metrics`` without a token.
    metrics_allow: str = "127.0.0.1/32,::1/128"
    #: Bearer token that lets any address read ``/metrics`` (empty: addresses only).
    metrics_token: str = ""
    #: Where background work runs: ``thread`` (a thread in every server process) or
    #: ``process`` (only in ``idp worker``, run once beside the server processes).
    worker: str = "thread"
    #: Server processes of ``idp serve`` (each with its own database pool and metrics).
    serve_workers: int = 1
    #: Request threads per server process of ``idp serve``.
    serve_threads: int = 8
    #: Seconds ``idp serve`` gives requests in flight to finish after SIGTERM.
    shutdown_grace_seconds: int = 20
    #: How long a key made by ``idp keys rotate`` is published before it signs, so that
    #: every replica (re-reading keys every ``IDP_KEY_RELOAD_SECONDS``) and every client's
    #: cached JWKS knows it first. At least ``IDP_KEY_RELOAD_SECONDS``.
    key_activation_seconds: int = 120

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(PREFIX + f.name.upper())
            if raw is None:
                continue
            values[f.name] = _convert(f.name, str(f.type), raw)
        values.update(overrides)
        settings = cls(**values)  # type: ignore[arg-type]
        settings.validate()
        return settings

    def validate(self) -> None:
        parsed = urlsplit(self.issuer)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ConfigError(f"IDP_ISSUER must be an http(s) URL, not {self.issuer!r}")
        if parsed.query or parsed.fragment:
            raise ConfigError("IDP_ISSUER must not have a query or fragment")
        if self.argon2_memory_kib < 19456 or self.argon2_time_cost < 2:
            raise ConfigError("argon2 parameters below the OWASP minimum (19 MiB, t=2)")
        if self.env not in ("development", "production"):
            raise ConfigError("IDP_ENV must be 'development' or 'production'")
        for name in (
            "access_token_ttl_seconds",
            "id_token_ttl_seconds",
            "authorization_code_ttl_seconds",
            "refresh_token_ttl_days",
        ):
            if getattr(self, name) <= 0:
                raise ConfigError(f"IDP_{name.upper()} must be positive")
        if self.authorization_code_ttl_seconds > 600:
            raise ConfigError("authorization codes must expire within 10 minutes")
        try:
            self.card_unit_code()
            self.card_person_id()
        except (ValueError, re.error) as exc:
            raise ConfigError(f"card certificate field: {exc}") from exc
        if urlsplit(self.card_agent_url).hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ConfigError("IDP_CARD_AGENT_URL must be on this computer (127.0.0.1)")
        if self.audit_sink:
            try:
                self.audit_collector()
            except ValueError as exc:
                raise ConfigError(f"IDP_AUDIT_SINK: {exc}") from exc
        if self.log_format not in ("text", "json"):
            raise ConfigError("IDP_LOG_FORMAT must be 'text' or 'json'")
        if self.worker not in ("thread", "process"):
            raise ConfigError("IDP_WORKER must be 'thread' or 'process'")
        if self.serve_workers < 1 or self.serve_threads < 1:
            raise ConfigError("IDP_SERVE_WORKERS and IDP_SERVE_THREADS must be positive")
        if self.key_activation_seconds < self.key_reload_seconds:
            raise ConfigError("IDP_KEY_ACTIVATION_SECONDS must be at least IDP_KEY_RELOAD_SECONDS")
        try:
            self.metrics_networks()
        except ValueError as exc:
            raise ConfigError(f"IDP_METRICS_ALLOW: {exc}") from exc
        if self.default_locale not in ("zh-TW", "en"):
            raise ConfigError("IDP_DEFAULT_LOCALE must be 'zh-TW' or 'en'")
        try:
            self.proxy_networks()
        except ValueError as exc:
            raise ConfigError(
                f"IDP_TRUSTED_PROXIES: {exc} (the proxies' addresses, e.g. 10.0.0.5,10.0.1.0/24)"
            ) from exc

    # Derived values -----------------------------------------------------------------

    @property
    def issuer_url(self) -> str:
        return self.issuer.rstrip("/")

    @property
    def development(self) -> bool:
        return self.env == "development"

    @property
    def cookie_secure(self) -> bool:
        if self.session_cookie_secure is not None:
            return self.session_cookie_secure
        return self.issuer.startswith("https://")

    def metrics_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        return tuple(
            ip_network(part.strip(), strict=False)
            for part in self.metrics_allow.split(",")
            if part.strip()
        )

    def proxy_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        """The reverse proxies' addresses (``IDP_TRUSTED_PROXIES``); a bare number (the
        count of proxies this setting once took) is refused, not read as an address."""
        parts = [part.strip() for part in self.trusted_proxies.split(",") if part.strip()]
        for part in parts:
            if part.isdigit():
                raise ValueError(f"{part!r} is not an address")
        return tuple(ip_network(part, strict=False) for part in parts)

    def card_unit_code(self) -> FieldMapping:
        return FieldMapping.parse(self.card_unit_code_field, self.card_unit_code_pattern)

    def card_person_id(self) -> FieldMapping:
        return FieldMapping.parse(self.card_person_id_field)

    def card_dev_dir(self) -> Path:
        """The development card's files (``idp card dev-setup``)."""
        return self.instance_dir() / "card"

    def card_trust(self) -> CardTrust:
        folders = [Path(self.card_trust_dir)]
        crls = [c.strip() for c in self.card_crls.split(",") if c.strip()]
        if self.development:
            folders.append(self.card_dev_dir() / "trust")
            crls.extend(str(p) for p in sorted(self.card_dev_dir().glob("*.crl")))
        return CardTrust.from_files(
            folders,
            CrlSource(crls, self.card_crl_cache_seconds),
            self.card_unit_code(),
            self.card_person_id(),
            frozenset(o.strip() for o in self.card_policy_oids.split(",") if o.strip()),
            OcspResponder(self.card_ocsp_url) if self.card_ocsp_url else None,
        )

    def audit_collector(self) -> Collector | None:
        if not self.audit_sink:
            return None
        return Collector.parse(
            self.audit_sink, self.audit_sink_format, urlsplit(self.issuer).hostname or "-"
        )

    def instance_dir(self) -> Path:
        path = Path(self.instance_path).resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path

    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.instance_dir() / 'onedoor.db'}"

    def resolved_secret_key(self) -> str:
        """The configured secret, or one generated once and kept in the instance folder."""
        if self.secret_key:
            if len(self.secret_key) < 32:
                raise ConfigError("IDP_SECRET_KEY must be at least 32 characters")
            return self.secret_key
        path = self.instance_dir() / "secret_key"
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        return path.read_text().strip()


def _convert(name: str, type_name: str, raw: str) -> object:
    try:
        if "bool" in type_name:
            if "None" in type_name and raw.strip() == "":
                return None
            return _bool(raw)
        if type_name.startswith("int"):
            return int(raw)
        if type_name.startswith("float"):
            return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{PREFIX}{name.upper()}: {exc}") from exc
    return raw
