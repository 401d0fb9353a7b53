import hashlib

from django import template
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Window
from django.http import HttpRequest
from django.urls import reverse

from blog.models import Article
from comments.forms import FORM_TIMESTAMP_SLOT, CommentForm
from comments.models import Comment
from comments.moderation import comments_are_open, comments_close_on
from comments.tokens import own_pending_comment_ids

register = template.Library()

THREAD_FIELDS = ("pk", "article_id", "author_name", "body", "created_at")


@register.inclusion_tag("comments/thread.html", takes_context=True)
def comment_thread(context: template.Context, article: Article) -> dict:
    """The approved comments under an article, a page at a time, then the form to leave one.

    A failed post hands its bound form over as `comment_form`, so the visitor's text and the
    errors come back in place; a post refused because comments closed hands back
    `refused_comment`, the text alone.
    """
    request = context.get("request")
    page = thread_page(article, request.GET.get("page") if request else None)
    is_open = comments_are_open(article)
    closes_on = comments_close_on(article)
    # Set while the page is rendered once for every reader (blog/page_cache.py).
    shared_render = context.get("shared_render")
    form = None
    if is_open:
        # Only a failed post renders at this address, so the fragment lands on (and focuses)
        # the error summary; a successful one redirects to the article's #comments instead.
        action = reverse("comments:post", kwargs={"slug": article.slug}) + "#error-summary"
        form = context.get("comment_form") or CommentForm(action=action)
        form.helper.form_action = action
        if shared_render is not None:
            form.fields["rendered_at"].initial = shared_render.slot(FORM_TIMESTAMP_SLOT)
            if closes_on is not None:
                shared_render.valid_until(closes_on)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "messages": context.get("messages"),
        "article": article,
        "comments": page.object_list,
        "comments_fingerprint": thread_fingerprint(page.object_list),
        "page": page,
        "own_pending": own_pending_comments(request, article) if not page.has_next() else [],
        "comments_open": is_open,
        "closes_on": closes_on,
        "refused_comment": context.get("refused_comment"),
        "form": form,
        "privacy": {
            "ip_days": settings.COMMENT_IP_RETENTION_DAYS,
            "purge_days": settings.COMMENT_SPAM_PURGE_DAYS,
            "contact": settings.PRIVACY_CONTACT_EMAIL,
        },
    }


def thread_page(article: Article, requested: str | None) -> Page:
    """One page of approved comments, in one query whatever the thread's length.

    The total comes with the rows (a window count), so paging costs no COUNT query. A page past
    the end (an old link after deletions) shows the last page instead.
    """
    per_page = settings.COMMENTS_PER_PAGE
    # Anything but a sensible page number (junk, 0, absurdly long) means the first page.
    valid = requested and requested.isdigit() and len(requested) <= 6 and int(requested) > 0
    number = int(requested) if valid else 1
    approved = (
        Comment.objects.approved()
        .filter(article=article)
        .only(*THREAD_FIELDS)
        .annotate(thread_total=Window(Count("pk")))
    )
    rows = list(approved[(number - 1) * per_page : number * per_page])
    if not rows and number > 1:
        number = max(1, -(-approved.count() // per_page))
        rows = list(approved[(number - 1) * per_page : number * per_page])
    total = rows[0].thread_total if rows else 0
    page = Paginator(range(total), per_page).page(number)
    page.object_list = rows
    return page


def thread_fingerprint(comments: list[Comment]) -> str:
    """A digest of what the cached list of approved comments shows (comments/thread.html).

    Derived from the rows just read by the approved() query, so the cached HTML always matches
    the page: a comment approved, rejected, edited or deleted (by any route, bulk updates
    included) changes the rows and so the key, and a pending comment is never among the rows.
    Only the slow part is cached: rendering each body (bleach, links) and the markup around it.
    """
    digest = hashlib.sha256()
    for comment in comments:
        fields = (comment.pk, comment.author_name, comment.created_at.isoformat(), comment.body)
        digest.update(repr(fields).encode())
    return digest.hexdigest()


def own_pending_comments(request: HttpRequest | None, article: Article) -> list[Comment]:
    """The pending comments this browser posted here, shown only to it (see comments.tokens)."""
    ids = own_pending_comment_ids(request) if request else []
    if not ids:
        return []
    return list(Comment.objects.pending().filter(article=article, pk__in=ids).only(*THREAD_FIELDS))


@register.simple_tag(takes_context=True)
def pending_comment_count(context: template.Context) -> int:
    """Comments waiting for a moderator, counted once per request for the admin's header."""
    request = context.get("request")
    cached = getattr(request, "_pending_comment_count", None)
    if cached is None:
        cached = Comment.objects.pending().count()
        if request is not None:
            request._pending_comment_count = cached
    return cached
