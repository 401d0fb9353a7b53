"""A commenter sees their own pending comment, privately; nobody else ever does."""

import time

from bs4 import BeautifulSoup
from django.core import signing
from django.test import Client

from comments.models import Comment
from comments.tokens import OWN_PENDING_COOKIE, OWN_PENDING_SALT
from tests.support.comment_form import another_visitor, as_sent_by_a_person

VALID = {
    "author_name": "Grace Reader",
    "author_email": "grace@example.com",
    "body": "Does magnesium glycinate upset the stomach?",
}


def post(client, article, **fields):
    return client.post(
        f"/blog/{article.slug}/comments/", as_sent_by_a_person(VALID | fields), **another_visitor()
    )


def pending_items(response) -> list:
    return BeautifulSoup(response.content, "html.parser").select(".comment-pending")


def test_the_commenter_sees_their_comment_in_place_marked_awaiting_moderation(client, article):
    response = post(client, article)
    comment = Comment.objects.get()
    page = client.get(article.get_absolute_url())
    [item] = pending_items(page)
    assert item["id"] == f"comment-{comment.pk}"
    assert item.select_one(".comment-status").get_text() == "Awaiting moderation"
    assert item.select_one(".comment-body").get_text(strip=True) == VALID["body"]
    assert "Only you can see this comment" in item.get_text()
    cookie = response.cookies[OWN_PENDING_COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == article.get_absolute_url()
    assert int(cookie["max-age"]) == 24 * 3600
    assert signing.loads(cookie.value, salt=OWN_PENDING_SALT) == [comment.pk]


def test_nobody_else_sees_it(client, article):
    post(client, article)
    other = Client()
    page = other.get(article.get_absolute_url())
    assert pending_items(page) == []
    assert VALID["body"] not in page.text


def test_pages_that_may_show_it_are_never_cached(client, article):
    response = post(client, article)
    assert "no-store" in response["Cache-Control"]
    page = client.get(article.get_absolute_url())
    directives = {d.strip() for d in page["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
    assert "Cookie" in page["Vary"]
    # A reader without the cookie gets a page their browser may keep (no no-store), but that
    # no shared cache may: it holds their own CSRF token (see docs/benchmarks.md).
    assert Client().get(article.get_absolute_url())["Cache-Control"] == "private"


def test_a_forged_or_copied_cookie_shows_nothing(article, make_comment):
    someone_elses = make_comment(article, body="someone else's pending words")
    forger = Client()
    unsigned = signing.dumps([someone_elses.pk], salt="another purpose")
    forger.cookies[OWN_PENDING_COOKIE] = unsigned
    assert "someone else's pending words" not in forger.get(article.get_absolute_url()).text
    forger.cookies[OWN_PENDING_COOKIE] = f"[{someone_elses.pk}]"
    assert "someone else's pending words" not in forger.get(article.get_absolute_url()).text


def test_the_cookie_stops_working_after_a_day(client, article, monkeypatch):
    post(client, article)
    tomorrow = time.time() + 25 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: tomorrow)
    assert pending_items(client.get(article.get_absolute_url())) == []


def test_once_decided_the_comment_is_no_longer_shown_as_pending(client, article, moderator):
    post(client, article)
    comment = Comment.objects.get()
    comment.moderate(Comment.Status.APPROVED, by=moderator)
    page = client.get(article.get_absolute_url())
    assert pending_items(page) == []
    assert len(BeautifulSoup(page.content, "html.parser").select(".comment")) == 1
    comment.moderate(Comment.Status.SPAM, by=moderator)
    page = client.get(article.get_absolute_url())
    assert VALID["body"] not in page.text


def test_it_shows_only_under_its_own_article(client, article, make_article):
    post(client, article)
    other = make_article(slug="other-article")
    assert VALID["body"] not in client.get(other.get_absolute_url()).text


def test_several_comments_are_remembered_and_the_cookie_stays_small(client, article):
    for n in range(7):
        post(client, article, body=f"question number {n}", author_email=f"q{n}@example.com")
    bodies = [i.select_one(".comment-body").get_text(strip=True)
              for i in pending_items(client.get(article.get_absolute_url()))]  # fmt: skip
    assert bodies == [f"question number {n}" for n in range(2, 7)]
