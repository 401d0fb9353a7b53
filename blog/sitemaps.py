from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from blog.models import Article, Tag


class ArticleSitemap(Sitemap):
    def items(self) -> QuerySet[Article]:
        return Article.objects.published().defer("body_source", "body_html")

    def lastmod(self, article: Article) -> datetime | None:
        return article.modified_at


class TagSitemap(Sitemap):
    def items(self) -> QuerySet[Tag]:
        return Tag.objects.with_published_articles()


class PageSitemap(Sitemap):
    def items(self) -> list[str]:
        return ["blog:article_list", "blog:tag_list"]

    def location(self, name: str) -> str:
        return reverse(name)


SITEMAPS = {"pages": PageSitemap, "articles": ArticleSitemap, "tags": TagSitemap}
