"""The article page and the moderation queue cost the same queries at 1 or 200 comments."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from blog.models import Article
from comments.models import Comment

QUEUE = "/admin/comments/comment/"


def query_count(client: Client, url: str) -> int:
    """Queries of a page whose shared fragments are cached (as for every reader but the first)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def add_comments(article: Article, count: int, status: str, start: int = 0) -> None:
    Comment.objects.bulk_create(
        Comment(
            article=article,
            author_name=f"Reader {number}",
            author_email=f"reader{number}@example.com",
            body=f"Comment number {number}.",
            status=status,
            ip_address=f"192.0.2.{number % 250 + 1}",
        )
        for number in range(start, start + count)
    )


def test_the_article_page_costs_the_same_with_1_or_200_approved_comments(client, article):
    add_comments(article, 1, Comment.Status.APPROVED)
    url = article.get_absolute_url()
    with_one = query_count(client, url)
    add_comments(article, 199, Comment.Status.APPROVED, start=1)
    assert query_count(client, url) == with_one
    # A later page too: the total comes with the rows, so paging adds no COUNT query.
    assert query_count(client, f"{url}?page=2") == with_one


def test_pending_and_spam_comments_cost_the_article_page_nothing(client, article):
    url = article.get_absolute_url()
    before = query_count(client, url)
    add_comments(article, 200, Comment.Status.PENDING)
    add_comments(article, 200, Comment.Status.SPAM, start=200)
    assert query_count(client, url) == before


def test_the_pending_queue_costs_the_same_with_1_or_200_comments(
    moderator_client, article, make_article
):
    add_comments(article, 1, Comment.Status.PENDING)
    with_one = query_count(moderator_client, QUEUE)
    # Spread over many articles, so a query per comment's article would show.
    for number in range(20):
        other = make_article(slug=f"other-{number}")
        add_comments(other, 10, Comment.Status.PENDING, start=number * 10 + 1)
    assert Comment.objects.pending().count() == 201
    assert query_count(moderator_client, QUEUE) == with_one
    for view in ("?status=all", "?status=approved", "?q=Reader"):
        assert query_count(moderator_client, QUEUE + view) == with_one, view


def test_the_admin_home_costs_the_same_with_1_or_200_pending_comments(moderator_client, article):
    add_comments(article, 1, Comment.Status.PENDING)
    with_one = query_count(moderator_client, "/admin/")
    add_comments(article, 199, Comment.Status.PENDING, start=1)
    assert query_count(moderator_client, "/admin/") == with_one
