"""Email sending as tasks (django.tasks), enqueued once the comment's transaction has committed.

Each task first claims its comment with a conditional UPDATE, so a notice goes out once even if
two workers run it; if sending fails the claim is released and the failure re-raised (the task
backend logs it), and `send_moderation_digest` sends whatever is still unclaimed.
"""

import logging

from django.tasks import task
from django.utils import timezone

from comments import emails
from comments.models import Comment

logger = logging.getLogger(__name__)
NO_MODERATOR_ADDRESS = (
    "No moderator has an email address: give the moderators one, or set "
    "MODERATION_NOTIFY_EMAILS. Held comments stay queued for send_moderation_digest."
)


@task
def notify_moderators_of_held_comment(comment_id: int) -> int:
    """Email the moderators about one held comment, unless it was already told or decided."""
    if not emails.moderator_addresses():
        logger.warning(NO_MODERATOR_ADDRESS)
        return 0
    claimed = (
        Comment.objects.pending()
        .filter(pk=comment_id, moderators_notified_at__isnull=True)
        .update(moderators_notified_at=timezone.now())
    )
    if not claimed:
        return 0
    comment = Comment.objects.select_related("article").get(pk=comment_id)
    try:
        return emails.send_held_comment_notice(comment)
    except Exception:
        Comment.objects.filter(pk=comment_id).update(moderators_notified_at=None)
        raise


@task
def notify_author_of_publication(comment_id: int) -> int:
    """Email a commenter who asked, once, that their approved comment is published."""
    claimed = (
        Comment.objects.approved()
        .filter(pk=comment_id, notify_on_publish=True, author_notified_at__isnull=True)
        .update(author_notified_at=timezone.now())
    )
    if not claimed:
        return 0
    comment = Comment.objects.select_related("article").get(pk=comment_id)
    try:
        return emails.send_published_notice(comment)
    except Exception:
        Comment.objects.filter(pk=comment_id).update(author_notified_at=None)
        raise
