"""Feeds, sitemap, robots.txt and page metadata let search engines and readers find articles."""

import json
import xml.etree.ElementTree as ET
from datetime import timedelta

import feedparser
import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.utils import timezone

from blog.models import Article, Tag
from comments.models import Comment

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def tagged(make_article) -> dict[str, Article]:
    """Two visible articles (one tagged), a draft and a scheduled one with the same tag."""
    now = timezone.now()
    bones = Tag.objects.create(name="Bones", slug="bones")
    visible = make_article(
        title="Visible & tagged", slug="visible", published_at=now - timedelta(days=2)
    )
    visible.tags.add(bones)
    other = make_article(title="Untagged", slug="untagged", published_at=now - timedelta(days=1))
    draft = make_article(
        title="Draft", slug="draft", status=Article.Status.DRAFT, published_at=None
    )
    scheduled = make_article(
        title="Scheduled", slug="scheduled", published_at=now + timedelta(days=1)
    )
    draft.tags.add(bones)
    scheduled.tags.add(bones)
    return {"visible": visible, "other": other, "draft": draft, "scheduled": scheduled}


def parse_feed(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return response, feed


@pytest.mark.parametrize(
    ("url", "version", "content_type"),
    [
        ("/feed/", "rss20", "application/rss+xml; charset=utf-8"),
        ("/feed/atom/", "atom10", "application/atom+xml; charset=utf-8"),
    ],
)
def test_feeds_list_published_articles_newest_first(client, tagged, url, version, content_type):
    response, feed = parse_feed(client, url)
    assert response["Content-Type"] == content_type
    assert feed.version == version
    assert feed.feed.title == "Health Journal"
    assert [entry.title for entry in feed.entries] == ["Untagged", "Visible & tagged"]
    visible = feed.entries[1]
    assert visible.link == "http://testserver/blog/visible/"
    assert visible.summary == "What vitamin K2 does for calcium."
    assert visible.published_parsed[:3] == tagged["visible"].published_at.timetuple()[:3]
    assert [tag.term for tag in visible.tags] == ["Bones"]
    assert visible.author == "Health Journal"


@pytest.mark.parametrize("url", ["/tags/bones/feed/", "/tags/bones/feed/atom/"])
def test_a_tag_feed_lists_only_that_tags_published_articles(client, tagged, url):
    _, feed = parse_feed(client, url)
    assert feed.feed.title == "Bones · Health Journal"
    assert feed.feed.link == "http://testserver/tags/bones/"
    assert [entry.title for entry in feed.entries] == ["Visible & tagged"]


def test_feeds_of_unknown_or_unpublished_tags_are_not_found(client, tagged):
    Tag.objects.create(name="Only drafts", slug="only-drafts").articles.add(tagged["draft"])
    assert client.get("/tags/nope/feed/").status_code == 404
    assert client.get("/tags/only-drafts/feed/atom/").status_code == 404


def test_pages_advertise_the_feeds(client, tagged):
    soup = BeautifulSoup(client.get("/tags/bones/").content, "html.parser")
    alternates = {link["href"] for link in soup.select('link[rel="alternate"]')}
    assert alternates == {"/feed/", "/feed/atom/", "/tags/bones/feed/", "/tags/bones/feed/atom/"}


def test_sitemap_lists_the_visible_pages_only(client, tagged):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    urls = {
        url.findtext("sm:loc", namespaces=SITEMAP_NS): url.findtext(
            "sm:lastmod", namespaces=SITEMAP_NS
        )
        for url in root.findall("sm:url", SITEMAP_NS)
    }
    assert set(urls) == {
        "http://testserver/",
        "http://testserver/tags/",
        "http://testserver/blog/visible/",
        "http://testserver/blog/untagged/",
        "http://testserver/tags/bones/",
    }
    assert (
        urls["http://testserver/blog/visible/"] == tagged["visible"].published_at.date().isoformat()
    )


def test_robots_txt_points_at_the_sitemap_and_keeps_previews_out(client, tagged):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.text.splitlines()
    assert lines[0] == "User-agent: *"
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    disallowed = [line.removeprefix("Disallow: ") for line in lines if line.startswith("Disallow:")]
    assert disallowed == ["/preview/"]
    assert tagged["draft"].get_preview_url().startswith(disallowed[0])
    assert client.get("/sitemap.xml").status_code == 200


def article_head(client, article: Article) -> BeautifulSoup:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").head


def meta(head: BeautifulSoup, key: str) -> str:
    tag = head.find("meta", attrs={"property": key}) or head.find("meta", attrs={"name": key})
    return tag["content"]


def test_the_article_head_has_canonical_description_open_graph_and_twitter_card(client, tagged):
    article = tagged["visible"]
    head = article_head(client, article)
    url = "http://testserver/blog/visible/"
    assert head.find("link", rel="canonical")["href"] == url
    assert meta(head, "description") == article.summary
    assert meta(head, "og:type") == "article"
    assert meta(head, "og:title") == "Visible & tagged"
    assert meta(head, "og:description") == article.summary
    assert meta(head, "og:url") == url
    assert meta(head, "og:site_name") == "Health Journal"
    assert meta(head, "article:published_time") == article.published_at.isoformat()
    assert meta(head, "article:tag") == "Bones"
    assert meta(head, "twitter:card") == "summary"
    assert meta(head, "twitter:title") == "Visible & tagged"
    assert head.find("meta", attrs={"name": "robots"}) is None


def json_ld(client, article: Article) -> dict:
    scripts = article_head(client, article).find_all("script", type="application/ld+json")
    assert len(scripts) == 1
    return json.loads(scripts[0].string)


def test_json_ld_describes_the_seed_article_with_its_citations(client, db):
    call_command("load_seed_articles", verbosity=0)
    article = Article.objects.get()
    data = json_ld(client, article)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == article.title
    assert data["datePublished"] == "2026-11-23T09:00:00+00:00"
    assert data["dateModified"] == "2026-11-23T09:00:00+00:00"
    assert data["author"] == {
        "@type": "Organization",
        "name": "Health Journal",
        "url": "http://testserver/",
    }
    assert data["commentCount"] == 0
    assert data["keywords"] == ["Bone health", "Magnesium", "Osteoporosis"]
    assert data["wordCount"] == article.word_count > 400
    citations = data["citation"]
    assert len(citations) == 6
    assert all(citation["@type"] == "ScholarlyArticle" for citation in citations)
    rosen = citations[2]
    assert (
        rosen["headline"]
        == "IOM committee members respond to endocrine society vitamin D guideline"
    )
    assert rosen["datePublished"] == "2012"
    assert rosen["author"][0] == {"@type": "Person", "name": "Rosen, C. J."}
    assert rosen["pagination"] == "1146-1152"
    assert rosen["isPartOf"] == {
        "@type": "PublicationIssue",
        "issueNumber": "4",
        "isPartOf": {
            "@type": "PublicationVolume",
            "volumeNumber": "97",
            "isPartOf": {
                "@type": "Periodical",
                "name": "The Journal of Clinical Endocrinology & Metabolism",
            },
        },
    }
    assert "sameAs" not in rosen
    assert "identifier" not in rosen


def test_json_ld_counts_approved_comments_only_and_names_an_author(client, article, make_comment):
    make_comment(article, status=Comment.Status.APPROVED)
    make_comment(article, status=Comment.Status.PENDING)
    make_comment(article, status=Comment.Status.SPAM)
    Article.objects.filter(pk=article.pk).update(author_name="Dr Ada Byline")
    article.refresh_from_db()
    data = json_ld(client, article)
    assert data["commentCount"] == 1
    assert data["author"] == {"@type": "Person", "name": "Dr Ada Byline"}


def test_a_reference_doi_appears_in_json_ld_as_identifier(client, article):
    article.references.update(doi="10.1000/xyz")
    citation = json_ld(client, article)["citation"][0]
    assert citation["identifier"] == {
        "@type": "PropertyValue",
        "propertyID": "DOI",
        "value": "10.1000/xyz",
    }
    assert citation["sameAs"] == "https://doi.org/10.1000/xyz"


def test_json_ld_cannot_be_broken_out_of_by_a_title(client, make_article):
    hostile = 'Bones </script><script>alert("x")</script> & <!-- more'
    article = make_article(title=hostile, summary="</script>")
    html = client.get(article.get_absolute_url()).text
    assert "<script>alert" not in html
    script = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in script
    assert ">" not in script
    assert json.loads(script)["headline"] == hostile


def test_the_index_canonical_url_keeps_the_page_but_drops_other_query_strings(client, make_article):
    for day in range(11):
        make_article(published_at=timezone.now() - timedelta(days=day + 1))
    first = BeautifulSoup(client.get("/?utm_source=x").content, "html.parser")
    assert first.find("link", rel="canonical")["href"] == "http://testserver/"
    second = BeautifulSoup(client.get("/?page=2&utm_source=x").content, "html.parser")
    assert second.find("link", rel="canonical")["href"] == "http://testserver/?page=2"


def test_the_article_body_is_the_only_thing_templates_mark_safe():
    # The body comes sanitised from blog.markup; the JSON-LD is escaped there too.
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "templates"
    lines = [
        (path.name, line.strip())
        for path in templates.rglob("*.html")
        for line in path.read_text().splitlines()
        if "|safe" in line
    ]
    assert lines == [("article_detail.html", "{{ article.cited_body.html|safe }}")]
