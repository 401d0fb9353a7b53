"""Django's PostgreSQL backend, with a connection health check that is free while it is busy.

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` on a kept connection before each request's
first query, so that a restarted server costs a reconnect instead of an error page. For a
shared article page, whose only other statement is one lookup, that doubled the round trips.

A server that goes away (a restart, an administrator or an idle timeout ending the session)
says so on the socket: it sends its reason and closes. So a connection that served a request a
moment ago, sits idle between transactions and has nothing waiting to be read is taken as
alive without a round trip. Everything else gets Django's real check: a connection left idle
for longer than BUSY_SECONDS (when a NAT, a firewall or a failover may have dropped it
silently, leaving nothing on the socket), one with something waiting, one not idle.

What the shortcut can miss is a peer that vanished in silence within the last BUSY_SECONDS: the
request's first query then fails with the 503 page, and Django drops the connection, as it does
for a failure in the middle of a request.
"""

import select
import time

from django.db.backends.postgresql import base
from psycopg2.extensions import TRANSACTION_STATUS_IDLE

BUSY_SECONDS = 5.0


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._checked_at = float("-inf")

    def connect(self) -> None:
        super().connect()
        self._checked_at = time.monotonic()  # a new connection is as checked as any

    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed:
            return False
        checked_before, self._checked_at = self._checked_at, time.monotonic()
        if (
            self._checked_at - checked_before < BUSY_SECONDS
            and self.connection.info.transaction_status == TRANSACTION_STATUS_IDLE
            and nothing_waiting_on(self.connection.fileno())
        ):
            return True
        return super().is_usable()


def nothing_waiting_on(descriptor: int) -> bool:
    """Whether the socket has no data, end of stream or error for us; it never waits."""
    if descriptor < 0:
        return False
    poller = select.poll()
    poller.register(descriptor, select.POLLIN | select.POLLPRI)
    try:
        return not poller.poll(0)
    except OSError:
        return False
