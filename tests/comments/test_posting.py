"""Posting a comment: stored pending, never shown, and nothing typed is lost on an error."""

import pytest
from bs4 import BeautifulSoup

from blog.models import Article
from comments.models import Comment
from comments.views import POSTED_MESSAGE

VALID = {
    "author_name": "Grace Reader",
    "author_email": "grace@example.com",
    "body": "Does magnesium glycinate upset the stomach?",
}


def post_url(article: Article) -> str:
    return f"/blog/{article.slug}/comments/"


def test_a_valid_comment_is_stored_pending_with_ip_and_user_agent(client, article):
    response = client.post(
        post_url(article), VALID, HTTP_USER_AGENT="Firefox/140", REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comments"
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert (comment.author_name, comment.author_email, comment.body) == tuple(VALID.values())
    assert comment.ip_address == "203.0.113.9"
    assert comment.user_agent == "Firefox/140"
    assert comment.moderated_by is None


def test_after_posting_the_reader_sees_the_message_and_only_they_see_the_comment(client, article):
    response = client.post(post_url(article), VALID, follow=True)
    soup = BeautifulSoup(response.content, "html.parser")
    status = soup.select_one("#comments [role=status]")
    assert status.get_text(strip=True) == POSTED_MESSAGE
    # Their own comment shows, marked as waiting (tests/comments/test_own_pending.py has the
    # details); it is not published, so the count stays at zero.
    own = soup.select_one(".comment-pending")
    assert own.select_one(".comment-status").get_text() == "Awaiting moderation"
    assert VALID["body"] in own.get_text()
    assert soup.select_one("#comments-heading").get_text() == "0 comments"


def test_the_server_decides_status_whatever_the_form_says(client, article):
    client.post(post_url(article), VALID | {"status": "approved", "article": 999})
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.article == article


def test_an_empty_submission_gets_400_with_an_error_summary_linking_to_each_field(client, article):
    response = client.post(post_url(article), {"author_name": " ", "body": "   "})
    assert response.status_code == 400
    soup = BeautifulSoup(response.content, "html.parser")
    summary_links = [a["href"] for a in soup.select(".error-summary a")]
    assert summary_links == ["#id_author_name", "#id_author_email", "#id_body"]
    for name in ("author_name", "author_email", "body"):
        field = soup.select_one(f"#id_{name}")
        assert field["aria-invalid"] == "true"
        error_id = f"id_{name}_error"
        assert error_id in field["aria-describedby"].split()
        assert soup.select_one(f"#{error_id}").get_text(strip=True).startswith("Please enter")
    assert Comment.objects.count() == 0


def test_invalid_input_keeps_everything_the_visitor_typed(client, article):
    typed = VALID | {"author_email": "not-an-email", "body": "Line one\nLine <two> & three"}
    response = client.post(post_url(article), typed)
    assert response.status_code == 400
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("#id_author_name")["value"] == typed["author_name"]
    assert soup.select_one("#id_author_email")["value"] == "not-an-email"
    assert soup.select_one("#id_body").get_text().strip() == typed["body"]
    assert "Please enter a valid email address" in response.text
    assert "<two>" not in response.text


@pytest.mark.parametrize(
    ("field", "limit"),
    [("author_name", 100), ("author_email", 254), ("body", 5000)],
)
def test_over_long_fields_are_refused_with_a_clear_message(client, article, field, limit):
    too_long = "a" * (limit + 1) if field != "author_email" else "a" * 250 + "@example.com"
    response = client.post(post_url(article), VALID | {field: too_long})
    assert response.status_code == 400
    assert f"characters or fewer (it has {len(too_long)})" in response.text
    assert Comment.objects.count() == 0


def test_a_comment_at_the_length_limits_is_accepted(client, article):
    at_limit = {"author_name": "n" * 100, "body": "b" * 5000}
    assert client.post(post_url(article), VALID | at_limit).status_code == 302


def test_posting_to_a_draft_or_unknown_article_is_404(client, make_article):
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    assert client.post(post_url(draft), VALID).status_code == 404
    assert client.post("/blog/nothing-here/comments/", VALID).status_code == 404
    assert Comment.objects.count() == 0


def test_the_posting_address_only_accepts_post(client, article):
    assert client.get(post_url(article)).status_code == 405


def test_the_form_has_name_email_comment_and_the_post_button(client, article):
    soup = BeautifulSoup(client.get(article.get_absolute_url()).content, "html.parser")
    form = soup.select_one("#leave-a-comment form")
    labels = [
        label.get_text(strip=True).rstrip("*")
        for label in form.select("label")
        if not label.find_parent(id="div_id_website")  # the honeypot: tests/comments/test_spam.py
    ]
    assert labels == ["Name", "Email", "Comment", "Email me when my comment is published"]
    assert form["method"] == "post"
    assert form["action"] == f"{post_url(article)}#error-summary"
    assert form.select_one("[type=submit]")["value"] == "Post comment"
    assert form.select_one("[name=csrfmiddlewaretoken]") is not None


def test_posting_requires_the_csrf_token(article):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(post_url(article), VALID).status_code == 403
    assert Comment.objects.count() == 0
