"""The article page, with everything it makes a browser fetch, fits in 30 KB over the wire.

Measured as production sends it: the static files collected by WhiteNoise's storage (hashed
names, brotli and gzip copies) and served by WhiteNoise's middleware, the HTML compressed with
gzip at level 1 (nginx's default `gzip_comp_level`; the least a proxy would save). The page is
the shipped magnesium article, long and fully referenced, with a full page of comments.
"""

import gzip
import re
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from blog.models import Article
from blog.seed import load_seed_article, seed_files
from comments.models import Comment

BUDGET_BYTES = 30 * 1024
# What a browser fetches on its own while loading a page: styles, icons, images, scripts, frames.
SUBRESOURCE_ATTRIBUTES = {
    "link": "href",
    "img": "src",
    "script": "src",
    "iframe": "src",
    "source": "src",
    "video": "src",
    "audio": "src",
    "embed": "src",
    "object": "data",
}
# Links that are fetched with the page (not alternates, canonical or prefetch hints).
FETCHED_LINK_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest"}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")
CSS_IMPORT = re.compile(r"@import\s+['\"]([^'\"]+)")
NON_SCRIPT_TYPES = {"application/ld+json"}


@pytest.fixture
def production_static(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    # A new client loads the middleware afresh, so WhiteNoise indexes the files just collected.
    return Client()


@pytest.fixture
def long_article(db):
    for path in seed_files():
        load_seed_article(path)
    article = Article.objects.order_by("-word_count").first()
    Comment.objects.bulk_create(
        Comment(
            article=article,
            author_name=f"Reader number {number}",
            author_email=f"reader{number}@example.com",
            body=(
                f"Comment {number}: I started taking magnesium glycinate in the evening after "
                "reading this, and my doctor agreed it was worth trying alongside vitamin D. "
                "Could you say more about how much comes from food?"
            ),
            status=Comment.Status.APPROVED,
        )
        for number in range(settings.COMMENTS_PER_PAGE)
    )
    article.comment_count = settings.COMMENTS_PER_PAGE
    article.save()
    return article


def subresources(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    urls = []
    for tag_name, attribute in SUBRESOURCE_ATTRIBUTES.items():
        for element in soup.find_all(tag_name):
            if tag_name == "link" and not FETCHED_LINK_RELS & set(element.get("rel", [])):
                continue
            if value := element.get(attribute):
                urls.append(value)
    for element in soup.find_all(srcset=True):
        urls.extend(part.split()[0] for part in element["srcset"].split(","))
    for element in soup.find_all(style=True):
        urls.extend(CSS_URL.findall(element["style"]))
    for element in soup.find_all("style"):
        urls.extend(CSS_URL.findall(element.get_text()))
    return urls


def fetch_compressed(client: Client, url: str, encoding: str) -> tuple[int, str, dict]:
    response = client.get(url, HTTP_ACCEPT_ENCODING=encoding)
    assert response.status_code == 200, url
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return len(body), body, response.headers


def test_the_article_page_weighs_at_most_30_kb_compressed_in_all(production_static, long_article):
    client = production_static
    response = client.get(long_article.get_absolute_url())
    assert response.status_code == 200
    html = response.text
    assert html.count('class="comment"') == settings.COMMENTS_PER_PAGE
    transfer = {"HTML (gzip -1)": len(gzip.compress(response.content, compresslevel=1))}

    pending = list(dict.fromkeys(subresources(html)))
    seen = set()
    while pending:
        url = pending.pop(0)
        if url in seen:
            continue
        seen.add(url)
        parts = urlsplit(url)
        assert not parts.netloc, f"third-party request: {url}"
        assert not parts.scheme, f"third-party request: {url}"
        assert parts.path.startswith(settings.STATIC_URL), f"not a static file: {url}"
        size, body, headers = fetch_compressed(client, parts.path, "gzip, deflate, br")
        assert headers["Content-Encoding"] == "br", url
        assert "immutable" in headers["Cache-Control"], url
        assert "max-age=315360000" in headers["Cache-Control"], url
        gzip_size, _, gzip_headers = fetch_compressed(client, parts.path, "gzip")
        assert gzip_headers["Content-Encoding"] == "gzip", url
        assert size <= gzip_size, url
        transfer[url] = size
        if parts.path.endswith(".css"):
            plain = client.get(parts.path, HTTP_ACCEPT_ENCODING="identity")
            css = b"".join(plain.streaming_content).decode()
            base = parts.path.rsplit("/", 1)[0] + "/"
            for reference in CSS_URL.findall(css) + CSS_IMPORT.findall(css):
                if not reference.startswith(("data:", "#")):
                    pending.append(reference if reference.startswith("/") else base + reference)

    assert len(transfer) >= 3, transfer  # the HTML, the stylesheets and the icon
    total = sum(transfer.values())
    assert total <= BUDGET_BYTES, f"{total} bytes over the wire: {transfer}"


def test_the_article_page_needs_no_javascript(client, long_article):
    soup = BeautifulSoup(client.get(long_article.get_absolute_url()).text, "html.parser")
    scripts = [
        script for script in soup.find_all("script") if script.get("type") not in NON_SCRIPT_TYPES
    ]
    assert scripts == []
    handlers = [
        (element.name, attribute)
        for element in soup.find_all(True)
        for attribute in element.attrs
        if attribute.startswith("on")
    ]
    assert handlers == []
    assert not soup.select('a[href^="javascript:"]')
    # The comment form posts as a plain HTML form.
    form = soup.select_one("form.comment-form, #comment-form, form[action*='comments']")
    assert form is not None
    assert form.get("method", "").lower() == "post"
