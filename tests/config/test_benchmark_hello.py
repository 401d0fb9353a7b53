"""The benchmark's baseline views exist only when BENCHMARK_HELLO turns them on."""

import importlib

import pytest
from django.test import Client
from django.urls import clear_url_caches

import config.urls
from comments.models import Comment


@pytest.fixture
def reload_urls(settings):
    def reload(enabled: bool) -> None:
        settings.BENCHMARK_HELLO = enabled
        importlib.reload(config.urls)
        clear_url_caches()

    yield reload
    settings.BENCHMARK_HELLO = False
    importlib.reload(config.urls)
    clear_url_caches()


def test_production_has_no_hello_view(client, reload_urls, db):
    reload_urls(False)
    assert client.get("/bench/hello/").status_code == 404


def test_the_benchmark_turns_the_hello_view_on(client, reload_urls, db):
    reload_urls(True)
    response = client.get("/bench/hello/")
    assert response.status_code == 200
    assert response.text == "Hello, world\n"


FLOOR_POST = {
    "author_name": "Bench reader 1",
    "author_email": "reader-1@example.com",
    "body": "Benchmark comment 1: how much magnesium is in almonds?",
}


def assert_floor_refuses(browser: Client, slug: str, status: int) -> None:
    """The floor answers `status` and stores nothing."""
    response = browser.post(f"/bench/posting-floor/{slug}/", FLOOR_POST)
    assert response.status_code == status
    assert not Comment.objects.exists()


def test_production_has_no_posting_floor_view(client, reload_urls, article):
    reload_urls(False)
    assert_floor_refuses(client, article.slug, 404)


def test_the_posting_floor_stores_a_pending_comment_and_keeps_the_flood_rule(
    client, reload_urls, article
):
    reload_urls(True)
    url = f"/bench/posting-floor/{article.slug}/"

    first = client.post(url, FLOOR_POST, REMOTE_ADDR="198.51.100.7")
    # Another email from the same address: refused by the address alone.
    again = client.post(
        url,
        FLOOR_POST | {"author_email": "reader-2@example.com", "body": "Another"},
        REMOTE_ADDR="198.51.100.7",
    )

    assert first.status_code == 302
    assert again.status_code == 429
    comment = Comment.objects.get()
    assert (comment.article, comment.status, comment.ip_address) == (
        article,
        Comment.Status.PENDING,
        "198.51.100.7",
    )
    assert comment.body == FLOOR_POST["body"]


def test_the_posting_floor_checks_csrf_like_the_comment_form(reload_urls, article):
    reload_urls(True)
    assert_floor_refuses(Client(enforce_csrf_checks=True), article.slug, 403)


def test_the_posting_floor_takes_no_post_for_an_unpublished_article(
    client, reload_urls, make_article
):
    reload_urls(True)
    draft = make_article(slug="draft", status="draft")
    assert_floor_refuses(client, draft.slug, 404)
