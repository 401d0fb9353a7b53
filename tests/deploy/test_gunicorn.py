"""The web container's own command lines, run for real against PostgreSQL, and its faults.

The site is started as the container starts it (tests/deploy/conftest.py): the image's files
with collectstatic done, the environment docker-compose.yml gives it, then `bin/start-web`
(migrate, createcachetable, load_seed_articles, gunicorn). Requests arrive as the TLS proxy in
front would send them: plain HTTP with `X-Forwarded-Proto: https`.
"""

import re
import time

import pytest
from bs4 import BeautifulSoup

from tests.deploy.conftest import start_site, stop_site

pytestmark = pytest.mark.postgres

ARTICLE = "/blog/magnesium-bone-health/"
INDEX = "/"
TITLE = "How Magnesium Supports Bone Health and Reduces Osteoporosis Risk"
TEN_YEARS_IMMUTABLE = "max-age=315360000, public, immutable"


def comment_form(html: str) -> tuple[str, dict[str, str]]:
    form = BeautifulSoup(html, "html.parser").select_one("form[method=post]")
    # What a browser would send: no submit button, no unticked checkbox.
    fields = {
        field["name"]: field.get("value", "on" if field.get("type") == "checkbox" else "")
        for field in form.select("input[name]")
        if field.get("type") != "submit"
        and not (field.get("type") == "checkbox" and not field.has_attr("checked"))
    }
    fields |= {area["name"]: area.get_text().removeprefix("\n") for area in form("textarea")}
    return form["action"].split("#")[0], fields


def test_the_container_command_serves_the_seeded_article_with_production_settings(site):
    response = site.client.get(ARTICLE)

    assert response.status == 200
    page = BeautifulSoup(response.text, "html.parser")
    assert page.h1.get_text(strip=True) == TITLE
    assert page.select_one("#comment-form")
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    csrf_cookie = next(c for c in response.headers.get_all("Set-Cookie") if "csrftoken" in c)
    assert "; Secure" in csrf_cookie
    rows = site_database_rows(site, "SELECT slug FROM blog_article")
    assert rows == [("magnesium-bone-health",)]


def site_database_rows(site, sql: str) -> list[tuple]:
    from tests.support.postgres import Cluster

    return Cluster.from_environment().execute(sql, database=site.database)


def test_plain_http_is_redirected_to_https_and_errors_show_no_debug_page(site):
    direct = site.client.request("GET", ARTICLE, headers={"X-Forwarded-Proto": "http"})
    assert direct.status == 301
    assert direct.headers["Location"] == f"https://127.0.0.1:{site.client.port}{ARTICLE}"

    missing = site.client.get("/blog/no-such-article/")
    assert missing.status == 404
    assert "DEBUG = True" not in missing.text
    assert "Traceback" not in missing.text


def test_static_files_are_hashed_compressed_and_cached_for_ever(site):
    page = BeautifulSoup(site.client.get(ARTICLE).text, "html.parser")
    stylesheet = page.select_one("link[rel=stylesheet]")["href"]
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", stylesheet)

    hashed = site.client.get(stylesheet, headers={"Accept-Encoding": "br, gzip"})
    assert hashed.status == 200
    assert hashed.headers["Cache-Control"] == TEN_YEARS_IMMUTABLE
    assert hashed.headers["Content-Encoding"] == "br"

    plain = site.client.get("/static/css/site.css")
    assert plain.status == 200
    assert plain.headers["Cache-Control"] == "max-age=3600, public"


def test_logs_are_json_lines_with_the_request_fields(site):
    site.client.get(ARTICLE)

    access = site.wait_for_log_entries(
        lambda entry: entry["logger"] == "gunicorn.access" and entry["path"] == ARTICLE
    )
    assert access, site.log_lines()[-10:]
    assert access[-1]["method"] == "GET"
    assert access[-1]["status"] == 200
    assert {"time", "level", "message", "duration_ms"} <= access[-1].keys()


@pytest.mark.parametrize("path", [ARTICLE, INDEX])
def test_a_request_after_a_database_restart_succeeds(site, database_server, path):
    assert site.client.get(path).status == 200  # the worker now holds a connection

    database_server.restart()

    after = site.client.get(path)
    assert after.status == 200, after.text[:500]
    assert site.client.get("/healthz").json() == {"status": "ok", "database": "ok"}


