from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

from comments.tokens import OWN_PENDING_COOKIE


class PrivatePendingCommentsMiddleware:
    """Keep pages that may show a visitor their own pending comment out of every cache.

    The cookie that reveals those comments is sent only to the article's own pages, so this marks
    exactly those responses `private, no-store`; everyone else's stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if OWN_PENDING_COOKIE in request.COOKIES or OWN_PENDING_COOKIE in response.cookies:
            patch_cache_control(response, private=True, no_store=True)
            patch_vary_headers(response, ["Cookie"])
        return response
