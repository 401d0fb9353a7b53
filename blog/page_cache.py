"""Article pages rendered once and shared by every reader, with the per-visitor parts filled in.

A page holding the comment form cannot be cached whole: `cache_page` would hand every reader
the first reader's CSRF token, and the spam defence's form timestamp would be stale. Instead
the page is rendered with placeholders ("slots") where per-visitor values go, kept with the
slots split out, and each request fills them in: this browser's CSRF token (which also sets
its cookie), a freshly signed timestamp. A reader's request then costs a string join and
finding which version of the page is current: one query, or on PostgreSQL mostly none
(blog/page_versions.py).

Only requests that carry nothing personal share a copy (`may_share`): GET or HEAD, no cookie
but the CSRF one (a session, flash messages or a commenter's own pending comment all come with
a cookie), and no query string but a page number. Everyone else gets the page rendered for
them, from the same templates.

The key holds the article's `page_version`, which every change to what the page shows replaces
(blog/models.py, blog/signals.py, comments/signals.py); the scheme and host, since the page
holds absolute URLs; and today's date, for anything dated by the clock (the footer's year).
A render can also say when it stops being true (`SharedRender.valid_until`: comments closing
by age), and the copy expires then.

Copies live in the `pages` cache, in each process's memory: a hit needs no round trip to a
cache server, and a deploy starts empty, so no copy outlives the templates that made it.
"""

import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.response import TemplateResponse
from django.utils import timezone

PAGES_CACHE = "pages"
# Page numbers beyond this many digits are junk, rendered for the visitor but never kept.
PAGE_NUMBER_DIGITS = 6

SharedPage = tuple[str, ...]
SlotFiller = Callable[[HttpRequest], str]

# What fills each slot. Apps add theirs in AppConfig.ready() (the comment form's timestamp).
_slot_fillers: dict[str, SlotFiller] = {"csrf_token": get_token}


def register_slot(name: str, filler: SlotFiller) -> None:
    if not re.fullmatch(r"[a-z_]+", name):
        raise ValueError(f"A slot name is lower-case letters and underscores, not {name!r}.")
    _slot_fillers[name] = filler


class SharedRender:
    """Handed to the templates as `shared_render` while a page is rendered for every reader.

    Templates put `slot(name)` where a per-visitor value goes; the placeholder carries a random
    nonce, so nothing typed into an article or a comment can ever be taken for one.
    """

    def __init__(self) -> None:
        self.nonce = secrets.token_hex(16)
        self.expires_at: datetime | None = None

    def slot(self, name: str) -> str:
        if name not in _slot_fillers:
            raise KeyError(f"No filler is registered for the page slot {name!r}.")
        return f"slot-{self.nonce}-{name}"

    def valid_until(self, moment: datetime) -> None:
        """The page as rendered stops being true at `moment`: expire the copy then."""
        if self.expires_at is None or moment < self.expires_at:
            self.expires_at = moment

    def context(self) -> dict[str, object]:
        return {"shared_render": self, "csrf_token": self.slot("csrf_token")}

    def split(self, html: str) -> SharedPage:
        """The page as text and slot names, alternating: text, slot, text, ..., text."""
        return tuple(re.split(rf"slot-{self.nonce}-([a-z_]+)", html))

    def seconds_to_keep(self) -> int:
        now = timezone.localtime()
        ends = [(now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)]
        if self.expires_at is not None:
            ends.append(self.expires_at)
        return max(0, int((min(ends) - now).total_seconds()))


def fill(page: SharedPage, request: HttpRequest) -> str:
    pieces = list(page)
    for index in range(1, len(pieces), 2):
        pieces[index] = _slot_fillers[pieces[index]](request)
    return "".join(pieces)


def may_share(request: HttpRequest) -> bool:
    """Whether this request may get the page every reader gets (see the module's docstring)."""
    if request.method not in ("GET", "HEAD"):
        return False
    if any(name != settings.CSRF_COOKIE_NAME for name in request.COOKIES):
        return False
    if any(name != "page" for name in request.GET):
        return False
    page = request.GET.get("page", "1")
    return page.isdigit() and len(page) <= PAGE_NUMBER_DIGITS


def page_key(request: HttpRequest, *identity: object) -> str:
    """The key of the shared copy of the page `identity` names (an article and its version)."""
    parts = (
        *identity,
        request.scheme,
        request.get_host(),
        request.GET.get("page", "1"),
        timezone.localdate().isoformat(),
    )
    return ":".join(str(part) for part in parts)


def serve(
    request: HttpRequest, key: str, render: Callable[[dict[str, object]], TemplateResponse]
) -> HttpResponse:
    """The shared copy under `key`, filled in for this request; rendered and kept if missing.

    `render` gets the extra context for a shared render and returns the page's response.
    """
    cache = caches[PAGES_CACHE]
    page = cache.get(key)
    if page is not None:
        return HttpResponse(fill(page, request))
    shared = SharedRender()
    response = render(shared.context())
    response.render()
    page = shared.split(response.content.decode(response.charset))
    if response.status_code == 200:
        cache.set(key, page, shared.seconds_to_keep())
    response.content = fill(page, request)
    return response
