"""Feeds of published articles, for everything and per tag, in RSS 2.0 and Atom."""

from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from blog.models import Article, Tag

FEED_LENGTH = 20


class ArticleFeed(Feed):
    feed_type = Rss201rev2Feed
    description = "New evidence-based articles on nutrition and health, with their sources."

    def title(self) -> str:
        return settings.SITE_NAME

    def link(self) -> str:
        return reverse("blog:article_list")

    def author_name(self) -> str:
        return settings.SITE_NAME

    def items(self) -> QuerySet[Article]:
        return self.articles()[:FEED_LENGTH]

    def articles(self) -> QuerySet[Article]:
        return (
            Article.objects.published().defer("body_source", "body_html").prefetch_related("tags")
        )

    def item_title(self, article: Article) -> str:
        return article.title

    def item_description(self, article: Article) -> str:
        return article.summary

    def item_pubdate(self, article: Article) -> datetime | None:
        return article.published_at

    def item_updateddate(self, article: Article) -> datetime | None:
        return article.modified_at

    def item_author_name(self, article: Article) -> str:
        return article.author_name or settings.SITE_NAME

    def item_categories(self, article: Article) -> list[str]:
        return [tag.name for tag in article.tags.all()]


class ArticleAtomFeed(ArticleFeed):
    feed_type = Atom1Feed
    subtitle = ArticleFeed.description


class TagFeed(ArticleFeed):
    def get_object(self, request, slug: str) -> Tag:
        return get_object_or_404(Tag.objects.with_published_articles(), slug=slug)

    def title(self, tag: Tag) -> str:
        return f"{tag.name} · {settings.SITE_NAME}"

    def link(self, tag: Tag) -> str:
        return tag.get_absolute_url()

    def description(self, tag: Tag) -> str:
        return f"New articles tagged “{tag.name}”."

    def items(self, tag: Tag) -> QuerySet[Article]:
        return self.articles().filter(tags=tag)[:FEED_LENGTH]


class TagAtomFeed(TagFeed):
    feed_type = Atom1Feed

    def subtitle(self, tag: Tag) -> str:
        return self.description(tag)
