"""The sanitiser: hostile article bodies and comments come out inert."""

import pytest
from bs4 import BeautifulSoup

from blog.markup import render_article_body, render_comment_body


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        '<img src="x.png" onerror="alert(1)">',
        "<p onclick='alert(1)'>hi</p>",
        '<a href="javascript:alert(1)">click</a>',
        "[click](javascript:alert(1))",
        '<a href="JaVaScRiPt:alert(1)">click</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
        '<iframe src="https://evil.example"></iframe>',
        "<svg onload=alert(1)>",
        "<style>body{display:none}</style>",
        '<div style="background:url(javascript:alert(1))">x</div>',
    ],
)
def test_article_body_sanitiser_removes_scripts_handlers_and_dangerous_links(source):
    soup = BeautifulSoup(render_article_body(source), "html.parser")
    for element in soup.find_all(True):
        assert element.name not in {"script", "iframe", "svg", "style", "object", "math"}
        for attribute, value in element.attrs.items():
            assert not attribute.lower().startswith("on"), element
            assert attribute.lower() != "style", element
            if attribute in {"href", "src"}:
                scheme = value.strip().lower()
                assert not scheme.startswith(("javascript:", "data:")), element


def test_article_markdown_keeps_headings_emphasis_links_and_typography():
    html = render_article_body(
        "Intro with *Nutrients* and [a link](https://example.org/x).\n\n"
        "## Magnesium’s Role\n\nBody (Sojka & Weaver, 1995)."
    )
    assert '<h2 id="magnesiums-role">Magnesium’s Role</h2>' in html
    assert "<em>Nutrients</em>" in html
    assert '<a href="https://example.org/x">a link</a>' in html
    assert "(Sojka &amp; Weaver, 1995)" in html


def test_comment_html_is_escaped_not_interpreted():
    html = render_comment_body('<script>alert("x")</script><b onmouseover=alert(1)>hi</b>')
    assert "<script" not in html
    assert "<b" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;b onmouseover=alert(1)&gt;" in html


def test_comment_web_addresses_become_nofollow_links():
    html = render_comment_body("See https://example.org/page?a=1&b=2 and www.example.com")
    assert (
        '<a href="https://example.org/page?a=1&amp;b=2" rel="nofollow ugc noopener">'
        "https://example.org/page?a=1&amp;b=2</a>"
    ) in html
    assert '<a href="http://www.example.com" rel="nofollow ugc noopener">' in html


@pytest.mark.parametrize(
    "text",
    ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "ftp://example.org/x"],
)
def test_comment_links_are_only_made_for_web_addresses(text):
    assert "<a " not in render_comment_body(text)


def test_comment_line_breaks_and_paragraphs_are_kept():
    html = render_comment_body("First line\nsecond line\n\nNew paragraph")
    assert html == "<p>First line<br>second line</p>\n\n<p>New paragraph</p>"
