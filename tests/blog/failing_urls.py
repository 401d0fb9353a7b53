"""A URLconf with one view that fails, to see the 500 page as a visitor would."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("A deliberate failure to show the 500 page")


urlpatterns = [
    path("crash/", crash),
    path("", include("blog.urls")),
]
