"""Keep Article.comment_count equal to the number of approved comments."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from blog.models import Article
from comments.models import Comment


def refresh_comment_count(article_id: int) -> None:
    # One UPDATE with a subquery: concurrent moderators cannot leave a stale count behind.
    Article.objects.filter(pk=article_id).update(
        comment_count=Comment.objects.approved().count_per_article()
    )


@receiver(post_save, sender=Comment, dispatch_uid="comment_saved_refresh_count")
@receiver(post_delete, sender=Comment, dispatch_uid="comment_deleted_refresh_count")
def comment_changed(sender, instance: Comment, **kwargs) -> None:
    refresh_comment_count(instance.article_id)
