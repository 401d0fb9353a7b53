"""What the site answers when its database is the question: /healthz, and the 503 page."""

import json
import logging
from dataclasses import dataclass

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.template.loader import select_template
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

HEALTH_CHECK_PATH = "/healthz"
RETRY_AFTER_SECONDS = 30


class HealthCheckMiddleware:
    """Answer GET/HEAD /healthz first: no host check, HTTPS redirect, session or CSRF.

    Container healthchecks and load balancers call it by IP over plain HTTP, so it must not
    depend on ALLOWED_HOSTS or SECURE_SSL_REDIRECT; it says only whether the database answers.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info != HEALTH_CHECK_PATH:
            return self.get_response(request)
        if request.method not in {"GET", "HEAD"}:
            response = HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
        elif database_answers():
            response = json_response({"status": "ok", "database": "ok"}, status=200)
        else:
            response = json_response({"status": "unavailable", "database": "down"}, status=503)
        add_never_cache_headers(response)
        return response


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("Health check: the database does not answer", exc_info=True)
        return False
    return True


def json_response(body: dict[str, str], status: int) -> HttpResponse:
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")


@dataclass(frozen=True)
class KeptField:
    """One value the visitor posted, to hand back on the 503 page."""

    name: str
    value: str

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()

    @property
    def multiline(self) -> bool:
        return "\n" in self.value or len(self.value) > 80


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection into a 503 page in the site's design.

    A posted form comes back filled in, with a button to send it again, so a visitor whose
    comment could not be stored loses nothing. Apps may give the page their own layout in
    `<app namespace>/database_unavailable.html`.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error(
            "Database unavailable: %s %s", request.method, request.path, exc_info=exception
        )
        return database_unavailable_response(request)


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    kept = [
        KeptField(name, value)
        for name, values in request.POST.lists()
        if name != "csrfmiddlewaretoken"
        for value in values
    ]
    context = {
        "kept_fields": kept,
        "typed": {field.name: field.value for field in kept},
        "retry_action": request.get_full_path(),
    }
    namespaces = request.resolver_match.namespaces if request.resolver_match else []
    try:
        template = select_template(
            [f"{namespace}/database_unavailable.html" for namespace in namespaces]
            + ["database_unavailable.html"]
        )
        body = template.render(context, request)
        response = HttpResponse(body, status=503)
    except Exception:
        # The page must not fail the same way; plain text still says what happened.
        logger.exception("The database-unavailable page could not be rendered")
        text = "The site cannot reach its database just now. Please try again in a minute.\n"
        text += "".join(f"\n{field.label}:\n{field.value}\n" for field in kept)
        response = HttpResponse(text, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response
