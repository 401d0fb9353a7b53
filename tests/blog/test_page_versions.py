"""Page versions remembered between requests on PostgreSQL, forgotten on the database's notice.

These run outside a test transaction (`transaction=True`), as requests do, on the real server:
changes come from the test's connection or from a second one, as from another web worker.
"""

import select
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog import page_versions
from blog.models import Article
from tests.support.postgres import require_postgresql

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SLUG = "vitamin-k"


@pytest.fixture(autouse=True)
def fresh_connection() -> None:
    """Each test starts as a worker does after CONN_MAX_AGE: on a new connection."""
    require_postgresql()
    connection.close()


@pytest.fixture
def article(make_article) -> Article:
    return make_article(slug=SLUG)


def in_another_worker(change: Callable[[], object]) -> None:
    """Make `change` on a connection of its own (Django's are per thread), as another web
    worker would, and commit it."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            change()
        except BaseException as error:  # noqa: BLE001 - handed to the test's thread
            failed.append(error)
        finally:
            connections.close_all()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=30)
    assert not failed, failed


def stored_version(slug: str = SLUG) -> tuple[int, str]:
    return tuple(Article.objects.filter(slug=slug).values_list("pk", "page_version").get())


def queries_made(lookup) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        result = lookup()
    return result, [query["sql"] for query in queries]


def wait_for_the_notice() -> None:
    """Until the worker's socket has something to read: the notice is on its way to it."""
    readable, _, _ = select.select([connection.connection.fileno()], [], [], 10)
    assert readable, "no notice reached the listening connection within 10 s"


def test_a_version_is_read_once_then_remembered_while_nothing_changes(article):
    first, queries = queries_made(lambda: page_versions.page_version_at(SLUG))
    assert first == stored_version()
    assert queries[0] == f"LISTEN {page_versions.CHANNEL}"
    assert len(queries) == 2

    again, queries = queries_made(lambda: page_versions.page_version_at(SLUG))
    assert again == first
    assert queries == []


def test_a_change_this_connection_commits_is_seen_at_once(article):
    before = page_versions.page_version_at(SLUG)

    Article.objects.filter(pk=article.pk).page_changed()

    after = page_versions.page_version_at(SLUG)
    assert after != before
    assert after == stored_version()


def test_a_change_another_worker_commits_is_seen_once_its_notice_arrives(article):
    before = page_versions.page_version_at(SLUG)
    in_another_worker(
        lambda: Article.objects.filter(pk=article.pk).update(page_version="elsewhere")
    )

    wait_for_the_notice()

    assert page_versions.page_version_at(SLUG) == (article.pk, "elsewhere") != before


def test_an_address_with_no_article_is_not_remembered_so_a_new_article_there_shows(
    make_article,
):
    assert page_versions.page_version_at("new-article") is None
    missing, queries = queries_made(lambda: page_versions.page_version_at("new-article"))
    assert missing is None
    assert len(queries) == 1

    in_another_worker(lambda: make_article(slug="new-article"))

    assert page_versions.page_version_at("new-article") == stored_version("new-article")


def test_notices_do_not_pile_up_on_a_worker_that_serves_other_pages(article):
    page_versions.page_version_at(SLUG)
    for number in range(5):
        in_another_worker(
            lambda n=number: Article.objects.filter(pk=article.pk).update(page_version=f"v{n}")
        )
    wait_for_the_notice()

    Article.objects.count()  # another page's query reads the notices in

    assert connection.connection.notifies.maxlen == 1
    assert len(connection.connection.notifies) == 1
    assert page_versions.page_version_at(SLUG) == (article.pk, "v4")


def test_a_rolled_back_change_sends_no_notice_and_keeps_the_version(article):
    before = page_versions.page_version_at(SLUG)
    with transaction.atomic():
        Article.objects.filter(pk=article.pk).page_changed()
        transaction.set_rollback(True)  # the editor abandons the change

    after, queries = queries_made(lambda: page_versions.page_version_at(SLUG))
    assert after == before == stored_version()
    assert queries == [], "the version was forgotten: a notice came"


def test_inside_a_transaction_the_version_is_read_with_its_own_changes(article):
    page_versions.page_version_at(SLUG)
    with transaction.atomic():
        Article.objects.filter(pk=article.pk).page_changed()
        uncommitted, queries = queries_made(lambda: page_versions.page_version_at(SLUG))
        assert uncommitted == stored_version()
        assert len(queries) == 1


def test_after_the_server_ends_the_session_versions_are_read_on_a_new_one(article):
    page_versions.page_version_at(SLUG)
    pid = connection.connection.get_backend_pid()

    def end_the_session_then_change_the_page() -> None:
        with connection.cursor() as cursor:  # this thread's own connection
            cursor.execute("SELECT pg_terminate_backend(%s, 10000)", [pid])
        Article.objects.filter(pk=article.pk).update(page_version="meanwhile")

    in_another_worker(end_the_session_then_change_the_page)

    assert page_versions.page_version_at(SLUG) == (article.pk, "meanwhile")
    assert connection.connection.get_backend_pid() != pid


def test_a_remembered_version_is_read_again_after_the_trust_period(article, monkeypatch):
    monkeypatch.setattr(page_versions, "TRUST_SECONDS", 0.0)
    page_versions.page_version_at(SLUG)  # listening, trusted for no time at all

    _, queries = queries_made(lambda: page_versions.page_version_at(SLUG))

    assert queries[0] == f"LISTEN {page_versions.CHANNEL}"
    assert len(queries) == 2


# --- Published articles remembered for requests that act on them (posting a comment) --------


def test_a_published_article_is_read_once_then_remembered_as_a_copy(article):
    first, queries = queries_made(lambda: page_versions.published_article(SLUG))
    assert first.pk == article.pk
    assert any('FROM "blog_article"' in sql and "published_at" in sql for sql in queries)

    first.comments_open = False  # what one request does to its copy
    again, queries = queries_made(lambda: page_versions.published_article(SLUG))
    assert queries == []
    assert again is not first
    assert again.comments_open is True


def test_a_change_another_worker_commits_reaches_the_remembered_article(article):
    page_versions.published_article(SLUG)
    in_another_worker(lambda: Article.objects.filter(pk=article.pk).update(comments_open=False))

    wait_for_the_notice()

    assert page_versions.published_article(SLUG).comments_open is False


def test_an_article_unpublished_elsewhere_is_no_longer_found(article):
    page_versions.published_article(SLUG)
    in_another_worker(
        lambda: Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    )

    wait_for_the_notice()

    assert page_versions.published_article(SLUG) is None


def test_a_scheduled_article_is_found_once_its_date_comes_with_no_change(make_article, monkeypatch):
    publish_on = timezone.now() + timedelta(hours=1)
    make_article(slug="scheduled", published_at=publish_on)
    assert page_versions.published_article("scheduled") is None

    monkeypatch.setattr(timezone, "now", lambda: publish_on + timedelta(seconds=1))

    assert page_versions.published_article("scheduled").slug == "scheduled"


def test_inside_a_transaction_the_article_is_read_each_time(article):
    page_versions.published_article(SLUG)
    with transaction.atomic():
        Article.objects.filter(pk=article.pk).update(comments_open=False)
        uncommitted, queries = queries_made(lambda: page_versions.published_article(SLUG))
    assert uncommitted.comments_open is False
    assert len(queries) == 1


def test_the_trigger_notifies_the_channel_the_pages_listen_on():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT prosrc FROM pg_proc WHERE proname = 'blog_article_notify_page_changed'"
        )
        (source,) = cursor.fetchone()
    assert f"pg_notify('{page_versions.CHANNEL}'" in source
