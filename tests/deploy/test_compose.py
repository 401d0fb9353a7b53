"""docker-compose.yml: valid against the compose specification, and shaped as documented."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.deployment import (
    COMPOSE_FILE,
    ENV_EXAMPLE,
    INTERPOLATION,
    load_compose,
    read_dotenv,
    service_environment,
    variables_read_by_configuration,
)


def check_jsonschema() -> str:
    found = Path(sys.executable).with_name("check-jsonschema")
    return str(found) if found.exists() else shutil.which("check-jsonschema")


def test_the_compose_file_is_valid_against_the_compose_specification():
    # The schema ships inside check-jsonschema ("vendor."), so this needs no network.
    result = subprocess.run(
        [check_jsonschema(), "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_the_schema_check_rejects_a_malformed_compose_file(tmp_path):
    """The check above can fail: a misspelt key is caught."""
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE_FILE.read_text().replace("depends_on:", "depends-on:", 1))
    result = subprocess.run(
        [check_jsonschema(), "--builtin-schema", "vendor.compose-spec", str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "depends-on" in result.stdout


def test_the_database_is_official_postgresql_on_a_named_volume_with_a_pg_isready_check():
    compose = load_compose()
    db = compose["services"]["db"]
    assert re.fullmatch(r"postgres:1[5-9](\.\d+)?(-[a-z]+)?", db["image"])
    volume, _, mount = db["volumes"][0].partition(":")
    assert volume in compose["volumes"]
    assert mount == "/var/lib/postgresql/data"
    assert "pg_isready" in db["healthcheck"]["test"]
    assert db["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")


def test_the_web_service_builds_here_waits_for_a_healthy_database_and_checks_itself():
    web = load_compose()["services"]["web"]
    assert web["build"] == "."
    assert web["depends_on"] == {"db": {"condition": "service_healthy"}}
    probe = " ".join(web["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/healthz" in probe
    assert web["healthcheck"]["start_period"]


def test_every_variable_the_settings_and_gunicorn_read_is_passed_to_the_web_container():
    read = variables_read_by_configuration()
    assert {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "WEB_CONCURRENCY"} <= read
    passed = set(load_compose()["services"]["web"]["environment"])
    assert read - passed == set(), "add these to web.environment in docker-compose.yml"
    assert passed - read == set(), "web.environment passes variables nothing reads"


def test_no_secret_is_written_in_the_compose_file():
    for service in load_compose()["services"].values():
        for name, value in service.get("environment", {}).items():
            if any(word in name for word in ("SECRET", "PASSWORD", "KEY")):
                assert re.fullmatch(r"\$\{\w+:[?-][^}]*\}", str(value)), name
    url = load_compose()["services"]["web"]["environment"]["DATABASE_URL"]
    assert ":${POSTGRES_PASSWORD:?" in url


def test_env_example_fills_every_variable_the_compose_file_uses():
    used = {match.group(1) for match in INTERPOLATION.finditer(COMPOSE_FILE.read_text())}
    documented = set(read_dotenv(ENV_EXAMPLE))
    assert used - documented == set()


def test_required_variables_stop_compose_with_a_message_when_missing():
    environment = service_environment("web", read_dotenv() | {"SECRET_KEY": "s"})
    assert environment["DATABASE_URL"] == "postgres://blog:change-me@db:5432/blog"
    with pytest.raises(KeyError, match="set SECRET_KEY in .env"):
        service_environment("web", read_dotenv() | {"SECRET_KEY": ""})
