"""A reader in Chromium: index, article, references, and back; a comfortable line length, a
page that fits a phone, nothing fetched from elsewhere, and a dark scheme."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.e2e.browser_checks import characters_per_line

pytestmark = pytest.mark.django_db(transaction=True)

SEED_HEADINGS = [
    "Magnesium’s Role in Bone Formation",
    "Magnesium and Bone Density",
    "Reducing the Risk of Osteoporosis",
    "Synergy with Calcium and Vitamin D",
    "Magnesium Deficiency and Bone Health",
    "Dietary Sources and Supplementation",
    "Conclusion",
]
TITLE = "How Magnesium Supports Bone Health and Reduces Osteoporosis Risk"


def test_reader_opens_the_article_from_the_index_and_goes_back(live_server, page: Page, screenshot):
    call_command("load_seed_articles", verbosity=0)
    page.goto(live_server.url)
    screenshot("index")
    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(page).to_have_url(re.compile(r"/blog/magnesium-bone-health/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".prose h2")).to_have_text(SEED_HEADINGS)
    expect(page.locator(".reference-list li")).to_have_count(6)
    screenshot("article")
    page.get_by_role("link", name="Back to blog").click()
    expect(page).to_have_url(f"{live_server.url}/")


def test_the_article_reads_at_about_seventy_characters_a_line(seeded_article, open_page):
    page = open_page(seeded_article.get_absolute_url())
    lines = characters_per_line(page)
    assert len(lines) > 30  # the body's paragraphs were measured, not an empty page
    average = sum(lines) / len(lines)
    assert 62 <= average <= 78, f"{average:.1f} characters a line"


@pytest.mark.parametrize("path", ["/", "/blog/magnesium-bone-health/"])
def test_pages_fit_a_phone_screen_without_sideways_scrolling(path, seeded_article, open_page):
    page = open_page(path, viewport="mobile")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    font_size = page.locator(".prose p, .article-card-summary").first.evaluate(
        "el => parseFloat(getComputedStyle(el).fontSize)"
    )
    assert font_size >= 16


def test_pages_load_nothing_from_other_sites(live_server, seeded_article, open_page):
    requested: list[str] = []
    page = open_page("about:blank")
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server.url)
    page.goto(live_server.url + seeded_article.get_absolute_url())
    page.wait_for_load_state("networkidle")
    assert any(url.endswith(".css") for url in requested)
    assert [url for url in requested if not url.startswith(live_server.url)] == []


def test_dark_mode_follows_the_system_setting(seeded_article, open_page, screenshot):
    def colours(page) -> list[str]:
        return page.locator("body").evaluate(
            "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]"
        )

    light = open_page(seeded_article.get_absolute_url(), color_scheme="light")
    dark = open_page(seeded_article.get_absolute_url(), color_scheme="dark")
    screenshot("dark", dark)
    assert colours(light) == ["rgb(251, 250, 247)", "rgb(29, 36, 33)"]
    assert colours(dark) == ["rgb(20, 24, 22)", "rgb(230, 232, 227)"]
