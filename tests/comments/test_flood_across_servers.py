"""Flood control holds across web servers: two gunicorn servers, two processes, one database
(SQLite, or PostgreSQL when the suite runs on it).

The servers run with DEBUG=1 only so that pages render without a collectstatic run first; the
posting rules do not depend on DEBUG.
"""

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from comments.spam import FLOOD_INTERVAL

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = "/blog/magnesium-bone-health/"
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@contextmanager
def maintenance_cursor():
    """A cursor on the server's `postgres` database, on a connection of its own that is closed
    afterwards: the suite's own connection to its test database is left alone."""
    import psycopg2
    from django.db import connection

    params = connection.settings_dict
    maintenance = psycopg2.connect(
        dbname="postgres",
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
    )
    maintenance.autocommit = True
    try:
        with maintenance.cursor() as cursor:
            yield cursor
    finally:
        maintenance.close()


def fresh_database_url(folder: Path) -> Iterator[str]:
    """A new, empty database of the kind the suite runs on: a SQLite file, or a database of
    its own on the same PostgreSQL server (where the posting lock is an advisory lock)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield f"sqlite:///{folder / 'shared.sqlite3'}"
        return
    name = f"flood_{uuid.uuid4().hex[:12]}"
    with maintenance_cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    database = connection.settings_dict
    user = urllib.parse.quote(database["USER"] or "")
    password = urllib.parse.quote(database["PASSWORD"] or "")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    try:
        yield f"postgres://{credentials}{database['HOST']}:{database['PORT']}/{name}"
    finally:
        with maintenance_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def shared_database(tmp_path_factory, django_db_blocker) -> Iterator[dict[str, str]]:
    folder = tmp_path_factory.mktemp("flood")
    with django_db_blocker.unblock():
        urls = fresh_database_url(folder)
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "PYTEST_", "DATABASE_URL"))
        } | {
            "DEBUG": "1",
            "SECRET_KEY": "flood-test-key",
            "DATABASE_URL": next(urls),
            "ALLOWED_HOSTS": "127.0.0.1",
            # One trusted proxy: the test names each visitor's address in X-Forwarded-For.
            "TRUSTED_PROXY_COUNT": "1",
        }
        for command in (["migrate", "--noinput"], ["createcachetable"], ["load_seed_articles"]):
            subprocess.run(
                [sys.executable, "manage.py", *command, "-v0"],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )
        yield env
        urls.close()


def start_server(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    """Start gunicorn on a free port; its log goes to a file, so a full pipe never blocks it."""
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi",
                "--bind=127.0.0.1:0",
                "--workers=1",
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        if match := LISTENING.search(log.read_text()):
            return server, f"http://127.0.0.1:{match[1]}"
        time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"gunicorn did not start:\n{log.read_text()}")


@pytest.fixture(scope="module")
def two_servers(shared_database, tmp_path_factory) -> Iterator[tuple[str, str]]:
    logs = tmp_path_factory.mktemp("gunicorn")
    started = [start_server(shared_database, logs / f"server{n}.log") for n in range(2)]
    try:
        yield tuple(url for _, url in started)
    finally:
        for server, _ in started:
            server.terminate()
            server.wait(timeout=10)


class Visitor:
    """A browser-like client: keeps cookies, reads the form's hidden fields, posts it."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirects()
        )

    def open_form(self) -> dict[str, str]:
        with self.opener.open(self.base_url + ARTICLE) as page:
            html = page.read().decode()
        hidden = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', html))
        return {key: hidden[key] for key in ("csrfmiddlewaretoken", "rendered_at")}

    def post(self, form: dict[str, str], ip: str, **fields: str) -> int:
        data = urllib.parse.urlencode(form | {"author_name": "Grace", "website": ""} | fields)
        request = urllib.request.Request(
            f"{self.base_url}{ARTICLE}comments/",
            data=data.encode(),
            headers={"X-Forwarded-For": ip},
        )
        try:
            with self.opener.open(request) as response:
                return response.status
        except urllib.error.HTTPError as answer:
            return answer.code


def created_times(env: dict[str, str], email: str) -> list[datetime]:
    code = (
        "import django; django.setup(); from comments.models import Comment; "
        f"print('\\n'.join(c.created_at.isoformat() for c in "
        f"Comment.objects.filter(author_email={email!r}).order_by('created_at')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env | {"DJANGO_SETTINGS_MODULE": "config.settings"},
        check=True,
        capture_output=True,
        text=True,
    )
    return [datetime.fromisoformat(line) for line in result.stdout.split()]


def assert_spaced_by_the_flood_interval(times: list[datetime]) -> None:
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert all(gap >= FLOOD_INTERVAL for gap in gaps), gaps


def test_a_post_to_one_server_holds_back_the_same_sender_on_the_other(shared_database, two_servers):
    first, second = (Visitor(url) for url in two_servers)
    assert (
        first.post(first.open_form(), "198.51.100.1", author_email="a@example.com", body="1") == 302
    )
    # Another address, the same email, the other server and process: refused.
    assert (
        second.post(second.open_form(), "198.51.100.2", author_email="a@example.com", body="2")
        == 429
    )
    # The same address with another email, on the other server: refused too.
    assert (
        second.post(second.open_form(), "198.51.100.1", author_email="b@example.com", body="3")
        == 429
    )
    assert len(created_times(shared_database, "a@example.com")) == 1


def eight_posts_at_once(
    servers: tuple[str, str], address: Callable[[int], str], email: Callable[[int], str]
) -> list[int]:
    """Eight visitors open the form, alternating between the servers, then all post at once:
    visitor n from `address(n)` as `email(n)`. Their answers' status codes, in visitor order."""
    visitors = [Visitor(servers[n % 2]) for n in range(8)]
    forms = [visitor.open_form() for visitor in visitors]

    def post(n: int) -> int:
        return visitors[n].post(forms[n], address(n), author_email=email(n), body=f"#{n}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(post, range(8)))


def test_simultaneous_posts_through_both_servers_store_one_comment_per_interval(
    shared_database, two_servers
):
    """Eight posts from one email, fired at once through both servers. Whatever the timing,
    no two comments from that email may be stored less than the flood interval apart."""
    answers = eight_posts_at_once(
        two_servers, address=lambda n: f"203.0.113.{n + 1}", email=lambda n: "race@example.com"
    )
    assert set(answers) <= {302, 429}, answers
    assert 302 in answers
    times = created_times(shared_database, "race@example.com")
    assert len(times) == answers.count(302)
    assert_spaced_by_the_flood_interval(times)


def test_simultaneous_posts_from_one_address_with_different_emails_store_one_per_interval(
    shared_database, two_servers
):
    """The posting lock is per sender, by email and by address: eight people's posts from one
    address, fired at once through both servers, still store one comment per interval."""
    answers = eight_posts_at_once(
        two_servers, address=lambda n: "203.0.113.200", email=lambda n: f"office{n}@example.com"
    )
    assert set(answers) <= {302, 429}, answers
    assert 302 in answers
    times = sorted(
        moment
        for n in range(8)
        for moment in created_times(shared_database, f"office{n}@example.com")
    )
    assert len(times) == answers.count(302)
    assert_spaced_by_the_flood_interval(times)


def test_the_spacing_check_itself_catches_two_close_comments():
    now = datetime.now(UTC)
    with pytest.raises(AssertionError):
        assert_spaced_by_the_flood_interval([now, now + timedelta(milliseconds=5)])
