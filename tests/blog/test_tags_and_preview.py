"""Several articles: tags with their own pages, drafts and scheduled ones previewed by staff."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.utils import timezone

from blog.models import Article, Reference, Tag


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def card_titles(response) -> list[str]:
    return [h.get_text(strip=True) for h in soup_of(response).select(".article-card-title")]


@pytest.fixture
def bones(make_article) -> Tag:
    now = timezone.now()
    tag = Tag.objects.create(name="Bone health", slug="bone-health")
    for title, fields in [
        ("Older", {"published_at": now - timedelta(days=5)}),
        ("Newer", {"published_at": now - timedelta(days=1)}),
        ("A draft", {"status": Article.Status.DRAFT, "published_at": None}),
        ("Next week", {"published_at": now + timedelta(days=7)}),
    ]:
        make_article(title=title, **fields).tags.add(tag)
    make_article(title="Untagged")
    return tag


@pytest.fixture
def editor(db) -> User:
    user = User.objects.create_user("editor", password="pw-for-tests", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_article"))
    return user


def test_a_tag_page_lists_its_published_articles_newest_first(client, bones):
    response = client.get("/tags/bone-health/")
    assert response.status_code == 200
    assert card_titles(response) == ["Newer", "Older"]
    soup = soup_of(response)
    assert soup.h1.get_text() == "Articles tagged “Bone health”"
    assert soup.find("link", rel="canonical")["href"] == "http://testserver/tags/bone-health/"


def test_tags_with_nothing_published_have_no_page(client, bones, make_article):
    Tag.objects.create(name="Empty", slug="empty")
    Tag.objects.create(name="Future", slug="future").articles.add(
        make_article(title="Later", published_at=timezone.now() + timedelta(days=1))
    )
    for slug in ["empty", "future", "never-existed"]:
        assert client.get(f"/tags/{slug}/").status_code == 404


def test_the_tag_index_counts_published_articles_only(client, bones):
    Tag.objects.create(name="Empty", slug="empty")
    items = soup_of(client.get("/tags/")).select(".tag-list li")
    assert [" ".join(li.get_text().split()) for li in items] == ["Bone health (2 articles)"]
    assert items[0].a["href"] == "/tags/bone-health/"


def test_an_article_links_its_tags(client, bones):
    article = Article.objects.get(title="Newer")
    links = soup_of(client.get(article.get_absolute_url())).select(".article-tags a")
    assert [(a.get_text(), a["href"]) for a in links] == [("Bone health", "/tags/bone-health/")]


def test_the_seed_loader_tags_the_article(db):
    call_command("load_seed_articles", verbosity=0)
    assert list(Article.objects.get().tags.values_list("name", "slug")) == [
        ("Bone health", "bone-health"),
        ("Magnesium", "magnesium"),
        ("Osteoporosis", "osteoporosis"),
    ]


@pytest.mark.parametrize("title", ["A draft", "Next week"])
def test_signed_out_visitors_are_sent_to_log_in_before_a_preview(client, bones, title):
    article = Article.objects.get(title=title)
    response = client.get(article.get_preview_url())
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={article.get_preview_url()}"


def test_people_without_the_right_cannot_preview(client, bones, staff_without_permission):
    draft = Article.objects.get(title="A draft")
    reader = User.objects.create_user("reader", password="pw-for-tests")
    reader.user_permissions.add(Permission.objects.get(codename="view_article"))
    for user in (staff_without_permission, reader):
        client.force_login(user)
        assert client.get(draft.get_preview_url()).status_code == 403


def test_staff_preview_a_draft_marked_as_such_and_kept_from_search_engines(client, bones, editor):
    client.force_login(editor)
    draft = Article.objects.get(title="A draft")
    response = client.get(draft.get_preview_url())
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    soup = soup_of(response)
    assert " ".join(soup.select_one(".preview-notice").get_text().split()) == (
        "Preview. This is a draft; readers cannot see it."
    )
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex, nofollow"
    assert soup.find("link", rel="canonical") is None
    assert soup.find("script", type="application/ld+json") is None
    assert soup.h1.get_text() == "A draft"
    # Nobody can comment on a draft, so the form is not offered.
    assert soup.select_one("#comments") is None


def test_a_scheduled_preview_says_when_it_goes_live(client, bones, editor):
    client.force_login(editor)
    scheduled = Article.objects.get(title="Next week")
    notice = soup_of(client.get(scheduled.get_preview_url())).select_one(".preview-notice")
    assert "Scheduled for" in notice.get_text()
    assert "readers cannot see it until then" in notice.get_text()


def test_a_preview_of_a_live_article_links_to_the_public_page(client, bones, editor):
    client.force_login(editor)
    live = Article.objects.get(title="Newer")
    notice = soup_of(client.get(live.get_preview_url())).select_one(".preview-notice")
    assert notice.a["href"] == live.get_absolute_url()


def test_a_preview_shows_linked_citations_too(client, editor, make_article):
    draft = make_article(
        slug="cited-draft",
        status=Article.Status.DRAFT,
        published_at=None,
        body_source="Claim (Doe, 2020).",
    )
    Reference.objects.create(
        article=draft,
        position=1,
        label="Doe, 2020",
        authors="Doe, J.",
        year=2020,
        title="T",
        journal="J",
    )
    client.force_login(editor)
    soup = soup_of(client.get(draft.get_preview_url()))
    assert soup.select_one(".prose a.citation")["href"] == "#ref-1"
    assert soup.select_one("li#ref-1 a.backlink")["href"] == "#cite-1-1"


def test_the_admin_view_on_site_opens_the_preview_until_the_article_is_live(admin_client, bones):
    for title, url in [
        ("A draft", Article.get_preview_url),
        ("Next week", Article.get_preview_url),
        ("Newer", Article.get_absolute_url),
    ]:
        article = Article.objects.get(title=title)
        page = soup_of(admin_client.get(f"/admin/blog/article/{article.pk}/change/"))
        assert page.select_one("a.viewsitelink")["href"] == url(article), title


def test_the_admin_shows_citation_problems_on_the_article(admin_client, article):
    Reference.objects.create(
        article=article,
        position=2,
        label="Uncited, 1999",
        authors="U, U.",
        year=1999,
        title="T",
        journal="J",
    )
    article.body_source += "\n\nAnd (Ghost, 2001)."
    article.save()
    page = soup_of(admin_client.get(f"/admin/blog/article/{article.pk}/change/"))
    problems = [li.get_text() for li in page.select(".field-citation_check li")]
    assert problems == [
        "Cited in the text but not in the references: (Ghost, 2001)",
        "In the references but never cited: Uncited, 1999",
    ]


def test_the_admin_edits_tags(admin_client, bones):
    response = admin_client.get("/admin/blog/tag/")
    assert response.status_code == 200
    assert "Bone health" in response.text
