from enum import Enum, auto

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from blog import page_versions
from blog.models import Article
from comments import spam
from comments.forms import CommentForm, ReviewDecisionForm
from comments.models import Comment
from comments.moderation import comments_are_open, process_new_comment
from comments.permissions import MODERATE_PERMISSION
from comments.tokens import (
    ReviewLinkExpired,
    ReviewLinkInvalid,
    read_review_token,
    remember_own_pending_comment,
)

POSTED_MESSAGE = (
    "Your comment was posted successfully. "
    "We will publish it in a little while, as our blog is moderated."
)
PUBLISHED_MESSAGE = "Thank you: your comment is published."
DUPLICATE_MESSAGE = (
    "We already have this comment from you, so it was not posted twice. "
    "It will appear once a moderator has read it."
)
FLOOD_MESSAGE = (
    "You posted a comment a moment ago. Please wait {seconds} seconds, then press “Post comment” "
    "again: your text is kept below."
)


class Outcome(Enum):
    SAVED = auto()
    DUPLICATE = auto()
    FLOOD = auto()


def post_comment(request: HttpRequest, slug: str) -> HttpResponse:
    # A post that is accepted never needs the article's text; a form shown again loads it.
    article = page_versions.published_article(slug)
    if article is None:
        raise Http404("No article is published at this address.")
    if request.method != "POST":
        return _posting_needs_the_form(request, article)
    if not comments_are_open(article):
        return comments_closed_response(request, article)

    form = CommentForm(request.POST)
    if not form.is_valid():
        return _show_form_again(request, article, form, status=400)

    submission = spam.Submission(
        article=article,
        author_name=form.cleaned_data["author_name"],
        author_email=form.cleaned_data["author_email"],
        body=form.cleaned_data["body"],
        ip_address=spam.client_ip(request),
        honeypot=form.cleaned_data["website"],
        form_age=form.form_age,
    )
    outcome, comment = _save_unless_refused(request, form, submission)
    if outcome is Outcome.FLOOD:
        form.add_error(None, FLOOD_MESSAGE.format(seconds=spam.FLOOD_INTERVAL.seconds))
        response = _show_form_again(request, article, form, status=429)
        response["Retry-After"] = str(spam.FLOOD_INTERVAL.seconds)
        return response
    if outcome is Outcome.DUPLICATE:
        messages.info(request, DUPLICATE_MESSAGE)
        return redirect(f"{article.get_absolute_url()}#comments")
    # The same answer whether the comment is held, pending or quietly marked as spam: a bot
    # learns nothing from it.
    return comment_posted_response(request, comment)


def _save_unless_refused(
    request: HttpRequest, form: CommentForm, submission: spam.Submission
) -> tuple[Outcome, Comment | None]:
    with transaction.atomic():
        spam.lock_for_posting(submission.ip_address, submission.author_email)
        refusal = spam.refusal(submission)
        if refusal is spam.Refusal.DUPLICATE:
            return Outcome.DUPLICATE, None
        if refusal is spam.Refusal.FLOOD:
            return Outcome.FLOOD, None
        signals = spam.evaluate(submission)
        comment = form.save(commit=False)
        comment.article = submission.article
        comment.status = spam.status_for(signals)
        comment.spam_signals = [signal.as_json() for signal in signals]
        comment.ip_address = submission.ip_address
        comment.user_agent = request.headers.get("User-Agent", "")[: Comment.USER_AGENT_MAX_LENGTH]
        comment.save()
        if comment.status == Comment.Status.PENDING:
            process_new_comment(comment)
    return Outcome.SAVED, comment


def _show_form_again(
    request: HttpRequest, article: Article, form: CommentForm, *, status: int
) -> HttpResponse:
    """The article page with the visitor's text and what to fix; nothing typed is lost."""
    form.refresh_timestamp()
    context = {"article": article, "comment_form": form}
    return render(request, "blog/article_detail.html", context, status=status)


def _posting_needs_the_form(request: HttpRequest, article: Article) -> HttpResponse:
    """405 for GET, PUT and the rest: this address only takes the comment form's POST."""
    response = render(request, "comments/post_only.html", {"article": article}, status=405)
    response["Allow"] = "POST"
    return response


# --- After posting: closed articles, and showing the commenter their comment --------------------


def comments_closed_response(request: HttpRequest, article: Article) -> HttpResponse:
    """Refuse the comment kindly: say why, and hand back what the visitor wrote."""
    context = {"article": article, "refused_comment": request.POST.get("body", "")}
    return render(request, "blog/article_detail.html", context, status=403)


def comment_posted_response(request: HttpRequest, comment: Comment) -> HttpResponse:
    if comment.status == Comment.Status.APPROVED:
        messages.success(request, PUBLISHED_MESSAGE)
        return redirect(comment.get_absolute_url())
    messages.success(request, POSTED_MESSAGE)
    # Posted just now, it follows every approved comment, which the article already counts.
    page = comment.thread_page_number(approved_before=comment.article.comment_count)
    query = f"?page={page}" if page > 1 else ""
    response = redirect(f"{comment.article.get_absolute_url()}{query}#comments")
    remember_own_pending_comment(request, response, comment.article, comment.pk)
    return response


# --- Moderators' review page (the link in the moderation email) ---------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def review_comment(request: HttpRequest, token: str) -> HttpResponse:
    """Show a held comment to a signed-in moderator; only the POST buttons change anything.

    Mail scanners and link previews follow links with GET, so GET must never decide.
    """
    try:
        comment_id = read_review_token(token)
    except ReviewLinkExpired:
        return review_link_refused(request, expired=True)
    except ReviewLinkInvalid:
        return review_link_refused(request, expired=False)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if not (request.user.is_active and request.user.has_perm(MODERATE_PERMISSION)):
        raise PermissionDenied("Only moderators can review comments.")

    comment = get_object_or_404(
        Comment.objects.select_related("article", "moderated_by"), pk=comment_id
    )
    form = ReviewDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        change = comment.moderate(form.status, by=request.user, reason=form.cleaned_data["reason"])
        if change is None:
            messages.info(request, f"The comment was already {comment.get_status_display()}.")
        else:
            messages.success(
                request,
                f"Done: {change.get_from_status_display()} → {change.get_to_status_display()}.",
            )
        return redirect(request.path)
    context = {
        "comment": comment,
        "history": comment.status_changes.select_related("changed_by"),
        "form": form,
        "buttons": ReviewDecisionForm.buttons_for(comment.status),
        "admin_url": reverse("admin:comments_comment_change", args=[comment.pk]),
        "queue_url": f"{reverse('admin:comments_comment_changelist')}?status=pending",
    }
    return render(request, "comments/review.html", context, status=400 if form.errors else 200)


def review_link_refused(request: HttpRequest, *, expired: bool) -> HttpResponse:
    context = {
        "expired": expired,
        "queue_url": f"{reverse('admin:comments_comment_changelist')}?status=pending",
    }
    return render(
        request, "comments/review_link_refused.html", context, status=410 if expired else 400
    )
