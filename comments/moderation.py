"""The site's moderation rules: when comments are open, and what happens to a new comment.

Settings are read when a rule is applied, never at import, so tests and deployments can change
them freely.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from blog.models import Article
from comments.models import Comment

AUTO_APPROVAL_REASON = "Returning commenter: this email address already has an approved comment."


def comments_are_open(article: Article) -> bool:
    """Open unless a moderator closed them, or the article is older than the configured age."""
    if not article.comments_open:
        return False
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    if days <= 0 or article.published_at is None:
        return True
    return timezone.now() < article.published_at + timedelta(days=days)


def comments_close_on(article: Article) -> datetime | None:
    """When comments on an open article will close by age, or None if they never do."""
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    if days <= 0 or article.published_at is None or not comments_are_open(article):
        return None
    return article.published_at + timedelta(days=days)


def held_reasons(comment: Comment) -> list[str]:
    """Why a comment should stay held whatever other rules say, in words for moderators.

    The hook for spam checks: they leave their findings on the comment as `spam_signals`, a
    list of short phrases ("contains 4 links"). The moderation email lists them, and a comment
    with any is never approved automatically. Without findings every comment is still held for
    a person to read; the list is simply empty.
    """
    return list(getattr(comment, "spam_signals", None) or [])


def should_auto_approve(comment: Comment) -> bool:
    if not settings.COMMENTS_AUTO_APPROVE_RETURNING or held_reasons(comment):
        return False
    return (
        Comment.objects.approved()
        .filter(author_email__iexact=comment.author_email)
        .exclude(pk=comment.pk)
        .exists()
    )


def process_new_comment(comment: Comment) -> None:
    """Apply the rules to a comment just saved as pending: approve it, or tell the moderators.

    The report is asked for only once the transaction commits, so a rolled-back comment never
    sends one; comments/tasks.py decides whether it goes at once or with the next ones.
    """
    # Imported here: the tasks use the emails, which use held_reasons() above.
    from comments.tasks import moderator_reports

    if should_auto_approve(comment):
        comment.moderate(Comment.Status.APPROVED, by=None, reason=AUTO_APPROVAL_REASON)
        return
    if settings.MODERATION_DIGEST_MINUTES > 0:
        return  # The digest command picks the comment up.
    transaction.on_commit(moderator_reports.request)