def test_without_connection_health_checks_the_same_restart_would_fail(
    image_dir, postgres_cluster, fresh_database, database_server, tmp_path
):
    """The control for the test above: it really exercises a connection the restart broke.

    On the index: a shared article page notices the broken connection without the health
    check, as it listens on it for changes (blog/page_versions.py)."""
    (image_dir / "settings_without_health_checks.py").write_text(
        "from config.settings import *  # noqa: F403\n"
        "DATABASES['default']['CONN_HEALTH_CHECKS'] = False  # noqa: F405\n"
    )
    control = start_site(
        image_dir,
        postgres_cluster,
        fresh_database,
        tmp_path / "web.log",
        {"DJANGO_SETTINGS_MODULE": "settings_without_health_checks"},
    )
    try:
        assert control.client.get(INDEX).status == 200
        database_server.restart()
        assert control.client.get(INDEX).status == 503
        assert control.client.get(INDEX).status == 200  # Django dropped the broken one
    finally:
        stop_site(control)


def test_a_worker_that_remembers_the_pages_version_shows_a_change_made_elsewhere(site):
    """The worker reads the page's version once and then only listens for notices
    (blog/page_versions.py): a change committed by another process must still show."""
    for _ in range(3):
        assert TITLE in site.client.get(ARTICLE).text
    renamed = "Magnesium and Bone Health, Revised"
    slug = ARTICLE.strip("/").split("/")[-1]
    rename = "UPDATE blog_article SET title = '{}', page_version = '{}' WHERE slug = '{}'"
    site_database_rows(site, rename.format(renamed, "renamed", slug))
    try:
        # The notice reaches the worker a moment after the commit: allow it that moment.
        deadline = time.monotonic() + 5
        while renamed not in (page := site.client.get(ARTICLE).text):
            assert time.monotonic() < deadline, page[:500]
            time.sleep(0.05)
    finally:
        site_database_rows(site, rename.format(TITLE, "restored", slug))
    assert TITLE in site.client.get(ARTICLE).text


def test_a_comment_posted_while_the_database_is_down_is_given_back_and_posts_later(
    site, database_server
):
    action, fields = comment_form(site.client.get(ARTICLE).text)
    typed = {
        "author_name": "Grace O'Reader",
        "author_email": "grace@example.com",
        "body": "Does <b>magnesium</b> & vitamin D help?\nSecond line of my question.",
    }
    database_server.stop()

    health = site.client.get("/healthz")
    assert health.status == 503
    assert health.json() == {"status": "unavailable", "database": "down"}

    refused = site.client.post_form(action, fields | typed)
    assert refused.status == 503
    assert refused.headers["Retry-After"] == "30"
    assert "no-store" in refused.headers["Cache-Control"]
    page = BeautifulSoup(refused.text, "html.parser")
    assert page.select_one(".site-name").get_text(strip=True) == "Health Journal"
    assert page.select_one("link[rel=stylesheet]")["href"].startswith("/static/css/site.")
    assert "can’t reach our database" in page.h1.get_text()
    assert "Traceback" not in refused.text
    retry_action, retry_fields = comment_form(refused.text)
    assert retry_action == action
    assert {name: retry_fields[name] for name in typed} == typed

    reading = site.client.get(ARTICLE)
    assert reading.status == 503
    assert "reload the page" in reading.text

    database_server.start()

    posted = site.client.post_form(retry_action, retry_fields)
    assert posted.status == 302, posted.text[:500]
    assert posted.headers["Location"] == f"{ARTICLE}#comments"
    assert "was posted successfully" in site.client.get(ARTICLE).text
    stored = site_database_rows(site, "SELECT author_name, body, status FROM comments_comment")
    assert stored == [(typed["author_name"], typed["body"], "pending")]
    logged = site.wait_for_log_entries(
        lambda entry: entry["message"] == f"Database unavailable: POST {action}"
    )
    assert logged[0]["level"] == "ERROR"
    assert "OperationalError" in logged[0]["exception"]
