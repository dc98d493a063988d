"""Settings from IDP_* variables."""

from __future__ import annotations

import pytest

from idp.config import ConfigError, Settings


def test_defaults_need_no_outside_services() -> None:
    settings = Settings.from_env({})
    assert settings.captcha is True
    assert settings.redis_url == ""
    assert settings.sqlalchemy_url().startswith("sqlite:///")


def test_values_are_read_and_converted() -> None:
    settings = Settings.from_env(
        {
            "IDP_ISSUER": "https://sso.example.org/",
            "IDP_CAPTCHA": "off",
            "IDP_ACCESS_TOKEN_TTL_SECONDS": "300",
            "IDP_DATABASE_URL": "postgresql+psycopg://db/x",
        }
    )
    assert settings.issuer_url == "https://sso.example.org"
    assert settings.captcha is False
    assert settings.access_token_ttl_seconds == 300
    assert settings.cookie_secure is True
    assert settings.sqlalchemy_url() == "postgresql+psycopg://db/x"


@pytest.mark.parametrize(
    "name,value",
    [
        ("IDP_ISSUER", "ftp://x"),
        ("IDP_ISSUER", "https://x/?a=b"),
        ("IDP_CAPTCHA", "maybe"),
        ("IDP_ARGON2_MEMORY_KIB", "1024"),
        ("IDP_ACCESS_TOKEN_TTL_SECONDS", "0"),
        ("IDP_ENV", "staging"),
        ("IDP_AUTHORIZATION_CODE_TTL_SECONDS", "3600"),
        ("IDP_ACCESS_TOKEN_TTL_SECONDS", "ten"),
        ("IDP_TRUSTED_PROXIES", "1"),  # a count of proxies: now their addresses
        ("IDP_TRUSTED_PROXIES", "proxy.example"),
    ],
)
def test_nonsense_is_refused(name: str, value: str) -> None:
    with pytest.raises(ConfigError):
        Settings.from_env({name: value})


def test_short_secret_key_is_refused() -> None:
    with pytest.raises(ConfigError):
        Settings.from_env({"IDP_SECRET_KEY": "short"}).resolved_secret_key()


def test_generated_secret_key_is_kept(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings.from_env({"IDP_INSTANCE_PATH": str(tmp_path)})
    first = settings.resolved_secret_key()
    assert first == settings.resolved_secret_key() and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
