"""Cached article pages and fragments are always current and never hold per-visitor parts.

Readers without cookies share one rendering of the whole page (blog/page_cache.py); the body
with its references and each page of approved comments are cached for everyone else
(templates/blog/article_detail.html, comments/thread.html). Each test fills the caches with a
first reader, changes something by the route a person would use (or behind the app's back, with
a bulk update), and checks that the next reader sees the change.
"""

import time
from datetime import timedelta

from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import Reference
from comments import spam
from comments.models import Comment
from tests.support.comment_form import another_visitor, as_sent_by_a_person


def soup_of(client: Client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def approved_bodies(client: Client, url: str) -> list[str]:
    page = soup_of(client, url)
    return [
        item.get_text(strip=True)
        for item in page.select("li.comment:not(.comment-pending) .comment-body")
    ]


def test_editing_an_article_shows_the_new_text_at_once(client, article, admin_client):
    url = article.get_absolute_url()
    assert "Intro paragraph." in soup_of(client, url).select_one(".prose").get_text()
    article.body_source = "A rewritten introduction.\n\nMore (Doe et al., 2020)."
    article.save()
    prose = soup_of(client, url).select_one(".prose").get_text()
    assert "A rewritten introduction." in prose
    assert "Intro paragraph." not in prose


def test_an_edit_made_behind_the_apps_back_still_shows(client, article):
    url = article.get_absolute_url()
    soup_of(client, url)
    type(article).objects.filter(pk=article.pk).update(body_html="<p>Changed in bulk.</p>")
    assert soup_of(client, url).select_one(".prose").get_text(strip=True) == "Changed in bulk."


def test_changing_a_reference_shows_in_the_list_and_the_citation_links(client, article):
    url = article.get_absolute_url()
    assert "A study" in soup_of(client, url).select_one(".reference-list").get_text()
    reference = article.references.get()
    reference.title = "A larger trial"
    reference.save()
    assert "A larger trial" in soup_of(client, url).select_one(".reference-list").get_text()
    # By a bulk update too: the citation in the body follows the new position.
    Reference.objects.filter(pk=reference.pk).update(position=7)
    page = soup_of(client, url)
    assert page.select_one("#ref-7") is not None
    assert page.select_one('.prose a[href="#ref-7"]') is not None


def test_adding_and_deleting_a_reference_shows(client, article):
    url = article.get_absolute_url()
    soup_of(client, url)
    extra = Reference.objects.create(
        article=article,
        position=2,
        label="Roe, 2021",
        authors="Roe, R.",
        year=2021,
        title="Another study",
        journal="J",
    )
    assert "Another study" in soup_of(client, url).select_one(".reference-list").get_text()
    extra.delete()
    assert "Another study" not in soup_of(client, url).select_one(".reference-list").get_text()


def test_approving_rejecting_and_editing_comments_show_at_once(
    client, article, make_comment, moderator
):
    url = article.get_absolute_url()
    first = make_comment(article, body="First approved.", status=Comment.Status.APPROVED)
    second = make_comment(article, body="Waiting for a moderator.")
    assert approved_bodies(client, url) == ["First approved."]

    second.moderate(Comment.Status.APPROVED, by=moderator)
    assert approved_bodies(client, url) == ["First approved.", "Waiting for a moderator."]

    # Reject one and approve another: the count is back where it was, the list is not.
    third = make_comment(article, body="Third.")
    second.moderate(Comment.Status.REJECTED, by=moderator)
    third.moderate(Comment.Status.APPROVED, by=moderator)
    assert approved_bodies(client, url) == ["First approved.", "Third."]

    Comment.objects.filter(pk=first.pk).update(body="Edited by a moderator.")
    assert approved_bodies(client, url) == ["Edited by a moderator.", "Third."]
    Comment.objects.filter(pk=first.pk).update(status=Comment.Status.SPAM)
    assert approved_bodies(client, url) == ["Third."]


def test_rejecting_through_the_admin_removes_the_comment_for_the_next_reader(
    client, article, make_comment, moderator_client
):
    url = article.get_absolute_url()
    comment = make_comment(article, body="Soon rejected.", status=Comment.Status.APPROVED)
    assert approved_bodies(client, url) == ["Soon rejected."]
    response = moderator_client.post(
        "/admin/comments/comment/?status=all",
        {"action": "reject", "_selected_action": [comment.pk], "index": 0},
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REJECTED
    assert approved_bodies(client, url) == []


def test_a_pending_comment_never_reaches_the_shared_fragment(client, article, make_comment):
    url = article.get_absolute_url()
    make_comment(article, body="Approved.", status=Comment.Status.APPROVED)
    author = Client()
    author.post(
        f"/blog/{article.slug}/comments/",
        as_sent_by_a_person(
            {"author_name": "Pat", "author_email": "pat@example.com", "body": "Mine, pending."}
        ),
        **another_visitor(),
    )
    # The author sees it (marked pending), cached fragment or not; nobody else ever does.
    author_page = soup_of(author, url)
    assert "Mine, pending." in author_page.select_one(".comment-pending").get_text()
    for reader in (client, Client(), client):
        page = soup_of(reader, url)
        assert "Mine, pending." not in page.get_text()
        assert page.select(".comment-pending") == []
    assert approved_bodies(author, url) == ["Approved."]


def test_each_visitor_gets_their_own_csrf_token_and_messages(client, article, make_comment):
    make_comment(article, body="Approved.", status=Comment.Status.APPROVED)
    url = article.get_absolute_url()
    tokens = set()
    for _ in range(3):
        visitor = Client()
        page = soup_of(visitor, url)
        token = page.select_one("input[name=csrfmiddlewaretoken]")["value"]
        assert visitor.cookies["csrftoken"].value
        tokens.add(token)
    assert len(tokens) == 3

    poster = Client()
    response = poster.post(
        f"/blog/{article.slug}/comments/",
        as_sent_by_a_person(
            {"author_name": "Sam", "author_email": "sam@example.com", "body": "Hello there."}
        ),
        **another_visitor(),
    )
    assert response.status_code == 302
    poster_messages = soup_of(poster, response["Location"]).select(".messages .message")
    assert poster_messages, "the poster is told their comment awaits moderation"
    assert soup_of(client, url).select(".messages .message") == []


def test_no_shared_cache_may_store_the_article_page(client, article):
    response = client.get(article.get_absolute_url())
    assert "private" in response["Cache-Control"]


# --- The shared page and the comment form -----------------------------------------------------


def test_readers_of_the_shared_page_can_each_post_with_its_form(article):
    """The defect of caching a page with a CSRF form whole: only the first reader could post."""
    url = article.get_absolute_url()
    for number in range(3):
        reader = Client(enforce_csrf_checks=True)
        form = soup_of(reader, url).select_one("#comment-form")
        fields = {
            field["name"]: field.get("value", "") for field in form.select("input[type=hidden]")
        }
        data = fields | {
            "author_name": f"Reader {number}",
            "author_email": f"reader{number}@example.com",
            "body": f"Comment number {number}.",
        }
        response = reader.post(form["action"], data, **another_visitor())
        assert response.status_code == 302, response.content[:300]
    assert Comment.objects.filter(article=article).count() == 3


def test_each_reader_of_the_shared_page_is_timed_from_their_own_visit(article):
    url = article.get_absolute_url()
    Client().get(url)  # the shared copy is made now
    time.sleep(1.1)
    stamp = soup_of(Client(), url).select_one("input[name=rendered_at]")["value"]
    age = spam.form_age(stamp)
    assert age is not None, "the timestamp is signed"
    assert age < timedelta(seconds=1), "not the time the shared copy was made"


def test_a_new_pending_comment_keeps_the_shared_copy_and_stays_out_of_it(article):
    url = article.get_absolute_url()
    Client().get(url)
    response = Client().post(
        f"/blog/{article.slug}/comments/",
        as_sent_by_a_person(
            {"author_name": "Sam", "author_email": "sam@example.com", "body": "Held for now."}
        ),
        **another_visitor(),
    )
    assert response.status_code == 302
    with CaptureQueriesContext(connection) as queries:
        page = soup_of(Client(), url)
    assert len(queries) == 1, "a comment readers cannot see yet does not retire the copy"
    assert "Held for now." not in page.get_text()


def test_comments_closing_by_age_expire_the_shared_copy(make_article, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    published = timezone.now() - timedelta(days=30) + timedelta(seconds=1)
    article = make_article(published_at=published)
    url = article.get_absolute_url()
    assert soup_of(Client(), url).select("#comment-form")
    time.sleep(1.2)
    page = soup_of(Client(), url)
    assert not page.select("#comment-form")
    assert "Comments are closed" in page.get_text()
