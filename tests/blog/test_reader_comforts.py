"""Reading time, revision date, print stylesheet, error pages and favicon."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db import IntegrityError
from django.template.loader import render_to_string
from django.utils import timezone

from blog.models import Article


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def test_reading_time_rounds_up_at_220_words_a_minute(make_article):
    assert make_article(slug="a", body_source="word " * 220).reading_minutes == 1
    assert make_article(slug="b", body_source="word " * 221).reading_minutes == 2
    assert make_article(slug="c", body_source="").reading_minutes == 1


def test_the_seed_article_shows_its_reading_time_on_the_page_and_index(client, db):
    call_command("load_seed_articles", verbosity=0)
    article = Article.objects.get()
    assert article.word_count == 532
    assert (
        soup_of(client.get(article.get_absolute_url()))
        .select_one(".article-header .reading-time")
        .get_text()
        == "3 min read"
    )
    assert soup_of(client.get("/")).select_one(".article-card .reading-time").get_text() == (
        "3 min read"
    )


def test_word_count_follows_body_edits(article):
    article.body_source = "one two three"
    article.save(update_fields=["body_source"])
    article.refresh_from_db()
    assert article.word_count == 3


def test_updated_date_shows_only_for_a_revision_on_a_later_day(client, make_article):
    published = timezone.now() - timedelta(days=10)
    article = make_article(published_at=published, revised_at=published + timedelta(minutes=5))
    assert soup_of(client.get(article.get_absolute_url())).select_one("time.revised") is None

    revised = published + timedelta(days=3)
    Article.objects.filter(pk=article.pk).update(revised_at=revised)
    revision = soup_of(client.get(article.get_absolute_url())).select_one("time.revised")
    assert revision["datetime"] == revised.isoformat()
    assert revision.parent.get_text().count("Updated") == 1


def test_date_modified_is_the_revision_else_the_publication(make_article):
    published = timezone.now() - timedelta(days=10)
    article = make_article(published_at=published)
    assert article.modified_at == published
    article.revised_at = published + timedelta(days=2)
    assert article.modified_at == article.revised_at


def test_a_revision_before_publication_is_refused_by_the_database(make_article):
    published = timezone.now() - timedelta(days=1)
    with pytest.raises(IntegrityError):
        make_article(published_at=published, revised_at=published - timedelta(days=1))


def test_headings_carry_ids_for_deep_links(client, article):
    heading = soup_of(client.get(article.get_absolute_url())).select_one(".prose h2")
    assert heading["id"] == "a-heading"


def test_pages_link_the_print_stylesheet_for_print_only(client, article):
    head = soup_of(client.get(article.get_absolute_url())).head
    link = head.find("link", href="/static/css/print.css")
    assert link["rel"] == ["stylesheet"]
    assert link["media"] == "print"
    # What it hides and keeps is tested in Chromium: tests/e2e/test_citations_and_print.py.
    assert finders.find("css/print.css") is not None


def test_the_favicon_is_linked_and_served(client, article):
    head = soup_of(client.get(article.get_absolute_url())).head
    assert head.find("link", rel="icon")["href"] == "/static/favicon.svg"
    assert finders.find("favicon.svg") is not None


def test_a_missing_page_gets_the_sites_404_page(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    soup = soup_of(response)
    assert soup.title.get_text() == "Page not found · Health Journal"
    assert soup.h1.get_text() == "Page not found"
    assert soup.select_one(".site-header .site-name").get_text() == "Health Journal"
    assert soup.select_one("main a")["href"] == "/"
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex"


def test_the_500_page_renders_with_no_context_request_or_database():
    # No `db` fixture: any database query here would fail the test.
    soup = BeautifulSoup(render_to_string("500.html"), "html.parser")
    assert soup.title.get_text() == "Something went wrong · Health Journal"
    assert soup.select_one(".site-header .site-name").get_text() == "Health Journal"
    assert soup.find("link", rel="stylesheet")["href"] == "/static/css/site.css"


@pytest.mark.urls("tests.blog.failing_urls")
def test_a_crash_is_answered_with_the_sites_500_page(client):
    client.raise_request_exception = False
    response = client.get("/crash/")
    assert response.status_code == 500
    assert soup_of(response).h1.get_text() == "Something went wrong"
