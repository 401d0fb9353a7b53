import ipaddress
from collections.abc import Iterable
from typing import Self

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Upper
from django.dispatch import Signal
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import SafeString

from blog.markup import render_comment_body
from blog.models import Article

# Sent by Comment.moderate() after each recorded change, with `comment` and `change`.
status_changed = Signal()


def refresh_comment_counts(article_ids: Iterable[int]) -> None:
    """Recount the articles' approved comments; this also retires their pages' shared copies.

    One UPDATE with a subquery: concurrent moderators cannot leave a stale count behind.
    """
    Article.objects.filter(pk__in=article_ids).update(
        comment_count=Comment.objects.approved().count_per_article()
    )


class CommentQuerySet(models.QuerySet):
    # What readers see of a comment: changing any of these in bulk changes article pages.
    SHOWN_FIELDS = frozenset({"status", "author_name", "body", "created_at", "article"})

    def update(self, **kwargs) -> int:
        # Saves and deletes refresh the counts through comments/signals.py; a bulk update sends
        # no signal, so it refreshes them itself when it changes anything readers see.
        shown = {field.removesuffix("_id") for field in kwargs} & self.SHOWN_FIELDS
        if not shown:
            return super().update(**kwargs)
        articles = set(self.order_by().values_list("article_id", flat=True).distinct())
        updated = super().update(**kwargs)
        moved_to = kwargs.get("article", kwargs.get("article_id"))
        if moved_to is not None:
            articles.add(getattr(moved_to, "pk", moved_to))
        refresh_comment_counts(articles)
        return updated

    def bulk_create(self, objs: Iterable["Comment"], *args, **kwargs) -> list["Comment"]:
        # No signal either: refresh where approved comments were added.
        created = super().bulk_create(objs, *args, **kwargs)
        refresh_comment_counts(
            {comment.article_id for comment in created if comment.status == Comment.Status.APPROVED}
        )
        return created

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
    notify_on_publish = models.BooleanField(
        "email me when published",
        default=False,
        db_default=False,
        help_text="The commenter asked for one email when the comment is approved.",
    )
    # When the moderators were emailed about this held comment (or it went into a digest).
    moderators_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the commenter was told the comment is published; they are told once at most.
    author_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
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
            # Serves the moderation queue: newest pending first, a page at a time, without
            # sorting every pending comment (and an index-only count of them).
            models.Index(fields=["status", "-created_at"], name="comment_status_newest"),
            # Serve the posting checks (comments/spam.py): flood control looks up a sender's
            # recent comments by email (compared case-insensitively, as iexact does) or by IP
            # address, and the duplicate check an email's comments; without these each post
            # would scan every comment of the last few seconds, thousands when a post goes viral.
            models.Index(Upper("author_email"), "created_at", name="comment_email_date"),
            models.Index(fields=["ip_address", "created_at"], name="comment_ip_date"),
        ]

    def __str__(self) -> str:
        return f"{self.author_name} on {self.article}"

    def get_absolute_url(self) -> str:
        """The comment on its page of the article's thread (approved comments, oldest first)."""
        page = self.thread_page_number()
        query = f"?page={page}" if page > 1 else ""
        return f"{self.article.get_absolute_url()}{query}#comment-{self.pk}"

    def thread_page_number(self, approved_before: int | None = None) -> int:
        """The thread page that shows this comment: where it stands among the approved ones.

        A caller that knows how many approved comments come before it passes `approved_before`
        and spares the count: for a comment just posted, that is all of its article's.
        """
        if approved_before is None:
            approved_before = (
                Comment.objects.approved()
                .filter(article_id=self.article_id)
                .filter(
                    Q(created_at__lt=self.created_at)
                    | Q(created_at=self.created_at, pk__lt=self.pk)
                )
                .count()
            )
        return approved_before // settings.COMMENTS_PER_PAGE + 1

    @cached_property
    def body_html(self) -> SafeString:
        return render_comment_body(self.body)

    @property
    def excerpt(self) -> str:
        return self.body if len(self.body) <= 80 else f"{self.body[:79].rstrip()}…"

    def moderate(
        self, status: "Comment.Status", *, by: AbstractBaseUser | None, reason: str = ""
    ) -> "CommentStatusChange | None":
        """Move the comment to `status`, recording who decided, when, from what and why.

        Every status change goes through here: the admin actions, the review page and automatic
        approval (`by=None`). Returns the recorded change, or None when the status was already
        `status`, which changes and records nothing.
        """
        with transaction.atomic():
            # The status as stored now, locked: another moderator may have decided meanwhile.
            current = (
                Comment.objects.select_for_update().values_list("status", flat=True).get(pk=self.pk)
            )
            if current == status:
                self.status = status
                return None
            self.status = status
            self.moderated_by = by
            self.moderated_at = timezone.now()
            self.save(update_fields=["status", "moderated_by", "moderated_at"])
            change = self.status_changes.create(
                from_status=current,
                to_status=status,
                changed_by=by,
                changed_at=self.moderated_at,
                automatic=by is None,
                reason=reason[: CommentStatusChange.REASON_MAX_LENGTH],
            )
            status_changed.send(sender=Comment, comment=self, change=change)
        return change


class CommentStatusChange(models.Model):
    """One entry of a comment's audit trail, written only by Comment.moderate()."""

    REASON_MAX_LENGTH = 500

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField("from", max_length=10, choices=Comment.Status)
    to_status = models.CharField("to", max_length=10, choices=Comment.Status)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="by",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField("when", default=timezone.now)
    automatic = models.BooleanField(
        default=False, help_text="Decided by a site rule, not a person."
    )
    reason = models.CharField(max_length=REASON_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = "status change"
        constraints = [
            models.CheckConstraint(
                condition=Q(from_status__in=["pending", "approved", "rejected", "spam"])
                & Q(to_status__in=["pending", "approved", "rejected", "spam"]),
                name="comment_status_change_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"

    @property
    def decided_by(self) -> str:
        """Who made the change, as the audit trail shows it."""
        if self.automatic:
            return "automatic"
        return self.changed_by.get_username() if self.changed_by else "a deleted user"


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
