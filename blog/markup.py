"""The one place where stored text becomes HTML.

Article bodies are Markdown written by staff; comments are plain text typed by anyone. Both
leave this module sanitised by bleach against the allowlists below, and nowhere else in the
project marks text as safe.
"""

from urllib.parse import urlsplit

import bleach
import markdown
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe

ARTICLE_TAGS = frozenset(
    {
        "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "h5", "h6", "hr",
        "img", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
        "thead", "tr", "ul",
    }
)  # fmt: skip


def _same_site_image_attribute(tag: str, name: str, value: str) -> bool:
    """Images come from this site only: its Content-Security-Policy (img-src 'self') would
    block any other, so an off-site address is dropped here rather than broken on the page."""
    if name == "src":
        address = urlsplit(value.strip())
        return not address.scheme and not address.netloc
    return name in {"alt", "width", "height"}


ARTICLE_ATTRIBUTES = {
    "a": ["href", "title"],
    "abbr": ["title"],
    "img": _same_site_image_attribute,
    "ol": ["start"],
    "th": ["colspan", "rowspan"],
    "td": ["colspan", "rowspan"],
    **{heading: ["id"] for heading in ("h2", "h3", "h4", "h5", "h6")},
}
ARTICLE_PROTOCOLS = frozenset({"http", "https", "mailto"})

COMMENT_TAGS = frozenset({"p", "br", "a"})
COMMENT_ATTRIBUTES = {"a": ["href", "rel"]}
COMMENT_PROTOCOLS = frozenset({"http", "https"})
COMMENT_LINK_REL = "nofollow ugc noopener"

_article_cleaner = bleach.Cleaner(
    tags=ARTICLE_TAGS, attributes=ARTICLE_ATTRIBUTES, protocols=ARTICLE_PROTOCOLS, strip=True
)
_comment_cleaner = bleach.Cleaner(
    tags=COMMENT_TAGS, attributes=COMMENT_ATTRIBUTES, protocols=COMMENT_PROTOCOLS, strip=True
)


def render_article_body(source: str) -> str:
    """Turn an article's Markdown into sanitised HTML, ready to store and show as is."""
    # "toc" gives every heading an id, so sections can be linked to.
    html = markdown.markdown(source, extensions=["sane_lists", "tables", "toc"])
    return _article_cleaner.clean(html)


def _only_web_links(attrs: dict, new: bool = False) -> dict | None:
    href = attrs.get((None, "href"), "")
    if urlsplit(href).scheme.lower() not in COMMENT_PROTOCOLS:
        return None
    attrs[(None, "rel")] = COMMENT_LINK_REL
    return attrs


def render_comment_body(text: str) -> SafeString:
    """Show a visitor's plain text as paragraphs, escaped, with web addresses made links."""
    paragraphs = linebreaks(text, autoescape=True)
    linked = bleach.linkify(paragraphs, callbacks=[_only_web_links], parse_email=False)
    return mark_safe(_comment_cleaner.clean(linked))
