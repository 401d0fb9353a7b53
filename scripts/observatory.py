"""Grade the site's security headers with the MDN HTTP Observatory, against a local TLS server.

`make observatory` runs this. It serves the site as production would (DEBUG off, hashed static
files, gunicorn) over HTTPS with a self-signed certificate made for this run, scans it with npm
`@mdn/mdn-http-observatory`, prints the grade and every test, and exits non-zero below A+.

Everything it makes (the scanner's node_modules, the certificate, a throwaway SQLite database)
goes under var/observatory/, which git ignores. The scanner is installed with --no-save and
--ignore-scripts: no lock file is written, and its post-install step, which downloads a CA
bundle and Chromium's HSTS preload list from the internet, is skipped. The scan trusts only this
run's certificate, and is given an empty preload list: localhost is on no preload list anyway.
"""

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "var" / "observatory"
SCANNER_PACKAGE = "@mdn/mdn-http-observatory"
SCANNER_VERSION = "1.4.8"
PACKAGE_DIR = WORK / "node_modules" / "@mdn" / "mdn-http-observatory"
SCANNER = PACKAGE_DIR / "src" / "scan.js"
PRELOAD_LIST = PACKAGE_DIR / "conf" / "hsts-preload.json"
LISTENING = re.compile(r"Listening at: https://127\.0\.0\.1:(\d+)")
GOAL = "A+"

# Production settings, as a deployment behind TLS sets them. The variables that switch on HSTS,
# the HTTPS redirect and Secure cookies are read by the production section of the settings.
SERVER_ENV = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "localhost",
    "SITE_URL": "https://localhost",  # the address the scanner uses, for links in emails
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SESSION_COOKIE_SECURE": "1",
    "CSRF_COOKIE_SECURE": "1",
}


def main() -> int:
    WORK.mkdir(parents=True, exist_ok=True)
    install_scanner()
    certificate, key = make_certificate()
    env = (
        os.environ
        | SERVER_ENV
        | {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": f"sqlite:///{WORK / 'observatory.sqlite3'}",
        }
    )
    manage(env, "migrate", "--noinput")
    manage(env, "createcachetable")
    manage(env, "load_seed_articles")
    manage(env, "collectstatic", "--noinput")
    server, port = start_server(env, certificate, key)
    try:
        report = scan(f"localhost:{port}", certificate)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return print_report(report)


def install_scanner() -> None:
    if SCANNER.exists() and PRELOAD_LIST.exists():
        return
    if not shutil.which("npm"):
        sys.exit("npm is needed for the scanner: apt-get install -y nodejs npm (Node 20 or newer).")
    print(f"Installing {SCANNER_PACKAGE}@{SCANNER_VERSION} into {WORK.relative_to(ROOT)}/")
    subprocess.run(
        [
            "npm", "install", "--no-save", "--no-package-lock", "--ignore-scripts",
            "--no-audit", "--no-fund", "--loglevel=error",
            f"{SCANNER_PACKAGE}@{SCANNER_VERSION}",
        ],
        cwd=WORK,
        check=True,
    )  # fmt: skip
    PRELOAD_LIST.write_text("{}")


def make_certificate() -> tuple[Path, Path]:
    """A fresh self-signed certificate for localhost, valid for a day."""
    tls = WORK / "tls"
    tls.mkdir(exist_ok=True)
    certificate, key = tls / "localhost.pem", tls / "localhost-key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", str(key), "-out", str(certificate),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return certificate, key


def manage(env: dict[str, str], *command: str) -> None:
    subprocess.run([sys.executable, "manage.py", *command, "-v0"], cwd=ROOT, env=env, check=True)


def start_server(env: dict[str, str], certificate: Path, key: Path) -> tuple[subprocess.Popen, str]:
    log = WORK / "gunicorn.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi",
                "--bind=127.0.0.1:0",
                "--workers=2",
                "--no-control-socket",
                f"--certfile={certificate}",
                f"--keyfile={key}",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        if match := LISTENING.search(log.read_text()):
            return server, match[1]
        time.sleep(0.2)
    server.kill()
    sys.exit(f"gunicorn did not start; its log:\n{log.read_text()}")


def scan(host: str, certificate: Path) -> dict:
    print(f"Scanning https://{host}/ with {SCANNER_PACKAGE} {SCANNER_VERSION}")
    result = subprocess.run(
        ["node", str(SCANNER), host],
        env=os.environ | {"NODE_EXTRA_CA_CERTS": str(certificate)},
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except ValueError:
        sys.exit(f"The scanner failed:\n{result.stdout}\n{result.stderr}")
    if "error" in report:
        sys.exit(f"The scanner failed: {report['error']}")
    return report


def print_report(report: dict) -> int:
    for name, test in sorted(report["tests"].items()):
        mark = "pass" if test["pass"] else "FAIL"
        print(f"  {mark}  {test['scoreModifier']:+4d}  {name}: {test['result']}")
    summary = report["scan"]
    print(
        f"Grade {summary['grade']} (score {summary['score']}, "
        f"{summary['testsPassed']}/{summary['testsQuantity']} tests passed)"
    )
    if summary["grade"] != GOAL:
        print(f"Below the goal of {GOAL}: see the failing tests above.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
