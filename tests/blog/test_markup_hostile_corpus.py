"""Every string of the hostile corpus, through both renderers, comes out inert.

The browser test (tests/e2e/test_hostile_corpus.py) shows the same pages to Chromium; this one
checks each string on its own, fast, with a precise message when one gets through.
"""

from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup

from blog.markup import (
    ARTICLE_TAGS,
    comment_may_hold_a_link,
    render_article_body,
    render_comment_body,
)
from tests.hostile import CORPUS_PATH, hostile_strings

URL_ATTRIBUTES = {"href", "src"}
SAFE_SCHEMES = {"", "http", "https", "mailto"}


def test_the_corpus_has_at_least_300_distinct_strings():
    strings = hostile_strings()
    assert len(strings) >= 300
    assert len(set(strings)) == len(strings), "the corpus repeats itself"


def test_the_corpus_format_is_what_its_header_says():
    from tests.hostile import parse_corpus

    assert parse_corpus("# a comment\n\n<b>x</b>\nesc:a\\nb\\x00\n") == ["<b>x</b>", "a\nb\x00"]
    assert CORPUS_PATH.read_text(encoding="utf-8").startswith("# Hostile strings")


def scheme(url: str) -> str:
    # Browsers drop leading control characters and spaces and ignore tabs and newlines.
    cleaned = "".join(ch for ch in url.strip("\x00 \t\n\r\x0b\x0c") if ch not in "\t\n\r")
    return urlsplit(cleaned).scheme.lower()


@pytest.mark.parametrize("text", hostile_strings())
def test_article_bodies_keep_only_the_allowlist(text):
    soup = BeautifulSoup(render_article_body(text), "html.parser")
    for element in soup.find_all(True):
        assert element.name in ARTICLE_TAGS, element
        for attribute, value in element.attrs.items():
            assert not attribute.lower().startswith("on"), element
            assert attribute.lower() != "style", element
            if attribute in URL_ATTRIBUTES:
                assert scheme(value) in SAFE_SCHEMES, element
        if element.name == "img":
            src = element.get("src", "")
            assert not urlsplit(src).netloc, element


@pytest.mark.parametrize("text", hostile_strings())
def test_comments_are_escaped_text_with_only_nofollow_web_links(text):
    html = render_comment_body(text)
    soup = BeautifulSoup(html, "html.parser")
    for element in soup.find_all(True):
        assert element.name in {"p", "br", "a"}, element
        if element.name == "a":
            assert set(element.attrs) == {"href", "rel"}, element
            assert element["rel"] == ["nofollow", "ugc", "noopener"], element
            assert scheme(element["href"]) in {"http", "https"}, element
        else:
            assert not element.attrs, element
    # Everything typed is still there, as text.
    assert "".join(soup.get_text().split()) == "".join(as_html_text(text).split())


ADDRESS_EDGE_CASES = (
    "see example.com",
    "EXAMPLE.COM, then a.b.example.org/path?q=1",
    "x&example.com and <example.com> and (example.com)",
    "foo@example.com",
    "first line\nexample.com on the second",
    "&amp;example.com &#x65;xample.com exa\u200bmple.com",
    "192.168.0.1 and example.com:8080/",
    "bücher.de and 例え.jp",
    "i.e. 2.5 mg, e.g. twice a day",
    "No address here. Just sentences.",
    "example.\x00com",
)


@pytest.mark.parametrize("text", hostile_strings() + ADDRESS_EDGE_CASES)
def test_a_comment_said_to_hold_no_link_renders_without_one(text):
    """The shortcut the spam check takes (comments/spam.py) never misses a link."""
    if not comment_may_hold_a_link(text):
        assert "<a " not in render_comment_body(text)


def test_the_link_shortcut_tells_addresses_from_plain_sentences():
    assert comment_may_hold_a_link("see example.com")
    assert not comment_may_hold_a_link("No address here. Just sentences, i.e. 2.5 mg.")


def as_html_text(text: str) -> str:
    """What HTML can carry of `text`: C0 control characters, which it forbids, become "?"
    (NUL disappears); tab and line breaks stay."""
    return "".join(
        "" if ch == "\x00" else "?" if ord(ch) < 32 and ch not in "\t\n\r" else ch for ch in text
    )


@pytest.mark.parametrize(
    ("source", "kept_src"),
    [
        ("![chart](/static/chart.png)", "/static/chart.png"),
        ("![chart](chart.png)", "chart.png"),
        ("![chart](https://cdn.example/chart.png)", None),
        ('<img src="//cdn.example/chart.png" alt="chart">', None),
        ('<img src="http://cdn.example/chart.png" alt="chart">', None),
        ('<img src="data:image/png;base64,iVBORw0KGgo=" alt="chart">', None),
    ],
)
def test_article_images_come_from_this_site_only(source, kept_src):
    """The CSP allows images from this site only (img-src 'self'); an off-site address is
    dropped when the article is saved, so the page never asks for what would be blocked."""
    image = BeautifulSoup(render_article_body(source), "html.parser").find("img")
    assert image["alt"] == "chart"
    assert image.get("src") == kept_src
