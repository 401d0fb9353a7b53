from enum import Enum, auto

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from blog.models import Article
from comments import spam
from comments.forms import CommentForm
from comments.models import Comment

POSTED_MESSAGE = (
    "Your comment was posted successfully. "
    "We will publish it in a little while, as our blog is moderated."
)
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
    article = get_object_or_404(Article.objects.published(), slug=slug)
    if request.method != "POST":
        return _posting_needs_the_form(request, article)

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
    outcome = _save_unless_refused(request, form, submission)
    if outcome is Outcome.FLOOD:
        form.add_error(None, FLOOD_MESSAGE.format(seconds=spam.FLOOD_INTERVAL.seconds))
        response = _show_form_again(request, article, form, status=429)
        response["Retry-After"] = str(spam.FLOOD_INTERVAL.seconds)
        return response
    if outcome is Outcome.DUPLICATE:
        messages.info(request, DUPLICATE_MESSAGE)
    else:
        # The same words whether the comment is held, pending or quietly marked as spam: a bot
        # learns nothing from the answer.
        messages.success(request, POSTED_MESSAGE)
    return redirect(f"{article.get_absolute_url()}#comments")


def _save_unless_refused(
    request: HttpRequest, form: CommentForm, submission: spam.Submission
) -> Outcome:
    with transaction.atomic():
        spam.lock_for_posting()
        if spam.is_duplicate(submission.article, submission.author_email, submission.body):
            return Outcome.DUPLICATE
        if spam.is_flooding(submission.ip_address, submission.author_email):
            return Outcome.FLOOD
        signals = spam.evaluate(submission)
        comment = form.save(commit=False)
        comment.article = submission.article
        comment.status = spam.status_for(signals)
        comment.spam_signals = [signal.as_json() for signal in signals]
        comment.ip_address = submission.ip_address
        comment.user_agent = request.headers.get("User-Agent", "")[: Comment.USER_AGENT_MAX_LENGTH]
        comment.save()
    return Outcome.SAVED


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
