"""Long threads come a page at a time, and a comment's permalink opens the page that holds it."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments.models import Comment


@pytest.fixture
def thread(article, settings) -> list[Comment]:
    """Seven approved comments, three a page, with hidden ones in between."""
    settings.COMMENTS_PER_PAGE = 3
    start = timezone.now() - timedelta(days=1)
    approved = []
    for n in range(7):
        approved.append(
            Comment.objects.create(
                article=article,
                author_name=f"Reader {n}",
                author_email="r@example.com",
                body=f"comment {n}",
                status=Comment.Status.APPROVED,
                created_at=start + timedelta(minutes=n),
            )
        )
        Comment.objects.create(
            article=article,
            author_name="Hidden",
            author_email="h@example.com",
            body=f"hidden {n}",
            created_at=start + timedelta(minutes=n, seconds=30),
        )
    return approved


def bodies(response) -> list[str]:
    soup = BeautifulSoup(response.content, "html.parser")
    return [li.select_one(".comment-body").get_text(strip=True) for li in soup.select(".comment")]


def test_comments_are_shown_a_page_at_a_time_oldest_first(client, article, thread):
    url = article.get_absolute_url()
    assert bodies(client.get(url)) == ["comment 0", "comment 1", "comment 2"]
    assert bodies(client.get(f"{url}?page=2")) == ["comment 3", "comment 4", "comment 5"]
    last = client.get(f"{url}?page=3")
    assert bodies(last) == ["comment 6"]
    soup = BeautifulSoup(last.content, "html.parser")
    nav = soup.select_one(".comment-pagination")
    assert "Comments page 3 of 3" in nav.get_text()
    assert nav.select_one("a[rel=prev]")["href"] == "?page=2#comments"
    assert nav.select_one("a[rel=next]") is None
    assert soup.select_one(".comment-list")["start"] == "7"
    assert soup.select_one("#comments-heading").get_text() == "7 comments"


def test_a_short_thread_has_no_page_links(client, article, make_comment):
    make_comment(article, status=Comment.Status.APPROVED)
    page = client.get(article.get_absolute_url())
    assert BeautifulSoup(page.content, "html.parser").select_one(".comment-pagination") is None


@pytest.mark.parametrize("requested", ["abc", "0", "-1", "1.5", "9" * 30, ""])
def test_a_nonsense_page_number_shows_the_first_page(client, article, thread, requested):
    response = client.get(f"{article.get_absolute_url()}?page={requested}")
    assert response.status_code == 200
    assert bodies(response) == ["comment 0", "comment 1", "comment 2"]


def test_a_page_past_the_end_shows_the_last_page(client, article, thread):
    response = client.get(f"{article.get_absolute_url()}?page=40")
    assert response.status_code == 200
    assert bodies(response) == ["comment 6"]


def test_each_permalink_lands_on_the_page_that_shows_the_comment(client, article, thread):
    for comment in thread:
        url = comment.get_absolute_url()
        assert url.endswith(f"#comment-{comment.pk}")
        path = url.split("#")[0]
        soup = BeautifulSoup(client.get(path).content, "html.parser")
        assert soup.select_one(f"#comment-{comment.pk}") is not None, url
    assert thread[0].get_absolute_url() == f"{article.get_absolute_url()}#comment-{thread[0].pk}"
    assert thread[3].get_absolute_url().startswith(f"{article.get_absolute_url()}?page=2#")


def test_the_commenters_pending_comment_is_shown_on_the_last_page(client, article, thread):
    response = client.post(
        f"/blog/{article.slug}/comments/",
        {"author_name": "New", "author_email": "new@example.com", "body": "just posted"},
    )
    assert response["Location"] == f"{article.get_absolute_url()}?page=3#comments"
    assert "just posted" not in client.get(article.get_absolute_url()).text
    assert bodies(client.get(response["Location"])) == ["comment 6", "just posted"]


def count_queries(client, url: str) -> int:
    """Queries of a page whose shared fragments are cached (as for every reader but the first)."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_every_page_costs_the_same_queries(client, article, thread):
    url = article.get_absolute_url()
    # A reader without cookies gets the shared copy: one query for the article's version.
    assert [count_queries(client, f"{url}?page={n}") for n in (1, 2, 3)] == [1, 1, 1]
    # Rendered for one visitor: the article, its references, its tags, one page of comments
    # with their total, and the two cached fragments (body, comment list) from the cache table.
    personal = [count_queries(client, f"{url}?page={n}&utm_source=feed") for n in (1, 2, 3)]
    assert personal == [6, 6, 6]
