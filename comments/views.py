from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from blog.models import Article
from comments.forms import CommentForm
from comments.models import Comment

POSTED_MESSAGE = (
    "Your comment was posted successfully. "
    "We will publish it in a little while, as our blog is moderated."
)


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@require_POST
def post_comment(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.published(), slug=slug)
    form = CommentForm(request.POST)
    if not form.is_valid():
        context = {"article": article, "comment_form": form}
        return render(request, "blog/article_detail.html", context, status=400)

    comment = form.save(commit=False)
    comment.article = article
    comment.status = Comment.Status.PENDING
    comment.ip_address = client_ip(request)
    comment.user_agent = request.headers.get("User-Agent", "")[: Comment.USER_AGENT_MAX_LENGTH]
    comment.save()
    messages.success(request, POSTED_MESSAGE)
    return redirect(f"{article.get_absolute_url()}#comments")
