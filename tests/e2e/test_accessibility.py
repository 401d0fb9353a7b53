"""WCAG 2.2 AA in Chromium: axe-core finds nothing on any page or state, at desktop and phone
widths, in light and dark schemes; landmarks, skip link, language and target sizes hold."""

from pprint import pformat

import pytest
from playwright.sync_api import Page, expect

from comments.models import Comment
from tests.e2e.browser_checks import (
    AXE_FORM_RULES_THAT_MUST_RUN,
    AXE_RULES_THAT_MUST_RUN,
    POSTED_MESSAGE,
    post_comment,
    run_axe,
    undersized_targets,
)

pytestmark = pytest.mark.django_db(transaction=True)

ARTICLE_PATH = "/blog/magnesium-bone-health/"


@pytest.fixture
def approved_comment(seeded_article, make_comment, moderator) -> Comment:
    """A published comment, so the comment list is on the page being checked."""
    comment = make_comment(seeded_article, author_name="Noor Haddad", body="Clear and useful.")
    comment.moderate(Comment.Status.APPROVED, by=moderator)
    return comment


def submit_empty_form(page: Page) -> None:
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("alert")).to_be_visible()


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_axe_finds_no_violations_on_any_page_or_form_state(
    viewport, color_scheme, approved_comment, open_page, screenshot
):
    reports = {}
    page = open_page("/", viewport=viewport, color_scheme=color_scheme)
    reports["index"] = run_axe(page)
    screenshot("1-index", page)

    page.goto(ARTICLE_PATH)
    reports["article"] = run_axe(page)
    screenshot("2-article", page)

    submit_empty_form(page)
    reports["article after a failed submit"] = run_axe(page)
    screenshot("3-failed-submit", page)

    post_comment(page, name="Ines Duarte", email="ines@example.com", body="A question.")
    expect(page.get_by_role("status")).to_contain_text(POSTED_MESSAGE)
    reports["article after a successful submit"] = run_axe(page)
    screenshot("4-successful-submit", page)

    violations = {state: report.summary for state, report in reports.items() if report.violations}
    assert violations == {}, f"axe violations ({viewport}, {color_scheme}):\n{pformat(violations)}"
    must_run = {
        state: AXE_RULES_THAT_MUST_RUN
        | (AXE_FORM_RULES_THAT_MUST_RUN if state != "index" else set())
        for state in reports
    }
    not_run = {
        state: must_run[state] - report.rules_run
        for state, report in reports.items()
        if must_run[state] - report.rules_run
    }
    assert not_run == {}, f"axe rules that did not run: {not_run}"


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_links_and_buttons_outside_running_text_are_at_least_24px(
    viewport, approved_comment, open_page
):
    page = open_page("/", viewport=viewport)
    measured, small = undersized_targets(page)
    assert measured >= 3  # skip link, site name, nav link, the card's links...
    assert small == []

    page.goto(ARTICLE_PATH)
    submit_empty_form(page)  # so the error summary's links are measured too
    measured, small = undersized_targets(page)
    # header (2), date line (1), back link, permalink, 3 error links, 3 fields, the button
    assert measured >= 12
    assert small == []

    page.goto(ARTICLE_PATH)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None
    assert box["width"] >= 24
    assert box["height"] >= 24


@pytest.mark.parametrize("path", ["/", ARTICLE_PATH])
def test_every_page_has_landmarks_a_skip_link_a_language_and_one_h1(
    path, seeded_article, open_page
):
    page = open_page(path)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("banner")).to_have_count(1)
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.get_by_role("contentinfo")).to_have_count(1)
    expect(page.get_by_role("navigation", name="Site")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_count(1)

    # The skip link is the first stop and hidden until focused; it leads into <main>.
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).not_to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()


def test_the_current_page_is_marked_in_the_navigation(seeded_article, open_page):
    page = open_page("/")
    nav = page.get_by_role("navigation", name="Site")
    expect(nav.get_by_role("link", name="Articles")).to_have_attribute("aria-current", "page")
    page.goto(ARTICLE_PATH)
    expect(nav.get_by_role("link", name="Articles")).not_to_have_attribute("aria-current", "page")
