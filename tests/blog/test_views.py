"""Readers see published articles only, newest first, paginated."""

from datetime import timedelta

from bs4 import BeautifulSoup
from django.utils import timezone

from blog.models import Article


def titles(response) -> list[str]:
    soup = BeautifulSoup(response.content, "html.parser")
    return [h.get_text(strip=True) for h in soup.select(".article-card-title")]


def test_index_lists_published_articles_newest_first(client, make_article):
    now = timezone.now()
    make_article(title="Older", published_at=now - timedelta(days=3))
    make_article(title="Newer", published_at=now - timedelta(days=1))
    response = client.get("/")
    assert response.status_code == 200
    assert titles(response) == ["Newer", "Older"]


def test_drafts_and_future_articles_are_hidden_everywhere(client, make_article):
    draft = make_article(title="Draft", status=Article.Status.DRAFT, published_at=None)
    future = make_article(title="Future", published_at=timezone.now() + timedelta(days=1))
    make_article(title="Visible")
    assert titles(client.get("/")) == ["Visible"]
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(future.get_absolute_url()).status_code == 404
    assert client.get("/blog/no-such-article/").status_code == 404


def test_index_shows_date_and_summary_and_paginates_by_ten(client, make_article):
    for day in range(12):
        make_article(title=f"Article {day}", published_at=timezone.now() - timedelta(days=day))
    first = client.get("/")
    assert len(titles(first)) == 10
    assert "What vitamin K2 does for calcium." in first.text
    assert "Page 1 of 2" in first.text
    second = client.get("/?page=2")
    assert titles(second) == ["Article 10", "Article 11"]
    assert client.get("/?page=99").status_code == 404


def test_article_page_shows_title_date_body_references_and_back_link(client, article):
    response = client.get(article.get_absolute_url())
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.h1.get_text() == "Vitamin K and Your Arteries"
    assert soup.select_one(".article-header time")["datetime"].startswith(
        article.published_at.date().isoformat()
    )
    assert soup.select_one(".prose h2").get_text() == "A heading"
    assert soup.select_one(".reference-list li").get_text().strip() == (
        "Doe, J., & Roe, R. (2020). A study. Journal of Tests, 1(2), 3-4."
    )
    back = soup.select_one(".back-link a")
    assert back["href"] == "/"
    # The comments section follows the article.
    assert soup.select_one("article.article ~ #comments") is not None


def test_publishing_sets_the_date_and_renders_the_body_once_on_save(db):
    article = Article.objects.create(
        title="T", slug="t", summary="s", body_source="## Hello", status="published"
    )
    assert article.published_at is not None
    assert article.body_html == '<h2 id="hello">Hello</h2>'
