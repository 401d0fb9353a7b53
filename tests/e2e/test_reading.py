"""A reader in Chromium: index, article, references, and back."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

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
