"""The benchmark's baseline view exists only when BENCHMARK_HELLO turns it on."""

import importlib

import pytest
from django.urls import clear_url_caches

import config.urls


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
