"""Settings come from the environment, and production is the default."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}
    }
    code = (
        "from django.conf import settings; "
        "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'], "
        "settings.DATABASES['default'].get('OPTIONS'))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean | {"DJANGO_SETTINGS_MODULE": "config.settings"} | env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_secret_key_is_required_when_debug_is_off():
    result = load_settings()
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_set():
    result = load_settings(SECRET_KEY="k")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("False ")


def test_development_needs_no_secret_key():
    result = load_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True ")


def test_sqlite_is_the_default_and_tuned_for_concurrent_writers():
    result = load_settings(SECRET_KEY="k")
    assert "django.db.backends.sqlite3" in result.stdout
    assert "'transaction_mode': 'IMMEDIATE'" in result.stdout
    assert "journal_mode=WAL" in result.stdout
    assert "'timeout': 20" in result.stdout


def test_database_url_selects_postgresql_through_the_sites_backend():
    result = load_settings(SECRET_KEY="k", DATABASE_URL="postgres://u:p@db:5432/blog")
    assert result.returncode == 0, result.stderr
    # Django's PostgreSQL backend with a health check that needs no round trip (ops/postgresql).
    assert " ops.postgresql " in result.stdout
    assert "'connect_timeout': 5" in result.stdout


def test_a_misspelt_boolean_is_an_error_not_a_guess():
    result = load_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_env_example_and_readme_document_every_variable_the_settings_read():
    import re

    source = (ROOT / "config" / "settings.py").read_text()
    readers = r"(?:environ\.get|env_str|env_bool|env_list|env_int)"
    read = set(re.findall(readers + r"""\(\s*"([A-Z_]+)""", source))
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    readme = (ROOT / "README.md").read_text()
    assert read, "no variables found: the pattern no longer matches settings.py"
    assert read <= documented, read - documented
    assert all(f"`{name}`" in readme for name in read), [n for n in read if f"`{n}`" not in readme]
