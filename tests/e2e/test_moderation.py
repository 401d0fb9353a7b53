"""A moderator in Chromium: signs in, finds comments under Pending, approves one with the
changelist's bulk action and another with the button on its own page; readers then see both."""

import re

import pytest
from playwright.sync_api import Page, expect

from comments.models import Comment
from tests.e2e.browser_checks import POSTED_MESSAGE, post_comment

pytestmark = pytest.mark.django_db(transaction=True)

ARTICLE_PATH = "/blog/magnesium-bone-health/"
FIRST = "Which foods have the most magnesium per serving?"
SECOND = "My doctor suggested a blood test first. Good advice, it seems."


def sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_moderator_approves_comments_and_readers_then_see_them(
    live_server, page: Page, screenshot, seeded_article, make_comment, moderator, open_page
):
    commenter = open_page(ARTICLE_PATH)
    post_comment(commenter, name="Lena Ortiz", email="lena@example.com", body=FIRST)
    expect(commenter.get_by_role("status")).to_contain_text(POSTED_MESSAGE)
    # A second visitor's comment, written straight to the queue: this test is about moderating.
    make_comment(seeded_article, author_name="Sam Okafor", body=SECOND)

    page.goto(f"{live_server.url}/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    screenshot("1-login")
    sign_in(page, "mod", "pw-for-tests")
    page.get_by_role("rowheader", name="Comments").get_by_role("link").click()

    # The queue opens on Pending and holds both comments.
    status_filter = page.locator('#changelist-filter [data-filter-title="status"]')
    expect(status_filter.locator("li.selected")).to_have_text("Pending")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    screenshot("2-pending-queue")

    rows.filter(has_text=FIRST).get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option(label="Approve")
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".messagelist")).to_contain_text("1 comment approved.")
    expect(rows).to_have_count(1)
    screenshot("3-bulk-approved")

    rows.filter(has_text=SECOND).get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("comment")
    screenshot("4-comment-page")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("1 comment approved.")
    screenshot("5-button-approved")

    assert set(Comment.objects.approved().values_list("body", flat=True)) == {FIRST, SECOND}
    assert {c.moderated_by for c in Comment.objects.all()} == {moderator}

    reader = open_page(ARTICLE_PATH)
    comments = reader.locator("#comments")
    expect(comments.get_by_role("heading", level=2).first).to_have_text("2 comments")
    expect(comments.locator(".comment-body")).to_have_text([FIRST, SECOND])
    expect(comments.locator(".comment-author")).to_have_text(["Lena Ortiz", "Sam Okafor"])
    expect(reader.locator(".article-header .meta").first).to_contain_text("2 comments")
    screenshot("6-reader-sees-comments", reader)
    reader.goto("/")
    expect(reader.get_by_role("link", name=re.compile(r"^2 comments"))).to_be_visible()
