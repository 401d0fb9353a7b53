"""The emails about comments: to moderators when comments are held, to a commenter on approval.

Plain text only, rendered from templates/comments/emails/. Links are absolute, built on
SITE_URL, because these emails are also sent from management commands with no request.
A commenter's email never contains anything a commenter wrote: the address is unverified,
and the site must not become a way to send strangers someone else's words.
"""

import textwrap
from collections.abc import Sequence
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMessage, mailers
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from comments.models import Comment
from comments.moderation import held_reasons
from comments.permissions import MODERATE_PERMISSION
from comments.tokens import make_review_token

EXCERPT_LENGTH = 300
# Plain-text email lines stay readable in any client at this width.
LINE_WIDTH = 72


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def review_url(comment: Comment) -> str:
    return absolute_url(reverse("comments:review", kwargs={"token": make_review_token(comment.pk)}))


def pending_queue_url() -> str:
    query = urlencode({"status": Comment.Status.PENDING})
    return absolute_url(f"{reverse('admin:comments_comment_changelist')}?{query}")


def moderator_addresses() -> list[str]:
    """Active staff who may moderate and have an address, plus the configured extra addresses."""
    app_label, codename = MODERATE_PERMISSION.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    users = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions__in=permission)
            | Q(groups__permissions__in=permission)
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    addresses = {address.strip().lower(): address.strip() for address in users}
    for address in settings.MODERATION_NOTIFY_EMAILS:
        addresses.setdefault(address.lower(), address)
    return sorted(addresses.values(), key=str.lower)


def one_line(text: str) -> str:
    """Text safe for a subject line: no line breaks, single spaces."""
    return " ".join(text.split())


def excerpt(comment: Comment) -> str:
    """The start of the comment, wrapped for a plain-text email, its own line breaks kept."""
    body = comment.body.strip()
    if len(body) > EXCERPT_LENGTH:
        body = f"{body[: EXCERPT_LENGTH - 1].rstrip()}…"
    return "\n".join(textwrap.fill(line, LINE_WIDTH) for line in body.splitlines())


def held_comment_context(comment: Comment) -> dict:
    return {
        "comment": comment,
        "article_url": absolute_url(comment.article.get_absolute_url()),
        "excerpt": excerpt(comment),
        "reasons": held_reasons(comment),
        "review_url": review_url(comment),
        "link_days": settings.MODERATION_REVIEW_LINK_DAYS,
    }


def send_to_each(subject: str, body: str, recipients: Sequence[str]) -> int:
    """One message per recipient (moderators do not see each other's addresses), one connection."""
    messages = [EmailMessage(subject, body, to=[address]) for address in recipients]
    if not messages:
        return 0
    return mailers.default.send_messages(messages) or 0


def send_held_comment_notice(comment: Comment, recipients: Sequence[str] | None = None) -> int:
    """Tell the moderators (or `recipients`, if the caller has just looked them up) about one
    held comment. Returns the number of emails sent."""
    context = held_comment_context(comment) | {
        "site_name": settings.SITE_NAME,
        "queue_url": pending_queue_url(),
    }
    subject = one_line(f"[{settings.SITE_NAME}] Comment to moderate on “{comment.article.title}”")
    body = render_to_string("comments/emails/held_comment.txt", context)
    return send_to_each(subject, body, moderator_addresses() if recipients is None else recipients)


def send_moderation_digest(
    comments: Sequence[Comment], recipients: Sequence[str] | None = None, more_waiting: int = 0
) -> int:
    """Tell the moderators (or `recipients`) about several held comments in one email each;
    `more_waiting` counts the held comments not detailed in it."""
    if not comments:
        return 0
    count = len(comments) + more_waiting
    noun = "comment" if count == 1 else "comments"
    context = {
        "site_name": settings.SITE_NAME,
        "entries": [held_comment_context(comment) for comment in comments],
        "more_waiting": more_waiting,
        "queue_url": pending_queue_url(),
        "link_days": settings.MODERATION_REVIEW_LINK_DAYS,
    }
    subject = f"[{one_line(settings.SITE_NAME)}] {count} new {noun} to moderate"
    body = render_to_string("comments/emails/moderation_digest.txt", context)
    return send_to_each(subject, body, moderator_addresses() if recipients is None else recipients)


def send_held_comments(
    comments: Sequence[Comment], recipients: Sequence[str], more_waiting: int = 0
) -> int:
    """One held comment gets its own notice; several that arrived together, one digest."""
    if len(comments) == 1 and not more_waiting:
        return send_held_comment_notice(comments[0], recipients)
    return send_moderation_digest(comments, recipients, more_waiting)


def send_published_notice(comment: Comment) -> int:
    """Tell a commenter who asked that their comment is published: a link, none of their text."""
    context = {
        "site_name": settings.SITE_NAME,
        "article_title": comment.article.title,
        "posted_at": comment.created_at,
        "comment_url": absolute_url(comment.get_absolute_url()),
        "contact": settings.PRIVACY_CONTACT_EMAIL,
    }
    subject = one_line(f"Your comment on “{comment.article.title}” is published")
    body = render_to_string("comments/emails/comment_published.txt", context)
    return EmailMessage(subject, body, to=[comment.author_email]).send(using="default")
