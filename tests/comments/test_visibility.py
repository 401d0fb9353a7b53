"""Only approved comments are ever shown or counted in public."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.models import Comment

HIDDEN_STATUSES = [Comment.Status.PENDING, Comment.Status.REJECTED, Comment.Status.SPAM]


def comment_bodies(response) -> list[str]:
    soup = BeautifulSoup(response.content, "html.parser")
    return [li.select_one(".comment-body").get_text(strip=True) for li in soup.select(".comment")]


@pytest.mark.parametrize("status", HIDDEN_STATUSES)
def test_unapproved_comments_are_never_shown_or_counted(client, article, make_comment, status):
    make_comment(article, body="Visible one", status=Comment.Status.APPROVED)
    make_comment(article, body="Hidden one", author_email="hidden@example.com", status=status)
    page = client.get(article.get_absolute_url())
    assert comment_bodies(page) == ["Visible one"]
    assert "Hidden one" not in page.text
    assert "1 comment" in page.text
    index = client.get("/")
    assert "1 comment<" in index.text
    assert "hidden@example.com" not in page.text + index.text


def test_approved_comments_show_oldest_first_with_name_date_and_permalink(
    client, article, make_comment
):
    first = make_comment(article, author_name="First", body="one", status="approved")
    make_comment(article, author_name="Second", body="two", status="approved")
    soup = BeautifulSoup(client.get(article.get_absolute_url()).content, "html.parser")
    items = soup.select(".comment")
    assert [i.select_one(".comment-author").get_text() for i in items] == ["First", "Second"]
    assert items[0]["id"] == f"comment-{first.pk}"
    assert items[0].select_one(".comment-permalink")["href"] == f"#comment-{first.pk}"
    assert items[0].select_one("time")["datetime"]
    assert soup.select_one("#comments-heading").get_text() == "2 comments"


def test_commenter_emails_are_never_shown(client, article, make_comment):
    make_comment(article, author_email="secret@example.com", status="approved")
    assert "secret@example.com" not in client.get(article.get_absolute_url()).text
    assert "secret@example.com" not in client.get("/").text


def test_html_in_a_comment_is_shown_as_text(client, article, make_comment):
    make_comment(
        article, body="<script>alert(1)</script> see https://example.org", status="approved"
    )
    page = client.get(article.get_absolute_url())
    soup = BeautifulSoup(page.content, "html.parser")
    body = soup.select_one(".comment-body")
    assert body.find("script") is None
    assert "<script>alert(1)</script>" in body.get_text()
    assert body.a["href"] == "https://example.org"
    assert body.a["rel"] == ["nofollow", "ugc", "noopener"]


def test_the_count_follows_status_changes_and_deletions(client, article, make_comment, moderator):
    comment = make_comment(article)
    article.refresh_from_db()
    assert article.comment_count == 0
    comment.moderate(Comment.Status.APPROVED, by=moderator)
    article.refresh_from_db()
    assert article.comment_count == 1
    comment.moderate(Comment.Status.SPAM, by=moderator)
    article.refresh_from_db()
    assert article.comment_count == 0
    comment.moderate(Comment.Status.APPROVED, by=moderator)
    comment.delete()
    article.refresh_from_db()
    assert article.comment_count == 0


def count_queries(client, url: str) -> tuple[int, int]:
    """Queries of a page once cached (as for every reader but the first): shared, and personal.

    A reader without cookies gets the shared copy; a query string other than a page number
    (here a newsletter's tracking tag) makes the page be rendered for that visitor.
    """
    personal_url = f"{url}?utm_source=newsletter"
    client.get(url)
    client.get(personal_url)
    with CaptureQueriesContext(connection) as shared:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as personal:
        assert client.get(personal_url).status_code == 200
    return len(shared), len(personal)


def test_article_page_query_count_does_not_grow_with_comments(client, article, make_comment):
    make_comment(article, status="approved")
    with_one = count_queries(client, article.get_absolute_url())
    Comment.objects.bulk_create(
        Comment(
            article=article,
            author_name=f"R{i}",
            author_email="r@example.com",
            body="x",
            status="approved",
        )
        for i in range(199)
    )
    with_two_hundred = count_queries(client, article.get_absolute_url())
    # Shared: the article's version. Personal: the article, its references, its tags, its
    # approved comments, and the two cached fragments (body, comment list) from the cache table.
    assert with_one == with_two_hundred == (1, 6)
    assert "200 comments" in client.get(article.get_absolute_url()).text
