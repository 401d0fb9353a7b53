"""Site-wide security wiring that Django does not ship: a few response headers, login throttling.

The Content-Security-Policy itself comes from Django (`SECURE_CSP`); the values of everything
here are in the "Security headers" and "Admin" sections of `config/settings.py`.
"""

from collections.abc import Callable

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """`{"camera": [], "fullscreen": ["self"]}` -> `camera=(), fullscreen=(self)`."""
    return ", ".join(f"{feature}=({' '.join(allowed)})" for feature, allowed in policy.items())


def reporting_endpoints_header(endpoints: dict[str, str]) -> str:
    """`{"csp": "/csp-report/"}` -> `csp="/csp-report/"`."""
    return ", ".join(f'{name}="{url}"' for name, url in endpoints.items())


class PermissionsPolicyMiddleware:
    """Add Permissions-Policy, Cross-Origin-Resource-Policy and Reporting-Endpoints.

    A view that sets one of these headers itself keeps its own value.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.headers = {
            "Permissions-Policy": permissions_policy_header(settings.PERMISSIONS_POLICY),
            "Cross-Origin-Resource-Policy": settings.CROSS_ORIGIN_RESOURCE_POLICY,
            "Reporting-Endpoints": reporting_endpoints_header(settings.REPORTING_ENDPOINTS),
        }

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for header, value in self.headers.items():
            if value:
                response.headers.setdefault(header, value)
        return response


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for logins that come with a request.

    Every login through the site has one. Code that authenticates without a request (the test
    client's `login()`, a shell) has no client to count failures against, so it is let through
    to the next backend, which still checks the password.
    """

    def authenticate(self, request: HttpRequest | None, *args, **kwargs) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)
