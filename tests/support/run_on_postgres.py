"""Run pytest against a throwaway PostgreSQL: `python -m tests.support.run_on_postgres [ARGS]`.

The server is started before pytest and stopped and deleted after it, whether the tests pass,
fail or are interrupted (Ctrl-C, SIGTERM, SIGHUP). Arguments go to pytest unchanged; the exit
status is pytest's (2 if the server could not be provided, 128+N after signal N).
"""

import os
import signal
import subprocess
import sys
import time

from tests.support.postgres import (
    PostgresUnavailable,
    ensure_server_binaries,
    server_major_version,
    throwaway_cluster,
)


class PytestProcess:
    """pytest in a child process, stopped gracefully on SIGTERM/SIGHUP as on Ctrl-C.

    pytest turns SIGINT into KeyboardInterrupt and runs its fixtures' teardown (servers the
    tests started are stopped); a plain SIGTERM would end it with no teardown at all.
    """

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.stopped_by: int | None = None
        self.process = subprocess.Popen([sys.executable, "-m", "pytest", *args], env=env)

    def stop_gracefully(self, signum: int, frame: object) -> None:
        if self.stopped_by is not None:  # asked twice: stop waiting for a tidy ending
            self.process.kill()
            return
        self.stopped_by = signum
        self.process.send_signal(signal.SIGINT)

    def wait(self) -> int:
        returncode = self.process.wait()
        return 128 + self.stopped_by if self.stopped_by else returncode


def let_pytest_handle_ctrl_c(signum: int, frame: object) -> None:
    """Ctrl-C reaches pytest too: it stops, reports, and then the cluster is cleaned up."""


def main(pytest_args: list[str]) -> int:
    try:
        bin_dir = ensure_server_binaries()
    except PostgresUnavailable as problem:
        print(problem, file=sys.stderr)
        return 2
    signal.signal(signal.SIGINT, let_pytest_handle_ctrl_c)
    started = time.monotonic()
    try:
        with throwaway_cluster(bin_dir) as cluster:
            print(
                f"PostgreSQL {server_major_version(bin_dir)} started on 127.0.0.1:{cluster.port} "
                f"in {time.monotonic() - started:.1f} s (cluster in {cluster.base_dir})",
                flush=True,
            )
            pytest = PytestProcess(pytest_args, os.environ | cluster.environment())
            signal.signal(signal.SIGTERM, pytest.stop_gracefully)
            signal.signal(signal.SIGHUP, pytest.stop_gracefully)
            returncode = pytest.wait()
    except PostgresUnavailable as problem:
        print(problem, file=sys.stderr)
        return 2
    print(
        f"PostgreSQL cluster stopped and removed; PostgreSQL run took "
        f"{time.monotonic() - started:.1f} s",
        flush=True,
    )
    return returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
