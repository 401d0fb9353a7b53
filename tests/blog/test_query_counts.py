"""Reader pages cost the same number of queries however many articles, tags and comments exist.

Each test builds a small site and a large one and compares the counts, so an N+1 (a query per
article for its tags, say) fails here however it creeps in.
"""

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from blog.models import Article, Reference, Tag


def queries_for(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in captured.captured_queries]


def add_articles(make_article: Callable[..., Article], count: int, start: int = 0) -> None:
    """Articles each with two tags of their own and a reference, so related rows multiply."""
    for number in range(start, start + count):
        article = make_article(slug=f"many-{number}", title=f"Article {number}")
        article.tags.add(
            Tag.objects.create(name=f"Tag {number}a", slug=f"tag-{number}a"),
            Tag.objects.create(name=f"Tag {number}b", slug=f"tag-{number}b"),
        )
        Reference.objects.create(
            article=article,
            position=1,
            label="Doe, 2020",
            authors="Doe, J.",
            year=2020,
            title="A study",
            journal="J",
        )


@pytest.mark.parametrize(
    "url", ["/", "/?page=2", "/feed/", "/feed/atom/", "/sitemap.xml", "/tags/"]
)
def test_index_feeds_and_sitemap_cost_the_same_with_1_or_50_articles(client, make_article, url):
    add_articles(make_article, 11)  # enough for a second index page
    with_few = queries_for(client, url)
    add_articles(make_article, 39, start=11)
    with_many = queries_for(client, url)
    assert len(with_many) == len(with_few), with_many


def test_a_tag_page_and_its_feeds_cost_the_same_with_1_or_50_articles(client, make_article):
    tag = Tag.objects.create(name="Minerals", slug="minerals")
    urls = ["/tags/minerals/", "/tags/minerals/feed/", "/tags/minerals/feed/atom/"]

    def tagged_articles(start: int, count: int) -> None:
        for number in range(start, start + count):
            make_article(slug=f"tagged-{number}").tags.add(tag)

    tagged_articles(0, 1)
    few = [len(queries_for(client, url)) for url in urls]
    tagged_articles(1, 49)
    assert [len(queries_for(client, url)) for url in urls] == few


def test_the_index_reads_no_article_body(client, make_article):
    """The cards show title, summary, date and reading time: the body stays in the database."""
    add_articles(make_article, 3)
    listing = next(sql for sql in queries_for(client, "/") if '"blog_article"."title"' in sql)
    assert '"blog_article"."body_html"' not in listing
    assert '"blog_article"."body_source"' not in listing
