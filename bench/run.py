"""`make bench`: load-test the site as production serves it, on SQLite and on PostgreSQL.

For each database the run migrates a new database, seeds it (bench/seed.py), starts gunicorn
with the production settings (DEBUG off, 2 workers, WhiteNoise, hashed static files collected
into a temporary folder; plain HTTP on 127.0.0.1, so SECURE_SSL_REDIRECT=0), and starts nginx
serving a saved copy of the article's HTML. Then wrk, at a fixed concurrency, runs each scenario
for a fixed time against that one server, and the two baselines in the same run:

  hello          a trivial Django view through the same middleware (BENCHMARK_HELLO=1)
  static         nginx serving the 10-comment article's HTML from a file
  article_10     an article with 10 approved comments
  article_1000   an article with 1,000 approved comments (the page shows the first 50)
  index          the blog index, with 100 published articles
  admin_queue    the admin's pending changelist with 100,000 pending comments, signed in
  post           comments posted through the real form (see bench/post_comments.lua)
  post_floor     the same posts to the least a post can do and keep the flood and duplicate
                 guarantees (config/views.py: benchmark_posting_floor, BENCHMARK_HELLO=1): the
                 published article, the sender locks, the duplicate and flood query and a
                 hand-written INSERT, with no
                 form, spam signals, messages or ORM. Not a target: it shows how much of "post"
                 is the guarantees themselves and how much the rest

Email: as in production, held comments are reported to the moderators from the web workers'
background threads (config/task_backends.py), at most one email per
MODERATION_EMAIL_INTERVAL_SECONDS (60): a post asks for a report when none is queued or timed in
its process, and the report claims the held comments, looks the moderators up, renders the
message and hands it to the mailer. The bench names one moderator address
(MODERATION_NOTIFY_EMAILS) and sets Django's dummy mailer, which drops the message: the work of
each report is measured, the SMTP conversation is not (there is no mail server here; left to
production's SMTP backend, every report would fail to connect and be logged instead).

Results go to var/bench/results.json and a Markdown table to var/bench/summary.md; the table is
printed too. Needs wrk and nginx (Debian: apt-get install wrk nginx; installed here when run as
root) and PostgreSQL's server programs (as for `make test`).
"""

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.postgres import (  # noqa: E402
    PostgresUnavailable,
    ensure_server_binaries,
    free_port,
    throwaway_cluster,
)

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = ROOT / "var" / "bench"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
WORKERS = 2
CONNECTIONS = 8
WRK_THREADS = 1
DURATION_SECONDS = 10
# Forms fetched before the posting run; each is reused by many posts (a new visitor each time).
POSTING_FORMS = 64
# comments/spam.py holds a form sent less than 3 s after it was shown.
MINIMUM_FORM_AGE_SECONDS = 3.5
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")
TARGETS = {
    "article_10 >= 0.5x hello": ("article_10", 0.5),
    "article_1000 >= 0.5x hello": ("article_1000", 0.5),
    "post (PostgreSQL) >= 0.3x hello": ("post", 0.3),
}


def server_environment(database_url: str, static_root: Path) -> dict[str, str]:
    return os.environ | {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(static_root),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "BENCHMARK_HELLO": "1",
        # Each post claims its own address in X-Forwarded-For, as one proxy in front would set.
        "TRUSTED_PROXY_COUNT": "1",
        # Held comments are notified one email each, rendered and dropped (see the docstring).
        "MODERATION_NOTIFY_EMAILS": "moderators@example.com",
        "EMAIL_BACKEND_CLASS": "django.core.mail.backends.dummy.EmailBackend",
        "WEB_CONCURRENCY": str(WORKERS),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
    }


# --- Tools ---------------------------------------------------------------------------------


def find_tool(name: str, package: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"Installing {package} (apt-get install {package})", flush=True)
        env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        found = shutil.which(name) or shutil.which(name, path="/usr/sbin")
        if found:
            return found
    sys.exit(f"{name} is needed: sudo apt-get install -y {package} (or brew install {package}).")


