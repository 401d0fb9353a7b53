"""Run Lighthouse on the blog served as in production (`make lighthouse`).

A throwaway SQLite database gets the migrations and the seed article; the static files are
collected into the gitignored STATIC_ROOT (hashed and compressed, served by WhiteNoise); gunicorn
serves with DEBUG off on a free port. Lighthouse (pinned in package.json beside this file) then
audits the index and the article as a phone and as a desktop, with Debian's Chromium and flags
that need no network. Reports go to var/lighthouse/ (gitignored); the four category scores are
printed. A run that fails is tried once more. The exit status is 0 only when every run produced
scores and, with --require-100, when every score is 100.
"""

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIGHTHOUSE = ROOT / "tools" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
REPORTS = ROOT / "var" / "lighthouse"
PYTHON = sys.executable
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
PAGES = {"index": "/", "article": "/blog/magnesium-bone-health/"}
FORM_FACTORS = ("mobile", "desktop")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
ATTEMPTS = 2


@dataclass(frozen=True)
class Result:
    page: str
    form_factor: str
    scores: dict[str, int] | None  # None: Lighthouse failed on every attempt
    report: Path


def production_environment(workdir: Path) -> dict[str, str]:
    """Settings as a production deployment would have them, but local and throwaway."""
    return os.environ | {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{workdir / 'lighthouse.sqlite3'}",
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on loopback: production redirects to HTTPS, which this local server lacks.
        "SECURE_SSL_REDIRECT": "0",
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def listening_socket() -> socket.socket:
    """A socket bound to a free port, handed to gunicorn so no other process can take it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def wait_until_serving(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"gunicorn did not answer {url} within {timeout:.0f} s.")
        time.sleep(0.3)


@contextmanager
def served(env: dict[str, str]) -> Iterator[str]:
    """gunicorn on 127.0.0.1 at a free port; yields the base URL and stops the server after."""
    sock = listening_socket()
    port = sock.getsockname()[1]
    command = [
        str(Path(PYTHON).with_name("gunicorn")),
        "config.wsgi:application",
        f"--bind=fd://{sock.fileno()}",
        "--workers=2",
        "--no-control-socket",
        "--log-level=warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, pass_fds=[sock.fileno()])
    sock.close()
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base_url + "/")
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def read_scores(report: Path) -> dict[str, int] | None:
    """The four category scores (0-100) from a JSON report, or None if the run failed."""
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("runtimeError"):
        return None
    scores = {name: data["categories"].get(name, {}).get("score") for name in CATEGORIES}
    if any(score is None for score in scores.values()):
        return None
    return {name: round(score * 100) for name, score in scores.items()}


def audit(base_url: str, page: str, form_factor: str) -> Result:
    stem = REPORTS / f"{page}-{form_factor}"
    report = stem.with_suffix(".report.json")
    command = [
        str(LIGHTHOUSE),
        base_url + PAGES[page],
        "--output=json",
        "--output=html",
        f"--output-path={stem}",
        f"--chrome-flags={CHROME_FLAGS}",
        "--quiet",
    ]
    if form_factor == "desktop":
        command.append("--preset=desktop")
    env = os.environ | {"CHROME_PATH": CHROME}
    for attempt in range(1, ATTEMPTS + 1):
        report.unlink(missing_ok=True)
        finished = subprocess.run(command, env=env, check=False)
        scores = read_scores(report) if finished.returncode == 0 else None
        if scores is not None:
            return Result(page, form_factor, scores, report)
        print(f"Lighthouse failed on {page} ({form_factor}), attempt {attempt} of {ATTEMPTS}.")
    return Result(page, form_factor, None, report)


def print_table(results: list[Result]) -> None:
    header = f"{'page':<9}{'form factor':<13}" + "".join(f"{name:>16}" for name in CATEGORIES)
    print(header)
    for result in results:
        cells = (
            "".join(f"{result.scores[name]:>16}" for name in CATEGORIES)
            if result.scores
            else f"{'failed twice':>16}"
        )
        print(f"{result.page:<9}{result.form_factor:<13}{cells}")
    print(f"Reports (HTML and JSON): {REPORTS.relative_to(ROOT)}/")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--require-100", action="store_true", help="exit 1 unless every score is 100"
    )
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit(f"{LIGHTHOUSE.relative_to(ROOT)} is missing: run `make lighthouse`.")
    if not Path(CHROME).exists():
        raise SystemExit(f"Chromium not found at {CHROME}: apt-get install -y chromium.")
    REPORTS.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="lighthouse-") as workdir:
        env = production_environment(Path(workdir))
        manage(env, "collectstatic", "--noinput", "--verbosity=0")
        manage(env, "migrate", "--noinput", "--verbosity=0")
        manage(env, "createcachetable", "--verbosity=0")
        manage(env, "load_seed_articles", "--verbosity=0")
        with served(env) as base_url:
            results = [audit(base_url, page, ff) for page in PAGES for ff in FORM_FACTORS]

    print_table(results)
    if any(result.scores is None for result in results):
        return 1
    if args.require_100 and any(min(r.scores.values()) < 100 for r in results if r.scores):
        print("Some scores are below 100: open the HTML reports to see why.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
