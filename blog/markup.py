"""The one place where stored text becomes HTML.

Article bodies are Markdown written by staff; comments are plain text typed by anyone. Both
leave this module sanitised by bleach against the allowlists below, and nowhere else in the
project marks text as safe.
"""

import functools
import html
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import urlsplit

import bleach
import markdown
from django.core.serializers.json import DjangoJSONEncoder
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


def comment_may_hold_a_link(text: str) -> bool:
    """False only if `render_comment_body` would make no link of `text`, found without
    rendering it (which parses it as HTML: most of a comment's cost when posted).

    linkify links only what its address pattern finds in the text, and the escaping and
    paragraphs around it take no character away that an address could be made of. The HTML
    parser does drop NUL characters, joining what was either side ("example.\x00com").
    """
    return bleach.linkifier.URL_RE.search(text.replace("\x00", "")) is not None


# --- Citations ---------------------------------------------------------------------------------
# An in-text author-year citation, "(Rosen et al., 2012)" or "(Sojka & Weaver, 1995; Dai et al.,
# 2014)", becomes a link to its entry in the reference list, matched by the reference's in-text
# label; the entry links back to every place that cites it.
#
# References are rows of their own, edited after the article (admin inlines), loaded in bulk
# (the seed) or changed without the article being saved at all. Links stored in body_html would
# go stale on any of those paths, so they are added when the page is shown, from the stored
# sanitised body and the current labels, by one pure function whose results are memoised.

REFERENCE_ID = "ref-{number}"
CITATION_ID = "cite-{number}-{occurrence}"
CITATION_LINK_CLASS = "citation"
CITATION_CACHE_SIZE = 256

_CITATION_ID = re.compile(r"cite-[0-9]+-[1-9][0-9]*")
# bleach writes every attribute value in double quotes, so a ">" inside one is no tag end.
_TAG = re.compile(r'<(?:[^>"]|"[^"]*")*>')
_TAG_NAME = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")
_NO_CITATIONS_INSIDE = frozenset({"a", "code", "pre"})
_PARENTHESES = re.compile(r"\(([^()]*)\)")
# "(Rosen et al., 2012, p. 4)": the page or section locator stays outside the link.
_LOCATOR = re.compile(r",\s*(?:pp?\.|paras?\.|chap\.|sec\.|§)\s*[^,]*$", re.IGNORECASE)
_YEAR_AT_END = re.compile(r",?\s+(?:[0-9]{4}[a-z]?|n\.d\.)\s*$")


@dataclass(frozen=True)
class CitedBody:
    """An article body with its citations linked, and what the linking found."""

    html: str  # sanitised; the article template shows it with the project's one |safe
    citing_ids: Mapping[int, tuple[str, ...]]  # reference number -> ids of the links citing it
    unmatched: tuple[str, ...]  # citations, as written, that name no reference

    def ids_citing(self, number: int) -> tuple[str, ...]:
        return self.citing_ids.get(number, ())

    def uncited(self, references: Iterable[tuple[str, int]]) -> tuple[str, ...]:
        """The labels of those `references` (label, number) that no citation links to."""
        return tuple(label for label, number in references if number not in self.citing_ids)


def _label_pattern(label: str) -> re.Pattern[str]:
    """Match `label` at the end of a citation, forgiving spacing, case, '&' for 'and', and a
    missing full stop after 'et al' or comma before the year."""
    words = []
    for word in label.split():
        comma = ",?" if word.endswith(",") else ""
        word = word.removesuffix(",")
        if word in {"&", "and"}:
            words.append("(?:&|and)")
        elif word == "al.":
            words.append(r"al\.?" + comma)
        else:
            words.append(re.escape(word) + comma)
    return re.compile(rf"(?:^|(?<=\s))(?P<label>{r'\s+'.join(words)})\s*$", re.IGNORECASE)


def _citation_shape(part: str) -> str | None:
    """The 'Author, Year' in a part of a parenthesis that names no known reference, if any.

    Lower-case lead-ins ("see", "e.g.,", "cf.") are not part of it; the author starts at the
    first capitalised word.
    """
    words = part.split()
    for index, word in enumerate(words):
        if word[0].isupper():
            candidate = " ".join(words[index:])
            return candidate if _YEAR_AT_END.search(candidate) else None
        if not word[0].isalpha():
            return None
    return None


