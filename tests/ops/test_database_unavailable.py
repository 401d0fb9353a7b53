"""The 503 page shown when the database cannot be reached.

A real outage (PostgreSQL stopped under gunicorn) is in tests/deploy/test_gunicorn.py; these
hand the middleware the errors the database layer raises, to look at the page closely.
"""

import pytest
from bs4 import BeautifulSoup
from django.db import IntegrityError, InterfaceError, OperationalError
from django.test import RequestFactory
from django.urls import resolve

from comments.forms import CommentForm
from ops.middleware import DatabaseUnavailableMiddleware

POST_PATH = "/blog/magnesium-bone-health/comments/"


def unavailable_page(path: str, data: dict | None = None, error: Exception | None = None):
    request = RequestFactory().post(path, data) if data is not None else RequestFactory().get(path)
    request.resolver_match = resolve(path)
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    return middleware.process_exception(request, error or OperationalError("connection refused"))


def test_a_comment_that_could_not_be_stored_comes_back_in_the_form_fields():
    typed = {
        "author_name": "Grace",
        "author_email": "grace@example.com",
        "body": "Line one\n<script>alert(1)</script> & more",
        "csrfmiddlewaretoken": "old-token",
    }
    response = unavailable_page(POST_PATH, typed)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    page = BeautifulSoup(response.content, "html.parser")
    form = page.select_one("form.kept-input")
    assert form["action"] == POST_PATH
    assert form.select_one("#id_author_name")["value"] == "Grace"
    assert form.select_one("#id_author_email")["value"] == "grace@example.com"
    assert form.select_one("#id_body").get_text() == typed["body"]
    assert "<script>" not in response.content.decode()
    tokens = [field["value"] for field in form.select("[name=csrfmiddlewaretoken]")]
    assert len(tokens) == 1
    assert tokens[0] != "old-token"
    assert "Your comment was not posted yet" in page.select_one("[role=alert]").get_text()


def test_the_given_back_fields_are_labelled_as_the_comment_form_labels_them():
    response = unavailable_page(POST_PATH, {"author_name": "A", "author_email": "", "body": "B"})
    page = BeautifulSoup(response.content, "html.parser")
    labels = {label["for"]: label.get_text(strip=True) for label in page.select("label")}
    form = CommentForm()
    # The spam defence's fields (the hidden timestamp, the honeypot people never see) ride
    # along hidden instead: see the test below.
    shown = [
        name
        for name, field in form.fields.items()
        if not field.widget.is_hidden and name != "website"
    ]
    assert labels == {f"id_{name}": form.fields[name].label for name in shown}


def test_the_publication_notice_choice_comes_back_as_it_was_ticked():
    ticked = unavailable_page(POST_PATH, {"body": "B", "notify_on_publish": "on"})
    unticked = unavailable_page(POST_PATH, {"body": "B"})
    checkbox = "#id_notify_on_publish"
    assert BeautifulSoup(ticked.content, "html.parser").select_one(checkbox).has_attr("checked")
    assert (
        not BeautifulSoup(unticked.content, "html.parser").select_one(checkbox).has_attr("checked")
    )


def test_fields_the_form_may_add_ride_along_hidden():
    response = unavailable_page(POST_PATH, {"body": "B", "signed_at": "1234:abc", "website": ""})
    page = BeautifulSoup(response.content, "html.parser")
    hidden = {f["name"]: f["value"] for f in page.select("input[type=hidden]")}
    assert hidden["signed_at"] == "1234:abc"
    assert hidden["website"] == ""


def test_other_pages_get_a_plain_apology_in_the_site_design():
    response = unavailable_page("/blog/magnesium-bone-health/", error=InterfaceError("closed"))
    assert response.status_code == 503
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select_one(".site-name")
    assert page.select_one("link[rel=stylesheet]")
    assert not page.select("form.kept-input")
    assert "reload the page" in page.select_one("[role=alert]").get_text()


def test_a_form_outside_comments_comes_back_with_readable_labels():
    response = unavailable_page("/", {"search_terms": "magnesium\nbones"})
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select_one("label").get_text(strip=True) == "Search terms"
    assert page.select_one("textarea[name=search_terms]").get_text() == "magnesium\nbones"


@pytest.mark.parametrize("error", [IntegrityError("duplicate"), ValueError("a bug")])
def test_errors_that_are_not_a_lost_database_are_left_alone(error):
    assert unavailable_page(POST_PATH, {"body": "B"}, error=error) is None
