"""Site-wide answers to requests no app view can serve, the CSP violation report sink, and the
benchmark's baseline views."""

import json
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, requires_csrf_token
from django.views.decorators.http import require_GET, require_POST

from blog import page_versions
from comments import spam
from comments.models import Comment

csp_logger = logging.getLogger("config.csp")

# A browser's report is a few hundred bytes; anything much larger is not a report.
CSP_REPORT_MAX_BYTES = 16 * 1024

TOO_MUCH = (
    "What you sent was far larger than any comment can be, so it was not accepted. "
    "A comment can be up to 5,000 characters."
)
TOO_MANY_PARTS = "What you sent had far more parts than any form on this site, so it was refused."
MALFORMED = "Your browser sent something this site could not read, so it was not accepted."


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 in the site's design, saying what was wrong without echoing what was sent."""
    if isinstance(exception, RequestDataTooBig):
        problem = TOO_MUCH
    elif isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        problem = TOO_MANY_PARTS
    else:
        problem = MALFORMED
    return render(request, "errors/400.html", {"problem": problem}, status=400)


@never_cache
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 for a form sent without this site's security token (CSRF_FAILURE_VIEW).

    The usual honest cause is a blocked cookie or a page left open from before the cookie was
    cleared; a forged cross-site post is the other. The page explains the first and gives the
    second nothing: neither the reason nor anything that was posted is shown.
    """
    return render(request, "errors/csrf_failure.html", status=403)


@never_cache
def login_locked(
    request: HttpRequest, response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """429 for a sign-in refused by the login throttle (django-axes' AXES_LOCKOUT_CALLABLE)."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    response = render(request, "errors/login_locked.html", context, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Log a Content-Security-Policy violation the browser reports, then answer 204.

    Accepts both the report-uri format (`{"csp-report": {...}}`) and the Reporting API's list
    of reports. Reports are written by any browser, so they are logged, never trusted.
    """
    if len(request.body) > CSP_REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    try:
        payload = json.loads(request.body)
    except ValueError:
        return HttpResponse("A CSP report must be JSON.", status=400, content_type="text/plain")
    reports = payload if isinstance(payload, list) else [payload]
    for report in reports:
        if isinstance(report, dict):
            details = report.get("csp-report") or report.get("body") or report
            csp_logger.warning("Content-Security-Policy violation: %r", details)
    return HttpResponse(status=204)


@require_GET
def benchmark_hello(request: HttpRequest) -> HttpResponse:
    """The least a Django page can do, through the same middleware: `make bench`'s baseline.

    Routed only when BENCHMARK_HELLO is on (config/urls.py).
    """
    return HttpResponse("Hello, world\n", content_type="text/plain; charset=utf-8")


@require_POST
def benchmark_posting_floor(request: HttpRequest, slug: str) -> HttpResponse:
    """The least a comment post can do and keep its guarantees: `make bench`'s posting baseline.

    The same middleware and CSRF check as the comment form, the same published article lookup,
    sender locks and flood and duplicate query, then one INSERT written by hand. No form
    validation, spam signals, moderation, messages or cookies, and no ORM: whatever the real
    view spends beyond this is the price of those. Routed only when BENCHMARK_HELLO is on.
    """
    article = page_versions.published_article(slug)
    if article is None:
        raise Http404("No article is published at this address.")
    submission = spam.Submission(
        article=article,
        author_name=request.POST.get("author_name", ""),
        author_email=request.POST.get("author_email", ""),
        body=request.POST.get("body", ""),
        ip_address=spam.client_ip(request),
        honeypot="",
        form_age=None,
    )
    meta = Comment._meta
    quote = connection.ops.quote_name
    columns = ("article", "author_name", "author_email", "body", "ip_address", "created_at")
    constant = {"user_agent": "''", "spam_signals": "'[]'"}  # NOT NULL, no database default
    names = ", ".join(quote(meta.get_field(name).column) for name in (*columns, *constant))
    values = ", ".join(["%s"] * len(columns) + list(constant.values()))
    sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({values})"
    with transaction.atomic():
        spam.lock_for_posting(submission.ip_address, submission.author_email)
        if spam.refusal(submission) is not None:
            return HttpResponse("Refused\n", status=429, content_type="text/plain")
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [
                    article.pk,
                    submission.author_name,
                    submission.author_email,
                    submission.body,
                    meta.get_field("ip_address").get_db_prep_value(
                        submission.ip_address, connection
                    ),
                    connection.ops.adapt_datetimefield_value(timezone.now()),
                ],
            )
    return HttpResponseRedirect(f"{article.get_absolute_url()}#comments")