class _CitationLinker:
    def __init__(self, references: tuple[tuple[str, int], ...]) -> None:
        # The longest label first, so "Smith & Jones, 2020" wins over "Jones, 2020".
        by_length = sorted(references, key=lambda pair: len(pair[0]), reverse=True)
        self.patterns = [(_label_pattern(label), number) for label, number in by_length if label]
        self.citing_ids: dict[int, list[str]] = {}
        self.unmatched: list[str] = []

    def link(self, body_html: str) -> str:
        pieces, position, depth = [], 0, 0
        for tag in _TAG.finditer(body_html):
            text = body_html[position : tag.start()]
            pieces.append(self._link_text(text) if depth == 0 else text)
            name = _TAG_NAME.match(tag.group())
            if name and name[2].lower() in _NO_CITATIONS_INSIDE:
                depth = max(0, depth - 1) if name[1] else depth + 1
            pieces.append(tag.group())
            position = tag.end()
        tail = body_html[position:]
        pieces.append(self._link_text(tail) if depth == 0 else tail)
        return "".join(pieces)

    def _link_text(self, escaped_text: str) -> str:
        return _PARENTHESES.sub(self._link_parenthesis, escaped_text)

    def _link_parenthesis(self, match: re.Match[str]) -> str:
        parts = re.split(r"(;)", html.unescape(match[1]))
        linked = [part if part == ";" else self._link_part(part) for part in parts]
        if all(part is None or part == ";" for part in linked):
            return match[0]  # no citation of a known reference: leave the text exactly as it was
        rebuilt = (
            html_link if html_link is not None else html.escape(part, quote=False)
            for part, html_link in zip(parts, linked, strict=True)
        )
        return f"({''.join(rebuilt)})"

    def _link_part(self, part: str) -> str | None:
        locator = _LOCATOR.search(part)
        cited = part[: locator.start()] if locator else part
        for pattern, number in self.patterns:
            found = pattern.search(cited)
            if found is None:
                continue
            ids = self.citing_ids.setdefault(number, [])
            citation_id = CITATION_ID.format(number=number, occurrence=len(ids) + 1)
            ids.append(citation_id)
            start, end = found.span("label")
            return (
                f"{html.escape(part[:start], quote=False)}"
                f'<a class="{CITATION_LINK_CLASS}" href="#{REFERENCE_ID.format(number=number)}"'
                f' id="{citation_id}">{html.escape(part[start:end], quote=False)}</a>'
                f"{html.escape(part[end:], quote=False)}"
            )
        if (shape := _citation_shape(cited)) is not None:
            self.unmatched.append(" ".join(shape.split()))
        return None


def _allow_article_link_attribute(tag: str, name: str, value: str) -> bool:
    """The article allowlist for links, plus the id and class a citation link carries."""
    if name in ARTICLE_ATTRIBUTES.get("a", ()):
        return True
    if name == "id":
        return _CITATION_ID.fullmatch(value) is not None
    return name == "class" and value == CITATION_LINK_CLASS


_cited_body_cleaner = bleach.Cleaner(
    tags=ARTICLE_TAGS,
    attributes={**ARTICLE_ATTRIBUTES, "a": _allow_article_link_attribute},
    protocols=ARTICLE_PROTOCOLS,
    strip=True,
)


@functools.lru_cache(maxsize=CITATION_CACHE_SIZE)
def link_citations(body_html: str, references: tuple[tuple[str, int], ...]) -> CitedBody:
    """Link the citations in a rendered article body to the references (label, number).

    The result passes the article allowlist once more, which admits ids and classes on links
    only in the forms made here, and is memoised: an unchanged body with unchanged labels
    costs one dictionary lookup.
    """
    linker = _CitationLinker(references)
    linked = _cited_body_cleaner.clean(linker.link(body_html))
    return CitedBody(
        html=linked,
        citing_ids=MappingProxyType({n: tuple(ids) for n, ids in linker.citing_ids.items()}),
        unmatched=tuple(linker.unmatched),
    )


# --- Structured data ---------------------------------------------------------------------------

# As django.utils.html.json_script: no value can close the script element or open a comment.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld_script(data: dict) -> SafeString:
    """schema.org data as a JSON-LD script element, escaped like Django's json_script."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(
        f'<script type="application/ld+json">{payload.translate(_JSON_SCRIPT_ESCAPES)}</script>'
    )