# --- Servers -------------------------------------------------------------------------------


def manage(env: dict[str, str], *command: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


@contextmanager
def gunicorn(env: dict[str, str], log_path: Path) -> Iterator[tuple[subprocess.Popen, int]]:
    command = [
        GUNICORN,
        "--config",
        "config/gunicorn.py",
        "--bind",
        "127.0.0.1:0",
        "--workers",
        str(WORKERS),
        "--no-control-socket",
        # Production recycles workers every ~2,000 requests; here that would reset the peak
        # memory being measured and add restarts to some scenarios but not others.
        "--max-requests",
        "0",
        "config.wsgi",
    ]
    with log_path.open("w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        port = wait_for(lambda: LISTENING.search(log_path.read_text()), server, log_path)
        yield server, int(port.group(1))
    finally:
        server.terminate()
        server.wait(timeout=20)


def wait_for(check, server: subprocess.Popen, log_path: Path, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := check():
            return result
        if server.poll() is not None:
            sys.exit(f"The server exited:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.1)
    sys.exit(f"The server did not start in {seconds} s:\n{log_path.read_text()[-3000:]}")


NGINX_CONFIG = """\
{user}
worker_processes {workers};
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {work}/body;
  proxy_temp_path {work}/proxy;
  fastcgi_temp_path {work}/fastcgi;
  uwsgi_temp_path {work}/uwsgi;
  scgi_temp_path {work}/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {work}/html;
    location / {{ default_type text/html; try_files /article.html =404; }}
  }}
}}
"""


@contextmanager
def nginx(nginx_binary: str, html: bytes, work: Path) -> Iterator[int]:
    """nginx serving `html` for every path, with as many workers as gunicorn."""
    (work / "html").mkdir(parents=True)
    (work / "html" / "article.html").write_bytes(html)
    work.chmod(0o755)
    port = free_port()
    config = work / "nginx.conf"
    # As root nginx would hand its workers to `nobody`; keep them as the user running this.
    user = "user root root;" if os.geteuid() == 0 else ""
    config.write_text(
        NGINX_CONFIG.format(user=user, workers=WORKERS, work=work, port=port),
        encoding="utf-8",
    )
    subprocess.run([nginx_binary, "-c", config, "-p", work], check=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url, timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        subprocess.run([nginx_binary, "-c", config, "-p", work, "-s", "stop"], check=False)


# --- Measuring -----------------------------------------------------------------------------


def wrk(url: str, script: Path, *script_args: str, headers: dict[str, str] | None = None) -> dict:
    command = [
        "wrk",
        f"--threads={WRK_THREADS}",
        f"--connections={CONNECTIONS}",
        f"--duration={DURATION_SECONDS}s",
        "--timeout=10s",
        f"--script={script}",
    ]
    for name, value in (headers or {}).items():
        command += ["--header", f"{name}: {value}"]
    command += [url, "--", *script_args]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_RESULT "))
    raw = json.loads(line.removeprefix("BENCH_RESULT "))
    seconds = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "requests_per_second": round(raw["requests"] / seconds, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "errors": raw["socket_errors"] + raw["unexpected_status"],
        "statuses": raw["statuses"],
    }


def worker_peak_memory_mb(server: subprocess.Popen) -> list[float]:
    """Each worker's peak resident memory (VmHWM) since it started, in MB."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    peaks = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        kilobytes = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))
        peaks.append(round(kilobytes / 1024, 1))
    return peaks


class FormReader(HTMLParser):
    """The hidden fields of the comment form: the CSRF token and the signed timestamp."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "input" and values.get("name") in ("csrfmiddlewaretoken", "rendered_at"):
            self.fields[values["name"]] = values.get("value") or ""


def fetch_form_like_a_browser(url: str) -> tuple[str, str, str]:
    """GET the article as a new visitor: the CSRF cookie it sets, and the form's hidden fields."""
    with urllib.request.urlopen(url, timeout=10) as response:
        html = response.read().decode()
        cookies = [
            header.split(";", 1)[0]
            for header in response.headers.get_all("Set-Cookie") or []
            if header.startswith("csrftoken=")
        ]
    reader = FormReader()
    reader.feed(html)
    if not cookies or set(reader.fields) != {"csrfmiddlewaretoken", "rendered_at"}:
        sys.exit(f"The comment form at {url} is not where the benchmark expects it.")
    return cookies[0], reader.fields["csrfmiddlewaretoken"], reader.fields["rendered_at"]


def comment_counts(env: dict[str, str], slug: str) -> dict[str, int]:
    code = (
        "from django.db.models import Count; from comments.models import Comment; import json; "
        f"print(json.dumps(dict(Comment.objects.filter(article__slug={slug!r})"
        ".values_list('status').annotate(n=Count('pk')).order_by())))"
    )
    return json.loads(manage(env, "shell", "--no-imports", "-c", code).strip().splitlines()[-1])


def measure_posting(
    env: dict[str, str], base: str, seed: dict, work: Path, action: str, run: int
) -> dict:
    """Posts to `action` for the run's time, then the count that proves none was lost.

    `run` numbers the runs against one database: each posts as visitors of its own.
    """
    forms = [
        fetch_form_like_a_browser(base + seed["urls"]["posting"]) for _ in range(POSTING_FORMS)
    ]
    forms_file = work / "forms.tsv"
    forms_file.write_text("".join("\t".join(form) + "\n" for form in forms))
    time.sleep(MINIMUM_FORM_AGE_SECONDS)
    before = comment_counts(env, "bench-posting")
    result = wrk(base + action, BENCH_DIR / "post_comments.lua", str(forms_file), str(run))
    after = comment_counts(env, "bench-posting")
    accepted = result["statuses"].get("302", 0)
    stored = sum(after.values()) - sum(before.values())
    held = sum(after.get(s, 0) - before.get(s, 0) for s in after if s != "pending")
    # wrk stops counting at the deadline while a few posts are still in flight: those are
    # stored without their 302 being counted, so stored may exceed accepted. Lost means an
    # accepted post with no row, which can only show as stored < accepted.
    return result | {
        "in_flight_at_deadline": max(0, stored - accepted),
        "accepted": accepted,
        "stored": stored,
        "lost": max(0, accepted - stored),
        "held": held,
    }


def run_database(name: str, database_url: str, tools: dict[str, str], static_root: Path) -> dict:
    print(f"== {name}: migrating and seeding", flush=True)
    env = server_environment(database_url, static_root)
    manage(env, "migrate", "--noinput")
    manage(env, "createcachetable")
    seed_output = subprocess.run(
        [PYTHON, "-m", "bench.seed"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if seed_output.returncode != 0:
        sys.exit(f"Seeding failed:\n{seed_output.stdout}{seed_output.stderr}")
    seed_line = next(
        line for line in seed_output.stdout.splitlines() if line.startswith("BENCH_SEED ")
    )
    seed = json.loads(seed_line.removeprefix("BENCH_SEED "))
    print(f"   seeded in {seed['seconds']} s", flush=True)
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as work_dir:
        work = Path(work_dir)
        with gunicorn(env, work / "gunicorn.log") as (server, port):
            base = f"http://127.0.0.1:{port}"
            urls = seed["urls"]
            article_html = urllib.request.urlopen(base + urls["article_10"], timeout=10).read()
            report = BENCH_DIR / "report.lua"
            scenarios = {}
            with nginx(tools["nginx"], article_html, work / "nginx") as static_port:
                print(f"== {name}: {DURATION_SECONDS} s per scenario", flush=True)
                scenarios["hello"] = wrk(base + "/bench/hello/", report)
                scenarios["static"] = wrk(f"http://127.0.0.1:{static_port}/", report)
            for scenario in ("article_10", "article_1000", "index"):
                scenarios[scenario] = wrk(base + urls[scenario], report)
            scenarios["admin_queue"] = wrk(
                base + urls["admin_queue"],
                report,
                headers={"Cookie": seed["session_cookie"]},
            )
            scenarios["post"] = measure_posting(
                env, base, seed, work, urls["posting_action"], run=1
            )
            scenarios["post_floor"] = measure_posting(
                env, base, seed, work, urls["posting_floor"], run=2
            )
            memory = worker_peak_memory_mb(server)
    hello = scenarios["hello"]["requests_per_second"]
    static = scenarios["static"]["requests_per_second"]
    for result in scenarios.values():
        result["vs_hello"] = round(result["requests_per_second"] / hello, 2)
        result["vs_static"] = round(result["requests_per_second"] / static, 3)
    return {
        "scenarios": scenarios,
        "worker_peak_rss_mb": memory,
        "admin_queue_in_process": seed["admin_queue_in_process"],
        "pending_comments": seed["pending_comments"],
    }


# --- Reporting -----------------------------------------------------------------------------


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def table(results: dict) -> str:
    lines = [
        "| database | scenario | req/s | p50 ms | p99 ms | errors | vs hello | vs static |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for database, run in results["databases"].items():
        for scenario, result in run["scenarios"].items():
            lines.append(
                f"| {database} | {scenario} | {result['requests_per_second']:.0f} | "
                f"{result['p50_ms']:.1f} | {result['p99_ms']:.1f} | {result['errors']} | "
                f"{result['vs_hello']:.2f} | {result['vs_static']:.3f} |"
            )
    lines.append("")
    for database, run in results["databases"].items():
        post = run["scenarios"]["post"]
        floor = run["scenarios"]["post_floor"]
        queue = run["admin_queue_in_process"]
        lines.append(
            f"- {database}: posting: {post['accepted']} accepted (302), {post['stored']} stored, "
            f"{post['lost']} lost, {post['held']} held as spam; at "
            f"{post['requests_per_second'] / max(floor['requests_per_second'], 0.1):.2f}x the "
            f"posting floor ({floor['accepted']} accepted, {floor['lost']} lost); admin queue at "
            f"{run['pending_comments']:,} pending: {queue['at_100k_pending']['queries']} queries "
            f"(at 1 pending: {queue['at_1_pending']['queries']}), "
            f"{queue['at_100k_pending']['median_ms']} ms in-process; worker peak RSS "
            f"{', '.join(f'{mb} MB' for mb in run['worker_peak_rss_mb'])}"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    options = parser.parse_args()
    tools = {"wrk": find_tool("wrk", "wrk"), "nginx": find_tool("nginx", "nginx")}
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {
            "gunicorn_workers": WORKERS,
            "wrk_threads": WRK_THREADS,
            "connections": CONNECTIONS,
            "seconds_per_scenario": DURATION_SECONDS,
        },
        "databases": {},
    }
    with tempfile.TemporaryDirectory(prefix="bench-") as work_dir:
        work = Path(work_dir)
        static_root = work / "static"
        manage(server_environment("sqlite://:memory:", static_root), "collectstatic", "--noinput")
        if options.database in ("sqlite", "both"):
            database_url = f"sqlite:///{work / 'bench.sqlite3'}"
            results["databases"]["SQLite"] = run_database(
                "SQLite", database_url, tools, static_root
            )
        if options.database in ("postgresql", "both"):
            try:
                bin_dir = ensure_server_binaries()
            except PostgresUnavailable as error:
                sys.exit(str(error))
            with throwaway_cluster(bin_dir) as cluster:
                results["databases"]["PostgreSQL"] = run_database(
                    "PostgreSQL", cluster.database_url(), tools, static_root
                )
    summary = table(results)
    (RESULTS_DIR / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS_DIR / "summary.md").write_text(summary)
    print(summary)
    print(f"Written: {(RESULTS_DIR / 'results.json').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
