from django import template
from django.conf import settings
from django.urls import reverse

from blog.markup import json_ld_script
from blog.models import Article
from blog.structured_data import blog_posting

register = template.Library()


@register.simple_tag
def site_name() -> str:
    """The site's name from settings alone: for pages rendered without a request (500)."""
    return settings.SITE_NAME


@register.inclusion_tag("blog/article_metadata.html", takes_context=True)
def article_metadata(context: template.Context, article: Article) -> dict:
    """Canonical URL, Open Graph, Twitter card and JSON-LD for an article's <head>.

    A staff preview gets `noindex` instead: it is no page for search engines or sharing.
    """
    if context.get("preview"):
        return {"preview": True}
    request = context["request"]
    url = request.build_absolute_uri(article.get_absolute_url())
    posting = blog_posting(
        article,
        url=url,
        site_name=settings.SITE_NAME,
        site_url=request.build_absolute_uri(reverse("blog:article_list")),
    )
    return {
        "article": article,
        "canonical_url": url,
        "site_name": settings.SITE_NAME,
        "structured_data": json_ld_script(posting),
    }


@register.simple_tag(takes_context=True)
def canonical_url(context: template.Context) -> str:
    """This list page's address without tracking or other query strings, but with its page."""
    request = context["request"]
    page = context.get("page_obj")
    query = f"?page={page.number}" if page is not None and page.number > 1 else ""
    return request.build_absolute_uri(request.path) + query
