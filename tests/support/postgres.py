"""A throwaway PostgreSQL server for the test suite.

`throwaway_cluster()` runs `initdb` into a new temporary directory, starts the server with
`pg_ctl` on a free port of 127.0.0.1 (its socket in that directory, so nothing else on the
machine is touched), and stops it and deletes the directory afterwards, also when the tests
fail or are interrupted. `initdb` refuses to run as root, so as root the server runs as the
`postgres` system user that Debian's package creates.

The cluster's coordinates are handed to the test process in TEST_POSTGRES_* variables;
`Cluster.from_environment()` reads them back so fault tests can stop and restart the server.
"""

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

MINIMUM_MAJOR_VERSION = 15
SUPERUSER = "postgres"
DATABASE = "blog"
START_ATTEMPTS = 3

# Debian and Ubuntu keep each major version's server programs here, off the PATH.
DEBIAN_SERVER_DIRS = Path("/usr/lib/postgresql")

INSTALL_HINT = f"""\
PostgreSQL server programs ({MINIMUM_MAJOR_VERSION} or newer: initdb, pg_ctl, postgres) were not \
found. `make test` runs the whole suite on PostgreSQL too, so it needs them. Install them:
  Debian/Ubuntu:  sudo apt-get install -y postgresql   (CI=true as root does this itself)
  Fedora:         sudo dnf install -y postgresql-server
  macOS:          brew install postgresql@17
or point at them with POSTGRES_BIN_DIR=/path/to/postgresql/bin. `make test-fast` runs the \
suite on SQLite only."""

ENVIRONMENT_KEYS = {
    "bin_dir": "TEST_POSTGRES_BIN_DIR",
    "base_dir": "TEST_POSTGRES_BASE_DIR",
    "port": "TEST_POSTGRES_PORT",
    "os_user": "TEST_POSTGRES_OS_USER",
}


class PostgresUnavailable(RuntimeError):
    """The server programs are missing or the server would not start; the message says why."""


