"""Closed articles keep their comments, show no form, and refuse posts kindly."""

from datetime import timedelta

from bs4 import BeautifulSoup
from django.utils import timezone

from comments.models import Comment

TYPED = {
    "author_name": "Late Reader",
    "author_email": "late@example.com",
    "body": "A long and careful comment\nwith <two> lines & more",
}


def post(client, article):
    return client.post(f"/blog/{article.slug}/comments/", TYPED)


def test_a_closed_article_shows_its_comments_and_a_note_instead_of_the_form(
    client, article, make_comment
):
    make_comment(article, body="Published earlier", status=Comment.Status.APPROVED)
    article.comments_open = False
    article.save()
    soup = BeautifulSoup(client.get(article.get_absolute_url()).content, "html.parser")
    assert soup.select_one("#comment-form") is None
    assert soup.select_one("#leave-a-comment-heading").get_text() == "Comments are closed"
    assert "Published earlier" in soup.select_one(".comment-list").get_text()


def test_posting_to_a_closed_article_is_refused_with_the_text_handed_back(client, article):
    article.comments_open = False
    article.save()
    response = post(client, article)
    assert response.status_code == 403
    soup = BeautifulSoup(response.content, "html.parser")
    refused = soup.select_one(".refused-comment")
    assert "comments on this article closed" in refused.get_text()
    assert refused.select_one("textarea").get_text() == TYPED["body"]
    assert "<two>" not in response.text
    assert Comment.objects.count() == 0


def test_comments_close_by_themselves_after_the_configured_days(client, make_article, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    old = make_article(slug="old", published_at=timezone.now() - timedelta(days=31))
    recent = make_article(slug="recent", published_at=timezone.now() - timedelta(days=29))
    assert post(client, old).status_code == 403
    assert post(client, recent).status_code == 302
    soup = BeautifulSoup(client.get(recent.get_absolute_url()).content, "html.parser")
    closes_on = (recent.published_at + timedelta(days=30)).strftime("%-d %B %Y")
    assert f"Comments close on {closes_on}." in soup.select_one(".moderation-note").get_text()
    assert Comment.objects.get().article == recent


def test_without_the_setting_age_never_closes_comments(client, make_article, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 0
    ancient = make_article(slug="ancient", published_at=timezone.now() - timedelta(days=3650))
    assert post(client, ancient).status_code == 302


def test_moderators_open_and_close_comments_in_the_article_admin(client, article):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("root", password="pw"))
    page = client.get(f"/admin/blog/article/{article.pk}/change/")
    assert 'name="comments_open"' in page.text
