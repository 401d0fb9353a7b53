from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from config import views

admin.site.site_header = "Blog moderation"
admin.site.site_title = "Blog moderation"
admin.site.index_title = "Articles and comments"

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path(settings.CSP_REPORT_PATH.strip("/") + "/", views.csp_report, name="csp_report"),
    path("", include("comments.urls")),
    path("", include("blog.urls")),
]

if settings.BENCHMARK_HELLO:
    urlpatterns[:0] = [
        path("bench/hello/", views.benchmark_hello, name="benchmark_hello"),
        path(
            "bench/posting-floor/<slug:slug>/",
            views.benchmark_posting_floor,
            name="benchmark_posting_floor",
        ),
    ]

handler400 = "config.views.bad_request"
