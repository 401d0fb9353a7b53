"""Sign-in to the admin: repeated failures pause it, for an address and for a username."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.test import Client

LOGIN = "/admin/login/"
LIMIT = 5


@pytest.fixture(autouse=True)
def _known_limits(settings) -> None:
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


@pytest.fixture
def moderator_account(db) -> User:
    return User.objects.create_user("mod", password="right-password", is_staff=True)


def sign_in(client: Client, password: str, username: str = "mod", ip: str = "203.0.113.5"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )


def fail(times: int, **kwargs) -> None:
    for _ in range(times):
        response = sign_in(Client(), "wrong", **kwargs)
        assert response.status_code in {200, 429}


def test_a_few_wrong_passwords_still_allow_the_right_one(moderator_account):
    fail(LIMIT - 1)
    response = sign_in(Client(), "right-password")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_too_many_failures_pause_sign_in_even_with_the_right_password(moderator_account):
    fail(LIMIT)
    response = sign_in(Client(), "right-password")
    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("h1").get_text() == "Sign-in is paused for a while"
    assert "refused for 15 minutes" in soup.select_one("main").get_text()
    assert soup.select_one(".site-header") is not None
    assert "_auth_user_id" not in Client().session


def test_the_pause_covers_the_address_for_every_username(moderator_account):
    User.objects.create_user("other", password="other-password", is_staff=True)
    fail(LIMIT, username="mod")
    assert sign_in(Client(), "other-password", username="other").status_code == 429


def test_the_pause_covers_the_username_from_every_address(moderator_account):
    for n in range(LIMIT):
        fail(1, ip=f"198.51.100.{n + 1}")
    assert sign_in(Client(), "right-password", ip="192.0.2.200").status_code == 429


def test_others_can_still_sign_in_during_a_pause(moderator_account):
    User.objects.create_user("other", password="other-password", is_staff=True)
    fail(LIMIT, username="mod", ip="203.0.113.5")
    assert sign_in(Client(), "other-password", username="other", ip="192.0.2.8").status_code == 302


def test_the_pause_ends_after_the_cool_off(moderator_account):
    fail(LIMIT)
    # The failures age past the cool-off, as they would in a quarter of an hour.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    assert sign_in(Client(), "right-password").status_code == 302


def test_a_successful_sign_in_resets_the_count(moderator_account):
    fail(LIMIT - 1)
    assert sign_in(Client(), "right-password").status_code == 302
    fail(LIMIT - 1)
    assert sign_in(Client(), "right-password").status_code == 302


def test_failures_are_counted_per_visitor_behind_a_trusted_proxy(moderator_account, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(LIMIT):
        Client().post(
            LOGIN,
            {"username": "someone", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="198.51.100.66",
        )
    assert AccessAttempt.objects.filter(ip_address="198.51.100.66").exists()
    # Another visitor behind the same proxy is not paused.
    other_visitor = Client().post(
        LOGIN,
        {"username": "mod", "password": "right-password", "next": "/admin/"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.77",
    )
    assert other_visitor.status_code == 302


def test_code_that_signs_in_without_a_request_still_works(moderator_account):
    """The test client's login() and shell scripts pass no request; the throttle lets them
    through to the password check instead of crashing."""
    client = Client()
    assert client.login(username="mod", password="right-password") is True
    assert client.login(username="mod", password="wrong") is False


def test_superusers_can_see_and_clear_the_failures_in_the_admin(moderator_account):
    fail(LIMIT)
    admin = Client()
    admin.force_login(User.objects.create_superuser("root", password="pw"))
    page = admin.get("/admin/axes/accessattempt/")
    assert page.status_code == 200
    assert "203.0.113.5" in page.text


def test_the_article_form_refuses_nul_characters(db):
    """PostgreSQL cannot store NUL; the admin says so instead of failing with a 500."""
    from blog.models import Article

    admin = Client()
    admin.force_login(User.objects.create_superuser("root", password="pw"))
    response = admin.post(
        "/admin/blog/article/add/",
        {
            "title": "T",
            "slug": "t",
            "summary": "s",
            "body_source": "before\x00after",
            "status": "draft",
            "references-TOTAL_FORMS": "0",
            "references-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.text
    assert not Article.objects.exists()
