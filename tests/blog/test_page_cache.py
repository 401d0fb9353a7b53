"""Readers without cookies share one rendering of an article page (blog/page_cache.py).

The shared copy must be exactly the page the reader would otherwise get, with their own
per-visitor values filled in, and must be replaced by whatever changes what the page shows.
"""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog import page_cache
from blog.models import Article, Reference, Tag


def queries_and_page(client: Client, url: str, **headers) -> tuple[int, BeautifulSoup]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    assert "slot-" not in response.text, "a placeholder reached the reader"
    return len(queries), BeautifulSoup(response.content, "html.parser")


def without_tokens(page: BeautifulSoup) -> str:
    for field in page.select("input[name=csrfmiddlewaretoken], input[name=rendered_at]"):
        field["value"] = ""
    return str(page)


def test_readers_without_cookies_share_one_rendering(article):
    url = article.get_absolute_url()
    first_queries, first = queries_and_page(Client(), url)
    later_queries, later = queries_and_page(Client(), url)
    assert first_queries > 1
    assert later_queries == 1, "only the article's version is read"
    assert without_tokens(later) == without_tokens(first)


def test_the_shared_copy_is_the_page_a_visitor_gets_rendered_for_them(article):
    url = article.get_absolute_url()
    Client().get(url)
    _, shared = queries_and_page(Client(), url)
    visitor = Client()
    visitor.cookies["theme"] = "dark"  # any cookie but the CSRF one asks for a page of one's own
    queries, personal = queries_and_page(visitor, url)
    assert queries > 1
    assert without_tokens(personal) == without_tokens(shared)


def test_each_reader_gets_a_token_for_their_own_cookie(article):
    url = article.get_absolute_url()
    Client().get(url)
    tokens = set()
    for _ in range(3):
        reader = Client()
        _, page = queries_and_page(reader, url)
        assert reader.cookies["csrftoken"].value
        tokens.add(page.select_one("input[name=csrfmiddlewaretoken]")["value"])
    assert len(tokens) == 3


@pytest.mark.parametrize(
    "query", ["?utm_source=newsletter", "?page=abc", "?page=1234567", "?page=1&page=2x"]
)
def test_other_queries_get_a_page_rendered_for_them(article, query):
    url = article.get_absolute_url() + query
    Client().get(url)
    queries, _ = queries_and_page(Client(), url)
    assert queries > 1


def test_a_copy_is_kept_per_host(article, settings):
    settings.ALLOWED_HOSTS = ["blog.example", "www.blog.example"]
    url = article.get_absolute_url()
    Client().get(url, HTTP_HOST="blog.example")
    _, page = queries_and_page(Client(), url, HTTP_HOST="www.blog.example")
    assert page.select_one("link[rel=canonical]")["href"].startswith("http://www.blog.example/")


def test_the_preview_never_uses_the_shared_copy(admin_client, article):
    Client().get(article.get_absolute_url())
    response = admin_client.get(article.get_preview_url())
    assert "Preview." in response.text
    assert "no-cache" in response["Cache-Control"]


def test_editing_the_article_in_bulk_replaces_the_copy(article):
    url = article.get_absolute_url()
    Client().get(url)
    Article.objects.filter(pk=article.pk).update(title="A New Title")
    _, page = queries_and_page(Client(), url)
    assert page.h1.get_text() == "A New Title"


def test_unpublishing_the_article_takes_the_page_down(article):
    url = article.get_absolute_url()
    Client().get(url)
    article.status = Article.Status.DRAFT
    article.published_at = None
    article.save()
    assert Client().get(url).status_code == 404


def test_deleting_references_in_bulk_replaces_the_copy(article):
    assert article.references.exists()
    url = article.get_absolute_url()
    assert queries_and_page(Client(), url)[1].select("#references-heading")
    Reference.objects.filter(article=article).delete()
    assert not queries_and_page(Client(), url)[1].select("#references-heading")


def shows_references(url: str) -> bool:
    return bool(queries_and_page(Client(), url)[1].select("#references-heading"))


def test_moving_references_in_bulk_replaces_both_articles_copies(article, make_article):
    other = make_article(slug="other")
    urls = [article.get_absolute_url(), other.get_absolute_url()]
    assert [shows_references(url) for url in urls] == [True, False]
    Reference.objects.filter(article=article).update(article=other)
    assert [shows_references(url) for url in urls] == [False, True]


def tag_names(url: str) -> list[str]:
    return [link.get_text() for link in queries_and_page(Client(), url)[1].select("a[rel=tag]")]


def test_tagging_untagging_and_renaming_tags_replace_the_copy(article):
    url = article.get_absolute_url()
    minerals = Tag.objects.create(name="Minerals", slug="minerals")
    assert tag_names(url) == []
    article.tags.add(minerals)
    assert tag_names(url) == ["Minerals"]
    minerals.name = "Trace minerals"
    minerals.save()
    assert tag_names(url) == ["Trace minerals"]
    Tag.objects.filter(pk=minerals.pk).update(name="Minerals and bones")
    assert tag_names(url) == ["Minerals and bones"]
    minerals.articles.clear()
    assert tag_names(url) == []
    article.tags.add(minerals)
    assert tag_names(url) == ["Minerals and bones"]
    minerals.delete()
    assert tag_names(url) == []
    bones = Tag.objects.create(name="Bones", slug="bones")
    article.tags.add(bones)
    assert tag_names(url) == ["Bones"]
    Tag.objects.filter(pk=bones.pk).delete()
    assert tag_names(url) == []


def test_a_copy_is_kept_until_midnight_at_most_or_until_a_render_says():
    shared = page_cache.SharedRender()
    until_midnight = shared.seconds_to_keep()
    assert 0 < until_midnight <= 24 * 60 * 60
    shared.valid_until(timezone.now() + timedelta(hours=48))
    assert shared.seconds_to_keep() == until_midnight
    shared.valid_until(timezone.now() + timedelta(seconds=90))
    assert min(until_midnight, 85) <= shared.seconds_to_keep() <= 90


def test_slots_need_a_filler_and_a_plain_name():
    with pytest.raises(KeyError):
        page_cache.SharedRender().slot("nobody_fills_this")
    with pytest.raises(ValueError, match="lower-case"):
        page_cache.register_slot("not a name", lambda request: "")
