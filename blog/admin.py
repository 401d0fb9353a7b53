from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from blog.models import Article, Reference, Tag


class ReferenceInline(admin.StackedInline):
    model = Reference
    extra = 0
    ordering = ["position"]
    fields = [
        ("position", "label"),
        "authors",
        ("year", "journal"),
        "title",
        ("volume", "issue", "pages"),
        ("doi", "url"),
    ]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description="Articles", ordering="article_count")
    def article_count(self, tag: Tag) -> int:
        return tag.article_count


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "published_at", "comments_open", "comment_count"]
    list_filter = ["status", "comments_open", "published_at", "tags"]
    search_fields = ["title", "summary", "body_source"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    autocomplete_fields = ["tags"]
    readonly_fields = ["updated_at", "comment_count", "citation_check"]
    fields = [
        "title",
        "slug",
        "author_name",
        "summary",
        "body_source",
        "citation_check",
        "tags",
        ("status", "published_at"),
        ("revised_at", "updated_at"),
        ("comments_open", "comment_count"),
    ]
    inlines = [ReferenceInline]

    def view_on_site(self, article: Article) -> str:
        """The public page once readers can see it; until then the staff preview."""
        if Article.objects.published().filter(pk=article.pk).exists():
            return article.get_absolute_url()
        return article.get_preview_url()

    @admin.display(description="Citations")
    def citation_check(self, article: Article) -> str:
        if article.pk is None:
            return "Checked when the article is saved."
        references = [(ref.label, ref.position) for ref in article.references.all()]
        cited = article.cited_body
        problems = [
            *(f"Cited in the text but not in the references: ({c})" for c in cited.unmatched),
            *(f"In the references but never cited: {label}" for label in cited.uncited(references)),
        ]
        if not problems:
            return "Every citation links to its reference, and every reference is cited."
        return format_html(
            '<ul class="errorlist">{}</ul>',
            format_html_join("", "<li>{}</li>", ((problem,) for problem in problems)),
        )
