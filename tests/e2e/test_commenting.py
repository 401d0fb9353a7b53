"""A commenter in Chromium: posting, being told it awaits moderation, fixing mistakes,
with the mouse, with the keyboard alone, and with JavaScript switched off."""

import re

import pytest
from playwright.sync_api import Page, expect

from comments.models import Comment
from tests.e2e.browser_checks import POSTED_MESSAGE, comment_field, focused_element, post_comment

pytestmark = pytest.mark.django_db(transaction=True)

ARTICLE_PATH = "/blog/magnesium-bone-health/"
COMMENT = "Does magnesium citrate count towards the daily allowance?"
SUBMIT_BUTTON_ID = "submit-id-post"


def test_commenter_is_told_the_comment_awaits_moderation_and_it_stays_hidden(
    live_server, page: Page, screenshot, seeded_article, open_page
):
    page.goto(live_server.url + ARTICLE_PATH)
    comment_field(page, "Name").fill("Grace Park")
    comment_field(page, "Email").fill("grace@example.com")
    comment_field(page, "Comment").fill(COMMENT)
    screenshot("1-filled")
    page.get_by_role("button", name="Post comment").click()

    expect(page).to_have_url(re.compile(rf"{ARTICLE_PATH}#comments$"))
    comments = page.locator("#comments")
    expect(comments.get_by_role("status")).to_contain_text(POSTED_MESSAGE)
    expect(comments.get_by_role("heading", level=2).first).to_have_text("0 comments")
    # Published comments don't include it; only its author sees it, marked as waiting.
    expect(comments.locator(".comment:not(.comment-pending)", has_text=COMMENT)).to_have_count(0)
    own = comments.locator(".comment-pending", has_text=COMMENT)
    expect(own).to_contain_text("Awaiting moderation")
    # The page scrolled to the comments: the success message is on screen.
    expect(comments.get_by_role("status")).to_be_in_viewport()
    screenshot("2-posted")

    stored = Comment.objects.get()
    assert (stored.status, stored.author_name, stored.body) == (
        Comment.Status.PENDING,
        "Grace Park",
        COMMENT,
    )
    other_reader = open_page(ARTICLE_PATH)
    expect(other_reader.locator("body")).not_to_contain_text(COMMENT)
    expect(other_reader.get_by_role("status")).to_be_empty()


def test_an_empty_comment_gets_an_error_summary_linking_to_each_field(
    live_server, page: Page, screenshot, seeded_article
):
    page.goto(live_server.url + ARTICLE_PATH)
    page.get_by_role("button", name="Post comment").click()

    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text(
        "Your comment was not posted yet. Please check:"
    )
    links = summary.get_by_role("link")
    expect(links).to_have_text(
        [
            "Name: Please enter your name.",
            "Email: Please enter your email address.",
            "Comment: Please enter your comment.",
        ]
    )
    screenshot("1-errors")
    assert Comment.objects.count() == 0

    for label, link in zip(["Name", "Email", "Comment"], links.all(), strict=True):
        link.click()
        field = comment_field(page, label)
        expect(field).to_be_focused()
        expect(field).to_have_attribute("aria-invalid", "true")
        error_text = link.inner_text().split(": ", 1)[1]
        expect(field).to_have_accessible_description(re.compile(re.escape(error_text)))
        # The label stays in view above the field it names.
        expect(page.locator(f"label[for={field.get_attribute('id')}]")).to_be_in_viewport()
    screenshot("2-last-link-followed")


def test_an_invalid_email_keeps_everything_typed(
    live_server, page: Page, screenshot, seeded_article
):
    page.goto(live_server.url + ARTICLE_PATH)
    post_comment(page, name="Ada Reader", email="ada-at-example", body=COMMENT)

    summary = page.get_by_role("alert")
    expect(summary.get_by_role("link")).to_have_text(
        ["Email: Please enter a valid email address, like name@example.com."]
    )
    expect(comment_field(page, "Name")).to_have_value("Ada Reader")
    expect(comment_field(page, "Email")).to_have_value("ada-at-example")
    expect(comment_field(page, "Comment")).to_have_value(COMMENT)
    expect(comment_field(page, "Name")).not_to_have_attribute("aria-invalid", "true")
    expect(comment_field(page, "Email")).to_have_accessible_description(
        re.compile("Please enter a valid email address")
    )
    screenshot("errors")

    comment_field(page, "Email").fill("ada@example.com")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("status")).to_contain_text(POSTED_MESSAGE)
    assert Comment.objects.get().body == COMMENT


def tab_to(page: Page, element_id: str, *, limit: int = 150) -> list[dict]:
    """Press Tab until the element with `element_id` has focus; return every stop on the way."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stops.append(focused_element(page))
        if stops[-1]["id"] == element_id:
            return stops
    raise AssertionError(f"#{element_id} not reached in {limit} Tab presses: {stops[-5:]}")


def test_the_whole_comment_flow_works_with_the_keyboard_alone(
    live_server, page: Page, screenshot, seeded_article
):
    page.goto(live_server.url + ARTICLE_PATH)

    # First Tab: the skip link, shown on focus; Enter moves focus to the main content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    screenshot("1-skip-link")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # Every stop on the way to the form shows a focus outline.
    stops = tab_to(page, "id_author_name")
    assert [s["html"] for s in stops if s["outline"] < 2] == []

    # Post with nothing filled in: the error summary takes focus; its first link leads back.
    tab_to(page, SUBMIT_BUTTON_ID)
    expect(page.get_by_role("button", name="Post comment")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Name: Please enter your name.")).to_be_focused()
    screenshot("2-error-link-focused")
    page.keyboard.press("Enter")
    expect(comment_field(page, "Name")).to_be_focused()

    page.keyboard.type("Kai Keyboard")
    page.keyboard.press("Tab")
    page.keyboard.type("kai@example")
    page.keyboard.press("Tab")
    page.keyboard.type("Typed without a mouse.")
    # Back to the email with Shift+Tab to finish the address.
    page.keyboard.press("Shift+Tab")
    expect(comment_field(page, "Email")).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type(".com")
    tab_to(page, SUBMIT_BUTTON_ID)
    expect(page.get_by_role("button", name="Post comment")).to_be_focused()
    screenshot("3-ready-to-post")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"{ARTICLE_PATH}#comments$"))
    expect(page.get_by_role("status")).to_contain_text(POSTED_MESSAGE)
    # Focus landed on the comments section, so Tab carries on from there, not from the top.
    expect(page.locator("#comments")).to_be_focused()
    screenshot("4-posted")
    stored = Comment.objects.get()
    assert (stored.author_name, stored.author_email, stored.body) == (
        "Kai Keyboard",
        "kai@example.com",
        "Typed without a mouse.",
    )


def test_reading_and_commenting_need_no_javascript(seeded_article, open_page, screenshot):
    page = open_page(ARTICLE_PATH, javascript=False)
    # Only the JSON-LD data block, which browsers never execute.
    assert page.locator('script:not([type="application/ld+json"])').count() == 0
    post_comment(page, name="No Script", email="noscript@example.com", body=COMMENT)
    expect(page.get_by_role("status")).to_contain_text(POSTED_MESSAGE)
    screenshot("posted", page)
    assert Comment.objects.get().author_name == "No Script"
