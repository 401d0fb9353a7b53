from django.contrib.sitemaps.views import sitemap
from django.urls import path

from blog import feeds, views
from blog.sitemaps import SITEMAPS

app_name = "blog"

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="article_list"),
    path("blog/<slug:slug>/", views.ArticleDetailView.as_view(), name="article_detail"),
    path(
        "blog/<slug:slug>/references.ris",
        views.download_references,
        {"extension": "ris"},
        name="references_ris",
    ),
    path(
        "blog/<slug:slug>/references.bib",
        views.download_references,
        {"extension": "bib"},
        name="references_bibtex",
    ),
    path(
        f"{views.PREVIEW_PATH}<slug:slug>/",
        views.ArticlePreviewView.as_view(),
        name="article_preview",
    ),
    path("tags/", views.TagListView.as_view(), name="tag_list"),
    path("tags/<slug:slug>/", views.TagArticleListView.as_view(), name="tag_detail"),
    path("feed/", feeds.ArticleFeed(), name="feed_rss"),
    path("feed/atom/", feeds.ArticleAtomFeed(), name="feed_atom"),
    path("tags/<slug:slug>/feed/", feeds.TagFeed(), name="tag_feed_rss"),
    path("tags/<slug:slug>/feed/atom/", feeds.TagAtomFeed(), name="tag_feed_atom"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
