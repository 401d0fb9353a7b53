from django.db.models import QuerySet
from django.views.generic import DetailView, ListView

from blog.models import Article


class ArticleListView(ListView):
    paginate_by = 10
    template_name = "blog/article_list.html"
    context_object_name = "articles"

    def get_queryset(self) -> QuerySet[Article]:
        return Article.objects.published().defer("body_source", "body_html")


class ArticleDetailView(DetailView):
    template_name = "blog/article_detail.html"
    context_object_name = "article"

    def get_queryset(self) -> QuerySet[Article]:
        return Article.objects.published().defer("body_source").prefetch_related("references")
