from typing import Self

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from blog.markup import render_article_body


class ArticleQuerySet(models.QuerySet):
    def published(self) -> Self:
        """The one rule for what readers may see: published, and not dated in the future."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

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
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when first published; a future date keeps the article hidden until then.",
    )
    updated_at = models.DateTimeField(auto_now=True)
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
        ]
        indexes = [models.Index(fields=["status", "-published_at"], name="article_listing")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.body_html = render_article_body(self.body_source)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        if "update_fields" in kwargs and kwargs["update_fields"] is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html", "published_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("blog:article_detail", kwargs={"slug": self.slug})


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

    class Meta:
        ordering = ["article", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="reference_position"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def title_sentence(self) -> str:
        """The title closed by a full stop, unless it already ends a sentence ('...?')."""
        return self.title if self.title.endswith((".", "?", "!")) else f"{self.title}."

    @property
    def link(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else self.url
