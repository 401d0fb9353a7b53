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


def _send_once(claimable, comment_id: int, marker: str, send) -> int:
    """Claim the comment by setting `marker` where it is still empty, then `send` it.

    The conditional UPDATE makes the claim atomic, so two workers never both send; a failed
    send releases the claim so that a later run (or the digest) sends it after all.
    """
    claimed = claimable.filter(pk=comment_id, **{f"{marker}__isnull": True}).update(
        **{marker: timezone.now()}
    )
    if not claimed:
        return 0
    # The emails name the article and link to it; its text is not needed.
    comment = (
        Comment.objects.select_related("article")
        .defer("article__body_source", "article__body_html")
        .get(pk=comment_id)
    )
    try:
        return send(comment)
    except Exception:
        Comment.objects.filter(pk=comment_id).update(**{marker: None})
        raise


@task
def notify_moderators_of_held_comment(comment_id: int) -> int:
    """Email the moderators about one held comment, unless it was already told or decided."""
    recipients = emails.moderator_addresses()
    if not recipients:
        logger.warning(NO_MODERATOR_ADDRESS)
        return 0
    return _send_once(
        Comment.objects.pending(),
        comment_id,
        "moderators_notified_at",
        lambda comment: emails.send_held_comment_notice(comment, recipients),
    )


@task
def notify_author_of_publication(comment_id: int) -> int:
    """Email a commenter who asked, once, that their approved comment is published."""
    return _send_once(
        Comment.objects.approved().filter(notify_on_publish=True),
        comment_id,
        "author_notified_at",
        emails.send_published_notice,
    )
