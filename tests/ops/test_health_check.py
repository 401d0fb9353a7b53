"""/healthz: a cheap database probe for load balancers and the container healthcheck."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_health_check_runs_one_trivial_query_and_says_ok(client, django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert captured.captured_queries[0]["sql"] == "SELECT 1"


@pytest.mark.django_db
def test_health_check_is_never_cached_and_sets_no_cookie(client):
    response = client.get("/healthz")
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


@pytest.mark.django_db
def test_health_check_answers_probes_by_ip_over_plain_http(settings):
    """Probes use the container's address and http://, which the site itself refuses."""
    settings.SECURE_SSL_REDIRECT = True
    probe = Client(HTTP_HOST="10.0.0.7:8000")
    assert probe.get("/healthz").status_code == 200
    assert probe.get("/").status_code == 400  # DisallowedHost for everything else


@pytest.mark.django_db
def test_health_check_answers_head_and_refuses_other_methods(client):
    assert client.head("/healthz").status_code == 200
    refused = client.post("/healthz")
    assert refused.status_code == 405
    assert refused["Allow"] == "GET, HEAD"
