"""Which version of an article's page is current: on PostgreSQL, mostly without a query.

blog/page_cache.py keys each shared page by `Article.page_version`, which every change to what
the page shows replaces. Reading it was the one query of a shared page, and on PostgreSQL the
round trip cost more than the rest of the request (docs/benchmarks.md).

So each connection remembers the versions it has read, for as long as the database says
nothing changed. A trigger on the articles table (migration 0005) sends a notice on CHANNEL
whenever a transaction that changed it commits; the connection LISTENs before it reads any
version, so no change can fall between a read and the notices. Each lookup first runs the
connection's health check (ops/postgresql), which reads in whatever waits on the socket and
tells a session the server ended; any notice read forgets every remembered version.

What a reader can still get: a change committed by another connection reaches a worker as a
notice a moment after the commit (well under a millisecond on an idle server). A request
arriving inside that moment is answered as if it had come just before the change. Whoever makes
a change (a moderator, an editor, a commenter) carries a cookie and never gets a shared page.

Versions are read every time, as before, where the scheme does not hold: on SQLite (where the
read is a local file's and cheap), inside a transaction (it may hold uncommitted changes, and
the test suite runs in one), with CONN_MAX_AGE=0 (a new connection per request would LISTEN
each time) and without psycopg2. A remembered version is also trusted for TRUST_SECONDS at
most, so that a path that loses notices (a pooler in transaction mode) cannot make a page
stale for longer.

The same memory serves requests that act on a published article without showing its text
(posting a comment): `published_article()` keeps each one it found under its version, and
forgets it with the versions.
"""

import copy
import threading
import time
from collections import deque

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from blog.models import Article

CHANNEL = "blog_article_page_changed"
TRUST_SECONDS = 10.0

Version = tuple[int, str] | None


class _Remembered(threading.local):
    """Per thread, as Django's connections are: the versions read on `connection`."""

    def __init__(self) -> None:
        self.connection: object | None = None
        self.versions: dict[str, Version] = {}
        self.articles: dict[tuple[int, str], Article] = {}
        self.trusted_until = 0.0

    def forget(self) -> None:
        self.versions = {}
        self.articles = {}


_remembered = _Remembered()


def page_version_at(slug: str) -> Version:
    """The id and `page_version` of the article at `slug` (published or not), as committed."""
    database = connections[DEFAULT_DB_ALIAS]
    if not _may_remember(database):
        return Article.objects.page_version_at(slug)
    versions = _versions_still_current(database)
    if slug not in versions:
        version = Article.objects.page_version_at(slug)
        if version is None:
            # Not remembered: addresses that were never articles are as many as anyone types.
            return None
        versions[slug] = version
    return versions[slug]


def published_article(slug: str) -> Article | None:
    """The published article at `slug` without its text (`body_source`, `body_html`), or None.

    For requests that act on an article rather than show it, such as posting a comment. Where
    versions are remembered, so is the article found under its version: it stays published
    until the version changes, as unpublishing and rescheduling change it, and time only moves
    forward. A copy is handed out, so nothing a request does to it reaches the next one.
    """
    database = connections[DEFAULT_DB_ALIAS]
    if not _may_remember(database):
        return _published_without_text(slug)
    current = page_version_at(slug)
    if current is None:
        return None
    remembered = _remembered.articles.get(current)
    if remembered is None:
        remembered = _published_without_text(slug)
        if remembered is None:
            return None  # a draft, or scheduled for later: looked up again next time
        # Kept under the version it was read with, which may be newer than `current`.
        _remembered.articles[(remembered.pk, remembered.page_version)] = remembered
    return copy.copy(remembered)


def _published_without_text(slug: str) -> Article | None:
    return Article.objects.published().defer("body_source", "body_html").filter(slug=slug).first()


def _may_remember(database: BaseDatabaseWrapper) -> bool:
    return (
        database.vendor == "postgresql"
        and not database.in_atomic_block
        and database.settings_dict["CONN_MAX_AGE"] != 0
        and database.Database.__name__ == "psycopg2"
        # LISTEN takes effect when its transaction commits: at once only in autocommit.
        and database.get_autocommit()
    )


def _versions_still_current(database: BaseDatabaseWrapper) -> dict[str, Version]:
    """The remembered versions, emptied if a notice has come; listening starts if need be."""
    raw = database.connection
    if (
        raw is not None
        and raw is _remembered.connection
        and time.monotonic() < _remembered.trusted_until
    ):
        # The health check reads in whatever waits on the socket (notices land in `notifies`)
        # and tells a connection the server ended (ops/postgresql).
        if database.is_usable():
            if raw.notifies:
                raw.notifies.clear()
                _remembered.forget()
            return _remembered.versions
        database.close()  # start afresh below
    with database.cursor() as cursor:
        cursor.execute(f"LISTEN {CHANNEL}")
    _remembered.connection = database.connection
    # Whether a notice came is all that matters. psycopg2 appends every notice it reads to
    # `notifies`, also while the worker serves other pages for a long time: keep only one.
    _remembered.connection.notifies = deque(maxlen=1)
    _remembered.forget()
    _remembered.trusted_until = time.monotonic() + TRUST_SECONDS
    return _remembered.versions
