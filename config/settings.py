"""Settings for the blog, read from the environment.

Every variable is listed in `.env.example` and in the README. Production is the default:
DEBUG is off unless DEBUG=1, and then SECRET_KEY must be given.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off.")


def env_str(name: str, default: str = "") -> str:
    """The variable's value; unset and empty are the same, so compose can pass `${NAME:-}`."""
    return os.environ.get(name, "").strip() or default


def env_list(name: str, default: str = "") -> list[str]:
    value = os.environ.get(name, "").strip() or default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


# --- Core -------------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-used-with-debug-off"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SITE_NAME = env_str("SITE_NAME", "Health Journal")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "blog",
    "comments",
]

MIDDLEWARE = [
    # First: /healthz answers probes by IP over plain HTTP, before host checks and redirects.
    "ops.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "config.security.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A lost database gives a 503 page that hands back what the visitor posted, not a 500.
    "ops.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "comments.middleware.PrivatePendingCommentsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "blog.context_processors.site",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
# SQLite in a local file unless DATABASE_URL points elsewhere (PostgreSQL in production).

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # Keep connections between requests, and check one is alive before reusing it, so a
        # restarted PostgreSQL costs a reconnect, not an error page.
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with a health check that costs no round trip (its docstring says how).
    DATABASES["default"]["ENGINE"] = "ops.postgresql"
    # Fail fast (and show the 503 page) rather than hang when the server cannot be reached.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while a comment is written; IMMEDIATE takes the write lock at
    # BEGIN so concurrent writers queue on the busy timeout instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions: state shared by every web process ------------------------------------
# Several gunicorn workers (and several containers) serve the site, so nothing that must be
# global may live in one process's memory. The default cache is a table in the main database
# (created by `manage.py createcachetable`, which the start script runs); CACHE_URL points it at
# Redis instead: redis://host:6379/0. Sessions live in the database, shared the same way.


def cache_from_url(url: str) -> dict[str, str]:
    scheme, _, location = url.partition("://")
    backends = {
        "redis": "django.core.cache.backends.redis.RedisCache",
        "rediss": "django.core.cache.backends.redis.RedisCache",
        "db": "django.core.cache.backends.db.DatabaseCache",
        "locmem": "django.core.cache.backends.locmem.LocMemCache",
        "dummy": "django.core.cache.backends.dummy.DummyCache",
    }
    if scheme not in backends or (not location and scheme in {"redis", "rediss", "db"}):
        raise ImproperlyConfigured(
            f"CACHE_URL {url!r} is not understood. Use redis://host:6379/0 (or rediss:// for "
            "TLS), db://table_name for a table in the database, locmem:// (one process only) "
            "or dummy:// (no caching)."
        )
    if scheme in {"redis", "rediss"}:
        return {"BACKEND": backends[scheme], "LOCATION": url}
    return {"BACKEND": backends[scheme], "LOCATION": location}


CACHES = {
    "default": cache_from_url(env_str("CACHE_URL", "db://django_cache")),
    # Rendered article pages shared by readers (blog/page_cache.py): in each process's memory,
    # so a hit costs no round trip and a deploy never serves pages from old templates. At most
    # 300 pages of ~10 to 40 KB each, a few MB per worker.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "shared-pages",
        "OPTIONS": {"MAX_ENTRIES": 300},
    },
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Auth -------------------------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation ---------------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------

STATIC_URL = "static/"
# Where collectstatic writes; `make bench` points it at a temporary folder.
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files with far-future cache headers, served by WhiteNoise.
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# WhiteNoise gives files with a content hash in their name `max-age` of ten years and
# `immutable` by itself. This is for the few requested by their plain name (e.g. an old link
# to /static/favicon.svg): an hour, so a changed file reaches everyone the same day.
WHITENOISE_MAX_AGE = 0 if DEBUG else 3600

# --- Email ------------------------------------------------------------------------------------
# Django 6.1 MAILERS. Each backend accepts its own OPTIONS only (anything else is an error when
# the first email is sent), so only the SMTP backend gets the EMAIL_* connection settings.

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "blog@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL


def smtp_options() -> dict[str, object]:
    options = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 0) or None,
        "username": env_str("EMAIL_HOST_USER") or None,
        "password": env_str("EMAIL_HOST_PASSWORD") or None,
        "use_tls": env_bool("EMAIL_USE_TLS"),
        "use_ssl": env_bool("EMAIL_USE_SSL"),
        "timeout": env_int("EMAIL_TIMEOUT", 10),
    }
    if options["use_tls"] and options["use_ssl"]:
        raise ImproperlyConfigured(
            "EMAIL_USE_TLS (STARTTLS, usually port 587) and EMAIL_USE_SSL (implicit TLS, "
            "usually port 465) exclude each other: set at most one of them."
        )
    return {key: value for key, value in options.items() if value is not None}


