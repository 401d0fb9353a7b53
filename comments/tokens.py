"""Signed, expiring tokens: review links for moderators, and a commenter's own pending comments.

Both are signed with SECRET_KEY and a purpose-specific salt, so a token made for one purpose is
worthless for the other, and neither can be guessed or altered.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from blog.models import Article

REVIEW_SALT = "comments.review-link"
OWN_PENDING_SALT = "comments.own-pending"
OWN_PENDING_COOKIE = "own_pending_comments"
# Long enough to come back later the same day; a moderator usually decides within it.
OWN_PENDING_MAX_AGE = timedelta(hours=24)
# Only the latest few are kept: the cookie stays small whatever a visitor does.
OWN_PENDING_LIMIT = 5


class ReviewLinkExpired(Exception):
    pass


class ReviewLinkInvalid(Exception):
    pass


def review_max_age() -> timedelta:
    return timedelta(days=settings.MODERATION_REVIEW_LINK_DAYS)


def make_review_token(comment_id: int) -> str:
    return signing.TimestampSigner(salt=REVIEW_SALT).sign(str(comment_id))


def read_review_token(token: str) -> int:
    """The comment id a review token names; raises ReviewLinkExpired or ReviewLinkInvalid."""
    try:
        value = signing.TimestampSigner(salt=REVIEW_SALT).unsign(token, max_age=review_max_age())
    except signing.SignatureExpired as error:
        raise ReviewLinkExpired from error
    except signing.BadSignature as error:
        raise ReviewLinkInvalid from error
    if not value.isdigit():
        raise ReviewLinkInvalid
    return int(value)


def own_pending_comment_ids(request: HttpRequest) -> list[int]:
    """The pending comments this browser posted in the last day, from its signed cookie."""
    raw = request.COOKIES.get(OWN_PENDING_COOKIE)
    if not raw:
        return []
    try:
        ids = signing.loads(raw, salt=OWN_PENDING_SALT, max_age=OWN_PENDING_MAX_AGE)
    except signing.BadSignature:
        return []
    if not isinstance(ids, list):
        return []
    return [i for i in ids if isinstance(i, int)]


def remember_own_pending_comment(
    request: HttpRequest, response: HttpResponse, article: Article, comment_id: int
) -> None:
    """Let this browser, and only it, see its new comment while the comment waits.

    The cookie is HttpOnly, sent only to the article's own pages, and signed with a timestamp so
    it stops working after a day whatever the browser keeps.
    """
    ids = [*own_pending_comment_ids(request), comment_id][-OWN_PENDING_LIMIT:]
    response.set_cookie(
        OWN_PENDING_COOKIE,
        signing.dumps(ids, salt=OWN_PENDING_SALT),
        max_age=int(OWN_PENDING_MAX_AGE.total_seconds()),
        path=article.get_absolute_url(),
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
