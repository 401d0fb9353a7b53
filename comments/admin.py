import json
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.options import ActionLocation
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from blog.admin import ArticleAdmin
from blog.models import Article
from comments import privacy
from comments.models import BlocklistEntry, Comment, CommentStatusChange
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


class ModerationActionForm(ActionForm):
    """The action menu, with an optional reason that goes into each comment's audit trail."""

    reason = forms.CharField(
        label="Reason (optional):",
        required=False,
        max_length=CommentStatusChange.REASON_MAX_LENGTH,
    )


class StatusChangeInline(admin.TabularInline):
    """The comment's audit trail, read-only: it is written by Comment.moderate() alone."""

    model = CommentStatusChange
    verbose_name_plural = "History (every status change)"
    fields = ["changed_at", "from_status", "to_status", "decided_by", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[CommentStatusChange]:
        return super().get_queryset(request).select_related("changed_by")

    @admin.display(description="by")
    def decided_by(self, change: CommentStatusChange) -> str:
        return change.decided_by

    def has_add_permission(self, request: HttpRequest, obj: Comment | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Comment | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Comment | None = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Comment | None = None) -> bool:
        # Whoever may see the comment may see its history.
        return request.user.has_perm("comments.view_comment")


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
    # No date_hierarchy: its drill-down runs SELECT DISTINCT over the date of every matching
    # comment, half a second at 100,000 pending; the "created at" filter above costs nothing.
    # The "of N total" count would scan the whole table on every page load for little use.
    show_full_result_count = False
    ordering = ["-created_at"]
    list_per_page = 50
    actions = [
        "approve",
        "reject",
        "mark_spam",
        "undo_approval",
        "export_authors_comments",
        "erase_authors_comments",
    ]
    action_form = ModerationActionForm
    fields = [
        "article",
        "status",
        "held_because",
        ("author_name", "author_email"),
        "body",
        ("created_at", "ip_address"),
        "user_agent",
        ("moderated_at", "moderated_by"),
        "notify_on_publish",
    ]
    inlines = [StatusChangeInline]

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

    @admin.action(
        permissions=["moderate"],
        description="Undo approval (back to pending)",
        location=BOTH_LOCATIONS,
    )
    def undo_approval(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        approved = queryset.approved()
        skipped = queryset.count() - approved.count()
        self._moderate(
            request, approved, Comment.Status.PENDING, "moved back to pending", "Approval undone"
        )
        if skipped:
            noun = "comment was" if skipped == 1 else "comments were"
            self.message_user(
                request, f"{skipped} {noun} not approved, so left as they were.", messages.WARNING
            )

    def _moderate(
        self,
        request: HttpRequest,
        queryset: QuerySet[Comment],
        status: Comment.Status,
        verb: str,
        default_reason: str = "",
    ) -> None:
        reason = self._reason(request) or default_reason
        with transaction.atomic():
            comments = list(queryset.select_for_update(of=("self",)))
            for comment in comments:
                comment.moderate(status, by=request.user, reason=reason)
        noun = "comment" if len(comments) == 1 else "comments"
        self.message_user(request, f"{len(comments)} {noun} {verb}.", messages.SUCCESS)

    @staticmethod
    def _reason(request: HttpRequest) -> str:
        """The reason typed next to the action, on the change list or on one comment's page."""
        typed = request.POST.get("reason") or request.POST.get(
            f"{ActionLocation.CHANGE_FORM.value}-reason", ""
        )
        return typed.strip()[: CommentStatusChange.REASON_MAX_LENGTH]

    # --- Privacy: a commenter's right to a copy of their data and to erasure ------------------

    def has_privacy_permission(self, request: HttpRequest) -> bool:
        # Personal data of everyone sharing an address: for the site's owners only.
        return request.user.is_active and request.user.is_superuser

    @admin.action(
        permissions=["privacy"], description="Export all comments of these authors' emails (JSON)"
    )
    def export_authors_comments(
        self, request: HttpRequest, queryset: QuerySet[Comment]
    ) -> HttpResponse:
        addresses = set(queryset.values_list("author_email", flat=True))
        document = privacy.export_comments(addresses)
        response = HttpResponse(
            json.dumps(document, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="comments-export-{stamp}.json"'
        return response

    @admin.action(
        permissions=["privacy"], description="Erase all comments of these authors' emails"
    )
    def erase_authors_comments(
        self, request: HttpRequest, queryset: QuerySet[Comment]
    ) -> TemplateResponse | None:
        addresses = sorted({a.lower() for a in queryset.values_list("author_email", flat=True)})
        everything = privacy.comments_of(addresses)
        if request.POST.get("confirm_erasure") == "yes":
            erased = privacy.erase_comments(addresses)
            noun = "comment" if erased == 1 else "comments"
            self.message_user(
                request,
                f"Erased {erased} {noun} of {len(addresses)} email address"
                f"{'es' if len(addresses) != 1 else ''}.",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Erase these authors' comments?",
            "opts": self.opts,
            "addresses": addresses,
            "total": everything.count(),
            "selected": queryset.values_list("pk", flat=True),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/comments/comment/erase_confirmation.html", context)


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
