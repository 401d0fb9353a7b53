import hashlib
import math
import re
import secrets
from datetime import datetime
from typing import Self

from django.db import connections, models
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import strip_tags

from blog.citations import AuthorList, split_authors
from blog.markup import CitedBody, link_citations, render_article_body

DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


def new_page_version() -> str:
    """A fresh `Article.page_version`: random, so concurrent writers never agree on one."""
    return secrets.token_hex(8)


class ShownOnArticlesQuerySet(models.QuerySet):
    """Rows that article pages show (tags, references). Saves and deletes of single rows replace
    the pages' versions in the models; a bulk update or delete sends no signal, so it does here.
    """

    def _article_ids(self) -> list[int]:
        """The articles whose pages show these rows."""
        raise NotImplementedError

    def _article_ids_moved_to(self, changes: dict) -> list[int]:
        """The articles that an update moves these rows to, if it can."""
        return []

    def update(self, **kwargs) -> int:
        articles = self._article_ids()
        updated = super().update(**kwargs)
        articles += self._article_ids_moved_to(kwargs)
        Article.objects.filter(pk__in=articles).page_changed()
        return updated

    def delete(self) -> tuple[int, dict[str, int]]:
        articles = self._article_ids()
        deleted = super().delete()
        Article.objects.filter(pk__in=articles).page_changed()
        return deleted


class TagQuerySet(ShownOnArticlesQuerySet):
    def _article_ids(self) -> list[int]:
        return list(Article.objects.filter(tags__in=self).values_list("pk", flat=True).distinct())

    def with_published_articles(self) -> Self:
        """Tags that readers can see articles under, each with `published_count`."""
        published = Q(articles__in=Article.objects.published())
        # Meta.ordering does not apply to an aggregating query: order again.
        return (
            self.annotate(published_count=Count("articles", filter=published))
            .filter(published_count__gt=0)
            .order_by("name")
        )


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)
    slug = models.SlugField(max_length=50, unique=True)

    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        Article.objects.filter(tags=self).page_changed()

    def get_absolute_url(self) -> str:
        return reverse("blog:tag_detail", kwargs={"slug": self.slug})

    def delete(self, *args, **kwargs) -> tuple[int, dict[str, int]]:
        articles = Tag.objects.filter(pk=self.pk)._article_ids()
        deleted = super().delete(*args, **kwargs)
        Article.objects.filter(pk__in=articles).page_changed()
        return deleted


