"""Every answer the site gives carries a strict Content-Security-Policy and the other security
headers; cookies are out of reach of scripts and other sites; nothing inline needs an exception."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def policy(response) -> dict[str, list[str]]:
    """The enforced CSP header as {directive: [sources]}."""
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.fixture
def superuser_client(db) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="pw"))
    return client


@pytest.fixture
def every_kind_of_answer(client, superuser_client, article, make_comment) -> dict[str, object]:
    comment = make_comment(article)
    post_url = f"/blog/{article.slug}/comments/"
    strict = Client(enforce_csrf_checks=True)
    return {
        "index": client.get("/"),
        "article": client.get(article.get_absolute_url()),
        "form errors (400)": client.post(post_url, {"body": " "}),
        "posted (302)": client.post(
            post_url, {"author_name": "A", "author_email": "a@b.io", "body": "x"}
        ),
        "too big (400)": client.post(post_url, {"body": "x" * 3_000_000}),
        "not found (404)": client.get("/blog/missing/"),
        "GET to the posting address (405)": client.get(post_url),
        "CSRF failure (403)": strict.post(post_url, {"body": "x"}),
        "admin login": client.get("/admin/login/"),
        "admin index": superuser_client.get("/admin/"),
        "admin changelist": superuser_client.get("/admin/comments/comment/"),
        "admin change page": superuser_client.get(f"/admin/comments/comment/{comment.pk}/change/"),
        "admin article add": superuser_client.get("/admin/blog/article/add/"),
    }


def test_every_answer_carries_the_strict_content_security_policy(every_kind_of_answer):
    for name, response in every_kind_of_answer.items():
        directives = policy(response)
        assert directives["default-src"] == ["'self'"], name
        assert directives["script-src"] == ["'self'"], name
        assert directives["style-src"] == ["'self'"], name
        assert directives["object-src"] == ["'none'"], name
        assert directives["base-uri"] == ["'none'"], name
        assert directives["frame-ancestors"] == ["'none'"], name
        assert directives["form-action"] == ["'self'"], name
        assert directives["report-uri"] == ["/csp-report/"], name
        header = response["Content-Security-Policy"]
        for loophole in ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "data:", "*"):
            assert loophole not in header, (name, loophole)
        assert "Content-Security-Policy-Report-Only" not in response, name


def test_every_answer_carries_the_other_security_headers(every_kind_of_answer):
    for name, response in every_kind_of_answer.items():
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin", name
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", name
        assert response["Cross-Origin-Resource-Policy"] == "same-origin", name
        assert response["X-Frame-Options"] == "DENY", name
        assert response["Reporting-Endpoints"] == 'csp="/csp-report/"', name
        features = dict(
            item.strip().split("=", 1) for item in response["Permissions-Policy"].split(",")
        )
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert features[feature] == "()", (name, feature)


def test_a_view_that_sets_its_own_permissions_policy_keeps_it(rf, settings):
    from django.http import HttpResponse

    from config.security import PermissionsPolicyMiddleware

    def view(request):
        response = HttpResponse()
        response["Permissions-Policy"] = "fullscreen=(self)"
        return response

    response = PermissionsPolicyMiddleware(view)(rf.get("/"))
    assert response["Permissions-Policy"] == "fullscreen=(self)"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def test_the_csrf_cookie_is_httponly_and_same_site(client, article):
    response = client.get(article.get_absolute_url())
    cookie = response.cookies["csrftoken"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_the_session_cookie_is_httponly_and_same_site(client, db):
    User.objects.create_user("mod", password="right-password", is_staff=True)
    response = client.post(
        "/admin/login/", {"username": "mod", "password": "right-password", "next": "/admin/"}
    )
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_pages_need_no_inline_script_style_or_handler(every_kind_of_answer):
    """What the policy forbids, the site's own pages (and the admin's) never use."""
    for name, response in every_kind_of_answer.items():
        if response.status_code in {302, 405} and not response.content:
            continue
        soup = BeautifulSoup(response.content, "html.parser")
        for script in soup.find_all("script"):
            assert script.get("src") or script.get("type") == "application/ld+json", (name, script)
        assert not soup.find_all("style"), name
        for element in soup.find_all(True):
            for attribute in element.attrs:
                assert attribute != "style", (name, element)
                assert not attribute.startswith("on"), (name, element)


def test_the_site_templates_have_no_inline_script_style_or_handler():
    for template in (ROOT / "templates").rglob("*.html"):
        source = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)", source), (
            template
        )
        assert not re.search(r"<style|\sstyle=", source), template
        assert not re.search(r"\son[a-z]+\s*=", source), template


def test_the_csp_report_endpoint_logs_reports_and_refuses_junk(client, caplog):
    report = {"csp-report": {"violated-directive": "script-src", "blocked-uri": "inline"}}
    response = client.post(
        "/csp-report/", json.dumps(report), content_type="application/csp-report"
    )
    assert response.status_code == 204
    assert "Content-Security-Policy violation" in caplog.text
    assert "script-src" in caplog.text
    reporting_api = [{"type": "csp-violation", "body": {"effectiveDirective": "style-src"}}]
    assert client.post("/csp-report/", reporting_api, content_type="application/reports+json")
    assert "style-src" in caplog.text
    assert client.post("/csp-report/", b"{nope", content_type="application/json").status_code == 400
    too_big = b'{"x": "' + b"a" * 20_000 + b'"}'
    assert client.post("/csp-report/", too_big, content_type="application/json").status_code == 413
    assert client.get("/csp-report/").status_code == 405


def resolve_with(**env: str) -> subprocess.CompletedProcess:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from django.urls import resolve, Resolver404\n"
        "print(settings.ADMIN_URL)\n"
        "for path in ('/hidden-door/login/', '/admin/login/'):\n"
        "    try: print(path, resolve(path).view_name)\n"
        "    except Resolver404: print(path, 404)\n"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ADMIN_URL"))}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean | {"DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "k"} | env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("value", ["hidden-door/", "/hidden-door", " hidden-door "])
def test_the_admin_lives_at_the_path_given_by_admin_url(value):
    result = resolve_with(ADMIN_URL=value)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:3] == [
        "hidden-door/",
        "/hidden-door/login/ admin:login",
        "/admin/login/ 404",
    ]


def test_the_admin_is_at_admin_by_default():
    result = resolve_with()
    assert "/admin/login/ admin:login" in result.stdout


def test_an_empty_admin_url_is_refused_with_a_hint():
    result = resolve_with(ADMIN_URL="/")
    assert result.returncode != 0
    assert "ADMIN_URL must not be empty" in result.stderr
