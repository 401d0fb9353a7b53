from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView

from blog import page_cache, page_versions
from blog.citations import BIBTEX_CONTENT_TYPE, RIS_CONTENT_TYPE, to_bibtex, to_ris
from blog.models import Article, Tag

REFERENCE_FILES = {
    "ris": (to_ris, RIS_CONTENT_TYPE),
    "bib": (to_bibtex, BIBTEX_CONTENT_TYPE),
}
PREVIEW_PATH = "preview/"


class ArticleListView(ListView):
    paginate_by = 10
    template_name = "blog/article_list.html"
    context_object_name = "articles"

    def get_queryset(self) -> QuerySet[Article]:
        return (
            Article.objects.published().defer("body_source", "body_html").prefetch_related("tags")
        )


class TagArticleListView(ArticleListView):
    """The published articles under one tag; a tag with none of them is not a page."""

    template_name = "blog/tag_detail.html"

    def get_queryset(self) -> QuerySet[Article]:
        tags = Tag.objects.with_published_articles()
        self.tag = get_object_or_404(tags, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(tag=self.tag, **kwargs)


class TagListView(ListView):
    template_name = "blog/tag_list.html"
    context_object_name = "tags"

    def get_queryset(self) -> QuerySet[Tag]:
        return Tag.objects.with_published_articles()


class ArticleDetailView(DetailView):
    template_name = "blog/article_detail.html"
    context_object_name = "article"
    # Readers without cookies share one rendering of the page (blog/page_cache.py).
    shared_with_readers = True

    def get_queryset(self) -> QuerySet[Article]:
        return (
            Article.objects.published().defer("body_source").prefetch_related("references", "tags")
        )

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if self.shared_with_readers and page_cache.may_share(request):
            response = self.shared_page(request, kwargs["slug"])
        else:
            response = super().get(request, *args, **kwargs)
        # The page holds the comment form with this visitor's CSRF token (and may set its
        # cookie): no shared cache or CDN may hand it to someone else. docs/benchmarks.md
        # explains the choice; the page is shared server-side instead, tokens filled per visitor.
        patch_cache_control(response, private=True)
        return response

    def shared_page(self, request: HttpRequest, slug: str) -> HttpResponse:
        """The page every reader without cookies gets, rendered once per version of it.

        The version is read without the publication rule: only a published page is ever kept
        (a draft or scheduled article renders as 404, which is not kept), and unpublishing or
        rescheduling changes the version, so a copy under the current version is still public.
        That spares the hot path the rule's date comparison.
        """
        current = page_versions.page_version_at(slug)
        if current is None:
            raise Http404("No article is published at this address.")

        def render(shared_context: dict[str, object]) -> HttpResponse:
            self.object = self.get_object()
            return self.render_to_response(self.get_context_data(**shared_context))

        return page_cache.serve(request, page_cache.page_key(request, "article", *current), render)


@method_decorator(never_cache, name="dispatch")
class ArticlePreviewView(PermissionRequiredMixin, ArticleDetailView):
    """Any article, draft or scheduled, as readers will see it: for staff who may view articles.

    Signed-out visitors are sent to the admin login; signed-in people without the right get 403.
    """

    permission_required = "blog.view_article"
    login_url = reverse_lazy("admin:login")
    extra_context = {"preview": True}
    shared_with_readers = False

    def has_permission(self) -> bool:
        return self.request.user.is_staff and super().has_permission()

    def get_queryset(self) -> QuerySet[Article]:
        return Article.objects.defer("body_source").prefetch_related("references", "tags")

    def get_context_data(self, **kwargs) -> dict:
        is_live = Article.objects.published().filter(pk=self.object.pk).exists()
        return super().get_context_data(is_live=is_live, **kwargs)

    def render_to_response(self, context: dict, **kwargs) -> HttpResponse:
        response = super().render_to_response(context, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response


@require_GET
def download_references(request: HttpRequest, slug: str, extension: str) -> HttpResponse:
    """A published article's references as a file for reference managers (RIS or BibTeX)."""
    article = get_object_or_404(Article.objects.published(), slug=slug)
    references = list(article.references.all())
    if not references:
        raise Http404("This article lists no references.")
    render, content_type = REFERENCE_FILES[extension]
    filename = f"{article.slug}-references.{extension}"
    return HttpResponse(
        render(references),
        content_type=content_type,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('blog:article_list')}{PREVIEW_PATH}",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('blog:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
