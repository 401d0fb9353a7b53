"""Tagging or untagging an article changes its page: retire the page's shared copy."""

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from blog.models import Article, Tag

# Where tag.articles.clear() keeps, from before to after, the articles it is clearing the tag from.
UNTAGGING = "_articles_being_untagged"


@receiver(m2m_changed, sender=Article.tags.through, dispatch_uid="article_tags_changed")
def article_tags_changed(
    sender, instance: Article | Tag, action: str, reverse: bool, pk_set: set[int] | None, **kwargs
) -> None:
    if reverse and action == "pre_clear":
        setattr(instance, UNTAGGING, list(instance.articles.values_list("pk", flat=True)))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        articles = [instance.pk]
    elif action == "post_clear":
        articles = instance.__dict__.pop(UNTAGGING, [])
    else:
        articles = list(pk_set or ())
    Article.objects.filter(pk__in=articles).page_changed()
