"""The moderation settings refuse values that would break the site quietly."""

import pytest

from comments.checks import check_site_url
from tests.config.test_settings import load_settings


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("COMMENTS_PER_PAGE", "0", "COMMENTS_PER_PAGE and MODERATION_REVIEW_LINK_DAYS must be 1"),
        ("MODERATION_REVIEW_LINK_DAYS", "0", "must be 1 or more"),
        ("COMMENT_SPAM_PURGE_DAYS", "-1", "cannot be negative"),
        ("MODERATION_DIGEST_MINUTES", "soon", "MODERATION_DIGEST_MINUTES must be a whole number"),
        ("COMMENTS_AUTO_APPROVE_RETURNING", "maybe", "COMMENTS_AUTO_APPROVE_RETURNING must be one"),
    ],
)
def test_nonsense_values_stop_the_site_with_a_clear_message(name, value, message):
    result = load_settings(SECRET_KEY="k", **{name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_the_defaults_load():
    result = load_settings(SECRET_KEY="k")
    assert result.returncode == 0, result.stderr


def test_site_url_must_be_a_web_address(settings):
    settings.SITE_URL = "blog.example.com"
    assert [m.id for m in check_site_url()] == ["comments.E001"]


def test_site_url_outside_allowed_hosts_is_flagged_in_production(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["blog.example.com"]
    settings.SITE_URL = "http://127.0.0.1:8000"
    assert [m.id for m in check_site_url()] == ["comments.W001"]
    settings.SITE_URL = "https://blog.example.com"
    assert check_site_url() == []
