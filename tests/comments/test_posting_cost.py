"""What one post costs the database: the same few queries however busy the site is, and a lock
that holds back only the posts that could be a flood or a duplicate of each other."""

import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext

from blog.models import Article
from comments import spam
from comments.models import Comment
from tests.comments.test_query_counts import add_comments
from tests.comments.test_spam import submission
from tests.support.postgres import require_postgresql


def post_and_capture(client, article: Article, number: int) -> list[str]:
    """The SQL of one accepted post from a new visitor (new address, new email)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            f"/blog/{article.slug}/comments/",
            submission(author_email=f"visitor{number}@example.com", body=f"Question {number}?"),
            REMOTE_ADDR=f"198.51.100.{number}",
        )
    assert response.status_code == 302
    return [query["sql"] for query in captured.captured_queries]


def test_a_post_costs_the_same_queries_with_few_or_many_comments(client, article, make_article):
    first = post_and_capture(client, article, 1)
    # Many comments around it: on this article, approved and pending, and on another one.
    add_comments(article, 150, Comment.Status.APPROVED)
    add_comments(article, 150, Comment.Status.PENDING, start=150)
    add_comments(make_article(slug="other"), 150, Comment.Status.PENDING, start=300)
    assert len(post_and_capture(client, article, 2)) == len(first)
    assert Comment.objects.filter(author_email__in=["visitor1@example.com", "visitor2@example.com"])
    assert Comment.objects.count() == 452


def test_a_pending_post_does_not_touch_the_article_row(client, article):
    """Its count of approved comments cannot change, so the UPDATE (and the row lock it would
    hold while the post commits, queueing every other post on the article) is skipped."""
    statements = post_and_capture(client, article, 1)
    assert not [sql for sql in statements if sql.startswith('UPDATE "blog_article"')]
    article.refresh_from_db()
    assert article.comment_count == 0


# --- The posting lock (PostgreSQL: advisory locks per email and per IP address) ---------------


def lock_or_give_up(ip_address: str, email: str, *, lock_timeout: str) -> None:
    """Take the posting lock for this sender, or raise OperationalError once `lock_timeout`
    has passed without it."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{lock_timeout}'")
        spam.lock_for_posting(ip_address, email)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_posting_lock_holds_back_the_same_sender_and_no_one_else():
    require_postgresql()
    locked = threading.Event()
    release = threading.Event()

    def post_slowly_as_ada() -> None:
        try:
            with transaction.atomic():
                spam.lock_for_posting("198.51.100.1", "Ada@Example.com")
                locked.set()
                release.wait(timeout=60)
        finally:
            connection.close()

    holder = threading.Thread(target=post_slowly_as_ada)
    holder.start()
    try:
        assert locked.wait(timeout=60)
        # Someone else, from another address, is not kept waiting.
        lock_or_give_up("198.51.100.2", "bob@example.com", lock_timeout="30s")
        # Ada's email (in any case) from elsewhere, or Ada's address with another email, waits:
        # either could be a flood or a duplicate of the post still being checked.
        for ip_address, email in [
            ("198.51.100.3", "ada@example.com"),
            ("198.51.100.1", "carol@example.com"),
        ]:
            with pytest.raises(OperationalError, match="lock timeout"):
                lock_or_give_up(ip_address, email, lock_timeout="200ms")
    finally:
        release.set()
        holder.join(timeout=60)
    # Once Ada's post is done, her next one gets the lock at once.
    lock_or_give_up("198.51.100.3", "ada@example.com", lock_timeout="30s")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_posting_lock_works_without_an_ip_address():
    require_postgresql()
    lock_or_give_up("", "ada@example.com", lock_timeout="30s")
    lock_or_give_up(None, "ada@example.com", lock_timeout="30s")