EMAIL_BACKEND_PATH = env_str(
    "EMAIL_BACKEND_CLASS",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else SMTP_BACKEND,
)
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": smtp_options() if EMAIL_BACKEND_PATH == SMTP_BACKEND else {},
    }
}

# --- Moderation and notifications -------------------------------------------------------------
# How held comments reach moderators, what commenters are told, and how long their data is kept.
# The README's "Moderation and privacy" section explains each one and the commands to schedule.

# The site's public address, for the links in emails (sent without a request to take it from).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Addresses told about held comments besides the active staff who hold the moderation permission.
MODERATION_NOTIFY_EMAILS = env_list("MODERATION_NOTIFY_EMAILS")
# 0: held comments are emailed as they are held. N: at most one digest every N minutes, sent by
# `manage.py send_moderation_digest` (run it from cron every minute).
MODERATION_DIGEST_MINUTES = env_int("MODERATION_DIGEST_MINUTES", 0)
# With DIGEST 0: at most one email per this many seconds. A comment held when none was emailed for
# that long goes at once; the ones held meanwhile go together at the end of the interval.
MODERATION_EMAIL_INTERVAL_SECONDS = env_int("MODERATION_EMAIL_INTERVAL_SECONDS", 60)
# Days a review link in a moderation email keeps working.
MODERATION_REVIEW_LINK_DAYS = env_int("MODERATION_REVIEW_LINK_DAYS", 7)
# Publish at once a comment whose email address already has an approved comment. Anyone can
# type any address, so this trusts an unverified claim: off unless chosen.
COMMENTS_AUTO_APPROVE_RETURNING = env_bool("COMMENTS_AUTO_APPROVE_RETURNING")
# Close comments this many days after an article is published (0: never close by age).
COMMENTS_CLOSE_AFTER_DAYS = env_int("COMMENTS_CLOSE_AFTER_DAYS", 0)
COMMENTS_PER_PAGE = env_int("COMMENTS_PER_PAGE", 50)
# After this many days a comment's IP address is cut to its network (/24, /48) and its browser
# description deleted, by `manage.py apply_comment_retention` (run it daily).
COMMENT_IP_RETENTION_DAYS = env_int("COMMENT_IP_RETENTION_DAYS", 30)
# Spam and rejected comments are deleted this many days after the decision (same command).
COMMENT_SPAM_PURGE_DAYS = env_int("COMMENT_SPAM_PURGE_DAYS", 30)
# Where commenters write to get a copy of their comments or have them erased.
PRIVACY_CONTACT_EMAIL = env_str("PRIVACY_CONTACT_EMAIL", DEFAULT_FROM_EMAIL)
if COMMENTS_PER_PAGE < 1 or MODERATION_REVIEW_LINK_DAYS < 1:
    raise ImproperlyConfigured(
        "COMMENTS_PER_PAGE and MODERATION_REVIEW_LINK_DAYS must be 1 or more."
    )
_no_negative = [
    MODERATION_DIGEST_MINUTES,
    MODERATION_EMAIL_INTERVAL_SECONDS,
    COMMENTS_CLOSE_AFTER_DAYS,
    COMMENT_IP_RETENTION_DAYS,
    COMMENT_SPAM_PURGE_DAYS,
]
if min(_no_negative) < 0:
    raise ImproperlyConfigured(
        "MODERATION_DIGEST_MINUTES, MODERATION_EMAIL_INTERVAL_SECONDS, COMMENTS_CLOSE_AFTER_DAYS, "
        "COMMENT_IP_RETENTION_DAYS and COMMENT_SPAM_PURGE_DAYS cannot be negative."
    )

