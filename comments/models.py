from typing import Self

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString

from blog.markup import render_comment_body
from blog.models import Article


class CommentQuerySet(models.QuerySet):
    def approved(self) -> Self:
        """The one rule for what readers may see."""
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self) -> Self:
        return self.filter(status=Comment.Status.PENDING)

    def count_per_article(self) -> Coalesce:
        """How many of these comments each article has, to annotate an Article queryset."""
        counts = (
            self.filter(article=OuterRef("pk"))
            .order_by()
            .values("article")
            .annotate(total=Count("pk"))
            .values("total")
        )
        return Coalesce(Subquery(counts), 0)


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        SPAM = "spam", "Spam"

    NAME_MAX_LENGTH = 100
    EMAIL_MAX_LENGTH = 254
    BODY_MAX_LENGTH = 5000
    USER_AGENT_MAX_LENGTH = 500

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    author_name = models.CharField("name", max_length=NAME_MAX_LENGTH)
    author_email = models.EmailField("email", max_length=EMAIL_MAX_LENGTH)
    body = models.TextField("comment", max_length=BODY_MAX_LENGTH)
    status = models.CharField(
        max_length=10, choices=Status, default=Status.PENDING, db_default=Status.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.CharField(max_length=USER_AGENT_MAX_LENGTH, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        permissions = [("moderate_comment", "Can approve, reject and mark comments as spam")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "rejected", "spam"]),
                name="comment_status_valid",
            ),
        ]
        indexes = [
            # Serves the article page: approved comments of one article, oldest first.
            models.Index(
                fields=["article", "status", "created_at"], name="comment_article_status_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author_name} on {self.article}"

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"

    @cached_property
    def body_html(self) -> SafeString:
        return render_comment_body(self.body)

    @property
    def excerpt(self) -> str:
        return self.body if len(self.body) <= 80 else f"{self.body[:79].rstrip()}…"

    def moderate(self, status: "Comment.Status", *, by: AbstractBaseUser) -> None:
        """Move the comment to `status`, recording who decided and when.

        Every status change goes through here: the admin actions and any view.
        """
        with transaction.atomic():
            self.status = status
            self.moderated_by = by
            self.moderated_at = timezone.now()
            self.save(update_fields=["status", "moderated_by", "moderated_at"])
