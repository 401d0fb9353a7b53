"""System checks for the moderation settings that a typo would silently break."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.http.request import validate_host


@register()
def check_site_url(app_configs=None, **kwargs) -> list[CheckMessage]:
    """Links in emails are built on SITE_URL: it must be an address this site answers to."""
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return [
            Error(
                f"SITE_URL {settings.SITE_URL!r} is not a web address.",
                hint="Set SITE_URL to the site's public address, like https://blog.example.com.",
                id="comments.E001",
            )
        ]
    if not settings.DEBUG and not validate_host(parts.hostname, settings.ALLOWED_HOSTS):
        return [
            Warning(
                f"SITE_URL points at {parts.hostname}, which is not in ALLOWED_HOSTS: links in "
                "moderation and commenter emails would lead elsewhere.",
                hint="Set SITE_URL to the site's public address, like https://blog.example.com.",
                id="comments.W001",
            )
        ]
    return []