# Emails are sent by tasks enqueued once the comment's transaction commits, and run on a background
# thread so the visitor's request never waits for the mail server (config/task_backends.py).
TASKS = {
    "default": {
        "BACKEND": "config.task_backends.BackgroundThreadBackend",
        "OPTIONS": {"MAX_WORKERS": 2},
    }
}

# --- Security headers -------------------------------------------------------------------------
# Every page, the admin included, runs under a strict Content-Security-Policy: nothing inline,
# nothing from another origin, no plugins, no <base>, no framing, forms post only to this site.
# A violation is reported to /csp-report/ and logged (config/views.py), so a regression shows.
# HSTS, the HTTPS redirect and Secure cookies belong to the production settings.

CSP_REPORT_PATH = "/csp-report/"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "report-uri": [CSP_REPORT_PATH],
    "report-to": "csp",
}
# Where the report-to group above sends its reports (Reporting API).
REPORTING_ENDPOINTS = {"csp": CSP_REPORT_PATH}
# Powerful browser features this site never uses, switched off for it and anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "browsing-topics", "camera", "display-capture",
        "encrypted-media", "fullscreen", "geolocation", "gyroscope", "hid", "idle-detection",
        "magnetometer", "microphone", "midi", "payment", "picture-in-picture",
        "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
}  # fmt: skip
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Other sites may not embed this site's pages, images or styles.
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Cookies: out of reach of page scripts, and not sent along with requests from other sites.
# The CSRF cookie stays HttpOnly: the site reads the token from the form, never from script.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# A failed CSRF check shows a page in the site's design that explains and reveals nothing.
CSRF_FAILURE_VIEW = "config.views.csrf_failure"

# The visitor's address is REMOTE_ADDR unless this many trusted reverse proxies stand in front
# of the site; then it is the entry that many places from the right of X-Forwarded-For (the one
# the outermost trusted proxy saw). Never set it higher than the proxies really there: every
# entry further left is whatever the client chose to send.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# `make bench` measures a trivial view through the same middleware as a baseline; production
# never turns it on (bench/run.py).
BENCHMARK_HELLO = env_bool("BENCHMARK_HELLO")

# --- Admin ------------------------------------------------------------------------------------
# The admin lives under a path of your choosing (ADMIN_URL=moderation-k3x9/), which keeps it out
# of the scripts that hammer /admin/ on every site.

ADMIN_URL = env_str("ADMIN_URL", "admin/").strip().strip("/") + "/"
if ADMIN_URL == "/":
    raise ImproperlyConfigured("ADMIN_URL must not be empty: use a path like 'moderation/'.")

# Repeated failed logins lock the client out (django-axes, counted in the database so every web
# process and server agrees): after LOGIN_FAILURE_LIMIT failures from one address, or for one
# username, further attempts are refused for LOGIN_LOCKOUT_MINUTES. A success resets the count.
AUTHENTICATION_BACKENDS = [
    "config.security.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no start-up banner on every management command
AXES_CLIENT_IP_CALLABLE = "comments.spam.client_ip"
AXES_LOCKOUT_CALLABLE = "config.views.login_locked"

# --- HTTPS (production) -----------------------------------------------------------------------
# On by default whenever DEBUG is off. Behind a proxy that terminates TLS, name the header it
# sets (SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto, meaning "https"; or Name=value) so Django
# knows the request was secure; only do so if the proxy always sets or strips that header.


def proxy_ssl_header(setting: str) -> tuple[str, str] | None:
    if not setting:
        return None
    name, _, value = setting.partition("=")
    return ("HTTP_" + name.strip().upper().replace("-", "_"), value.strip() or "https")


SECURE_PROXY_SSL_HEADER = proxy_ssl_header(env_str("SECURE_PROXY_SSL_HEADER"))
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)

# --- Logging ----------------------------------------------------------------------------------
# One line of JSON per event on stdout (the container's log), text when developing. gunicorn's
# access and error logs use the same formatter (config/gunicorn.py).

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {LOG_LEVEL!r}."
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "ops.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "text" if DEBUG else "json",
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    # Replaces Django's own handlers for these, so each event is written once, by the root.
    "loggers": {"django": {"handlers": [], "level": LOG_LEVEL, "propagate": True}},
}

# --- Forms ------------------------------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
