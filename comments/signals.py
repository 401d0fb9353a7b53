"""Keep Article.comment_count equal to the number of approved comments; email on approval.

Refreshing the count also retires the article page's shared copy (blog/page_cache.py).
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from comments.models import Comment, CommentStatusChange, refresh_comment_counts, status_changed
from comments.tasks import notify_author_of_publication


@receiver(post_save, sender=Comment, dispatch_uid="comment_saved_refresh_count")
@receiver(post_delete, sender=Comment, dispatch_uid="comment_deleted_refresh_count")
def comment_changed(sender, instance: Comment, created: bool = False, **kwargs) -> None:
    if created and instance.status != Comment.Status.APPROVED:
        # A new comment that is not approved changes nothing readers see: leave the count and
        # the article page's shared copy alone. Skipping the UPDATE also spares every post a
        # lock on its article's row, which would queue all posts under one article.
        return
    refresh_comment_counts([instance.article_id])


# --- Telling a commenter their comment is published ---------------------------------------------


@receiver(status_changed, sender=Comment, dispatch_uid="comment_approved_notify_author")
def notify_author_when_approved(
    sender, comment: Comment, change: CommentStatusChange, **kwargs
) -> None:
    """Queue the publication email the commenter opted into, once a moderator approves.

    Automatic approvals send nothing: the comment appeared the moment it was posted.
    """
    if (
        change.to_status != Comment.Status.APPROVED
        or change.automatic
        or not comment.notify_on_publish
        or comment.author_notified_at is not None
    ):
        return
    comment_id = comment.pk
    transaction.on_commit(lambda: notify_author_of_publication.enqueue(comment_id))
