"""The seed article is served exactly as the client wrote it."""

import os
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command

from blog.models import Article
from blog.seed import CONTENT_DIR, load_seed_article

SEED_TEXT = Path(__file__).resolve().parents[3] / "shared" / "seed" / "magnesium-bone-health.txt"
PAGE_ELEMENTS = [
    "Back to blog",
    "Leave a comment",
    "Please note, comments need to be approved before they are published.",
]


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    if not SEED_TEXT.exists():
        message = f"The client's seed text is missing: expected ../shared/seed/{SEED_TEXT.name}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Markdown emphasis marks (*Journal*) are shown as italics, not as asterisks.
    text = SEED_TEXT.read_text(encoding="utf-8").replace("*", "")
    return [line.strip() for line in text.splitlines() if line.strip()]


@pytest.fixture
def seed_page(client, db) -> BeautifulSoup:
    call_command("load_seed_articles", verbosity=0)
    response = client.get("/blog/magnesium-bone-health/")
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def split_seed(lines: list[str]) -> tuple[str, list[str], list[str], list[str]]:
    title = lines[0]
    rule = lines.index("---")
    body = [line for line in lines[1:rule] if line != title]
    references_start = lines.index("References", rule)
    references = [line.removeprefix("- ") for line in lines if line.startswith("- ")]
    page_elements = lines[references_start + 1 + len(references) :]
    return title, body, references, page_elements


def test_every_heading_and_paragraph_of_the_seed_is_on_the_page(seed_lines, seed_page):
    title, body, _, _ = split_seed(seed_lines)
    assert normalise(seed_page.h1.get_text()) == title
    prose = seed_page.select_one(".prose")
    blocks = [normalise(tag.get_text()) for tag in prose.find_all(["h2", "p"])]
    assert blocks == body


def test_seed_headings_are_headings_and_journal_names_are_italic(seed_page):
    headings = [normalise(h.get_text()) for h in seed_page.select(".prose h2")]
    assert headings[0] == "Magnesium’s Role in Bone Formation"
    assert len(headings) == 7
    assert seed_page.select_one(".prose em").get_text() == "Osteoporosis International"
    assert [em.get_text() for em in seed_page.select(".reference-list em")] == [
        "Nutrients",
        "Bone",
        "The Journal of Clinical Endocrinology & Metabolism",
        "Calcified Tissue International",
        "Nutrition Reviews",
        "Nutrition Reviews",
    ]


def test_the_six_references_are_shown_in_the_seed_order_word_for_word(seed_lines, seed_page):
    _, _, references, _ = split_seed(seed_lines)
    shown = [normalise(li.get_text()) for li in seed_page.select(".reference-list li")]
    assert len(references) == 6
    assert shown == references


def test_the_seed_closing_lines_are_page_elements_not_body_text(seed_lines, seed_page):
    _, _, _, page_elements = split_seed(seed_lines)
    assert page_elements == PAGE_ELEMENTS
    page_text = normalise(seed_page.get_text(" "))
    prose_text = normalise(seed_page.select_one(".prose").get_text(" "))
    for line in page_elements:
        assert line in page_text
        assert line not in prose_text
    back = seed_page.select_one(".back-link a")
    assert normalise(back.get_text()).endswith("Back to blog")
    assert back["href"] == "/"


def test_references_are_structured_rows(db):
    load_seed_article(CONTENT_DIR / "magnesium-bone-health.toml")
    article = Article.objects.get(slug="magnesium-bone-health")
    labels = list(article.references.values_list("position", "label"))
    assert labels == [
        (1, "Castiglioni et al., 2013"),
        (2, "Dai et al., 2014"),
        (3, "Rosen et al., 2012"),
        (4, "Rude et al., 2006"),
        (5, "Sojka & Weaver, 1995"),
        (6, "Rosanoff et al., 2012"),
    ]
    rosen = article.references.get(position=3)
    assert (rosen.year, rosen.volume, rosen.issue, rosen.pages) == (2012, "97", "4", "1146-1152")
    assert not any(ref.link for ref in article.references.all())


def test_loading_twice_keeps_one_article_and_edits_survive(db):
    call_command("load_seed_articles", verbosity=0)
    Article.objects.filter(slug="magnesium-bone-health").update(title="Edited in the admin")
    call_command("load_seed_articles", verbosity=0)
    assert Article.objects.count() == 1
    assert Article.objects.get().title == "Edited in the admin"
    assert Article.objects.get().references.count() == 6


def test_overwrite_restores_the_shipped_text(db):
    call_command("load_seed_articles", verbosity=0)
    Article.objects.update(title="Edited in the admin")
    call_command("load_seed_articles", "--overwrite", verbosity=0)
    article = Article.objects.get()
    assert article.title.startswith("How Magnesium Supports Bone Health")
    assert article.references.count() == 6
