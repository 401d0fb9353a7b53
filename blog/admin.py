from django.contrib import admin

from blog.models import Article, Reference


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


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "published_at", "comments_open", "comment_count"]
    list_filter = ["status", "comments_open", "published_at"]
    search_fields = ["title", "summary", "body_source"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    readonly_fields = ["updated_at", "comment_count"]
    fields = [
        "title",
        "slug",
        "summary",
        "body_source",
        ("status", "published_at"),
        "comments_open",
        ("updated_at", "comment_count"),
    ]
    inlines = [ReferenceInline]
