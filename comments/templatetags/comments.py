from django import template
from django.urls import reverse

from blog.models import Article
from comments.forms import CommentForm
from comments.models import Comment

register = template.Library()


@register.inclusion_tag("comments/thread.html", takes_context=True)
def comment_thread(context: template.Context, article: Article) -> dict:
    """The approved comments under an article, then the form to leave one.

    A failed post hands its bound form over as `comment_form`, so the visitor's text and the
    errors come back in place.
    """
    # Only a failed post renders at this address, so the fragment lands on (and focuses) the
    # error summary; a successful one redirects to the article's #comments instead.
    action = reverse("comments:post", kwargs={"slug": article.slug}) + "#error-summary"
    form = context.get("comment_form") or CommentForm(action=action)
    form.helper.form_action = action
    approved = (
        Comment.objects.approved()
        .filter(article=article)
        .only("pk", "article_id", "author_name", "body", "created_at")
    )
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "messages": context.get("messages"),
        "article": article,
        "comments": approved,
        "form": form,
    }
