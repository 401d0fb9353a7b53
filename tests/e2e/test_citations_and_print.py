"""A reader in Chromium follows a citation to its reference and back, and prints the article."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)

ARTICLE = "/blog/magnesium-bone-health/"


def test_reader_jumps_from_a_citation_to_its_reference_and_back(live_server, page: Page):
    call_command("load_seed_articles", verbosity=0)
    page.goto(f"{live_server.url}{ARTICLE}")
    page.get_by_role("link", name="Rosen et al., 2012", exact=True).click()
    expect(page).to_have_url(re.compile(r"#ref-3$"))
    expect(page.locator("#ref-3")).to_be_in_viewport()
    expect(page.locator("#ref-3")).to_contain_text("IOM committee members respond")

    page.get_by_role("link", name="Back to where Rosen et al., 2012 is cited").click()
    expect(page).to_have_url(re.compile(r"#cite-3-1$"))
    expect(page.locator("#cite-3-1")).to_be_in_viewport()


def test_printing_keeps_the_article_and_references_and_drops_the_rest(
    live_server, page: Page, screenshot
):
    call_command("load_seed_articles", verbosity=0)
    page.goto(f"{live_server.url}{ARTICLE}")
    page.emulate_media(media="print")
    screenshot("print")
    for kept in ["h1", ".prose", ".reference-list"]:
        expect(page.locator(kept).first).to_be_visible()
    expect(page.locator(".reference-list li")).to_have_count(6)
    for dropped in [
        ".site-header",
        ".site-footer",
        ".skip-link",
        ".back-link",
        "#comments",
        "form",
        ".reference-downloads",
    ]:
        expect(page.locator(dropped)).to_be_hidden()
    expect(page.locator(".backlink").first).to_be_hidden()

    page.emulate_media(media="screen")
    expect(page.locator("#comments form")).to_be_visible()
