"""Production settings from the environment: HTTPS, cache, email, logging."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETTING_NAMES = [
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "CACHES",
    "SESSION_ENGINE",
    "MAILERS",
    "WHITENOISE_MAX_AGE",
    "LOGGING",
    "DATABASES",
]


def settings_with(**env: str) -> dict:
    """The settings a fresh process computes from exactly this environment."""
    clean = {k: v for k, v in os.environ.items() if not k.isupper() or k in {"PATH", "HOME"}}
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {SETTING_NAMES!r}}}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean | {"DJANGO_SETTINGS_MODULE": "config.settings"} | env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SettingsError(result.stderr.strip().splitlines()[-1])
    return json.loads(result.stdout)


class SettingsError(Exception):
    pass


PRODUCTION = {"SECRET_KEY": "k" * 50}


def test_production_enforces_https_with_secure_cookies_and_a_year_of_hsts():
    settings = settings_with(**PRODUCTION)
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SESSION_COOKIE_SECURE"] is settings["CSRF_COOKIE_SECURE"] is True
    assert settings["SECURE_HSTS_SECONDS"] == 31_536_000
    assert settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is settings["SECURE_HSTS_PRELOAD"] is True
    assert settings["SECURE_PROXY_SSL_HEADER"] is None


def test_development_keeps_plain_http():
    settings = settings_with(DEBUG="1")
    assert settings["SECURE_SSL_REDIRECT"] is False
    assert settings["SESSION_COOKIE_SECURE"] is False
    assert settings["SECURE_HSTS_SECONDS"] == 0


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("X-Forwarded-Proto", ["HTTP_X_FORWARDED_PROTO", "https"]),
        ("X-Forwarded-Ssl=on", ["HTTP_X_FORWARDED_SSL", "on"]),
    ],
)
def test_the_proxy_ssl_header_is_named_by_the_environment(setting, expected):
    settings = settings_with(**PRODUCTION, SECURE_PROXY_SSL_HEADER=setting)
    assert settings["SECURE_PROXY_SSL_HEADER"] == expected


def test_postgresql_connections_persist_with_health_checks_and_a_connect_timeout():
    settings = settings_with(**PRODUCTION, DATABASE_URL="postgres://u:p@db:5432/blog")
    database = settings["DATABASES"]["default"]
    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["OPTIONS"]["connect_timeout"] == 5


def test_the_cache_is_shared_through_the_database_by_default():
    settings = settings_with(**PRODUCTION)
    assert settings["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
    }
    assert settings["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"


def test_cache_url_points_the_cache_at_redis():
    cache = settings_with(**PRODUCTION, CACHE_URL="redis://cache:6379/1")["CACHES"]["default"]
    assert cache == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache:6379/1",
    }
    # The Redis client library is installed, so the cache can be created (it connects lazily).
    code = "import django; django.setup(); from django.core.cache import cache; print(cache._cache)"
    clean = {k: v for k, v in os.environ.items() if not k.isupper() or k in {"PATH", "HOME"}}
    created = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean
        | {"DJANGO_SETTINGS_MODULE": "config.settings", "CACHE_URL": "redis://cache:6379/1"}
        | PRODUCTION,
        capture_output=True,
        text=True,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    assert "RedisCacheClient" in created.stdout


def test_an_unknown_cache_url_is_an_error_that_lists_the_choices():
    with pytest.raises(SettingsError, match="redis://host:6379/0"):
        settings_with(**PRODUCTION, CACHE_URL="memcached://cache:11211")


def test_production_static_files_without_a_hash_are_cached_for_an_hour():
    assert settings_with(**PRODUCTION)["WHITENOISE_MAX_AGE"] == 3600


def test_logs_are_json_lines_on_stdout_in_production_and_text_in_development():
    production = settings_with(**PRODUCTION)["LOGGING"]
    assert production["handlers"]["stdout"]["formatter"] == "json"
    assert production["handlers"]["stdout"]["stream"] == "ext://sys.stdout"
    assert settings_with(DEBUG="1")["LOGGING"]["handlers"]["stdout"]["formatter"] == "text"
    with pytest.raises(SettingsError, match="LOG_LEVEL must be"):
        settings_with(**PRODUCTION, LOG_LEVEL="chatty")


def build_mailer(**env: str) -> str:
    """Create the default mailer as sending an email would, and describe it."""
    code = (
        "import django; django.setup(); from django.core import mail; "
        "m = mail.mailers.default; print(type(m).__module__, getattr(m, 'host', '-'), "
        "getattr(m, 'port', '-'), getattr(m, 'use_tls', '-'), getattr(m, 'timeout', '-'))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.isupper() or k in {"PATH", "HOME"}}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean | {"DJANGO_SETTINGS_MODULE": "config.settings"} | env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


SMTP_ENV = {
    "EMAIL_HOST": "smtp.example.com",
    "EMAIL_PORT": "587",
    "EMAIL_USE_TLS": "1",
    "EMAIL_HOST_USER": "blog",
    "EMAIL_HOST_PASSWORD": "pw",
}


def test_production_mail_goes_through_smtp_with_the_connection_settings():
    assert build_mailer(**PRODUCTION, **SMTP_ENV) == (
        "django.core.mail.backends.smtp smtp.example.com 587 True 10"
    )


def test_development_mail_goes_to_the_console_even_with_smtp_settings_present():
    """The console backend accepts no SMTP options: passing them would fail at first send."""
    assert build_mailer(DEBUG="1", **SMTP_ENV) == "django.core.mail.backends.console - - - -"


def test_another_backend_gets_no_smtp_options():
    backend = "django.core.mail.backends.locmem.EmailBackend"
    described = build_mailer(**PRODUCTION, **SMTP_ENV, EMAIL_BACKEND_CLASS=backend)
    assert described == "django.core.mail.backends.locmem - - - -"


def test_smtp_without_a_host_uses_the_local_mail_server():
    assert build_mailer(**PRODUCTION).startswith("django.core.mail.backends.smtp localhost 25 ")


def test_tls_and_ssl_together_is_an_error_that_says_which_to_choose():
    with pytest.raises(SettingsError, match="exclude each other"):
        settings_with(**PRODUCTION, EMAIL_USE_TLS="1", EMAIL_USE_SSL="1")