def require_postgresql() -> None:
    """For a test that needs the suite's own database to be PostgreSQL (its PostgreSQL run):
    elsewhere it fails under CI=true and skips otherwise, saying how to run it."""
    # Imported here: the benchmark uses this module without pytest or Django set up.
    import pytest
    from django.db import connection

    if connection.vendor != "postgresql":
        message = "needs the suite's PostgreSQL run: `make test-postgres` (or `make test`)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def server_major_version(bin_dir: Path) -> int | None:
    postgres = bin_dir / "postgres"
    if not (bin_dir / "initdb").is_file() or not (bin_dir / "pg_ctl").is_file():
        return None
    try:
        output = subprocess.run(
            [postgres, "--version"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.search(r"\(PostgreSQL\) (\d+)", output)
    return int(match.group(1)) if match else None


def candidate_bin_dirs() -> Iterator[Path]:
    if configured := os.environ.get("POSTGRES_BIN_DIR"):
        yield Path(configured)
        return
    if initdb := shutil.which("initdb"):
        yield Path(initdb).resolve().parent
    if pg_config := shutil.which("pg_config"):
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if result.returncode == 0:
            yield Path(result.stdout.strip())
    if DEBIAN_SERVER_DIRS.is_dir():
        versions = sorted(
            (path for path in DEBIAN_SERVER_DIRS.iterdir() if path.name.isdigit()),
            key=lambda path: int(path.name),
            reverse=True,
        )
        yield from (path / "bin" for path in versions)


def find_server_binaries() -> Path | None:
    """The newest bin directory holding initdb, pg_ctl and postgres of a supported version."""
    for bin_dir in candidate_bin_dirs():
        version = server_major_version(bin_dir)
        if version is not None and version >= MINIMUM_MAJOR_VERSION:
            return bin_dir
    return None


def install_debian_postgresql() -> None:
    print("Installing PostgreSQL for the test suite (apt-get install postgresql)", flush=True)
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "postgresql"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def ensure_server_binaries() -> Path:
    """Find the server programs; under CI=true, install Debian's package as root or fail."""
    if bin_dir := find_server_binaries():
        return bin_dir
    if os.environ.get("CI") and os.geteuid() == 0 and shutil.which("apt-get"):
        install_debian_postgresql()
        if bin_dir := find_server_binaries():
            return bin_dir
    raise PostgresUnavailable(INSTALL_HINT)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Cluster:
    """One running throwaway server: where its programs and files are, and how to reach it."""

    bin_dir: Path
    base_dir: Path
    port: int
    os_user: str | None = None

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base_dir

    @property
    def log_file(self) -> Path:
        return self.base_dir / "server.log"

    def database_url(self, database: str = DATABASE) -> str:
        return f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def run_as_server_user(self, *command: str | Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(part) for part in command],
            user=self.os_user,
            cwd=self.base_dir,
            capture_output=True,
            text=True,
            check=False,
            # The server must outlive a Ctrl-C in the terminal: this module stops it itself,
            # after pytest has finished with it.
            start_new_session=True,
        )

    def pg_ctl(self, action: str, *extra: str) -> subprocess.CompletedProcess:
        return self.run_as_server_user(
            self.bin_dir / "pg_ctl", action, "--pgdata", self.data_dir, "--wait", *extra
        )

    def start(self) -> None:
        options = " ".join(
            [
                f"-p {self.port}",
                f"-k {self.socket_dir}",
                "-c listen_addresses=127.0.0.1",
                # Durability is pointless for a cluster deleted after the run; speed is not.
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
            ]
        )
        result = self.pg_ctl("start", "--timeout", "60", "--log", self.log_file, "-o", options)
        if result.returncode != 0:
            log = self.log_file.read_text() if self.log_file.exists() else ""
            raise PostgresUnavailable(
                f"PostgreSQL did not start on port {self.port}:\n{result.stdout}"
                f"{result.stderr}\n{log[-2000:]}"
            )

    def stop(self, mode: str = "fast") -> None:
        result = self.pg_ctl("stop", "--mode", mode)
        if result.returncode != 0 and self.is_running():
            raise PostgresUnavailable(f"PostgreSQL did not stop:\n{result.stderr}")

    def restart(self) -> None:
        self.stop()
        self.start()

    def is_running(self) -> bool:
        return self.pg_ctl("status").returncode == 0

    def execute(self, sql: str, database: str = SUPERUSER) -> list[tuple]:
        """Run one statement outside a transaction (CREATE/DROP DATABASE need that); the rows
        it returns, if any."""
        import psycopg2

        connection = psycopg2.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname=database
        )
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()

    def environment(self) -> dict[str, str]:
        """What a test process needs: the database URL and the cluster's coordinates."""
        return {
            "DATABASE_URL": self.database_url(),
            ENVIRONMENT_KEYS["bin_dir"]: str(self.bin_dir),
            ENVIRONMENT_KEYS["base_dir"]: str(self.base_dir),
            ENVIRONMENT_KEYS["port"]: str(self.port),
            ENVIRONMENT_KEYS["os_user"]: self.os_user or "",
        }

    @classmethod
    def from_environment(cls) -> "Cluster | None":
        values = {field: os.environ.get(key, "") for field, key in ENVIRONMENT_KEYS.items()}
        if not (values["bin_dir"] and values["base_dir"] and values["port"]):
            return None
        return cls(
            bin_dir=Path(values["bin_dir"]),
            base_dir=Path(values["base_dir"]),
            port=int(values["port"]),
            os_user=values["os_user"] or None,
        )


def server_os_user() -> str | None:
    """None to run the server as ourselves; as root, the `postgres` system user."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SUPERUSER)
    except KeyError:
        raise PostgresUnavailable(
            "initdb refuses to run as root and there is no 'postgres' user to run it as. "
            "Create one (useradd --system --user-group postgres) or run the tests as a "
            "normal user."
        ) from None
    return SUPERUSER


@contextmanager
def throwaway_cluster(bin_dir: Path) -> Iterator[Cluster]:
    """A new cluster, running until the block ends; then stopped and deleted whatever happened."""
    os_user = server_os_user()
    base_dir = Path(tempfile.mkdtemp(prefix="blog-test-postgres-"))
    try:
        if os_user:
            shutil.chown(base_dir, user=os_user, group=pwd.getpwnam(os_user).pw_gid)
        cluster = Cluster(bin_dir=bin_dir, base_dir=base_dir, port=free_port(), os_user=os_user)
        initdb = cluster.run_as_server_user(
            bin_dir / "initdb",
            "--pgdata",
            cluster.data_dir,
            "--username",
            SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",
            "--no-instructions",
        )
        if initdb.returncode != 0:
            raise PostgresUnavailable(f"initdb failed:\n{initdb.stdout}{initdb.stderr}")
        cluster = start_on_a_free_port(cluster)
        try:
            cluster.execute(f"CREATE DATABASE {DATABASE}")
            yield cluster
        finally:
            cluster.stop(mode="immediate")
    finally:
        shutil.rmtree(base_dir, ignore_errors=True)


def start_on_a_free_port(cluster: Cluster) -> Cluster:
    """Start the server; if another process took the port meanwhile, try a new one."""
    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            cluster.start()
            return cluster
        except PostgresUnavailable:
            if attempt == START_ATTEMPTS:
                raise
            cluster = Cluster(cluster.bin_dir, cluster.base_dir, free_port(), cluster.os_user)
    raise AssertionError("unreachable")
