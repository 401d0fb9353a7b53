"""Moderation email leaves the visitor's request: tasks run on a background thread."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.db import connections
from django.db.backends.signals import connection_created
from django.tasks import task, task_backends
from django.tasks.signals import task_finished, task_started

from comments.models import Comment
from comments.permissions import MODERATORS_GROUP
from comments.tasks import moderator_reports
from tests.support.postgres import require_postgresql

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]

# Run in a process of its own: forking the test process, with its threads, could deadlock.
FORK_AFTER_USING_THE_POOL = """
import os, sys
from config.task_backends import shared_pool
parents = shared_pool("default", 1)
parents.submit(lambda: None).result(timeout=10)
child = os.fork()
if child == 0:
    pool = shared_pool("default", 1)
    os._exit(0 if pool is not parents and pool.submit(lambda: 42).result(timeout=10) == 42 else 1)
_, status = os.waitpid(child, 0)
sys.exit(os.waitstatus_to_exitcode(status))
"""


@pytest.fixture
def background_tasks(settings):
    settings.TASKS = {
        "default": {
            "BACKEND": "config.task_backends.BackgroundThreadBackend",
            "OPTIONS": {"MAX_WORKERS": 1},
        }
    }
    backend = task_backends["default"]
    yield backend
    backend.close_connections()


@pytest.fixture
def emailed_moderator(db) -> User:
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    user = User.objects.create_superuser("mia", email="mia@example.com", password="pw")
    user.groups.add(group)
    return user


def test_a_held_comment_is_emailed_from_a_background_thread_after_the_post_returns(
    client, article, emailed_moderator, background_tasks, settings
):
    settings.SITE_URL = "http://testserver"
    release = threading.Event()
    finished_in: list[str] = []

    def record_the_thread(sender, task_result, **kwargs):
        finished_in.append(threading.current_thread().name)

    def wait_until_the_request_is_over(sender, task_result, **kwargs):
        assert release.wait(timeout=30)

    task_started.connect(wait_until_the_request_is_over)
    task_finished.connect(record_the_thread)
    try:
        response = client.post(
            f"/blog/{article.slug}/comments/",
            {"author_name": "Ada", "author_email": "ada@example.com", "body": "A question."},
        )
        assert response.status_code == 302
        assert mail.outbox == [], "the request returned before the email was sent"
        release.set()
        background_tasks.last_future.result(timeout=30)
    finally:
        task_started.disconnect(wait_until_the_request_is_over)
        task_finished.disconnect(record_the_thread)

    assert [message.to for message in mail.outbox] == [["mia@example.com"]]
    assert finished_in
    assert finished_in[0].startswith("tasks-default")
    assert finished_in[0] != threading.current_thread().name


@task
def touch_the_database() -> bool:
    return Comment.objects.exists()


@pytest.mark.postgres
def test_a_pool_thread_reuses_its_connection_between_tasks_as_a_web_worker_does(
    background_tasks, db
):
    """One connection for several tasks while CONN_MAX_AGE allows; close_connections() ends it.

    PostgreSQL only: Django never closes the in-memory SQLite database of a test run.
    """
    require_postgresql()
    opened: list[str] = []

    def count(sender, connection, **kwargs):
        opened.append(threading.current_thread().name)

    settings_dict = connections.settings["default"]
    old_max_age = settings_dict["CONN_MAX_AGE"]
    settings_dict["CONN_MAX_AGE"] = 60
    connection_created.connect(count)
    try:
        for _ in range(3):
            touch_the_database.enqueue()
            background_tasks.last_future.result(timeout=30)
        assert len(opened) == 1
        background_tasks.close_connections()
        touch_the_database.enqueue()
        background_tasks.last_future.result(timeout=30)
        assert len(opened) == 2
    finally:
        connection_created.disconnect(count)
        settings_dict["CONN_MAX_AGE"] = old_max_age
    assert all(name.startswith("tasks-default") for name in opened)


def wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.05)


def test_a_comment_held_within_the_interval_is_emailed_when_it_ends_with_no_further_post(
    client, article, emailed_moderator, background_tasks, settings
):
    """The timed report runs on a real timer thread, then on the pool, as in production."""
    settings.SITE_URL = "http://testserver"
    settings.MODERATION_EMAIL_INTERVAL_SECONDS = 2
    runs: list[str] = []
    run_on: set[threading.Thread] = set()

    def count_runs(sender, task_result, **kwargs):
        runs.append(task_result.task.name)
        run_on.add(threading.current_thread())

    task_finished.connect(count_runs)
    try:
        for number, name in enumerate(["Ada", "Ben"], start=1):
            response = client.post(
                f"/blog/{article.slug}/comments/",
                {"author_name": name, "author_email": f"{name}@example.com", "body": "A question."},
                REMOTE_ADDR=f"198.51.100.{number}",
            )
            assert response.status_code == 302
            wait_for(lambda n=number: len(runs) >= n)
        assert len(mail.outbox) == 1, "Ben was held within the interval after Ada's email"
        wait_for(lambda: len(mail.outbox) == 2)
        # The task's finished signal comes just after its email: wait for it too.
        wait_for(lambda: len(runs) == 3)
    finally:
        task_finished.disconnect(count_runs)
        moderator_reports.cancel()
    assert "Ben <Ben@example.com>" in mail.outbox[1].body
    assert not Comment.objects.filter(moderators_notified_at=None).exists()
    assert len(runs) == 3, "Ada's report, Ben's early run handing over, the timed report"
    # The timer thread handed its report to the process's pool (one thread here), not to a pool
    # of its own with a connection nothing closes.
    assert len(run_on) == 1


def test_a_forked_child_runs_tasks_on_a_pool_of_its_own():
    """A pool made before a fork has no threads in the child: a task there would never run."""
    result = subprocess.run(
        [sys.executable, "-W", "ignore::DeprecationWarning", "-c", FORK_AFTER_USING_THE_POOL],
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
