"""`manage.py check --deploy` is clean with the production environment of .env.example."""

import os
import secrets
import subprocess
import sys

from tests.support.deployment import ROOT, read_dotenv


def deploy_check(**overrides: str) -> subprocess.CompletedProcess:
    # Whatever .env.example documents, as an operator would copy it to .env; a new setting
    # added there is checked here without touching this test.
    production = read_dotenv() | {"SECRET_KEY": secrets.token_urlsafe(50)} | overrides
    # Only what a container would have besides: nothing leaks in from the test process.
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean | production,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_deploy_check_reports_nothing_in_production():
    result = deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_the_deploy_check_does_complain_when_https_is_switched_off():
    """The check above can fail: the same environment without the HTTPS redirect does."""
    result = deploy_check(SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0")
    assert result.returncode == 1
    assert "security.W008" in result.stderr
    assert "security.W004" in result.stderr
