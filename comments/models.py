import ipaddress
from typing import Self

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
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
    # Why the spam defence held this comment or marked it as spam (comments/spam.py), as a list
    # of {"code": ..., "detail": ...}; empty when nothing was suspicious.
    spam_signals = models.JSONField(default=list, blank=True, editable=False)

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


# --- Spam blocklist (comments/spam.py reads it) -----------------------------------------------


class BlocklistEntry(models.Model):
    """A word, email address or IP range whose comments go straight to spam."""

    class Kind(models.TextChoices):
        WORD = "word", "Word or phrase"
        EMAIL = "email", "Email address or @domain"
        IP_RANGE = "ip_range", "IP address or range"

    VALUE_MAX_LENGTH = 254

    kind = models.CharField(max_length=10, choices=Kind)
    value = models.CharField(
        max_length=VALUE_MAX_LENGTH,
        help_text=(
            "A word or phrase (matched as whole words, ignoring case); an email address, or "
            "@example.com for a whole domain; an IP address or a range such as 203.0.113.0/24."
        ),
    )
    note = models.CharField(max_length=200, blank=True, help_text="Why it was added.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["kind", "value"]
        verbose_name = "blocklist entry"
        verbose_name_plural = "blocklist"
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="blocklist_entry_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=["word", "email", "ip_range"]), name="blocklist_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def clean(self) -> None:
        self.value = self.normalised_value(self.kind, self.value)

    @classmethod
    def normalised_value(cls, kind: str, value: str) -> str:
        """The canonical spelling of `value`, or a ValidationError saying how to fix it."""
        value = " ".join(value.split())
        if not value:
            raise ValidationError({"value": "Please enter a value."})
        if kind == cls.Kind.WORD:
            return value.casefold()
        if kind == cls.Kind.EMAIL:
            value = value.casefold()
            try:
                validate_email(f"someone{value}" if value.startswith("@") else value)
            except ValidationError:
                message = "Enter an email address (name@example.com) or a domain (@example.com)."
                raise ValidationError({"value": message}) from None
            return value
        if kind == cls.Kind.IP_RANGE:
            try:
                return str(ipaddress.ip_network(value, strict=False))
            except ValueError:
                raise ValidationError(
                    {"value": "Enter an IP address (203.0.113.7) or a range (203.0.113.0/24)."}
                ) from None
        return value
