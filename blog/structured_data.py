"""schema.org descriptions of articles, for search engines (serialised by blog.markup)."""

from blog.models import Article, Reference


def _agent(name: str) -> dict:
    # APA lists people as "Family, I."; a name without a comma is an organisation.
    return {"@type": "Person" if "," in name else "Organization", "name": name}


def scholarly_article(ref: Reference) -> dict:
    """A reference as a ScholarlyArticle, in its journal's issue and volume when known."""
    container: dict = {"@type": "Periodical", "name": ref.journal}
    if ref.volume:
        container = {
            "@type": "PublicationVolume",
            "volumeNumber": ref.volume,
            "isPartOf": container,
        }
    if ref.issue:
        container = {"@type": "PublicationIssue", "issueNumber": ref.issue, "isPartOf": container}
    data = {
        "@type": "ScholarlyArticle",
        "headline": ref.title,
        "name": ref.title,
        "author": [_agent(name) for name in ref.author_names.names],
        "datePublished": str(ref.year),
        "isPartOf": container,
    }
    if ref.pages:
        data["pagination"] = ref.pages
    if ref.doi:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": ref.doi}
        data["sameAs"] = ref.link
    if ref.url:
        data["url"] = ref.url
    return data


def blog_posting(article: Article, *, url: str, site_name: str, site_url: str) -> dict:
    """The article as a BlogPosting; `url` is its canonical address, `site_url` the blog's."""
    site = {"@type": "Organization", "name": site_name, "url": site_url}
    author = {"@type": "Person", "name": article.author_name} if article.author_name else site
    return {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "@id": url,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": article.title,
        "description": article.summary,
        "datePublished": article.published_at.isoformat(),
        "dateModified": article.modified_at.isoformat(),
        "author": author,
        "publisher": site,
        "wordCount": article.word_count,
        "keywords": [tag.name for tag in article.tags.all()],
        "commentCount": article.comment_count,
        "citation": [scholarly_article(ref) for ref in article.references.all()],
    }
