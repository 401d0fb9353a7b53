"""The throwaway PostgreSQL that `make test` runs the suite on (tests/support/postgres.py)."""

import socket
from pathlib import Path

import pytest
from django.db import connection

from tests.support.postgres import (
    INSTALL_HINT,
    PostgresUnavailable,
    ensure_server_binaries,
    find_server_binaries,
    throwaway_cluster,
)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_postgresql_run_really_uses_postgresql_15_or_newer(postgres_cluster):
    assert connection.vendor == "postgresql"
    assert connection.pg_version >= 150000
    assert connection.settings_dict["PORT"] == postgres_cluster.port
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def use_a_cluster_then_fail(bin_dir: Path, seen: dict) -> None:
    with throwaway_cluster(bin_dir) as cluster:
        seen |= {"base_dir": cluster.base_dir, "port": cluster.port}
        seen["answer"] = cluster.execute("SELECT 1")
        raise RuntimeError("a failing test")


@pytest.mark.postgres
def test_a_cluster_is_stopped_and_deleted_even_when_the_tests_inside_fail(postgres_cluster):
    seen = {}
    with pytest.raises(RuntimeError, match="a failing test"):
        use_a_cluster_then_fail(postgres_cluster.bin_dir, seen)

    assert seen["answer"] == [(1,)]
    base_dir, port = seen["base_dir"], seen["port"]
    assert not base_dir.exists()
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port)):
        pass


def test_missing_server_programs_are_an_error_that_says_how_to_install_them(tmp_path, monkeypatch):
    monkeypatch.setenv("POSTGRES_BIN_DIR", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    assert find_server_binaries() is None
    with pytest.raises(PostgresUnavailable) as problem:
        ensure_server_binaries()
    assert str(problem.value) == INSTALL_HINT
    assert "apt-get install -y postgresql" in INSTALL_HINT
    assert "make test-fast" in INSTALL_HINT
