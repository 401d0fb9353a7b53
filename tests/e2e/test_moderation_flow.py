"""A comment's whole journey in Chromium: posted, seen privately, reviewed from the email link."""

import re

import pytest
from django.contrib.auth.models import Permission, User
from playwright.sync_api import Browser, Page, expect

from comments.models import Comment
from comments.permissions import MODERATORS_GROUP_PERMISSIONS

pytestmark = pytest.mark.django_db(transaction=True)


def test_comment_is_posted_seen_only_by_its_author_and_approved_from_the_email(
    live_server, page: Page, browser: Browser, article, settings, mailoutbox, screenshot
):
    settings.SITE_URL = live_server.url
    moderator = User.objects.create_user(
        "mia", email="mia@example.com", password="pw-for-tests", is_staff=True
    )
    # What the Moderators group grants (the group itself, made by a data migration, does not
    # survive the database flush between transactional tests; permissions are recreated).
    for app_label, codename in MODERATORS_GROUP_PERMISSIONS:
        moderator.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    article_url = f"{live_server.url}{article.get_absolute_url()}"

    page.goto(article_url)
    page.locator("#id_author_name").fill("Grace Reader")
    page.locator("#id_author_email").fill("grace@example.com")
    page.locator("#id_body").fill("Is magnesium citrate better absorbed than oxide?")
    page.get_by_label("Email me when my comment is published").check()
    screenshot("form")
    page.get_by_role("button", name="Post comment").click()
    own = page.locator(".comment-pending")
    expect(own).to_contain_text("Awaiting moderation")
    expect(own).to_contain_text("Is magnesium citrate better absorbed than oxide?")
    screenshot("own-pending")

    stranger = browser.new_context()
    other = stranger.new_page()
    other.goto(article_url)
    expect(other.locator("#comments-heading")).to_have_text("0 comments")
    expect(other.get_by_text("Is magnesium citrate better absorbed")).to_have_count(0)

    [notice] = [m for m in mailoutbox if m.to == ["mia@example.com"]]
    review_url = re.search(r"(http\S+/comments/review/\S+/)", notice.body).group(1)
    moderator_page = browser.new_context().new_page()
    moderator_page.goto(review_url)
    expect(moderator_page).to_have_url(re.compile(r"/admin/login/"))
    moderator_page.get_by_label("Username").fill("mia")
    moderator_page.get_by_label("Password").fill("pw-for-tests")
    moderator_page.get_by_role("button", name="Log in").click()
    expect(moderator_page).to_have_url(review_url)
    expect(moderator_page.locator(".review-status")).to_have_text("Pending")
    moderator_page.get_by_label("Reason (optional, kept in the comment's history)").fill("Useful")
    moderator_page.get_by_role("button", name="Approve").click()
    expect(moderator_page.locator(".review-status")).to_contain_text("Approved")
    expect(moderator_page.locator(".review-history")).to_contain_text("Useful")

    comment = Comment.objects.get()
    assert comment.status == Comment.Status.APPROVED
    assert [m.subject for m in mailoutbox if m.to == ["grace@example.com"]] == [
        "Your comment on “Vitamin K and Your Arteries” is published"
    ]
    other.reload()
    expect(other.locator("#comments-heading")).to_have_text("1 comment")
    expect(other.locator(".comment-body")).to_have_text(
        "Is magnesium citrate better absorbed than oxide?"
    )
    stranger.close()
