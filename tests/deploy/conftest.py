"""A running copy of the web container, without Docker: the image's files, its build step, its
environment from docker-compose.yml, its CMD, against the throwaway PostgreSQL.

Tests that need the server carry `pytest.mark.postgres`: `make test` runs them in its
PostgreSQL run (tests/support/run_on_postgres.py) and deselects them in its SQLite run. Run
anywhere else, they fail under CI=true and skip otherwise, saying how to run them.
"""

import json
import os
import secrets
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.deployment import (
    ROOT,
    SiteClient,
    copy_build_context,
    dockerfile_env,
    dockerfile_instructions,
    read_dotenv,
    service_environment,
)
from tests.support.postgres import Cluster, free_port

VENV_BIN = ROOT / ".venv" / "bin"
STARTUP_LIMIT_SECONDS = 120
NOT_ON_POSTGRES = (
    "needs the throwaway PostgreSQL server: run `make test-postgres` (or `make test`), or "
    "`python -m tests.support.run_on_postgres [pytest args]`."
)


@pytest.fixture(scope="session")
def postgres_cluster() -> Cluster:
    cluster = Cluster.from_environment()
    if cluster is None:
        if os.environ.get("CI"):
            pytest.fail(NOT_ON_POSTGRES)
        pytest.skip(NOT_ON_POSTGRES)
    return cluster


@pytest.fixture(scope="session")
def image_dir(tmp_path_factory) -> Path:
    """The image's /app: the build context, then the Dockerfile's RUN steps that use the code."""
    app = tmp_path_factory.mktemp("image") / "app"
    copy_build_context(app)
    build_env = container_base_env(app)
    for keyword, command in dockerfile_instructions():
        if keyword == "RUN" and "manage.py" in command:
            subprocess.run(
                ["sh", "-c", command], cwd=app, env=build_env, check=True, capture_output=True
            )
    return app


def container_base_env(app: Path) -> dict[str, str]:
    """A clean environment like the image's: its ENV lines and its Python on the PATH."""
    return dockerfile_env() | {
        "PATH": f"{VENV_BIN}{os.pathsep}/usr/local/bin{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(app),
        "LANG": "C.UTF-8",
    }


def production_env(database_url: str, port: int) -> dict[str, str]:
    """The web service's environment from docker-compose.yml, filled from .env.example as an
    operator would fill .env; only the addresses of the database and of the site differ."""
    dotenv = read_dotenv() | {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": "",
        "SITE_URL": f"https://127.0.0.1:{port}",
        # One worker, so consecutive requests share its persistent database connection.
        "WEB_CONCURRENCY": "1",
    }
    return service_environment("web", dotenv) | {"DATABASE_URL": database_url}


@dataclass
class RunningSite:
    client: SiteClient
    process: subprocess.Popen
    log_path: Path
    database: str

    def log_lines(self) -> list[str]:
        return self.log_path.read_text().splitlines()

    def json_log_entries(self) -> list[dict]:
        return [json.loads(line) for line in self.log_lines() if line.startswith("{")]

    def wait_for_log_entries(self, matching: Callable[[dict], bool]) -> list[dict]:
        """gunicorn writes the access line after the response has gone: wait for it."""
        deadline = time.monotonic() + 30
        while not (found := [e for e in self.json_log_entries() if matching(e)]):
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        return found


def start_site(
    app: Path, cluster: Cluster, database: str, log_path: Path, extra_env: dict | None = None
) -> RunningSite:
    port = free_port()
    env = (
        container_base_env(app)
        | production_env(cluster.database_url(database), port)
        # The one difference from the container: a free port on loopback instead of 8000.
        | {"GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port}"}
        | (extra_env or {})
    )
    command = json.loads(dict(dockerfile_instructions())["CMD"])
    log = log_path.open("w")
    process = subprocess.Popen(
        command, cwd=app, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    site = RunningSite(SiteClient(port), process, log_path, database)
    try:
        wait_until_healthy(site)
    except BaseException:  # a failed start, or Ctrl-C meanwhile: leave no server behind
        stop_site(site)
        raise
    return site


def wait_until_healthy(site: RunningSite) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT_SECONDS
    while time.monotonic() < deadline:
        if site.process.poll() is not None:
            pytest.fail(f"the web process exited ({site.process.returncode}):\n{log_tail(site)}")
        try:
            if site.client.get("/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"/healthz did not answer 200 within {STARTUP_LIMIT_SECONDS} s:\n{log_tail(site)}")


def log_tail(site: RunningSite) -> str:
    return "\n".join(site.log_lines()[-40:])


def stop_site(site: RunningSite) -> None:
    if site.process.poll() is None:
        os.killpg(site.process.pid, signal.SIGTERM)
        try:
            site.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(site.process.pid, signal.SIGKILL)
            site.process.wait()


@pytest.fixture(scope="module")
def fresh_database(postgres_cluster) -> Iterator[str]:
    name = f"deploy_{uuid.uuid4().hex[:12]}"
    postgres_cluster.execute(f"CREATE DATABASE {name}")
    yield name
    ensure_running(postgres_cluster)
    postgres_cluster.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module")
def site(image_dir, postgres_cluster, fresh_database, tmp_path_factory) -> Iterator[RunningSite]:
    """The web container's CMD (migrate, seed, gunicorn) running with production settings."""
    log_path = tmp_path_factory.mktemp("logs") / "web.log"
    running = start_site(image_dir, postgres_cluster, fresh_database, log_path)
    yield running
    stop_site(running)


def ensure_running(cluster: Cluster) -> None:
    if not cluster.is_running():
        cluster.start()


@pytest.fixture
def database_server(postgres_cluster) -> Iterator[Cluster]:
    """For tests that stop or restart the server: it is running again afterwards, and this
    process's own (now broken) connections are dropped so the next test reconnects."""
    yield postgres_cluster
    ensure_running(postgres_cluster)
    from django.db import connections

    connections.close_all()
