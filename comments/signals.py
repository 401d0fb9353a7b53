"""Keep Article.comment_count equal to the number of approved comments; email on approval."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from blog.models import Article
from comments.models import Comment, CommentStatusChange, status_changed
from comments.tasks import notify_author_of_publication


def refresh_comment_count(article_id: int) -> None:
    # One UPDATE with a subquery: concurrent moderators cannot leave a stale count behind.
    Article.objects.filter(pk=article_id).update(
        comment_count=Comment.objects.approved().count_per_article()
    )


@receiver(post_save, sender=Comment, dispatch_uid="comment_saved_refresh_count")
@receiver(post_delete, sender=Comment, dispatch_uid="comment_deleted_refresh_count")
def comment_changed(sender, instance: Comment, created: bool = False, **kwargs) -> None:
    if created and instance.status != Comment.Status.APPROVED:
        # A new comment that is not approved cannot change the count. Skipping the UPDATE
        # also spares every new comment a lock on its article's row, which would queue all
        # the posts under one article behind each other.
        return
    refresh_comment_count(instance.article_id)


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