class ArticleQuerySet(models.QuerySet):
    def published(self) -> Self:
        """The one rule for what readers may see: published, and not dated in the future."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def published_or_scheduled(self) -> Self:
        """Articles readers see now or will see when their date comes, with no one saving them."""
        return self.filter(status=Article.Status.PUBLISHED)

    def update(self, **kwargs) -> int:
        # Whatever changes an article's row may change its page: a bulk update retires the
        # shared copies too (blog/page_cache.py), however it was made.
        kwargs.setdefault("page_version", new_page_version())
        return super().update(**kwargs)

    def page_version_at(self, slug: str) -> tuple[int, str] | None:
        """The id and `page_version` of the article at `slug`, published or not.

        For blog/page_versions.py, on a reader's request. In SQL, because there the ORM's
        building of even this query cost ten times the query itself (0.15 against 0.02 ms,
        measured on SQLite): the largest part of serving a shared page.
        """
        meta = Article._meta
        quote = connections[self.db].ops.quote_name
        columns = (meta.pk.column, meta.get_field("page_version").column)
        sql = (
            f"SELECT {quote(columns[0])}, {quote(columns[1])} FROM {quote(meta.db_table)} "
            f"WHERE {quote(meta.get_field('slug').column)} = %s"
        )
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, [slug])
            return cursor.fetchone()

    def page_changed(self) -> int:
        """Retire the shared copies of these articles' pages: something they show has changed.

        Called after the change is stored, never before: a reader who sees the new version
        then reads the new content too, so no copy of the old content is kept under it.
        """
        return self.update(page_version=new_page_version())


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    # Adults read non-fiction silently at about 240 words a minute; a little slower suits a text
    # whose sources the reader glances at.
    READING_WORDS_PER_MINUTE = 220

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(
        max_length=300,
        help_text="One or two sentences for the blog index and search engines.",
    )
    body_source = models.TextField(
        "body",
        help_text="Markdown: ## for a heading, *italics*, **bold**, [text](https://...) links.",
    )
    body_html = models.TextField(editable=False)
    author_name = models.CharField(
        "author",
        max_length=120,
        blank=True,
        help_text="The byline. Leave blank to credit the site.",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when first published; a future date keeps the article hidden until then.",
    )
    revised_at = models.DateTimeField(
        "last revised",
        null=True,
        blank=True,
        help_text=(
            "Set when you change what a published article says; readers then see "
            "“Updated” with this date. Leave it alone for typo fixes."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)
    word_count = models.PositiveIntegerField(default=0, editable=False)
    comments_open = models.BooleanField(
        "comments open",
        default=True,
        db_default=True,
        help_text=(
            "Untick to stop new comments; the ones already published stay. Comments also close "
            "by themselves some days after publication when the site is configured to."
        ),
    )
    comment_count = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Approved comments, kept current by the comments app.",
    )
    # Replaced by every change to anything the public page shows (the article, its references
    # and tags, its approved comments): the key of the page's shared copy (blog/page_cache.py).
    page_version = models.CharField(max_length=16, default=new_page_version, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]), name="article_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="article_published_has_date",
            ),
            models.CheckConstraint(
                condition=Q(revised_at__isnull=True) | Q(revised_at__gte=F("published_at")),
                name="article_revised_after_published",
                violation_error_message="The last revision cannot come before publication.",
            ),
        ]
        indexes = [models.Index(fields=["status", "-published_at"], name="article_listing")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.body_html = render_article_body(self.body_source)
        self.word_count = len(strip_tags(self.body_html).split())
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        self.page_version = new_page_version()
        if "update_fields" in kwargs and kwargs["update_fields"] is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "body_html",
                "word_count",
                "published_at",
                "page_version",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("blog:article_detail", kwargs={"slug": self.slug})

    def get_preview_url(self) -> str:
        return reverse("blog:article_preview", kwargs={"slug": self.slug})

    @property
    def reading_minutes(self) -> int:
        return max(1, math.ceil(self.word_count / self.READING_WORDS_PER_MINUTE))

    @property
    def modified_at(self) -> datetime | None:
        """When what the article says last changed: its revision, else its publication."""
        if self.revised_at and (self.published_at is None or self.revised_at > self.published_at):
            return self.revised_at
        return self.published_at

    @property
    def shows_revision(self) -> bool:
        """Whether "Updated" is worth saying: revised on a later day than it was published."""
        if not (self.revised_at and self.published_at):
            return False
        return timezone.localdate(self.revised_at) > timezone.localdate(self.published_at)

    @property
    def body_fingerprint(self) -> str:
        """A digest of all the cached body fragment shows: body, references, slug (in links).

        The fragment's cache key (templates/blog/article_detail.html) is derived from the
        content itself, so any change, by save(), the admin or a bulk update(), gives a new key
        and the next reader sees it: nothing to invalidate, nothing to forget. Expects the
        references prefetched, as the article views do.
        """
        digest = hashlib.sha256(repr((self.slug, self.body_html)).encode())
        for ref in self.references.all():
            fields = (ref.pk, ref.position, ref.label, ref.authors, ref.year, ref.title)
            more = (ref.journal, ref.volume, ref.issue, ref.pages, ref.doi, ref.url)
            digest.update(repr((*fields, *more)).encode())
        return digest.hexdigest()

    @cached_property
    def cited_body(self) -> CitedBody:
        """The body with each citation linked to its reference (see blog.markup)."""
        labels = tuple((ref.label, ref.position) for ref in self.references.all())
        return link_citations(self.body_html, labels)

    @cached_property
    def cited_references(self) -> list[tuple["Reference", tuple[str, ...]]]:
        """Each reference with the ids of the places in the body that cite it."""
        return [(ref, self.cited_body.ids_citing(ref.position)) for ref in self.references.all()]


class ReferenceQuerySet(ShownOnArticlesQuerySet):
    def _article_ids(self) -> list[int]:
        return list(self.order_by().values_list("article_id", flat=True).distinct())

    def _article_ids_moved_to(self, changes: dict) -> list[int]:
        moved_to = changes.get("article", changes.get("article_id"))
        return [] if moved_to is None else [getattr(moved_to, "pk", moved_to)]


class Reference(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="references")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(
        "in-text label", max_length=120, help_text="As cited in the text: Rosen et al., 2012"
    )
    authors = models.CharField(max_length=500)
    year = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=500)
    journal = models.CharField(max_length=200)
    volume = models.CharField(max_length=20, blank=True)
    issue = models.CharField(max_length=20, blank=True)
    pages = models.CharField(max_length=40, blank=True)
    doi = models.CharField("DOI", max_length=200, blank=True, help_text="10.xxxx/..., no prefix")
    url = models.URLField("URL", blank=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["article", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="reference_position"),
        ]

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        Article.objects.filter(pk=self.article_id).page_changed()

    def delete(self, *args, **kwargs) -> tuple[int, dict[str, int]]:
        deleted = super().delete(*args, **kwargs)
        Article.objects.filter(pk=self.article_id).page_changed()
        return deleted

    def clean(self) -> None:
        # A pasted "https://doi.org/10.1000/x" or "doi:10.1000/x" is the DOI 10.1000/x.
        self.doi = DOI_PREFIX.sub("", self.doi.strip())

    @property
    def title_sentence(self) -> str:
        """The title closed by a full stop, unless it already ends a sentence ('...?')."""
        return self.title if self.title.endswith((".", "?", "!")) else f"{self.title}."

    @property
    def link(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else self.url

    @property
    def author_names(self) -> AuthorList:
        return split_authors(self.authors)
