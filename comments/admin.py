from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from blog.admin import ArticleAdmin
from blog.models import Article
from comments.models import BlocklistEntry, Comment
from comments.permissions import MODERATE_PERMISSION
from comments.spam import Signal

BOTH_LOCATIONS = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


class StatusFilter(admin.SimpleListFilter):
    """Status filter that opens the queue on Pending, with 'All' one click away."""

    title = "status"
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [*Comment.Status.choices, (self.ALL, "All")]

    def value(self) -> str:
        return super().value() or Comment.Status.PENDING

    def queryset(self, request, queryset: QuerySet[Comment]) -> QuerySet[Comment]:
        value = self.value()
        if value == self.ALL:
            return queryset
        if value in Comment.Status.values:
            return queryset.filter(status=value)
        return queryset.none()

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class FlaggedFilter(admin.SimpleListFilter):
    """Comments the spam defence raised a signal about, or not."""

    title = "spam signals"
    parameter_name = "flagged"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:
        return [("yes", "Flagged"), ("no", "Not flagged")]

    def queryset(self, request, queryset: QuerySet[Comment]) -> QuerySet[Comment]:
        if self.value() == "yes":
            return queryset.exclude(spam_signals=[])
        if self.value() == "no":
            return queryset.filter(spam_signals=[])
        return queryset


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = [
        "excerpt",
        "author_name",
        "author_email",
        "article",
        "status",
        "held_because",
        "created_at",
    ]
    list_display_links = ["excerpt"]
    list_filter = [StatusFilter, FlaggedFilter, "article", "created_at"]
    list_select_related = ["article"]
    search_fields = ["author_name", "author_email", "body", "ip_address"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    list_per_page = 50
    actions = ["approve", "reject", "mark_spam"]
    fields = [
        "article",
        "status",
        "held_because",
        ("author_name", "author_email"),
        "body",
        ("created_at", "ip_address"),
        "user_agent",
        ("moderated_at", "moderated_by"),
    ]

    readonly_fields = ["held_because"]

    @admin.display(description="Held because")
    def held_because(self, comment: Comment) -> str:
        """The spam defence's reasons (comments/spam.py), one per line; a dash when none."""
        signals = [Signal.from_json(data) for data in comment.spam_signals]
        if not signals:
            return "–"
        return format_html(
            '<ul class="spam-signals">{}</ul>',
            format_html_join(
                "",
                "<li>{}{}</li>",
                ((s.label, f" ({s.detail})" if s.detail else "") for s in signals),
            ),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Comments come from readers through the site, never from the admin.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Comment | None = None) -> bool:
        # What a visitor wrote is kept as written; moderators only decide its status.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Comment | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(MODERATE_PERMISSION)

    @admin.action(permissions=["moderate"], description="Approve", location=BOTH_LOCATIONS)
    def approve(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        self._moderate(request, queryset, Comment.Status.APPROVED, "approved")

    @admin.action(permissions=["moderate"], description="Reject", location=BOTH_LOCATIONS)
    def reject(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        self._moderate(request, queryset, Comment.Status.REJECTED, "rejected")

    @admin.action(permissions=["moderate"], description="Mark as spam", location=BOTH_LOCATIONS)
    def mark_spam(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        self._moderate(request, queryset, Comment.Status.SPAM, "marked as spam")

    def _moderate(
        self, request: HttpRequest, queryset: QuerySet[Comment], status: Comment.Status, verb: str
    ) -> None:
        with transaction.atomic():
            comments = list(queryset.select_for_update(of=("self",)))
            for comment in comments:
                comment.moderate(status, by=request.user)
        noun = "comment" if len(comments) == 1 else "comments"
        self.message_user(request, f"{len(comments)} {noun} {verb}.", messages.SUCCESS)


@admin.register(BlocklistEntry)
class BlocklistEntryAdmin(admin.ModelAdmin):
    """Words, emails and IP ranges whose comments are marked as spam (comments/spam.py)."""

    list_display = ["value", "kind", "note", "created_at"]
    list_filter = ["kind"]
    search_fields = ["value", "note"]
    ordering = ["kind", "value"]
    fields = ["kind", "value", "note"]


admin.site.unregister(Article)


@admin.register(Article)
class ModeratedArticleAdmin(ArticleAdmin):
    """The blog's article admin, with each article's moderation queue one click away."""

    list_display = [*ArticleAdmin.list_display, "pending_comments"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        pending = Comment.objects.pending().count_per_article()
        return super().get_queryset(request).annotate(pending_count=pending)

    @admin.display(description="Pending comments", ordering="pending_count")
    def pending_comments(self, article: Article) -> str:
        query = urlencode({"status": Comment.Status.PENDING, "article__id__exact": article.pk})
        url = f"{reverse('admin:comments_comment_changelist')}?{query}"
        return format_html('<a href="{}">{}</a>', url, article.pending_count)
