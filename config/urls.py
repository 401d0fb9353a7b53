from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Blog moderation"
admin.site.site_title = "Blog moderation"
admin.site.index_title = "Articles and comments"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("comments.urls")),
    path("", include("blog.urls")),
]
