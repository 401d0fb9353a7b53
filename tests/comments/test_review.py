"""The review link: signed, expiring, and only a moderator's POST decides anything."""

import time

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.core import signing

from comments.models import Comment
from comments.tokens import OWN_PENDING_SALT, make_review_token


def review_url(comment: Comment) -> str:
    return f"/comments/review/{make_review_token(comment.pk)}/"


def buttons(response) -> list[str]:
    soup = BeautifulSoup(response.content, "html.parser")
    return [b["value"] for b in soup.select(".review-decision button")]


def test_get_shows_the_comment_and_changes_nothing(moderator_client, article, make_comment):
    comment = make_comment(article, body="Is citrate better absorbed?", ip_address="203.0.113.9")
    for _ in range(3):  # a scanner, a preview, the moderator
        response = moderator_client.get(review_url(comment))
        assert response.status_code == 200
    assert "Is citrate better absorbed?" in response.text
    assert "ada@example.com" in response.text
    assert "203.0.113.9" in response.text
    assert buttons(response) == ["approve", "reject", "spam"]
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.moderated_at is None
    assert comment.status_changes.count() == 0
    assert "no-store" in response["Cache-Control"]


def test_head_changes_nothing_either(moderator_client, article, make_comment):
    comment = make_comment(article)
    assert moderator_client.head(review_url(comment)).status_code == 405
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


@pytest.mark.parametrize(
    ("decision", "status"),
    [("approve", "approved"), ("reject", "rejected"), ("spam", "spam")],
)
def test_a_moderator_decides_with_a_post_and_it_is_recorded(
    moderator_client, moderator, article, make_comment, decision, status
):
    comment = make_comment(article)
    url = review_url(comment)
    response = moderator_client.post(url, {"decision": decision, "reason": "Read it twice"})
    assert response.status_code == 302
    assert response["Location"] == url
    comment.refresh_from_db()
    assert comment.status == status
    assert comment.moderated_by == moderator
    change = comment.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by, change.reason) == (
        "pending",
        status,
        moderator,
        "Read it twice",
    )
    page = moderator_client.get(url)
    assert buttons(page) == [d for d in ("approve", "reject", "spam", "pending") if d != decision]
    assert "Read it twice" in page.text


def test_an_approval_can_be_sent_back_to_pending_from_the_page(
    moderator_client, article, make_comment
):
    comment = make_comment(article)
    url = review_url(comment)
    moderator_client.post(url, {"decision": "approve"})
    assert buttons(moderator_client.get(url)) == ["reject", "spam", "pending"]
    moderator_client.post(url, {"decision": "pending"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert list(comment.status_changes.values_list("from_status", "to_status")) == [
        ("pending", "approved"),
        ("approved", "pending"),
    ]


def test_an_unknown_decision_is_refused_with_400(moderator_client, article, make_comment):
    comment = make_comment(article)
    response = moderator_client.post(review_url(comment), {"decision": "delete"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    missing = moderator_client.post(review_url(comment), {"reason": "typed but no button"})
    assert missing.status_code == 400
    assert "Please press one of the decision buttons." in missing.text
    assert 'value="typed but no button"' in missing.text
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_anonymous_visitors_are_sent_to_sign_in_and_brought_back(
    client, moderator, article, make_comment
):
    comment = make_comment(article)
    url = review_url(comment)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=/comments/review/")
    assert "Ada Reader" not in response.text
    login = client.post(
        response["Location"], {"username": "mod", "password": "pw-for-tests", "next": url}
    )
    assert login.status_code == 302
    assert login["Location"] == url
    assert client.get(url).status_code == 200
    # A POST without signing in decides nothing.
    client.logout()
    assert client.post(url, {"decision": "approve"}).status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_staff_without_the_permission_get_403(
    client, staff_without_permission, article, make_comment
):
    comment = make_comment(article)
    client.force_login(staff_without_permission)
    assert client.get(review_url(comment)).status_code == 403
    assert client.post(review_url(comment), {"decision": "approve"}).status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def tampered_tokens(comment: Comment, other: Comment) -> list[str]:
    token = make_review_token(comment.pk)
    value, stamp, signature = token.split(":")
    return [
        f"{other.pk}:{stamp}:{signature}",  # another comment's id under this signature
        f"{value}:{stamp}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        f"{value}:{stamp}",
        "not-a-token",
        signing.TimestampSigner(salt=OWN_PENDING_SALT).sign(str(comment.pk)),  # wrong purpose
        signing.TimestampSigner(salt="comments.review-link").sign("1 OR 1=1"),
    ]


def test_tampered_tokens_are_refused_and_change_nothing(moderator_client, article, make_comment):
    comment = make_comment(article)
    other = make_comment(article, body="other")
    for token in tampered_tokens(comment, other):
        for method in (moderator_client.get, moderator_client.post):
            response = method(f"/comments/review/{token}/", {"decision": "approve"})
            assert response.status_code == 400, token
            assert "This review link is not valid" in response.text
            assert "Ada Reader" not in response.text
    assert Comment.objects.filter(status=Comment.Status.PENDING).count() == 2


def test_expired_tokens_are_refused_with_410(
    moderator_client, article, make_comment, settings, monkeypatch
):
    comment = make_comment(article)
    url = review_url(comment)
    settings.MODERATION_REVIEW_LINK_DAYS = 7
    six_days_later = time.time() + 6 * 86400
    monkeypatch.setattr(signing.time, "time", lambda: six_days_later)
    assert moderator_client.get(url).status_code == 200
    eight_days_later = time.time() + 2 * 86400
    monkeypatch.setattr(signing.time, "time", lambda: eight_days_later)
    response = moderator_client.post(url, {"decision": "approve"})
    assert response.status_code == 410
    assert "This review link has expired" in response.text
    assert "Ada Reader" not in response.text
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_a_link_to_a_deleted_comment_is_404(moderator_client, article, make_comment):
    comment = make_comment(article)
    url = review_url(comment)
    comment.delete()
    assert moderator_client.get(url).status_code == 404


def test_a_second_moderator_sees_who_decided_first(client, moderator_client, article, make_comment):
    comment = make_comment(article)
    url = review_url(comment)
    moderator_client.post(url, {"decision": "approve"})
    other = User.objects.create_superuser("second", password="pw")
    client.force_login(other)
    page = client.get(url)
    assert "Approved (changed" in page.text
    assert "by mod" in page.text
    again = client.post(url, {"decision": "approve"}, follow=True)
    assert "The comment was already Approved." in again.text
    assert comment.status_changes.count() == 1
